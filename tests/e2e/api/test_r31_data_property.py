"""R31 (issue 24 §1): data property registration (数据产权登记) is a second register in the same
deployment, run by the same procedure engine: its own form items (the right claimed of the
three of 数据二十条, the data's source and legality basis, the compliance statement), its own
periods (the data property profile), numbering ("CQ" series) and certificate type."""

from __future__ import annotations

from typing import Any

from dataip.certs import vc
from tests.support.api import Api, complete_form, problem

PROPERTY = {
    "rights": ["resource_holding", "processing_use"],
    "data_source": "企业自有交通卡口设备采集",
    "legality_basis": "《数据安全法》第三十二条；设备采集协议",
    "compliance_statement": "数据来源合法，已完成合规评估",
    "compliance_accepted": True,
}


def property_form(api: Api, who: str, **over: Any) -> dict[str, Any]:
    form = complete_form(sample=api.upload(who), property=dict(PROPERTY), **over)
    del form["intellectual_achievement"]  # data IP's item; data property does not ask it
    return form


def test_r31_data_property_walks_from_filing_to_its_own_certificate(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),
        json={
            "register": "data_property",
            "form": property_form(api, w.applicant),
            "applicants": [{"party_id": w.party}],
        },
    )
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["register"] == "data_property"
    assert a["register_label"]["zh"] == "数据产权登记"
    sub = api.ok(w.applicant, a["id"], "submit")
    number = sub["application_number"]
    assert number.startswith("CQ2026") and len(number) == 16
    # no fast track in this register (Z§2.1 is data IP's)
    assert "request_fast_track" not in sub["allowed_actions"]
    api.ok(w.examiner, a["id"], "accept")
    pub = api.ok(w.examiner, a["id"], "publicise")
    # its own publicity period: 10 working days (the data property profile), not data IP's 5
    due = next(d["due_on"] for d in pub["deadlines"] if d["kind"] == "publicity")
    assert due == "2026-10-16", pub["deadlines"]  # 10 working days after 2026-09-28 (国庆)
    api.at("2026-10-19 09:00")
    reg = api.ok(w.examiner, a["id"], "approve")["registration"]
    assert reg["register"] == "data_property"
    assert reg["registration_number"] == number
    cert_no = reg["certificate_number"]
    assert cert_no.startswith("CQ202610" + "3301") and len(cert_no) == 17
    # the certificate: its own type, the rights, the registering body
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    subject = vc.peek(token)[1]["credentialSubject"]
    assert subject["type"] == "DataPropertyRight"
    assert subject["rights"] == ["resource_holding", "processing_use"]
    assert subject["registeringBody"]["code"] == "3301"
    assert "sibling" not in subject
    pdf = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_r31_a_data_property_filing_lacking_its_items_is_refused_with_each_defect(
    api: Api,
) -> None:
    w = api.world()
    form = complete_form(sample=api.upload(w.applicant))
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),
        json={"register": "data_property", "form": form, "applicants": [{"party_id": w.party}]},
    )
    assert r.status_code == 201, r.text
    body = problem(api.act(w.applicant, r.json()["id"], "submit"), 422, "incomplete_application")
    fields = {d["field"] for d in body["details"]["defects"]}
    assert {
        "property.rights",
        "property.data_source",
        "property.legality_basis",
        "property.compliance_statement",
    } <= fields
    # a right outside the three is refused by the schema
    bad = dict(form, property={"rights": ["ownership"]})
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),
        json={"register": "data_property", "form": bad, "applicants": [{"party_id": w.party}]},
    )
    assert r.status_code == 422, r.text
