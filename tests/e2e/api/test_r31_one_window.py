"""R31 (issue 24 §2, BJ§1): one window (一窗受理). One combined filing — the shared parts filled
once — for data IP and data property registration; each proceeds under its own register's
rules; the applicant and both registers' examiners read one dossier with both states; each
certificate names the other's number once both exist; one refused, the other still granted."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from dataip.certs import vc
from tests.e2e.api.test_r31_data_property import PROPERTY
from tests.support.api import Api, World, complete_form, problem


def _dossier(api: Api, w: World, **over: Any) -> dict[str, Any]:
    form = complete_form(sample=api.upload(w.applicant), property=dict(PROPERTY), **over)
    r = api.c.post(
        "/api/v1/dossiers",
        headers=api.h(w.applicant),
        json={
            "registers": ["data_ip", "data_property"],
            "form": form,
            "applicants": [{"party_id": w.party}],
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _subject(api: Api, number: str) -> dict[str, Any]:
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    return dict(vc.peek(token)[1]["credentialSubject"])


def _by_register(d: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["register"]: a for a in d["applications"]}


def test_r31_one_window_filing_reaches_two_certificates_that_name_each_other(
    api: Api, tmp_path: Path
) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    d = _dossier(api, w)
    apps = _by_register(d)
    assert set(apps) == {"data_ip", "data_property"}
    assert all(a["state"] == "draft" and a["dossier_id"] == d["id"] for a in apps.values())
    # the data IP application carries the shared parts, not the data property items
    assert "property" not in apps["data_ip"]["form"]
    assert apps["data_property"]["form"]["property"]["rights"] == PROPERTY["rights"]
    r = api.c.post(f"/api/v1/dossiers/{d['id']}/submit", headers=api.h(w.applicant))
    assert r.status_code == 200, r.text
    apps = _by_register(r.json())
    ip, dp = apps["data_ip"], apps["data_property"]
    assert ip["state"] == dp["state"] == "submitted"
    assert dp["application_number"].startswith("CQ")
    assert not ip["application_number"].startswith("CQ")
    # submitted once: a second submission is refused
    problem(
        api.c.post(f"/api/v1/dossiers/{d['id']}/submit", headers=api.h(w.applicant)),
        409,
        "dossier_submitted",
    )
    # each under its own rules: the examiners of both registers act on their own
    for a in (ip, dp):
        api.ok(w.examiner, a["id"], "accept")
        api.ok(w.examiner, a["id"], "publicise")
    # the examiner reads the one dossier with both states
    seen = api.c.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(w.examiner)).json()
    assert {a["register"]: a["state"] for a in seen["applications"]} == {
        "data_ip": "publicised",
        "data_property": "publicised",
    }
    # data IP's 5 working days end first: registered before its sibling
    api.at("2026-10-13 09:00")
    ip_reg = api.ok(w.examiner, ip["id"], "approve")["registration"]
    assert "sibling" not in _subject(api, ip_reg["registration_number"])  # none yet
    problem(api.act(w.examiner, dp["id"], "approve"), 409, "publicity_not_over")
    api.at("2026-10-19 09:00")
    dp_reg = api.ok(w.examiner, dp["id"], "approve")["registration"]
    # the second names the first from the start …
    dp_subject = _subject(api, dp_reg["registration_number"])
    assert dp_subject["sibling"] == {
        "register": "data_ip",
        "registrationNumber": ip_reg["registration_number"],
        "certificateNumber": ip_reg["certificate_number"],
    }
    # … and the first was issued again, as a new version, naming the second
    ip_subject = _subject(api, ip_reg["registration_number"])
    assert ip_subject["certificateVersion"] == 2
    assert ip_subject["sibling"]["certificateNumber"] == dp_reg["certificate_number"]
    assert ip_subject["sibling"]["register"] == "data_property"
    # … in the PDF too
    r = api.c.get(
        f"/api/v1/registrations/{ip_reg['registration_number']}/certificate",
        headers={"Accept": "application/pdf"},
    )
    pdf = tmp_path / "ip.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "一窗受理关联登记" in text and dp_reg["certificate_number"] in text
    r = api.c.get(
        f"/api/v1/registrations/{dp_reg['registration_number']}/certificate",
        headers={"Accept": "application/pdf"},
    )
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "数据产权登记证书" in text and "数据资源持有权" in text
    assert ip_reg["certificate_number"] in text
    # the public registration pages name the sibling's certificate number
    page = api.c.get(f"/registrations/{ip_reg['registration_number']}")
    assert dp_reg["certificate_number"] in page.text
    page = api.c.get(f"/registrations/{dp_reg['registration_number']}")
    assert ip_reg["certificate_number"] in page.text
    # the applicant's dossier shows both registrations
    mine = api.c.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(w.applicant)).json()
    got = {a["register"]: a["registration"]["certificate_number"] for a in mine["applications"]}
    assert got == {
        "data_ip": ip_reg["certificate_number"],
        "data_property": dp_reg["certificate_number"],
    }
    # the public log has codes and numbers, nothing typed: the rights' texts are not there
    log = api.c.get("/api/v1/events", params={"limit": 500})
    assert PROPERTY["legality_basis"] not in log.text
    assert PROPERTY["compliance_statement"] not in log.text


def test_r31_one_window_one_refused_and_the_other_still_granted(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    d = _dossier(api, w, name="港口集装箱作业数据集")
    r = api.c.post(f"/api/v1/dossiers/{d['id']}/submit", headers=api.h(w.applicant))
    apps = _by_register(r.json())
    ip, dp = apps["data_ip"], apps["data_property"]
    api.ok(w.examiner, dp["id"], "accept")
    api.ok(w.examiner, dp["id"], "refuse", grounds=[1], reason="数据来源合法性依据不足")
    api.ok(w.examiner, ip["id"], "accept")
    api.ok(w.examiner, ip["id"], "publicise")
    api.at("2026-10-13 09:00")
    ip_reg = api.ok(w.examiner, ip["id"], "approve")["registration"]
    subject = _subject(api, ip_reg["registration_number"])
    assert "sibling" not in subject  # the refused one has no certificate to name
    seen = api.c.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(w.applicant)).json()
    assert {a["register"]: a["state"] for a in seen["applications"]} == {
        "data_ip": "registered",
        "data_property": "refused",
    }


def test_r31_one_window_refusals(api: Api) -> None:
    w = api.world()
    other = api.user("applicant")
    d = _dossier(api, w)
    # another applicant does not see a dossier of drafts
    problem(
        api.c.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(other)), 404, "dossier_not_found"
    )
    problem(
        api.c.post(f"/api/v1/dossiers/{d['id']}/submit", headers=api.h(other)),
        404,
        "dossier_not_found",
    )
    # an incomplete data property part stops both: the shared form is one
    form = complete_form(sample=api.upload(w.applicant))
    r = api.c.post(
        "/api/v1/dossiers",
        headers=api.h(w.applicant),
        json={
            "registers": ["data_ip", "data_property"],
            "form": form,
            "applicants": [{"party_id": w.party}],
        },
    )
    did = r.json()["id"]
    problem(
        api.c.post(f"/api/v1/dossiers/{did}/submit", headers=api.h(w.applicant)),
        422,
        "incomplete_application",
    )
    states = {
        a["state"]
        for a in api.c.get(f"/api/v1/dossiers/{did}", headers=api.h(w.applicant)).json()[
            "applications"
        ]
    }
    assert states == {"draft"}
