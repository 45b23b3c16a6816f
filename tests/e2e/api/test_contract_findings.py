"""Faults the schemathesis run (test_contract.py) found, each pinned by a plain test so it
cannot come back unnoticed whatever the fuzzer happens to generate next time."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, complete_form, problem


def _defects(r: Any) -> list[tuple[str, str]]:
    body = problem(r, 422, "incomplete_application")
    return [(d["field"], d["code"]) for d in body["details"]["defects"]]


def test_i18_a_draft_may_hold_an_evidence_hash_longer_than_a_digest(api: Api) -> None:
    """The form takes up to 200 characters for the evidence hash, the column it is copied to
    for duplicate checks 64: PostgreSQL refused the row (500). A draft keeps what was typed;
    only a digest is compared, and submission names the defect."""
    w = api.world()
    long = "0" * 200
    ev = {**complete_form(sample="")["evidence"], "hash_value": long}
    a = api.draft(w.applicant, w.party, evidence=ev)
    assert a["form"]["evidence"]["hash_value"] == long
    r = api.c.patch(
        f"/api/v1/applications/{a['id']}",
        headers=api.h(w.applicant),
        json={"form": {**a["form"], "evidence": {**ev, "hash_value": "sm3:" + "f" * 196}}},
    )
    assert r.status_code == 200, r.text
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [
        ("evidence.hash_value", "invalid_hash")
    ]


def test_i18_a_status_list_beyond_the_32_bit_positions_is_refused_not_a_500(api: Api) -> None:
    """Lists up to 100,000 were accepted, but list N starts at position N × 131,072 and the
    positions are 32-bit integers: PostgreSQL refused the query for list 16,384 and above
    (500). The last list whose range fits is the bound, in the OpenAPI too."""
    w = api.world()
    w.registered()
    assert api.c.get("/api/v1/certificates/status-lists/0").status_code == 200
    problem(api.c.get("/api/v1/certificates/status-lists/16382"), 404, "status_list_not_found")
    for beyond in (16383, 99999):
        problem(api.c.get(f"/api/v1/certificates/status-lists/{beyond}"), 422, "invalid_request")
    param = next(
        p
        for p in api.c.get("/api/v1/openapi.json").json()["paths"][
            "/api/v1/certificates/status-lists/{list_no}"
        ]["get"]["parameters"]
        if p["name"] == "list_no"
    )
    assert param["schema"]["maximum"] == 16382


def test_i18_a_list_cursor_beyond_32_bits_reads_as_the_end_not_a_500(api: Api) -> None:
    """`cursor` takes up to ten digits; ids are 32-bit integers and PostgreSQL refused a
    larger one in the query (500) — for the API's lists and the portal's search page alike."""
    w = api.world()
    w.registered()
    h = api.h(w.applicant)
    for huge in ("2147483648", "9999999999"):
        r = api.c.get("/api/v1/announcements", params={"cursor": huge})
        assert r.status_code == 200, r.text
        assert [a["number"] for a in r.json()["items"]] == [
            a["number"] for a in api.c.get("/api/v1/announcements").json()["items"]
        ]
        r = api.c.get("/api/v1/announcements", params={"cursor": huge, "q": "交通"})
        assert r.status_code == 200, r.text
        r = api.c.get("/api/v1/applications", params={"cursor": huge}, headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == []
        page = api.c.get("/announcements", params={"cursor": huge})
        assert page.status_code == 200, page.text[:300]
