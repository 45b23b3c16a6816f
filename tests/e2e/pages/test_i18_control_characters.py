"""Issue 18 §5: NUL and other control characters typed into a portal form are refused as the
API refuses them — the page comes back with the form and its error, nothing is stored — on
SQLite (which stored them) and PostgreSQL (which answered 500). Pages validate through the
API's schemas (`dataip.schemas`), so the refusal is the same.

The test walks the portal as its users do: it opens every page that carries a form, reads
each `<form method="post">` as a browser would, and submits it once per typed field with a
control character in that field (the other fields holding what the page offered, or a valid
value). `test_every_portal_form_route_is_walked` fails when a POST page route was found on no
page, so a new form cannot escape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from tests.e2e.pages.test_applicant_pages import csrf
from tests.support.api import Api, World, complete_form, make_uscc
from tests.support.db import changed_tables, snapshot
from tests.support.forms import Form, post_forms
from tests.support.matching import need_body
from tests.support.routes import page_routes

BAD = {"nul": "\x00", "escape": "\x1b[2J", "c1": "\u0085"}
DOC = ("document.pdf", b"%PDF-1.7 a scanned document", "application/pdf")
MARK = "标记"  # before the character, so it is found in text, never in a hash's bytes
UPLOADS = {"blobs", "<blob files>"}  # forms keep what was uploaded for the re-render
VALID = {  # a valid value for the fields whose page default would be refused first
    "username": "new-user-1",
    "password": "pass-word-1",
    "password_again": "pass-word-1",
    "display_name": "新用户",
    "email": "new@example.cn",
    "party_name": "黔数科技有限公司",
    "party_id_number": make_uscc(8801),
    "party_address": "贵阳市观山湖区",
    "contract_date": "2026-10-14",
    "term_start": "2026-10-14",
    "term_end": "2027-10-13",
    "fee_fen": "100",
    "price_fen": "100",
    "secured_amount_fen": "100",
    "transferee_share_bp": "100",
}


@dataclass
class Visit:
    who: str | None  # a user name, or None for a visitor
    url: str


class Portal:
    """One signed-in browser per user (its own cookies), all on the same app."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.clients: dict[str | None, TestClient] = {}

    def client(self, who: str | None) -> TestClient:
        if who not in self.clients:
            c = TestClient(self.api.c.app, raise_server_exceptions=False)
            if who is not None:
                token = csrf(c.get("/login").text)
                r = c.post(
                    "/login",
                    data={"csrf_token": token, "username": who, "password": "pass-word-1"},
                    follow_redirects=False,
                )
                assert r.status_code == 303, r.text
            self.clients[who] = c
        return self.clients[who]


