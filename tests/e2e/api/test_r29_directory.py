"""R29 (issue 23 §5): the service directory — a verified legal person lists itself as an agency
(categories, province from its credit code, screened description); the public searches it;
the registry suspends one (hidden, cannot be asked) and reinstates it; a holder asks a listed
agency for a service, the agency accepts or declines, and contact details are shown only after
acceptance. Bad input is a 4xx problem with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.bootstrap import Registry
from tests.support.api import Api, make_resident_id, make_uscc, problem
from tests.support.db import changed_tables, snapshot
from tests.support.matching import BUS, holder, inbox, user_with_email

AGENCIES = "/api/v1/agencies"


def _agency(api: Api, who: str, party: int, cats: list[str], desc: str) -> dict[str, Any]:
    r = api.c.post(
        AGENCIES,
        headers=api.h(who),
        json={"party_id": party, "categories": cats, "description": desc},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def directory(api: Api) -> dict[str, Any]:
    examiner = api.user("examiner")
    admin = api.user("registrar_admin")
    firm = user_with_email(api, "firm_user", "firm@law.example")
    p_law = api.party(
        firm, name="贵州数据律师事务所", id_number=make_uscc(701, "520102"), verify_by=examiner
    )
    law = _agency(api, firm, p_law, ["law_firm", "notary"], "数据产权确权与合规法律服务")
    val = user_with_email(api, "val_user", "val@appraisal.example")
    p_val = api.party(
        val, name="北京资产评估有限公司", id_number=make_uscc(702, "110105"), verify_by=examiner
    )
    appraisal = _agency(api, val, p_val, ["appraisal"], "数据资产价值评估")
    who = user_with_email(api, "holder_bus", "bus@holder.example")
    _, number = holder(api, examiner, who, **BUS)
    return {
        "admin": admin,
        "examiner": examiner,
        "firm": firm,
        "law": law,
        "val": val,
        "appraisal": appraisal,
        "holder": who,
        "number": number,
    }


def test_r29_directory_lists_searches_and_filters(api: Api, directory: dict[str, Any]) -> None:
    law, appraisal = directory["law"], directory["appraisal"]
    assert law["region_code"] == "52" and law["region_name"] == "贵州省"
    assert law["categories"] == ["law_firm", "notary"] and law["state"] == "listed"
    every = api.c.get(AGENCIES).json()  # public: no sign-in
    assert {a["id"] for a in every} == {law["id"], appraisal["id"]}
    assert [a["id"] for a in api.c.get(AGENCIES, params={"q": "律师"}).json()] == [law["id"]]
    assert [a["id"] for a in api.c.get(AGENCIES, params={"q": "%"}).json()] == []
    by_cat = api.c.get(AGENCIES, params={"category": "appraisal"}).json()
    assert [a["id"] for a in by_cat] == [appraisal["id"]]
    by_region = api.c.get(AGENCIES, params={"region": "11"}).json()
    assert [a["id"] for a in by_region] == [appraisal["id"]]


def test_r29_suspended_agency_is_hidden_and_cannot_be_asked(
    api: Api, directory: dict[str, Any]
) -> None:
    law, admin = directory["law"], directory["admin"]
    url = f"{AGENCIES}/{law['id']}"
    problem(
        api.c.post(f"{url}/suspend", headers=api.h(directory["firm"]), json={"reason": "x"}),
        403,
        "forbidden",
    )
    r = api.c.post(f"{url}/suspend", headers=api.h(admin), json={"reason": "执业许可被吊销"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "suspended"
    problem(
        api.c.post(f"{url}/suspend", headers=api.h(admin), json={"reason": "again"}),
        409,
        "agency_suspended",
    )
    assert law["id"] not in {a["id"] for a in api.c.get(AGENCIES).json()}
    problem(api.c.get(url), 404, "agency_not_found")
    body = {"agency_id": law["id"], "category": "law_firm", "message": "请协助确权"}
    problem(
        api.c.post(
            f"/api/v1/registrations/{directory['number']}/service-requests",
            headers=api.h(directory["holder"]),
            json=body,
        ),
        404,
        "agency_not_found",
    )
    r = api.c.post(f"{url}/reinstate", headers=api.h(admin), json={"reason": "许可已恢复"})
    assert r.status_code == 200 and r.json()["state"] == "listed"
    assert law["id"] in {a["id"] for a in api.c.get(AGENCIES).json()}


def test_r29_service_request_contact_only_after_acceptance(
    api: Api, directory: dict[str, Any]
) -> None:
    d = directory
    url = f"/api/v1/registrations/{d['number']}/service-requests"
    body = {"agency_id": d["law"]["id"], "category": "law_firm", "message": "请协助审查授权协议"}
    problem(api.c.post(url, headers=api.h(d["val"]), json=body), 403, "not_registration_holder")
    r = api.c.post(url, headers=api.h(d["holder"]), json=body)
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["state"] == "requested" and req["other"] is None and req["side"] == "holder"
    problem(api.c.post(url, headers=api.h(d["holder"]), json=body), 409, "service_request_exists")
    (notice,) = inbox(api, d["firm"], "service_requested")
    assert notice["body"]["service_request_id"] == req["id"]
    theirs = api.c.get("/api/v1/service-requests", headers=api.h(d["firm"])).json()
    assert [x["id"] for x in theirs] == [req["id"]]
    assert theirs[0]["can_answer"] and theirs[0]["other"] is None
    assert "bus@holder.example" not in str(theirs)
    rid = req["id"]
    problem(
        api.c.post(f"/api/v1/service-requests/{rid}/accept", headers=api.h(d["holder"])),
        403,
        "not_agency_user",
    )
    problem(
        api.c.post(f"/api/v1/service-requests/{rid}/accept", headers=api.h(d["val"])),
        404,
        "service_request_not_found",
    )
    r = api.c.post(f"/api/v1/service-requests/{rid}/accept", headers=api.h(d["firm"]))
    assert r.status_code == 200, r.text
    assert r.json()["other"]["email"] == "bus@holder.example"
    mine = api.c.get("/api/v1/service-requests", headers=api.h(d["holder"])).json()
    assert mine[0]["other"]["email"] == "firm@law.example"
    assert mine[0]["other"]["parties"] == ["贵州数据律师事务所"]
    assert inbox(api, d["holder"], "service_accepted")
    problem(
        api.c.post(f"/api/v1/service-requests/{rid}/decline", headers=api.h(d["firm"])),
        409,
        "service_request_answered",
    )


def test_r29_directory_bad_input_changes_nothing(
    api: Api, directory: dict[str, Any], registry: Registry
) -> None:
    d = directory
    examiner = d["examiner"]
    who = api.user("applicant")
    person = api.party(who, kind="natural_person", verify_by=examiner)
    unverified = api.party(who)
    firm = api.party(who, verify_by=examiner)
    before = snapshot(registry)
    for party, cats, desc, status, code in (
        (person, ["bank"], "银行", 422, "agency_not_legal_person"),
        (unverified, ["bank"], "银行", 422, "party_not_verified"),
        (d["law"]["id"] + 999, ["bank"], "银行", 422, "party_not_found"),
        (firm, ["bank"], "联系电话13812345678", 422, "agency_personal_data"),
        (firm, ["bank", "casino"], "银行", 422, "invalid_request"),
        (firm, [], "银行", 422, "invalid_request"),
    ):
        body = {"party_id": party, "categories": cats, "description": desc}
        problem(api.c.post(AGENCIES, headers=api.h(who), json=body), status, code)
    problem(
        api.c.post(AGENCIES, json={"party_id": firm, "categories": ["bank"], "description": "x"}),
        401,
        "unauthenticated",
    )
    url = f"/api/v1/registrations/{d['number']}/service-requests"
    for body, status, code in (
        (
            {
                "agency_id": d["law"]["id"],
                "category": "law_firm",
                "message": f"身份证{make_resident_id()}",
            },
            422,
            "service_request_personal_data",
        ),
        (
            {"agency_id": d["law"]["id"], "category": "bank", "message": "贷款"},
            422,
            "agency_category_not_offered",
        ),
        ({"agency_id": 99999, "category": "bank", "message": "贷款"}, 404, "agency_not_found"),
    ):
        problem(api.c.post(url, headers=api.h(d["holder"]), json=body), status, code)
    assert changed_tables(before, snapshot(registry)) == {}
    assert api.c.get(AGENCIES, params={"region": "x"}).status_code == 422
