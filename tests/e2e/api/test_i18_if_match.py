"""Issue 18 §5: every write that takes `If-Match` checks it the same way (RFC 9110 §13.1.1,
strong comparison): a weak `W/"2"` never matches (412, it was accepted as "2"), a stale tag is
412, a malformed header 400, a list matches when one of its strong tags does, and where the
write requires the header (a co-applicant's consent, which accepted none) its absence — or
`*`, which names no version — is 428. A refused write changes nothing.

`test_every_if_match_route_has_a_case` finds the routes by their dependency, so a new write
taking `If-Match` without a case here fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.web import deps
from tests.e2e.api.test_r31_data_property import PROPERTY
from tests.support.api import Api, World, complete_form, problem
from tests.support.db import changed_tables, snapshot
from tests.support.routes import PREFIX, api_routes, dependency_calls


@dataclass
class Target:
    method: str
    url: str
    who: str
    json: Any
    version: int  # the record's current version (its ETag)
    version_key: str = "version"  # where the answer carries it


@dataclass
class Case:
    route: str
    build: Callable[[Api, World], Target]
    required: bool = False


def _patch(api: Api, w: World) -> Target:
    a = api.draft(w.applicant, w.party)
    body = {"form": {**a["form"], "other_notes": "补充说明"}}
    return Target("PATCH", f"{PREFIX}/applications/{a['id']}", w.applicant, body, a["version"])


def _consent(api: Api, w: World) -> Target:
    co, a = w.joint_draft()
    return Target("POST", f"{PREFIX}/applications/{a['id']}/consent", co, None, a["version"])


def _action(api: Api, w: World) -> Target:
    a = api.draft(w.applicant, w.party)
    url = f"{PREFIX}/applications/{a['id']}/actions/submit"
    return Target("POST", url, w.applicant, None, a["version"])


def _registration_action(api: Api, w: World) -> Target:
    number = w.registered()
    version = int(api.reg(w.applicant, number).json()["version"])
    url = f"{PREFIX}/registrations/{number}/actions/request_change"
    body = {"changes": {"update": {"frequency": "weekly"}}, "reason": "更新频率调整"}
    return Target("POST", url, w.applicant, body, version)


def _quality_publish(api: Api, w: World) -> Target:
    """Issue 22 §1: publishing names the assessment it publishes (its ETag is the id)."""
    number = w.registered()
    r = api.c.post(f"{PREFIX}/registrations/{number}/quality", headers=api.h(w.applicant), json={})
    assert r.status_code == 201, r.text
    url = f"{PREFIX}/registrations/{number}/quality/publish"
    return Target("POST", url, w.applicant, None, r.json()["assessment_id"], "assessment_id")


def _dossier_submit(api: Api, w: World) -> Target:
    """Issue 24 §2: a one-window filing is submitted as the dossier's applicant read it."""
    body = {
        "registers": ["data_ip", "data_property"],
        "form": complete_form(sample=api.upload(w.applicant), property=dict(PROPERTY)),
        "applicants": [{"party_id": w.party}],
    }
    r = api.c.post(f"{PREFIX}/dossiers", headers=api.h(w.applicant), json=body)
    assert r.status_code == 201, r.text
    d = r.json()
    return Target("POST", f"{PREFIX}/dossiers/{d['id']}/submit", w.applicant, None, d["version"])


def _valuation(api: Api, w: World, *, published: bool, step: str) -> Target:
    """Issue 22 §2: publishing or withdrawing a valuation afterwards names its version."""
    number = w.registered()
    url = f"{PREFIX}/registrations/{number}/valuations"
    cost = {"items": [{"item": "collection", "amount_fen": 100_000}], "profit_rate_bp": 1000}
    body = {"quality_bp": 8000, "cost": cost, "publish": published}
    r = api.c.post(url, headers=api.h(w.applicant), json=body)
    assert r.status_code == 201, r.text
    v = r.json()
    return Target("POST", f"{url}/{v['number']}/{step}", w.applicant, None, v["version"])


def _valuation_publish(api: Api, w: World) -> Target:
    return _valuation(api, w, published=False, step="publish")