def _world(api: Api) -> list[Visit]:
    """A registry with something behind every form: drafts, a joint draft awaiting consent,
    submitted and publicised applications, a registration, pending verifications and powers
    of attorney. Returns the pages to open, and as whom."""
    w: World = api.world()
    number = w.registered(name="已登记的交通数据集")
    # issue 23 §1: another holder's registration declares it as a source: the confirm and
    # dispute forms on its page
    other = api.world()
    derived = other.registered(name="衍生的交通数据集")
    r = api.c.post(
        f"/api/v1/registrations/{derived}/sources",
        headers=api.h(other.applicant),
        json={"kind": "registration", "number": number, "weight_bp": 1000, "stage": "processing"},
    )
    assert r.status_code == 201, r.text
    # issue 22 §1: an assessment to publish (number) and a published one to withdraw (derived)
    for who, reg in ((w.applicant, number), (other.applicant, derived)):
        r = api.c.post(f"/api/v1/registrations/{reg}/quality", headers=api.h(who), json={})
        assert r.status_code == 201, r.text
    r = api.c.post(
        f"/api/v1/registrations/{derived}/quality/publish", headers=api.h(other.applicant)
    )
    assert r.status_code == 200, r.text
    # issue 22 §2: a private valuation to publish (number) and a public one to withdraw
    # (derived), each from its valuation page
    valuations = []
    for who, reg, public in ((w.applicant, number, False), (other.applicant, derived, True)):
        r = api.c.post(
            f"/api/v1/registrations/{reg}/valuations",
            headers=api.h(who),
            json={
                "quality_bp": 8000,
                "cost": {"items": [{"item": "collection", "amount_fen": 100}], "profit_rate_bp": 0},
                "publish": public,
            },
        )
        assert r.status_code == 201, r.text
        valuations.append(f"/registrations/{reg}/valuations/{r.json()['number']}")
    # JS25§10: a typical case, so that the registry's page has one to remove
    r = api.c.post(
        "/api/v1/typical-cases",
        headers=api.h(w.examiner),
        json={"registration_number": number, "year": 2026, "title": "典型案例", "text": "说明"},
    )
    assert r.status_code == 201, r.text
    admin = api.user("registrar_admin")  # an institution's client for the admin's page
    r = api.c.post(
        "/api/v1/admin/institutions",
        headers=api.h(admin),
        json={
            "kind": "bank",
            "name": "贵阳测试银行",
            "uscc": make_uscc(8802),
            "scopes": ["registrations:read"],
            "jwks_uri": "https://bank.example.cn/jwks.json",
        },
    )
    assert r.status_code == 201, r.text
    api.at("2026-10-14 10:00")
    co = api.user("applicant")
    co_party = api.party(co, verify_by=w.examiner)
    joint = api.draft(
        w.applicant,
        w.party,
        form=complete_form(name="共同申请的交通数据集", sample=api.upload(w.applicant)),
        applicants=[
            {"party_id": w.party, "share_bp": 6000, "rights_bounds": "甲方行使使用权"},
            {
                "id_number": api.numbers[co_party],
                "share_bp": 4000,
                "rights_bounds": "乙方行使收益权",
            },
        ],
    )
    draft = api.draft(w.applicant, w.party, name="草稿中的交通数据集")
    submitted = w.submitted(
        name="已提交的交通数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-S",
            "hash_value": "ce" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    publicised = w.publicised(
        name="公示中的交通数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-P",
            "hash_value": "cf" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    unverified = api.party(w.applicant)  # its verification form; then one pending
    pending = api.party(w.applicant)
    r = api.c.post(
        f"/api/v1/parties/{pending}/verification",
        headers=api.h(w.applicant),
        json={"method": "business_licence", "evidence_blob": api.upload(w.applicant, b"l")},
    )
    assert r.status_code == 200, r.text
    agent = api.user("agent")
    poa = api.upload(agent, b"power of attorney", "poa.pdf")
    r = api.c.post(
        "/api/v1/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[w.party], "poa_blob": poa},
    )
    assert r.status_code == 201, r.text
    assert unverified
    need = api.c.post(  # issue 23 §3: a need of co's that the registration matches
        "/api/v1/needs",
        headers=api.h(co),
        json=need_body(
            co_party,
            title="交通拥堵预测数据用于信号配时",
            data_wanted="需要城市道路交通拥堵预测数据，用于交通信号配时优化",
        ),
    )
    assert need.status_code == 201, need.text
    agencies = []  # issue 23 §5: co's agencies — asked, listed, suspended — and one unlisted
    for _ in range(3):
        r = api.c.post(
            "/api/v1/agencies",
            headers=api.h(co),
            json={
                "party_id": api.party(co, verify_by=w.examiner),
                "categories": ["law_firm"],
                "description": "数据产权法律服务",
            },
        )
        assert r.status_code == 201, r.text
        agencies.append(r.json()["id"])
    api.party(co, verify_by=w.examiner)
    r = api.c.post(
        f"/api/v1/registrations/{number}/service-requests",
        headers=api.h(w.applicant),
        json={"agency_id": agencies[0], "category": "law_firm", "message": "请协助确权"},
    )
    assert r.status_code == 201, r.text
    r = api.c.post(
        f"/api/v1/agencies/{agencies[2]}/suspend", headers=api.h(admin), json={"reason": "暂停"}
    )
    assert r.status_code == 200, r.text
    return [
        Visit(None, "/signup"),
        Visit(None, "/login"),
        Visit(None, "/verify"),
        Visit(w.applicant, "/parties"),
        Visit(w.applicant, "/applications/new"),
        Visit(w.applicant, f"/applications/{draft['id']}/edit"),
        Visit(w.applicant, f"/applications/{submitted}"),
        Visit(w.applicant, f"/registrations/{number}"),
        Visit(w.applicant, f"/registrations/{number}/valuations/new"),  # issue 22 §2
        Visit(other.applicant, f"/registrations/{derived}"),  # withdraw the published quality
        Visit(w.applicant, valuations[0]),  # publish a valuation afterwards
        Visit(other.applicant, valuations[1]),  # withdraw it
        Visit(w.examiner, "/typical-cases"),  # JS25§10: add and remove typical cases
        Visit(co, f"/applications/{joint['id']}"),
        Visit(co, f"/publicity/{publicised}"),
        Visit(agent, "/authorisations"),
        Visit(w.examiner, "/examination/parties"),
        Visit(w.examiner, "/workbench"),
        Visit(w.examiner, f"/workbench/applications/{submitted}"),
        Visit(w.examiner, f"/registrations/{number}"),
        Visit(admin, "/admin/institutions"),
        Visit(co, "/needs"),
        Visit(co, f"/needs/{need.json()['id']}"),
        Visit(w.applicant, f"/needs/{need.json()['id']}"),
        Visit(co, "/agencies"),  # issue 23 §5: the listing form
        Visit(admin, "/agencies"),  # suspend and reinstate
        Visit(co, "/service-requests"),  # accept and decline
    ]


def _filled(form: Form) -> list[tuple[str, str]]:
    """The form as the page offers it, with a valid value where a required field is empty."""
    out = []
    for name, value in form.data():
        f = next(x for x in form.fields if x.name == name)
        if name in VALID:
            value = VALID[name]
        elif not value and f.required and f.typed:
            value = "2026-10-14" if f.kind == "date" else "合法的文字"
        out.append((name, value))
    return out


def _variants(form: Form) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """(field, which character, the fields to send) for each typed field and bad character."""
    base = _filled(form)
    typed = {f.name for f in form.fields if f.typed}
    for field in sorted(typed):
        for label, ch in BAD.items():
            sent, done = [], False
            for name, value in base:
                if name == field and not done:
                    value, done = value + MARK + ch + "尾", True  # inside: not trimmed
                sent.append((name, value))
            yield field, label, sent


def _submit(c: TestClient, form: Form, fields: list[tuple[str, str]]) -> Any:
    files = [
        (f.name, DOC) for f in form.files() if f.required
    ]  # a required document, so the form is not refused for want of it
    if form.multipart or files:
        return c.post(form.action, data=_multi(fields), files=files or None, follow_redirects=False)
    return c.post(form.action, data=_multi(fields), follow_redirects=False)


def _multi(fields: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields:
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def _stored_anywhere(snap: dict[str, list[str]], ch: str) -> list[str]:
    needle = repr(MARK + ch)[1:-1]  # as a row's repr shows it (bytes never hold the mark)
    return [t for t, rows in snap.items() for row in rows if needle in row]


def _route_of(action: str, routes: list[str]) -> str | None:
    for path in routes:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), action):
            return path
    return None


def test_i18_every_portal_form_refuses_control_characters(api: Api, registry: Registry) -> None:
    visits = _world(api)
    portal = Portal(api)
    post_routes = sorted(p for m, p in page_routes(api.c.app) if m == "POST")
    walked: set[str] = set()
    problems: list[str] = []
    submissions = 0
    for visit in visits:
        c = portal.client(visit.who)
        page = c.get(visit.url)
        assert page.status_code == 200, (visit, page.text[:500])
        # each submission's "after" is the next one's "before" (a refused submission
        # changes nothing, so this reads the database half as often)
        before = snapshot(registry)
        for form in post_forms(page.text):
            route = _route_of(form.action, post_routes)
            assert route, f"{visit.url}: a form posts to {form.action}, which no route serves"
            walked.add(route)
            for field, label, fields in _variants(form):
                r = _submit(c, form, fields)
                submissions += 1
                after = snapshot(registry)
                what = f"{visit.who or 'visitor'} {form.action} {field}={label}"
                stored = _stored_anywhere(after, BAD[label])
                changed = set(changed_tables(before, after))
                if r.status_code >= 500:
                    problems.append(f"{what}: {r.status_code}")
                elif stored:
                    problems.append(f"{what}: stored in {stored}")
                elif changed - UPLOADS:
                    problems.append(f"{what}: {r.status_code}, changed {sorted(changed)}")
                elif form.action != "/verify" and not 400 <= r.status_code < 500:
                    problems.append(f"{what}: {r.status_code} (accepted)")
                elif form.action != "/verify" and 'role="alert"' not in r.text:
                    problems.append(f"{what}: {r.status_code} without the form's error")
                before = after
    assert not problems, "\n".join(problems)
    assert submissions > 100
    assert {"/signup", "/parties"} <= walked


def test_every_portal_form_route_is_walked(api: Api) -> None:
    """Every POST page route is reached by a form on one of the pages the test opens."""
    visits = _world(api)
    portal = Portal(api)
    post_routes = sorted(p for m, p in page_routes(api.c.app) if m == "POST")
    walked = set()
    for visit in visits:
        for form in post_forms(portal.client(visit.who).get(visit.url).text):
            route = _route_of(form.action, post_routes)
            if route:
                walked.add(route)
    assert set(post_routes) - walked == set(), sorted(set(post_routes) - walked)


@pytest.mark.parametrize("label", sorted(BAD))
def test_i18_api_refuses_control_characters_as_the_pages_do(
    api: Api, registry: Registry, label: str
) -> None:
    """The API's answer for the same input: 422 `invalid_characters`, nothing stored."""
    who = api.user("applicant")
    before = snapshot(registry)
    r = api.c.post(
        "/api/v1/parties",
        headers=api.h(who),
        json={
            "kind": "legal_person",
            "name": "黔数科技" + BAD[label],
            "id_number": make_uscc(8802),
            "address": "贵阳市",
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_characters"
    assert changed_tables(before, snapshot(registry)) == {}
