"""Issue 18 §5: a change registration's form (G§21: the registered form with the change
applied) is validated exactly as an application form is — by the same schema
(`dataip.schemas.application_form`) — so bad input is 422 and changes nothing. Before,
`{"changes": {"scope": "str"}}` was a 500 and `{"changes": {"sample_blobs": "notalist"}}` was
accepted, approved and issued in certificate version 2."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.services.after_registration import change, decisions
from tests.support.api import Api, problem
from tests.support.db import changed_tables, snapshot

BAD_CHANGES: list[tuple[str, dict[str, Any], str, list[str]]] = [
    ("scope-a-string", {"scope": "str"}, "invalid_request", ["body", "changes", "scope"]),
    ("blobs-not-a-list", {"sample_blobs": "notalist"}, "invalid_request", ["sample_blobs"]),
    ("blob-not-a-hash", {"sample_blobs": ["../../etc/passwd"]}, "invalid_request", ["0"]),
    ("unknown-item", {"colour": "blue"}, "invalid_request", ["colour"]),
    ("records-a-word", {"scope": {"records": "many"}}, "invalid_request", ["records"]),
    ("records-negative", {"scope": {"records": -5}}, "invalid_request", ["records"]),
    ("unknown-scenario", {"scenarios": {"values": ["martian"]}}, "invalid_request", ["values"]),
    ("name-too-long", {"name": "交" * 201}, "invalid_request", ["name"]),
    ("text-too-long", {"other_notes": "字" * 5001}, "invalid_request", ["other_notes"]),
    (
        "date-not-a-date",
        {"agreement_end_date": "tomorrow"},
        "invalid_request",
        ["agreement_end_date"],
    ),
    ("nested-list", {"evidence": [1, 2]}, "invalid_request", ["evidence"]),
    ("line-break-in-a-name", {"name": "城市\n交通数据集"}, "invalid_characters", ["name"]),
    ("control-character", {"other_notes": "备注\x01"}, "invalid_characters", ["changes"]),
    ("nul", {"other_notes": "备注\x00"}, "invalid_characters", []),
]


@pytest.mark.parametrize(
    ("changes", "code", "where"),
    [pytest.param(c, code, where, id=name) for name, c, code, where in BAD_CHANGES],
)
def test_i18_bad_change_is_422_and_changes_nothing(
    api: Api, registry: Registry, changes: dict[str, Any], code: str, where: list[str]
) -> None:
    w = api.world()
    number = w.registered()
    before = snapshot(registry)
    body = problem(
        api.reg_act(w.applicant, number, "request_change", changes=changes, reason="变更"),
        422,
        code,
    )
    locs = [e["loc"] for e in body.get("details", {}).get("errors", [])]
    assert not where or any(all(part in loc for part in where) for loc in locs), locs
    assert changed_tables(before, snapshot(registry)) == {}
    assert api.reg(w.applicant, number).json()["certificate_version"] == 1


def test_i18_change_refused_at_approval_when_its_form_is_no_form(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change request filed before this check (its form unchecked) is refused at approval
    rather than issued: 422, the request still pending, certificate version 1."""
    w = api.world()
    number = w.registered()
    with monkeypatch.context() as m:
        # where the change request looks them up (its approval reads `decisions`' own)
        m.setattr(change, "validate_form", lambda form, at=(): form)
        m.setattr(change, "require_own_in_form", lambda *a, **k: None)
        d = api.reg_ok(w.applicant, number, "request_change", changes={"sample_blobs": "notalist"})
    rid = d["requests"][-1]["id"]
    before = snapshot(registry)
    problem(
        api.reg_act(
            w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="同意"
        ),
        422,
        "invalid_request",
    )
    assert changed_tables(before, snapshot(registry)) == {}
    now = api.reg(w.applicant, number).json()
    assert now["certificate_version"] == 1
    assert now["requests"][-1]["state"] == "pending"
    # refusing it stays possible
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="refuse", reason="表单无效"
    )


def test_i18_valid_change_is_still_issued(api: Api) -> None:
    w = api.world()
    sample = api.upload(w.applicant, b"x,y\n1,2\n", "new.csv")
    number = w.registered()
    changes = {"sample_blobs": [sample], "update": {"frequency": "weekly"}}
    d = api.reg_ok(w.applicant, number, "request_change", changes=changes, reason="更新")
    rid = d["requests"][-1]["id"]
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="同意"
    )
    assert d["certificate_version"] == 2


def test_i18_application_form_and_change_share_one_schema() -> None:
    """The API's form schema is the one services validate changes with."""
    from dataip.schemas import application_form
    from dataip.web.api import application_schemas

    assert application_schemas.ApplicationForm is application_form.ApplicationForm
    assert change.validate_form is application_form.validate_form  # the request
    assert decisions.validate_form is application_form.validate_form  # its approval


def _nested(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {"x": 1}
    for _ in range(depth):
        out = {"scope": out}
    return out


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 422, "invalid_request"),  # no body: "say what changes"
        (b'{"changes": "scope"}', 422, "invalid_request"),
        (b'{"changes": [1, 2]}', 422, "invalid_request"),
        (b'{"changes": {"scope": ', 422, "invalid_request"),
        ('{"changes": {"other_notes": "备注"}}'.encode("gb18030"), 400, "bad_request"),
        (None, 422, "invalid_request"),
    ],
    ids=["empty", "a-string", "a-list", "malformed", "gb18030", "deeply-nested"],
)
def test_i18_change_request_bodies_that_are_no_change(
    api: Api, registry: Registry, content: bytes | None, status: int, code: str
) -> None:
    import json

    if content is None:  # a merge patch nested far deeper than any form
        content = json.dumps({"changes": _nested(400)}).encode()
    w = api.world()
    number = w.registered()
    before = snapshot(registry)
    r = api.c.post(
        f"/api/v1/registrations/{number}/actions/request_change",
        headers={**api.h(w.applicant), "Content-Type": "application/json"},
        content=content,
    )
    if content == b"":
        assert r.status_code == 422 and r.json()["code"] in ("invalid_request", "no_change")
    else:
        problem(r, status, code)
    assert changed_tables(before, snapshot(registry)) == {}


def test_i18_deeply_nested_free_form_json_is_refused_everywhere(
    api: Api, registry: Registry
) -> None:
    """Free-form JSON fields (an evidence manifest too) refuse nesting past 32 levels with 422;
    a few hundred levels passed validation and failed serialising: a 500."""
    import json

    who = api.user("applicant")
    before = snapshot(registry)
    body = {"root": "ab" * 32, "manifest": _nested(400)}
    r = api.c.post(
        "/api/v1/evidence",
        headers={**api.h(who), "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )
    body = problem(r, 422, "invalid_request")
    assert body["details"]["errors"][0]["type"] == "too_deeply_nested"
    assert changed_tables(before, snapshot(registry)) == {}
