"""Issue 18 §5: every write endpoint of the API, eight identical requests at once, on SQLite and
PostgreSQL: never a 500; where only one can succeed (one root deposited, one user name, one
decision, one transition) exactly one does and the others get a 409/412 problem with a stable
code. The reported fault: on PostgreSQL 8 concurrent `POST /evidence` with one root gave one 201
and seven 500s (unique violation at a flush), where SQLite said 409.

`test_every_write_route_races` fails when a write route has no row here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import reference
from dataip.services.context import SYSTEM
from tests.integration.test_i20_pledge_races import pledge_cases
from tests.integration.test_i20_races import i20_cases
from tests.integration.test_r27_valuation_races import valuation_cases
from tests.integration.test_r28_distribution_races import distribution_cases
from tests.integration.test_r29_directory_races import directory_cases
from tests.integration.test_r29_matching_races import matching_cases
from tests.integration.test_r31_one_window_races import one_window_cases
from tests.support.api import Api, World, complete_form, make_resident_id
from tests.support.db import count
from tests.support.institutions import headers_for
from tests.support.race import race
from tests.support.routes import PREFIX, api_routes

WRITERS = 8
Request = tuple[str, str, dict[str, str], dict[str, Any]]  # method, url, headers, httpx kwargs


@dataclass
class Case:
    route: str  # "METHOD /path" as the app declares it, under /api/v1
    build: Callable[[Api, World], Request]
    expect: str  # "one": exactly one success; "all": every one succeeds; "some": at least one
    losers: set[tuple[int, str]] = field(default_factory=set)  # allowed refusals
    then: Callable[[Registry], None] | None = None  # what the database must show after

    @property
    def id(self) -> str:
        return self.route


def _accounts(api: Api, w: World) -> Request:
    body = {"username": "racer", "password": "pass-word-1", "display_name": "赛跑者"}
    return "POST", f"{PREFIX}/accounts", {}, {"json": body}


def _token(api: Api, w: World) -> Request:
    body = {"username": w.applicant, "password": "pass-word-1"}
    return "POST", f"{PREFIX}/auth/token", {}, {"json": body}


def _logout(api: Api, w: World) -> Request:
    return "DELETE", f"{PREFIX}/auth/token", api.h(w.applicant), {}


def _party(api: Api, w: World) -> Request:
    body = {
        "kind": "natural_person",
        "name": "赛跑的人",
        "id_number": make_resident_id(order=77),
        "address": "贵阳市",
    }
    return "POST", f"{PREFIX}/parties", api.h(w.applicant), {"json": body}


def _verification(api: Api, w: World) -> Request:
    pid = api.party(w.applicant)
    ev = api.upload(w.applicant, b"licence scan", "licence.pdf")
    body = {"method": "business_licence", "evidence_blob": ev}
    return "POST", f"{PREFIX}/parties/{pid}/verification", api.h(w.applicant), {"json": body}


def _verification_decision(api: Api, w: World) -> Request:
    pid = api.party(w.applicant)
    ev = api.upload(w.applicant, b"licence scan", "licence.pdf")
    r = api.c.post(
        f"{PREFIX}/parties/{pid}/verification",
        headers=api.h(w.applicant),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    assert r.status_code == 200, r.text
    url = f"{PREFIX}/parties/{pid}/verification/decision"
    return "POST", url, api.h(w.examiner), {"json": {"approve": True}}


def _poa(api: Api, w: World) -> tuple[str, str]:
    agent = api.user("agent")
    return agent, api.upload(agent, b"power of attorney", "poa.pdf")


def _authorisation(api: Api, w: World) -> Request:
    agent, poa = _poa(api, w)
    body = {"id_number": api.numbers[w.party], "poa_blob": poa}
    return "POST", f"{PREFIX}/authorisations", api.h(agent), {"json": body}


def _authorisation_decision(api: Api, w: World) -> Request:
    agent, poa = _poa(api, w)
    r = api.c.post(
        f"{PREFIX}/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[w.party], "poa_blob": poa},
    )
    assert r.status_code == 201, r.text
    url = f"{PREFIX}/authorisations/{r.json()['id']}/decision"
    return "POST", url, api.h(w.examiner), {"json": {"approve": True}}


def _blob(api: Api, w: World) -> Request:
    files = {"file": ("same.csv", b"a,b\n1,2\n3,4\n", "text/csv")}
    return "POST", f"{PREFIX}/blobs", api.h(w.applicant), {"files": files}


def _deposit(api: Api, w: World) -> Request:
    body = {"root": "ab" * 32, "title": "同一数据集"}
    return "POST", f"{PREFIX}/evidence", api.h(w.applicant), {"json": body}


def _create(api: Api, w: World) -> Request:
    body = {
        "form": complete_form(sample=api.upload(w.applicant)),
        "applicants": [{"party_id": w.party}],
    }
    return "POST", f"{PREFIX}/applications", api.h(w.applicant), {"json": body}


def _patch(api: Api, w: World) -> Request:
    a = api.draft(w.applicant, w.party)
    headers = {**api.h(w.applicant), "If-Match": f'"{a["version"]}"'}
    body = {"form": {**a["form"], "other_notes": "同时修改"}}
    return "PATCH", f"{PREFIX}/applications/{a['id']}", headers, {"json": body}


def _consent(api: Api, w: World) -> Request:
    co, a = w.joint_draft()
    headers = {**api.h(co), "If-Match": f'"{a["version"]}"'}
    return "POST", f"{PREFIX}/applications/{a['id']}/consent", headers, {}


def _submit(api: Api, w: World) -> Request:
    a = api.draft(w.applicant, w.party)
    url = f"{PREFIX}/applications/{a['id']}/actions/submit"
    return "POST", url, api.h(w.applicant), {}


def _read_notice(api: Api, w: World) -> Request:
    w.submitted()
    notice = api.c.get(f"{PREFIX}/inbox", headers=api.h(w.applicant)).json()[0]["id"]
    return "POST", f"{PREFIX}/inbox/{notice}/read", api.h(w.applicant), {}


def _admin(api: Api) -> str:
    return api.user("registrar_admin")


def _industries(api: Api, w: World) -> Request:
    csv = reference.shipped_industry_csv().encode()
    files = {"file": ("gbt4754.csv", csv, "text/csv")}
    url = f"{PREFIX}/industries?edition=GB/T 4754-2017"
    return "PUT", url, api.h(_admin(api)), {"files": files}


def _industries_intact(registry: Registry) -> None:
    shipped = reference.parse_industry_csv(reference.shipped_industry_csv(), edition="")
    with registry.env.uow() as uow:
        n = uow.industries.count()
    if n != len(shipped):  # kept between tests: repair, then fail
        reference.load_industries(SYSTEM, env=registry.env)
    assert n == len(shipped)


def _override(api: Api, w: World) -> Request:
    body = {"is_working_day": False, "note": "临时调休"}
    return "PUT", f"{PREFIX}/calendar/overrides/2026-10-09", api.h(_admin(api)), {"json": body}


def _year(api: Api, w: World) -> Request:
    body = {"holidays": ["2027-01-01"], "makeup_workdays": [], "source": "国务院办公厅通知"}
    return "PUT", f"{PREFIX}/calendar/years/2027", api.h(_admin(api)), {"json": body}


def _verify_certificate(api: Api, w: World) -> Request:
    body = {"token": "eyJhbGciOiJFZERTQSJ9.e30.c2ln", "online": False}
    return "POST", f"{PREFIX}/certificates/verify", {}, {"json": body}


def _registration_action(api: Api, w: World) -> Request:
    number = w.registered()
    url = f"{PREFIX}/registrations/{number}/actions/request_change"
    body = {"changes": {"update": {"frequency": "weekly"}}, "reason": "更新频率调整"}
    return "POST", url, api.h(w.applicant), {"json": body}


def _one_deposit(registry: Registry) -> None:
    assert count(registry, "deposits") == 1
    assert count(registry, "events", type="EvidenceDeposited") == 1


# issue 20 §5: webhook subscriptions, as an institutional client (tests/support/institutions.py)
HOOK_URL = "https://receiver.example/hook"
_BANK: dict[str, str] = {}  # a real bank client's token, made for the webhook rows


def _bank(api: Api) -> dict[str, str]:
    _BANK.clear()
    _BANK.update(headers_for(api, "bank"))
    return _BANK


def _subscription(api: Api) -> int:
    r = api.c.post(f"{PREFIX}/webhooks", json={"url": HOOK_URL}, headers=_bank(api))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _webhook_create(api: Api, w: World) -> Request:
    return "POST", f"{PREFIX}/webhooks", _bank(api), {"json": {"url": HOOK_URL}}


def _webhook_pause(api: Api, w: World) -> Request:
    url = f"{PREFIX}/webhooks/{_subscription(api)}"
    return "PATCH", url, _BANK, {"json": {"state": "paused"}}


def _webhook_delete(api: Api, w: World) -> Request:
    return "DELETE", f"{PREFIX}/webhooks/{_subscription(api)}", _BANK, {}


def _webhook_replay(api: Api, w: World) -> Request:
    url = f"{PREFIX}/webhooks/{_subscription(api)}/replay"
    return "POST", url, _BANK, {"json": {"from_sequence": 0}}


def _one_account(registry: Registry) -> None:
    assert count(registry, "users", username="racer") == 1


STALE = {(412, "stale_version"), (409, "concurrent_update")}
CASES = [
    Case("POST /accounts", _accounts, "one", {(409, "username_taken")}, _one_account),
    Case("POST /auth/token", _token, "all"),
    Case("DELETE /auth/token", _logout, "some", {(401, "invalid_token")}),
    Case("POST /parties", _party, "all"),
    Case(
        "POST /parties/{party_id}/verification",
        _verification,
        "some",
        {(409, "verification_pending"), (409, "concurrent_update")},
    ),
    Case(
        "POST /parties/{party_id}/verification/decision",
        _verification_decision,
        "one",
        {(409, "not_pending"), (409, "concurrent_update")},
    ),
    Case("POST /authorisations", _authorisation, "some", {(409, "concurrent_update")}),
    Case(
        "POST /authorisations/{authorisation_id}/decision",
        _authorisation_decision,
        "one",
        {(409, "not_pending"), (409, "concurrent_update")},
    ),
    Case("POST /blobs", _blob, "some", {(409, "concurrent_update")}),
    Case("POST /evidence", _deposit, "one", {(409, "already_deposited")}, _one_deposit),
    Case("POST /applications", _create, "all"),
    Case("PATCH /applications/{application_id}", _patch, "one", STALE),
    Case("POST /applications/{application_id}/consent", _consent, "some", STALE),
    Case(
        "POST /applications/{application_id}/actions/{action}",
        _submit,
        "one",
        {*STALE, (409, "action_not_allowed_in_state")},
    ),
    Case("POST /inbox/{notice_id}/read", _read_notice, "some", {(409, "concurrent_update")}),
    Case("PUT /industries", _industries, "some", {(409, "concurrent_update")}, _industries_intact),
    Case("PUT /calendar/overrides/{day}", _override, "some", {(409, "concurrent_update")}),
    Case("PUT /calendar/years/{year}", _year, "some", {(409, "concurrent_update")}),
    Case("POST /certificates/verify", _verify_certificate, "all"),
    Case(
        "POST /registrations/{number}/actions/{action}",
        _registration_action,
        "one",
        {(409, "request_pending"), (409, "concurrent_update"), (412, "stale_version")},
    ),
    Case("POST /webhooks", _webhook_create, "all"),
    Case("PATCH /webhooks/{sub_id}", _webhook_pause, "some", {(409, "concurrent_update")}),
    Case(
        "DELETE /webhooks/{sub_id}",
        _webhook_delete,
        "some",
        {(404, "webhook_not_found"), (409, "concurrent_update")},
    ),
    Case("POST /webhooks/{sub_id}/replay", _webhook_replay, "some", {(409, "concurrent_update")}),
]


# --- issue 22 §6: typical cases — one per registration and year; a removal once ---
def _typical_case(api: Api, w: World) -> Request:
    number = w.registered()
    body = {"registration_number": number, "year": 2026, "title": "案例", "text": "说明"}
    return "POST", f"{PREFIX}/typical-cases", api.h(w.examiner), {"json": body}


def _one_typical_case(registry: Registry) -> None:
    assert count(registry, "typical_cases") == 1


def _typical_case_removal(api: Api, w: World) -> Request:
    _method, url, headers, kwargs = _typical_case(api, w)
    r = api.c.post(url, headers=headers, **kwargs)
    assert r.status_code == 201, r.text
    return "DELETE", f"{PREFIX}/typical-cases/{r.json()['id']}", headers, {}


CASES += [
    Case(
        "POST /typical-cases",
        _typical_case,
        "one",
        {(409, "typical_case_exists"), (409, "concurrent_update")},
        _one_typical_case,
    ),
    Case(
        "DELETE /typical-cases/{case_id}",
        _typical_case_removal,
        "some",
        {(404, "typical_case_not_found"), (409, "concurrent_update")},
    ),
]


CASES += i20_cases(Case)  # the admin's institution routes (issue 20)
CASES += pledge_cases(Case)  # a bank's pledge routes (issue 20 §6)
CASES += distribution_cases(Case)  # derivation and distribution (issue 23 §1–§2)

CASES += valuation_cases(Case)  # valuations (issue 22 §2)
CASES += matching_cases(Case)  # needs and contacts (issue 23 §3–§4)
CASES += directory_cases(Case)  # agencies and service requests (issue 23 §5)
CASES += one_window_cases(Case)  # one-window dossiers (issue 24 §2)


@pytest.fixture
def raw(api: Api) -> TestClient:
    """A client that answers 500 rather than raising it, so a 500 is an assertion."""
    return TestClient(api.c.app, raise_server_exceptions=False)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_i18_write_endpoint_raced_by_eight(
    case: Case, api: Api, registry: Registry, raw: TestClient
) -> None:
    w = api.world()
    method, url, headers, kwargs = case.build(api, w)
    results = race(*[partial(raw.request, method, url, headers=headers, **kwargs)] * WRITERS)
    failed = [r for r in results if isinstance(r, BaseException)]
    assert not failed, failed
    assert all(r.status_code < 500 for r in results), [r.text for r in results]
    ok = [r for r in results if r.status_code < 400]
    refused = [r for r in results if r.status_code >= 400]
    for r in refused:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
        body = r.json()
        assert body["message_zh"] and body["message_en"], body
        assert (r.status_code, body["code"]) in case.losers, (r.status_code, body)
    if case.expect == "one":
        assert len(ok) == 1, [r.text for r in results]
    elif case.expect == "all":
        assert len(ok) == WRITERS, [r.text for r in refused]
    else:
        assert ok, [r.text for r in results]
    if case.then:
        case.then(registry)


def test_every_write_route_races(api: Api) -> None:
    routes = api_routes(api.c.app)
    writes = {
        f"{m} {p.removeprefix(PREFIX)}"
        for m, p in routes
        if m in ("POST", "PUT", "PATCH", "DELETE")
    }
    assert len(writes) > 10
    covered = {c.route for c in CASES}
    assert not writes - covered, f"write routes without a race: {sorted(writes - covered)}"
    assert not covered - writes, f"races for routes that do not exist: {sorted(covered - writes)}"


def test_i18_lost_deposit_race_names_the_deposit_code(api: Api, registry: Registry) -> None:
    """The loser of a deposit race is told `already_deposited`, as a sequential second deposit
    is, whichever backend decided (SQLite's check, PostgreSQL's unique constraint)."""
    w = api.world()
    body = {"root": "cd" * 32}
    first = api.c.post(f"{PREFIX}/evidence", headers=api.h(w.applicant), json=body)
    assert first.status_code == 201, first.text
    again = api.c.post(f"{PREFIX}/evidence", headers=api.h(w.applicant), json=body)
    assert (again.status_code, again.json()["code"]) == (409, "already_deposited")
    assert again.json()["details"]["number"] == first.json()["number"]


@pytest.mark.parametrize("at", ["flush", "autoflush", "commit"])
def test_i18_integrity_error_names_its_constraint(api: Api, registry: Registry, at: str) -> None:
    """Wherever the database refuses the second row (an explicit flush, the autoflush before a
    query, the commit), the unit of work says which constraint, by its schema name, on both
    backends — SQLite names only the columns — and the error table gives its code."""
    from datetime import datetime

    from dataip.domain import model as m
    from dataip.services import conflicts
    from dataip.services.ports import ConcurrencyConflict

    who = api.user("applicant")
    uid = int(api.c.get(f"{PREFIX}/me", headers=api.h(who)).json()["id"])

    def deposit(n: int) -> m.Deposit:
        at_ = datetime.fromisoformat("2026-09-28T10:00:00+08:00")
        return m.Deposit(
            number=f"CZ2026520000{n:05d}",
            hash="sha256",
            root="ef" * 32,
            depositor_user_id=uid,
            deposited_at=at_,
            files=None,
            bytes=None,
            manifest=None,
            title=None,
        )

    with registry.env.uow() as uow:
        uow.deposits.add(deposit(1))
        uow.commit()
    with pytest.raises(ConcurrencyConflict) as raised, registry.env.uow() as uow:
        uow.deposits.add(deposit(2))
        if at == "flush":
            uow.flush()
        elif at == "autoflush":
            uow.deposits.by_number("CZ202652000000002")
        else:
            uow.commit()
    assert raised.value.constraint == "uq_deposits_depositor_root"
    refusal = conflicts.problem(raised.value)
    assert (refusal.status, refusal.code) == (409, "already_deposited")
    assert count(registry, "deposits") == 1


# --- issue 22 §1: data quality (web/api/quality.py) ---------------------------------------------


def _quality_url(api: Api, w: World, *, assessed: bool, published: bool = False) -> str:
    number = w.registered()
    url = f"{PREFIX}/registrations/{number}/quality"
    if assessed:
        r = api.c.post(url, headers=api.h(w.applicant), json={})
        assert r.status_code == 201, r.text
    if published:
        r = api.c.post(url + "/publish", headers=api.h(w.applicant))
        assert r.status_code == 200, r.text
    return url


def _quality_assess(api: Api, w: World) -> Request:
    url = _quality_url(api, w, assessed=False)
    return "POST", url, api.h(w.applicant), {"json": {"access": "api"}}


def _quality_publish(api: Api, w: World) -> Request:
    url = _quality_url(api, w, assessed=True)
    return "POST", url + "/publish", api.h(w.applicant), {}


def _quality_unpublish(api: Api, w: World) -> Request:
    url = _quality_url(api, w, assessed=True, published=True)
    return "POST", url + "/unpublish", api.h(w.applicant), {}


def _one_quality_publication(registry: Registry) -> None:
    assert count(registry, "quality_assessments", published=True) == 1
    assert count(registry, "events", type="QualityPublished") == 1


def _one_quality_withdrawal(registry: Registry) -> None:
    assert count(registry, "quality_assessments", published=True) == 0
    assert count(registry, "events", type="QualityWithdrawn") == 1


CASES += [
    # each computation is an assessment of its own: all succeed, the latest is the newest
    Case("POST /registrations/{number}/quality", _quality_assess, "all"),
    Case(
        "POST /registrations/{number}/quality/publish",
        _quality_publish,
        "one",
        {(409, "quality_already_published"), (409, "concurrent_update")},
        _one_quality_publication,
    ),
    Case(
        "POST /registrations/{number}/quality/unpublish",
        _quality_unpublish,
        "one",
        {(409, "quality_not_published"), (409, "concurrent_update")},
        _one_quality_withdrawal,
    ),
]