def _valuation_unpublish(api: Api, w: World) -> Target:
    return _valuation(api, w, published=True, step="unpublish")


CASES = [
    Case("PATCH /applications/{application_id}", _patch),
    Case("POST /dossiers/{dossier_id}/submit", _dossier_submit),
    Case("POST /applications/{application_id}/consent", _consent, required=True),
    Case("POST /applications/{application_id}/actions/{action}", _action),
    Case("POST /registrations/{number}/actions/{action}", _registration_action),
    Case("POST /registrations/{number}/quality/publish", _quality_publish),
    Case("POST /registrations/{number}/valuations/{valuation}/publish", _valuation_publish),
    Case("POST /registrations/{number}/valuations/{valuation}/unpublish", _valuation_unpublish),
]


def _send(api: Api, t: Target, if_match: str | None) -> Any:
    headers = api.h(t.who)
    if if_match is not None:
        headers["If-Match"] = if_match
    return api.c.request(t.method, t.url, headers=headers, json=t.json)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.route)
def test_i18_if_match_refusals(case: Case, api: Api, registry: Registry) -> None:
    w = api.world()
    t = case.build(api, w)
    before = snapshot(registry)
    refusals: list[tuple[str | None, int, str]] = [
        (f'W/"{t.version}"', 412, "stale_version"),  # weak: never matches a write
        (f'W/"{t.version}", W/"{t.version + 1}"', 412, "stale_version"),
        (f'"{t.version + 1}"', 412, "stale_version"),
        (f'"{t.version}x"', 412, "stale_version"),  # a strong tag, but no version of ours
        (str(t.version), 400, "invalid_if_match"),  # an entity-tag is quoted
        (f'"{t.version}" garbage', 400, "invalid_if_match"),
        ("W/abc", 400, "invalid_if_match"),
        ("", 400, "invalid_if_match"),
    ]
    if case.required:
        refusals += [(None, 428, "precondition_required"), ("*", 428, "precondition_required")]
    for value, status, code in refusals:
        body = problem(_send(api, t, value), status, code)
        if status == 412:
            assert body["details"]["current_version"] == t.version, body
        assert changed_tables(before, snapshot(registry)) == {}, value


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.route)
@pytest.mark.parametrize("form", ["strong", "list", "star", "absent"])
def test_i18_if_match_that_holds(case: Case, form: str, api: Api) -> None:
    """The current version as a strong tag, alone or in a list (with a weak tag of it, which
    does not count), passes; so do `*` and no header where the write does not require one."""
    if case.required and form in ("star", "absent"):
        pytest.skip("required: refused with 428 above")
    w = api.world()
    t = case.build(api, w)
    value = {
        "strong": f'"{t.version}"',
        "list": f'W/"{t.version}", "{t.version + 7}", "{t.version}"',
        "star": "*",
        "absent": None,
    }[form]
    r = _send(api, t, value)
    assert r.status_code in (200, 201), r.text
    assert r.headers["etag"] == f'"{r.json()[t.version_key]}"'
    assert r.json()[t.version_key] >= t.version  # a consent changes the parties, not the form


def test_every_if_match_route_has_a_case(api: Api) -> None:
    routes = api_routes(api.c.app)
    taking = {
        f"{m} {p.removeprefix(PREFIX)}": route
        for (m, p), route in routes.items()
        if {deps.if_match, deps.if_match_required}
        & set(dependency_calls(getattr(route, "dependant", None)))
    }
    assert len(taking) >= 4, "the introspection is broken"
    assert set(taking) == {c.route for c in CASES}
    required = {
        k for k, r in taking.items() if deps.if_match_required in set(dependency_calls(r.dependant))
    }
    assert required == {c.route for c in CASES if c.required}
    assert all(m in ("POST", "PATCH", "PUT", "DELETE") for m in (k.split()[0] for k in taking))


def test_i18_openapi_documents_if_match_on_every_write_that_takes_it(api: Api) -> None:
    spec = api.c.get(f"{PREFIX}/openapi.json").json()
    for case in CASES:
        method, path = case.route.split(" ", 1)
        op = spec["paths"][PREFIX + path][method.lower()]
        names = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
        assert "if-match" in names, case.route
