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
