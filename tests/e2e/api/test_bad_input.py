"""Robustness: every endpoint under /api/v1 refuses malformed, oversized, wrongly typed,
unauthorised and out-of-order requests with a problem+json answer (stable `code`, messages in
both languages, never a 500 or a traceback) and leaves the registry exactly as it was.

One row of CASES per request; `test_every_api_route_has_a_row` fails when a new endpoint has
none, and `test_every_authenticated_route_refuses_a_bad_token` when an endpoint that resolves
the caller has no invalid-token row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import ledger, reference
from dataip.services.context import SHANGHAI, SYSTEM, FixedClock
from dataip.web.deps import get_identity
from tests.support.api import Api, make_resident_id, make_uscc, problem
from tests.support.db import Snapshot, changed_tables, count, snapshot
from tests.support.matching import need_body

PREFIX = "/api/v1"
REGISTERED_AT = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
WORLD_TIME = datetime(2026, 10, 14, 10, 0, tzinfo=SHANGHAI)  # the day after the approval
MB = 1024 * 1024
HUGE = "名" * MB  # a 1 MB (3 MB as UTF-8) string
NO_BODY: Any = object()

# --- the world every case runs against ---------------------------------------------------------


@dataclass
class World:
    """Users, parties, applications and files the cases refer to by name (`{draft}` ...)."""

    tokens: dict[str, str]
    ids: dict[str, Any]
    max_request_bytes: int

    def fill(self, text: str) -> str:
        return text.format(**self.ids)

    def auth(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who == "bad":
            return {"Authorization": "Bearer dip_not-a-real-token"}
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _industries_damaged(registry: Registry) -> bool:
    shipped = reference.parse_industry_csv(reference.shipped_industry_csv(), edition="")
    with registry.env.uow() as uow:
        return bool(uow.industries.count() != len(shipped))


def _build_world(registry: Registry, clock: FixedClock, client: TestClient) -> World:
    from tests.support.db import empty

    empty(registry)
    if _industries_damaged(registry):  # kept between tests: repair after a failed case
        reference.load_industries(SYSTEM, env=registry.env)
    clock.advance_to(REGISTERED_AT)
    registry.env.invalidate_calendar()
    api = Api(client, clock)
    w = api.world()
    # A registration (valid 2026-10-13 .. 2028-10-12), pledged, for the after-registration
    # rows; the rest of the world is built the day after its approval.
    registered = w.registered(
        name="已登记的交通数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-REG",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    clock.advance_to(WORLD_TIME)
    registry.env.invalidate_calendar()
    pledged = api.reg_ok(
        w.applicant,
        registered,
        "file_pledge",
        contract_date="2026-10-13",
        pledgee={"name": "贵阳质权银行", "credit_code": make_uscc(9001)},
        secured_amount_fen=100_000_000,
    )
    pledge = next(f["number"] for f in pledged["filings"] if f["kind"] == "pledge")
    admin = api.user("registrar_admin")
    other = api.user("applicant")
    other_party = api.party(other)
    transferee = api.user("applicant")
    transferee_party = api.party(transferee, verify_by=w.examiner)
    agent = api.user("agent")
    poa = api.upload(agent, b"power of attorney", "poa.pdf")
    auths = []
    for _ in range(2):
        r = client.post(
            f"{PREFIX}/authorisations",
            headers=api.h(agent),
            json={"id_number": api.numbers[w.party], "poa_blob": poa},
        )
        assert r.status_code == 201, r.text
        auths.append(r.json()["id"])
    r = client.post(
        f"{PREFIX}/authorisations/{auths[1]}/decision",
        headers=api.h(w.examiner),
        json={"approve": True},
    )
    assert r.status_code == 200, r.text
    submitted = w.submitted(name="已提交的交通数据集")
    draft = api.draft(w.applicant, w.party, name="草稿中的交通数据集")
    incomplete = api.draft(w.applicant, w.party, form={"name": "尚未填完的数据集"})
    other_draft = api.draft(other, other_party, name="他人的数据集")
    notice = api.c.get(f"{PREFIX}/inbox", headers=api.h(w.applicant)).json()[0]["id"]
    need = client.post(  # issue 23 §3: a need of the applicant's (it holds {reg} too)
        f"{PREFIX}/needs", headers=api.h(w.applicant), json=need_body(w.party)
    )
    assert need.status_code == 201, need.text
    ids = {
        "applicant_name": w.applicant,
        "party": w.party,
        "other_party": other_party,
        "auth_pending": auths[0],
        "auth_done": auths[1],
        "submitted": submitted,
        "draft": draft["id"],
        "draft_version": draft["version"],
        "incomplete": incomplete["id"],
        "other_draft": other_draft["id"],
        "notice": notice,
        "need": need.json()["id"],
        "blob": draft["form"]["sample_blobs"][0],
        "other_blob": api.upload(other, b"someone else's file", "other.csv"),
        "poa": poa,
        "reg": registered,
        "reg_version": api.reg(w.applicant, registered).json()["version"],
        "pledge": pledge,
        "transferee_party": transferee_party,
        # others' parties are named by number (issue 18); files are the caller's own
        "party_number": api.numbers[w.party],
        "other_party_number": api.numbers[other_party],
        "transferee_party_number": api.numbers[transferee_party],
        "transferee_blob": api.upload(transferee, b"(2026) judgment", "judgment.pdf"),
    }
    tokens = {
        "applicant": api.tokens[w.applicant],
        "examiner": api.tokens[w.examiner],
        "admin": api.tokens[admin],
        "other": api.tokens[other],
        "agent": api.tokens[agent],
        "transferee": api.tokens[transferee],
    }
    ledger.integrate(registry.env, registry.log_keys)  # a published log to ask proofs of
    return World(tokens, ids, registry.settings.max_request_bytes)


@dataclass
class _Cache:
    world: World | None = None
    baseline: Snapshot | None = None
    # the last case ended with a snapshot equal to the baseline (it changed nothing): the next
    # case's world needs no snapshot of its own to know the database is the world
    clean: bool = False


@pytest.fixture(scope="module")
def raw_client(registry: Registry) -> Iterator[TestClient]:
    """A client that returns 500s instead of raising, so a 500 is an assertion, not a crash."""
    from dataip.web.app import create_app

    with TestClient(create_app(registry=registry), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def _world_cache() -> _Cache:
    return _Cache()


@pytest.fixture
def world(
    _world_cache: _Cache, registry: Registry, clock: FixedClock, raw_client: TestClient
) -> tuple[World, Snapshot]:
    """The shared world and a snapshot of the database taken just now. Refused requests change
    nothing, so the world is built once and rebuilt only when the database no longer matches."""
    if _world_cache.clean and _world_cache.baseline is not None:
        now = _world_cache.baseline
    else:
        now = snapshot(registry)
    _world_cache.clean = False
    if _world_cache.world is None or now != _world_cache.baseline:
        _world_cache.world = _build_world(registry, clock, raw_client)
        now = _world_cache.baseline = snapshot(registry)
    clock.advance_to(WORLD_TIME)
    registry.env.invalidate_calendar()
    return _world_cache.world, now


# --- the table ---------------------------------------------------------------------------------

PATH_DEFAULTS = {
    "application_id": "{draft}",
    "action": "submit",
    "party_id": "{party}",
    "authorisation_id": "{auth_pending}",
    "client_id": "bank-0000000000000000",  # no such institution (the format is right)
    "notice_id": "{notice}",
    "sha256": "{blob}",
    "day": "2026-10-09",
    "year": "2027",
    "number": "2026105200000001",
    "index": "0",
    "list_no": "0",
    # issue 23 §1–§2
    "link_id": "999999",
    "distribution_id": "999999",
    "beneficiary": "2026105200000001-1",
    "need_id": "{need}",
    "contact_id": "999999",
    "case_id": "1",  # issue 22 §6
    "table": "monthly",
    "agency_id": "999999",  # issue 23 §5
    "request_id": "999999",
}


@dataclass(frozen=True)
class Case:
    route: str  # "METHOD /template" relative to /api/v1: the endpoint this row covers
    status: int
    code: str
    who: str | None = "applicant"  # a user of the world, "bad" (invalid token) or None
    path: str | None = None  # concrete path with {world ids}; default: the route's template
    method: str | None = None  # default: the route's method
    json: Any = NO_BODY  # a value, or a function of the world
    content: Any = None  # raw body: bytes, an iterator (chunked), or a function of the world
    content_type: str | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)  # registry.env attributes, restored after
    # tables the refusal writes by design: the sign-in throttle counts a failed sign-in
    writes: tuple[str, ...] = ()

    @property
    def route_key(self) -> tuple[str, str]:
        method, template = self.route.split(" ", 1)
        return method, PREFIX + template

    def url(self, w: World) -> str:
        template = self.path or self.route.split(" ", 1)[1].format(**PATH_DEFAULTS)
        return PREFIX + w.fill(template)

    def send(self, client: TestClient, w: World) -> Any:
        headers = {**w.auth(self.who), **{k: w.fill(v) for k, v in self.headers.items()}}
        kw: dict[str, Any] = {}
        if self.json is not NO_BODY:
            kw["json"] = self.json(w) if callable(self.json) else self.json
        if self.content is not None:
            kw["content"] = self.content(w) if callable(self.content) else self.content
        if self.content_type:
            headers["Content-Type"] = self.content_type
        if self.files is not None:
            kw["files"] = self.files
        if self.params is not None:
            kw["params"] = self.params
        method = self.method or self.route.split(" ", 1)[0]
        return client.request(method, self.url(w), headers=headers, **kw)


def c(id: str, route: str, status: int, code: str, **kw: Any) -> Any:
    return pytest.param(Case(route, status, code, **kw), id=id)


def _invalid(id: str, route: str, **kw: Any) -> Any:
    return c(id, route, 422, "invalid_request", **kw)


def _chunks(total: int, size: int = MB) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def _too_big(w: World) -> bytes:
    return b"x" * (w.max_request_bytes + 1)


def _too_big_chunked(w: World) -> Iterator[bytes]:
    return _chunks(w.max_request_bytes + MB)


def _too_big_multipart(w: World) -> Iterator[bytes]:
    yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
    yield b"Content-Type: text/csv\r\n\r\n"
    yield from _chunks(w.max_request_bytes + MB)
    yield b"\r\n--B--\r\n"


def _ascii_json(value: Any) -> bytes:
    """JSON with \\u escapes, which can carry lone surrogates that UTF-8 cannot."""
    return json.dumps(value, ensure_ascii=True).encode()


NESTED = b"[" * 100_000 + b"]" * 100_000
GARBAGE = bytes([0xFF, 0xFE, 0x00, 0x81, 0xFF, 0x30, 0xFE, 0xFF]) * 64
CSV = "text/csv"

PARTY_BODY = {
    "kind": "legal_person",
    "name": "测试公司",
    "id_number": make_uscc(7),
    "address": "贵阳",
}
ACCOUNT = {"username": "newuser1", "password": "pass-word-1", "display_name": "新用户"}
OVERRIDE_BODY = {"is_working_day": True, "note": "调休"}
YEAR_BODY = {"holidays": ["2027-10-01"], "makeup_workdays": [], "source": "国务院办公厅通知"}


def _app(**over: Any) -> Callable[[World], dict[str, Any]]:
    def body(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {
            "form": {"name": "新数据集"},
            "applicants": [{"party_id": w.ids["party"]}],
        }
        out.update(over)
        return out

    return body


def _on(action: str) -> str:
    """The world's registration (`{reg}`, pledged), one action on it."""
    return "/registrations/{reg}/actions/" + action


LICENCE = {
    "contract_date": "2026-10-13",
    "licence_type": "non_exclusive",
    "licensee": {"name": "被许可数据公司", "credit_code": make_uscc(9003)},
    "scope": "交通调度分析",
    "territory": "贵州省",
    "term_end": "2027-10-12",
    "fee_fen": 500_000,
}
PLEDGE = {
    "contract_date": "2026-10-13",
    "pledgee": {"name": "第二质权银行", "credit_code": make_uscc(9004)},
    "secured_amount_fen": 100_000,
}


def _transfer(**over: Any) -> Callable[[World], dict[str, Any]]:
    """A transfer by agreement to the transferee's verified party (fields overridable)."""

    def body(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {"transferees": [{"id_number": w.ids["transferee_party_number"]}]}
        out.update(over)
        return out

    return body


def _by_court(
    party: str = "transferee_party", by: str = "transferee", **over: Any
) -> Callable[[World], dict[str, Any]]:
    """A unilateral transfer on a court judgment (G§21) to `party` (a world id, named by its
    number), with a judgment uploaded by `by`."""

    def body(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {
            "transferees": [{"id_number": w.ids[f"{party}_number"]}],
            "basis": "court",
            "instrument": w.ids[f"{by}_blob"],
        }
        out.update(over)
        return out

    return body


def _share(share_bp: int) -> Callable[[World], dict[str, Any]]:
    return lambda w: {
        "transferees": [{"id_number": w.ids["transferee_party_number"], "share_bp": share_bp}]
    }


def _consent(**over: Any) -> Callable[[World], dict[str, Any]]:
    """The pledgee's consent to an abandonment, recorded on the world's pledge."""

    def body(w: World) -> dict[str, Any]:
        out = {
            "filing_number": w.ids["pledge"],
            "for_action": "abandon",
            "instrument": w.ids["poa"],
        }
        out.update(over)
        return out

    return body


def _revocation(party: str, **over: Any) -> Callable[[World], dict[str, Any]]:
    def body(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {
            "party_id": w.ids[party],
            "statement": "该数据集系抄袭",
            "evidence_blobs": [w.ids["other_blob"]],
        }
        out.update(over)
        return out

    return body


# The endpoints, as rows name them ("METHOD /path" under /api/v1).
ACCOUNTS = "POST /accounts"
LOGIN = "POST /auth/token"
LOGOUT = "DELETE /auth/token"
ME = "GET /me"
PARTIES = "POST /parties"
PARTY_LIST = "GET /parties"
PARTY = "GET /parties/{party_id}"
VERIFY = "POST /parties/{party_id}/verification"
DECIDE_PARTY = "POST /parties/{party_id}/verification/decision"
POA = "POST /authorisations"
POA_LIST = "GET /authorisations"
DECIDE_POA = "POST /authorisations/{authorisation_id}/decision"
UPLOAD = "POST /blobs"
BLOB = "GET /blobs/{sha256}"
CREATE = "POST /applications"
LIST = "GET /applications"
CONSENT = "POST /applications/{application_id}/consent"
VERSIONS = "GET /applications/{application_id}/versions"
HISTORY = "GET /applications/{application_id}/history"
INBOX = "GET /inbox"
READ = "POST /inbox/{notice_id}/read"
QUEUE = "GET /examination/queue"
REQUESTS = "GET /examination/requests"
INDUSTRIES = "GET /industries"
LOAD_INDUSTRIES = "PUT /industries"
DUE_DATE = "GET /calendar/due-date"
OVERRIDE = "PUT /calendar/overrides/{day}"
YEAR = "PUT /calendar/years/{year}"
PROFILE = "GET /profile"
DEPOSIT = "POST /evidence"
DEPOSITS = "GET /evidence"
DEPOSIT_ONE = "GET /evidence/{number}"
LOG_INCLUSION = "GET /log/proofs/inclusion"
LOG_CONSISTENCY = "GET /log/proofs/consistency"
LOG_ENTRY = "GET /log/entries/{index}"
LOG_RECEIPT = "GET /log/entries/{index}/receipt"
REGISTRATIONS = "GET /registrations"
REGISTRATION = "GET /registrations/{number}"
REG_ACT = "POST /registrations/{number}/actions/{action}"
RENEW = REG_ACT
ARCHIVE = "GET /registrations/{number}/archive"
PACKAGE = "GET /registrations/{number}/evidence-package"  # issue 20 §7
INSTITUTION_PACKAGE = "GET /institutions/registrations/{number}/evidence-package"
COURT_FREEZE = "POST /institutions/registrations/{number}/freezes"
COURT_LIFT = "POST /institutions/registrations/{number}/freezes/{freeze_number}/lift"
BANK_PLEDGES = "/institutions/registrations/{number}/pledges"  # issue 20 §6
BANK_PROPOSE = "POST " + BANK_PLEDGES
BANK_WITHDRAW = "POST " + BANK_PLEDGES + "/proposals/{proposal_number}/withdraw"
BANK_REFERENCE = "POST " + BANK_PLEDGES + "/{filing_number}/reference"
BANK_ENFORCE = "POST " + BANK_PLEDGES + "/{filing_number}/enforcement"
BANK_RELEASE = "POST " + BANK_PLEDGES + "/{filing_number}/release"
BANK_CONSENT = "POST " + BANK_PLEDGES + "/{filing_number}/consents"
ENCUMBRANCES = "GET /institutions/registrations/{number}/encumbrances"
INSTITUTION_CREATE = "POST /admin/institutions"  # issue 20 §1-§3
INSTITUTION_LIST = "GET /admin/institutions"
INSTITUTION_ONE = "GET /admin/institutions/{client_id}"
INSTITUTION_ACT = "POST /admin/institutions/{client_id}/actions/{action}"
INSTITUTION_KEYS = "PUT /admin/institutions/{client_id}/keys"
INSTITUTION_SCOPES = "PUT /admin/institutions/{client_id}/scopes"
INSTITUTION_READ = "GET /institutions/registrations/{number}"
INSTITUTION_ARCHIVE = "GET /institutions/registrations/{number}/archive"
READS = "GET /registrations/{number}/reads"
ANNOUNCEMENTS = "GET /announcements"
ANNOUNCEMENT = "GET /announcements/{number}"
CERTIFICATE = "GET /registrations/{number}/certificate"
CERT_STATUS = "GET /certificates/{number}/status"
CERT_VERIFY = "POST /certificates/verify"
STATUS_LIST = "GET /certificates/status-lists/{list_no}"
OPENAPI = "GET /openapi.json"
DOCS = "GET /docs"
ACT = "POST /applications/{application_id}/actions/{action}"
ONE = "GET /applications/{application_id}"
EDIT = "PATCH /applications/{application_id}"
NEEDS = "GET /needs"  # issue 23 §3–§4
NEED_CREATE = "POST /needs"
NEED_ONE = "GET /needs/{need_id}"
NEED_WITHDRAW = "POST /needs/{need_id}/withdraw"
NEED_MATCHES = "GET /needs/{need_id}/matches"
REG_NEEDS = "GET /registrations/{number}/needs"
CONTACT_CREATE = "POST /needs/{need_id}/contacts"
CONTACTS = "GET /contacts"
CONTACT_ACCEPT = "POST /contacts/{contact_id}/accept"
CONTACT_DECLINE = "POST /contacts/{contact_id}/decline"

# Routes that resolve the caller: each refuses a token the registry did not issue.
AUTHENTICATED = [
    ACCOUNTS,
    "POST /typical-cases",  # issue 22 §6
    "DELETE /typical-cases/{case_id}",
    LOGOUT,
    ME,
    PARTIES,
    PARTY_LIST,
    PARTY,
    VERIFY,
    DECIDE_PARTY,
    POA,
    POA_LIST,
    DECIDE_POA,
    UPLOAD,
    BLOB,
    CREATE,
    LIST,
    ONE,
    EDIT,
    CONSENT,
    ACT,
    VERSIONS,
    HISTORY,
    INBOX,
    READ,
    QUEUE,
    REQUESTS,
    LOAD_INDUSTRIES,
    OVERRIDE,
    YEAR,
    DEPOSIT,
    DEPOSITS,
    DEPOSIT_ONE,
    REG_ACT,
    REGISTRATION,
    ARCHIVE,
    PACKAGE,
    INSTITUTION_CREATE,
    INSTITUTION_LIST,
    INSTITUTION_ONE,
    INSTITUTION_ACT,
    INSTITUTION_KEYS,
    INSTITUTION_SCOPES,
    READS,
    NEED_CREATE,
    NEED_ONE,
    NEED_WITHDRAW,
    NEED_MATCHES,
    CONTACT_CREATE,
    CONTACTS,
    CONTACT_ACCEPT,
    CONTACT_DECLINE,
]
# issue 23 §1–§2: derivation and benefit distribution (web/api/distribution.py)
SOURCES = "POST /registrations/{number}/sources"
SOURCE_LIST = "GET /registrations/{number}/sources"
CONFIRM_SOURCE = "POST /registrations/{number}/sources/{link_id}/confirm"
DISPUTE_SOURCE = "POST /registrations/{number}/sources/{link_id}/dispute"
GRAPH = "GET /registrations/{number}/graph"
DISTRIBUTE = "POST /registrations/{number}/distributions"
DISTRIBUTION = "GET /registrations/{number}/distributions/{distribution_id}"
STATEMENT = "GET /registrations/{number}/distributions/{distribution_id}/statements/{beneficiary}"
AUTHENTICATED += [
    SOURCES,
    SOURCE_LIST,
    CONFIRM_SOURCE,
    DISPUTE_SOURCE,
    DISTRIBUTE,
    DISTRIBUTION,
    STATEMENT,
]

CASES = [
    # Every endpoint that resolves the caller refuses a token it did not issue.
    *[
        c(f"bad-token:{route}", route, 401, "invalid_token", who="bad", json={})
        for route in AUTHENTICATED
    ],
    # --- accounts ---
    _invalid(
        "accounts:invalid-json", ACCOUNTS, content=b'{"username": ', content_type="application/json"
    ),
    _invalid(
        "accounts:wrong-content-type",
        ACCOUNTS,
        content=json.dumps(ACCOUNT).encode(),
        content_type="text/plain",
    ),
    _invalid(
        "accounts:form-encoded",
        ACCOUNTS,
        content=b"username=a&password=b",
        content_type="application/x-www-form-urlencoded",
    ),
    _invalid("accounts:wrong-types", ACCOUNTS, json={**ACCOUNT, "username": 12345}),
    _invalid("accounts:unknown-field", ACCOUNTS, json={**ACCOUNT, "is_admin": True}),
    _invalid("accounts:empty-username", ACCOUNTS, json={**ACCOUNT, "username": ""}),
    _invalid("accounts:huge-display-name", ACCOUNTS, json={**ACCOUNT, "display_name": HUGE}),
    _invalid("accounts:json-array", ACCOUNTS, json=[ACCOUNT]),
    c(
        "accounts:blank-display-name",
        ACCOUNTS,
        422,
        "invalid_display_name",
        json={**ACCOUNT, "display_name": "   "},
    ),
    c(
        "accounts:bad-username",
        ACCOUNTS,
        422,
        "invalid_username",
        json={**ACCOUNT, "username": "a b/c"},
    ),
    c(
        "accounts:weak-password",
        ACCOUNTS,
        422,
        "weak_password",
        json={**ACCOUNT, "password": "short"},
    ),
    c(
        "accounts:staff-by-applicant",
        ACCOUNTS,
        403,
        "forbidden",
        json={**ACCOUNT, "role": "examiner"},
    ),
    c(
        "accounts:staff-anonymously",
        ACCOUNTS,
        401,
        "unauthenticated",
        who=None,
        json={**ACCOUNT, "role": "registrar_admin"},
    ),
    c(
        "accounts:taken",
        ACCOUNTS,
        409,
        "username_taken",
        who=None,
        json=lambda w: {**ACCOUNT, "username": w.ids["applicant_name"]},
    ),
    c(
        "accounts:nul-in-name",
        ACCOUNTS,
        422,
        "invalid_characters",
        who=None,
        json={**ACCOUNT, "display_name": "张\u0000三"},
    ),
    # --- auth ---
    _invalid("token:invalid-json", LOGIN, who=None, content=b"{", content_type="application/json"),
    _invalid("token:wrong-types", LOGIN, who=None, json={"username": ["a"], "password": 1}),
    _invalid(
        "token:unknown-field",
        LOGIN,
        who=None,
        json={"username": "abc", "password": "pass-word-1", "otp": "1"},
    ),
    _invalid("token:empty-password", LOGIN, who=None, json={"username": "abc", "password": ""}),
    _invalid("token:huge-password", LOGIN, who=None, json={"username": "abc", "password": HUGE}),
    c(
        "token:wrong-password",
        LOGIN,
        401,
        "invalid_credentials",
        who=None,
        json={"username": "nobody-here", "password": "pass-word-1"},
        writes=("login_attempts",),
    ),
    c("logout:anonymous", LOGOUT, 401, "unauthenticated", who=None),
    c(
        "logout:basic-auth",
        LOGOUT,
        401,
        "invalid_token",
        who=None,
        headers={"Authorization": "Basic YWJjOmRlZg=="},
    ),
    c("me:anonymous", ME, 401, "unauthenticated", who=None),
    c("me:empty-bearer", ME, 401, "invalid_token", who=None, headers={"Authorization": "Bearer "}),
    # --- parties ---
    _invalid(
        "parties:invalid-json",
        PARTIES,
        content=b'{"kind": "legal_person",',
        content_type="application/json",
    ),
    _invalid(
        "parties:wrong-content-type",
        PARTIES,
        content=json.dumps(PARTY_BODY).encode(),
        content_type="text/plain",
    ),
    c(
        "parties:deeply-nested-json",
        PARTIES,
        400,
        "bad_request",
        content=NESTED,
        content_type="application/json",
    ),
    _invalid("parties:wrong-types", PARTIES, json={**PARTY_BODY, "kind": 5}),
    _invalid(
        "parties:unknown-field", PARTIES, json={**PARTY_BODY, "verification_status": "verified"}
    ),
    _invalid("parties:empty-name", PARTIES, json={**PARTY_BODY, "name": ""}),
    _invalid("parties:huge-name", PARTIES, json={**PARTY_BODY, "name": HUGE}),
    _invalid("parties:bad-kind", PARTIES, json={**PARTY_BODY, "kind": "robot"}),
    c("parties:blank-name", PARTIES, 422, "invalid_name", json={**PARTY_BODY, "name": "   "}),
    c(
        "parties:bad-credit-code",
        PARTIES,
        400,
        "invalid_uscc",
        json={**PARTY_BODY, "id_number": "91520115ABCDEFGHIJ"},
    ),
    c(
        "parties:nul-in-name",
        PARTIES,
        422,
        "invalid_characters",
        json={**PARTY_BODY, "name": "测试\u0000公司"},
    ),
    c(
        "parties:lone-surrogate",
        PARTIES,
        422,
        "invalid_characters",
        content=_ascii_json({**PARTY_BODY, "name": "测试\ud800公司"}),
        content_type="application/json",
    ),
    c("parties:nul-in-key", PARTIES, 422, "invalid_characters", json={**PARTY_BODY, "\u0000": 1}),
    c("parties:by-examiner", PARTIES, 403, "forbidden", who="examiner", json=PARTY_BODY),
    c("parties:anonymous", PARTIES, 401, "unauthenticated", who=None, json=PARTY_BODY),
    c("parties:list-anonymous", PARTY_LIST, 401, "unauthenticated", who=None),
    c(
        "parties:list-basic-auth",
        PARTY_LIST,
        401,
        "invalid_token",
        who=None,
        headers={"Authorization": "Token abc"},
    ),
    _invalid("party:non-numeric", PARTY, path="/parties/abc"),
    _invalid("party:huge-id", PARTY, path="/parties/99999999999999999999999"),
    _invalid("party:zero", PARTY, path="/parties/0"),
    c("party:someone-elses", PARTY, 404, "party_not_found", path="/parties/{other_party}"),
    c("party:missing", PARTY, 404, "party_not_found", path="/parties/99999"),
    c("party:anonymous", PARTY, 401, "unauthenticated", who=None),
    _invalid("verify:invalid-json", VERIFY, content=b"{]", content_type="application/json"),
    _invalid(
        "verify:bad-blob",
        VERIFY,
        json={"method": "business_licence", "evidence_blob": "not-a-hash"},
    ),
    _invalid(
        "verify:unknown-field",
        VERIFY,
        json={"method": "business_licence", "evidence_blob": "0" * 64, "status": "verified"},
    ),
    _invalid(
        "verify:huge-id",
        VERIFY,
        path="/parties/18446744073709551616/verification",
        json={"method": "business_licence", "evidence_blob": "0" * 64},
    ),
    c(
        "verify:bad-method",
        VERIFY,
        422,
        "invalid_method",
        json={"method": "telepathy", "evidence_blob": "0" * 64},
    ),
    c(
        "verify:already-verified",
        VERIFY,
        409,
        "already_verified",
        json=lambda w: {"method": "business_licence", "evidence_blob": w.ids["blob"]},
    ),
    c(
        "verify:someone-elses",
        VERIFY,
        404,
        "party_not_found",
        path="/parties/{other_party}/verification",
        json=lambda w: {"method": "business_licence", "evidence_blob": w.ids["blob"]},
    ),
    c(
        "verify:unknown-blob",
        VERIFY,
        422,
        "blob_not_found",
        who="other",
        path="/parties/{other_party}/verification",
        json={"method": "business_licence", "evidence_blob": "0" * 64},
    ),
    _invalid("decide-party:wrong-types", DECIDE_PARTY, who="examiner", json={"approve": "perhaps"}),
    _invalid(
        "decide-party:huge-note",
        DECIDE_PARTY,
        who="examiner",
        json={"approve": False, "note": HUGE},
    ),
    _invalid("decide-party:no-body", DECIDE_PARTY, who="examiner"),
    c("decide-party:by-applicant", DECIDE_PARTY, 403, "forbidden", json={"approve": True}),
    c(
        "decide-party:not-pending",
        DECIDE_PARTY,
        409,
        "not_pending",
        who="examiner",
        json={"approve": True},
    ),
    c(
        "decide-party:missing",
        DECIDE_PARTY,
        404,
        "party_not_found",
        who="examiner",
        path="/parties/99999/verification/decision",
        json={"approve": True},
    ),
    _invalid("poa:wrong-types", POA, who="agent", json={"party_id": "one", "poa_blob": "0" * 64}),
    _invalid("poa:huge-party-id", POA, who="agent", json={"party_id": 2**64, "poa_blob": "0" * 64}),
    _invalid("poa:bad-blob", POA, who="agent", json={"party_id": 1, "poa_blob": "ABC"}),
    _invalid(
        "poa:unknown-field",
        POA,
        who="agent",
        json=lambda w: {"party_id": w.ids["party"], "poa_blob": w.ids["poa"], "status": "accepted"},
    ),
    c(
        "poa:by-applicant",
        POA,
        403,
        "forbidden",
        json=lambda w: {"party_id": w.ids["party"], "poa_blob": w.ids["blob"]},
    ),
    c(
        "poa:unknown-party",
        POA,
        422,
        "party_not_found",
        who="agent",
        json=lambda w: {"party_id": 99999, "poa_blob": w.ids["poa"]},
    ),
    c(  # issue 18: someone else's party is named by its number, never by its private id
        "poa:someone-elses-party-id",
        POA,
        422,
        "party_not_found",
        who="agent",
        json=lambda w: {"party_id": w.ids["other_party"], "poa_blob": w.ids["poa"]},
    ),
    c(
        "poa:number-of-no-party",
        POA,
        422,
        "party_not_found",
        who="agent",
        json=lambda w: {"id_number": make_uscc(987_654), "poa_blob": w.ids["poa"]},
    ),
    c(
        "poa:not-a-number",
        POA,
        422,
        "invalid_id_number",
        who="agent",
        json=lambda w: {"id_number": "123", "poa_blob": w.ids["poa"]},
    ),
    c(
        "poa:unknown-blob",
        POA,
        422,
        "blob_not_found",
        who="agent",
        json=lambda w: {"party_id": w.ids["party"], "poa_blob": "0" * 64},
    ),
    c("poa:list-anonymous", POA_LIST, 401, "unauthenticated", who=None),
    _invalid(
        "decide-poa:non-numeric",
        DECIDE_POA,
        who="examiner",
        path="/authorisations/x/decision",
        json={"approve": True},
    ),
    _invalid(
        "decide-poa:huge-id",
        DECIDE_POA,
        who="examiner",
        path="/authorisations/99999999999999999999/decision",
        json={"approve": True},
    ),
    _invalid(
        "decide-poa:unknown-field",
        DECIDE_POA,
        who="examiner",
        json={"approve": True, "agent_user_id": 1},
    ),
    c("decide-poa:by-agent", DECIDE_POA, 403, "forbidden", who="agent", json={"approve": True}),
    c(
        "decide-poa:already-decided",
        DECIDE_POA,
        409,
        "not_pending",
        who="examiner",
        path="/authorisations/{auth_done}/decision",
        json={"approve": False},
    ),
    c(
        "decide-poa:missing",
        DECIDE_POA,
        404,
        "authorisation_not_found",
        who="examiner",
        path="/authorisations/99999/decision",
        json={"approve": True},
    ),
    # --- files ---
    _invalid("blobs:no-file", UPLOAD, json={"file": "a,b"}),
    _invalid("blobs:wrong-field", UPLOAD, files={"upload": ("s.csv", b"a,b\n", CSV)}),
    c("blobs:empty", UPLOAD, 422, "empty_file", files={"file": ("s.csv", b"", CSV)}),
    c(
        "blobs:over-blob-cap",
        UPLOAD,
        413,
        "file_too_large",
        files={"file": ("s.csv", b"x" * 65, CSV)},
        env={"max_blob_bytes": 64},
    ),
    c(
        "blobs:over-request-cap",
        UPLOAD,
        413,
        "request_too_large",
        content=_too_big,
        content_type="application/octet-stream",
    ),
    c(
        "blobs:over-request-cap-chunked",
        UPLOAD,
        413,
        "request_too_large",
        content=_too_big_multipart,
        content_type="multipart/form-data; boundary=B",
    ),
    c(
        "blobs:anonymous",
        UPLOAD,
        401,
        "unauthenticated",
        who=None,
        files={"file": ("s.csv", b"a,b\n", CSV)},
    ),
    c("blob:someone-elses", BLOB, 404, "blob_not_found", path="/blobs/{other_blob}"),
    c("blob:path-traversal", BLOB, 404, "not_found", path="/blobs/..%2F..%2Fetc%2Fpasswd"),
    c("blob:not-a-hash", BLOB, 404, "blob_not_found", path="/blobs/not-a-hash"),
    c("blob:unknown", BLOB, 404, "blob_not_found", path="/blobs/" + "0" * 64),
    c("blob:anonymous", BLOB, 401, "unauthenticated", who=None),
    # --- applications ---
    _invalid(
        "create:invalid-json",
        CREATE,
        content=b'{"form": {"name": "x"}, "applicants": [',
        content_type="application/json",
    ),
    _invalid(
        "create:wrong-content-type",
        CREATE,
        content=b'{"applicants": [{"party_id": 1}]}',
        content_type="text/plain",
    ),
    _invalid("create:wrong-types", CREATE, json=_app(applicants="party 1")),
    _invalid("create:unknown-field", CREATE, json=_app(state="registered")),
    _invalid("create:unknown-form-field", CREATE, json=_app(form={"name": "x", "owner": "me"})),
    _invalid("create:no-applicants", CREATE, json=_app(applicants=[])),
    _invalid("create:huge-name", CREATE, json=_app(form={"name": HUGE})),
    _invalid(
        "create:bad-enum", CREATE, json=_app(form={"scenarios": {"values": ["mind_reading"]}})
    ),
    _invalid("create:bad-date", CREATE, json=_app(form={"agreement_end_date": "2026-02-30"})),
    _invalid("create:huge-party-id", CREATE, json=_app(applicants=[{"party_id": 2**70}])),
    _invalid("create:bad-share", CREATE, json=_app(applicants=[{"party_id": 1, "share_bp": 0}])),
    c(
        "create:over-request-cap-chunked",
        CREATE,
        413,
        "request_too_large",
        content=_too_big_chunked,
        content_type="application/json",
    ),
    c("create:by-examiner", CREATE, 403, "forbidden", who="examiner", json=_app()),
    c(
        "create:someone-elses-party",
        CREATE,
        403,
        "not_authorised_for_party",
        json=lambda w: {"applicants": [{"party_id": w.ids["other_party"]}]},
    ),
    c(
        "create:unknown-party",
        CREATE,
        422,
        "party_not_found",
        json=lambda w: {
            "applicants": [
                {"party_id": w.ids["party"], "share_bp": 5000, "rights_bounds": "采集"},
                {"party_id": 99999, "share_bp": 5000, "rights_bounds": "加工"},
            ]
        },
    ),
    c(
        "create:shares-not-100",
        CREATE,
        422,
        "shares_not_100",
        json=lambda w: {"applicants": [{"party_id": w.ids["party"], "share_bp": 5000}]},
    ),
    c("create:anonymous", CREATE, 401, "unauthenticated", who=None, json=_app()),
    c(
        "create:nul-in-form",
        CREATE,
        422,
        "invalid_characters",
        json=_app(form={"name": "数据\u0000集"}),
    ),
    c(
        "create:lone-surrogate-in-form",
        CREATE,
        422,
        "invalid_characters",
        content=lambda w: _ascii_json(
            _app(form={"name": "数据集", "processing_rules": "\udfff"})(w)
        ),
        content_type="application/json",
    ),
    c("list:bad-state", LIST, 422, "invalid_state", params={"state": "bogus"}),
    _invalid("list:bad-cursor", LIST, params={"cursor": "abc"}),
    _invalid("list:huge-cursor", LIST, params={"cursor": "9" * 30}),
    _invalid("list:limit-zero", LIST, params={"limit": "0"}),
    _invalid("list:limit-huge", LIST, params={"limit": "100000"}),
    _invalid("list:huge-state", LIST, params={"state": "x" * 10_000}),
    _invalid("get:non-numeric", ONE, path="/applications/abc"),
    _invalid("get:zero", ONE, path="/applications/0"),
    _invalid("get:negative", ONE, path="/applications/-5"),
    _invalid("get:huge", ONE, path="/applications/99999999999999999999"),
    c(
        "get:someone-elses-draft",
        ONE,
        404,
        "application_not_found",
        path="/applications/{other_draft}",
    ),
    c("get:draft-anonymously", ONE, 404, "application_not_found", who=None),
    c("get:missing", ONE, 404, "application_not_found", path="/applications/99999"),
    _invalid("patch:invalid-json", EDIT, content=b"{'form': 1}", content_type="application/json"),
    _invalid("patch:wrong-types", EDIT, json={"form": "everything"}),
    _invalid("patch:unknown-field", EDIT, json={"form": {"name": "x"}, "state": "registered"}),
    _invalid("patch:empty-applicants", EDIT, json={"applicants": []}),
    _invalid("patch:huge-name", EDIT, json={"form": {"name": HUGE}}),
    c(
        "patch:bad-if-match",
        EDIT,
        400,
        "invalid_if_match",
        json={"form": {"name": "x"}},
        headers={"If-Match": "yesterday"},
    ),
    c(
        "patch:stale-if-match",
        EDIT,
        412,
        "stale_version",
        json={"form": {"name": "x"}},
        headers={"If-Match": '"999"'},
    ),
    c(
        "patch:someone-elses",
        EDIT,
        404,
        "application_not_found",
        path="/applications/{other_draft}",
        json={"form": {"name": "x"}},
    ),
    c(
        "patch:after-submission",
        EDIT,
        409,
        "not_editable",
        path="/applications/{submitted}",
        json={"form": {"name": "x"}},
    ),
    c(
        "patch:by-examiner",
        EDIT,
        404,
        "application_not_found",
        who="examiner",
        json={"form": {"name": "x"}},
    ),
    c("patch:anonymous", EDIT, 401, "unauthenticated", who=None, json={"form": {"name": "x"}}),
    _invalid("consent:non-numeric", CONSENT, path="/applications/x/consent"),
    c(
        "consent:someone-elses",
        CONSENT,
        404,
        "application_not_found",
        path="/applications/{other_draft}/consent",
    ),
    c(
        "consent:after-submission",
        CONSENT,
        409,
        "not_editable",
        path="/applications/{submitted}/consent",
    ),
    c("consent:anonymous", CONSENT, 401, "unauthenticated", who=None),
    _invalid("act:invalid-json", ACT, content=b'{"reason": "x"', content_type="application/json"),
    _invalid("act:json-string", ACT, json="approve"),
    _invalid(
        "act:wrong-types",
        ACT,
        path="/applications/{submitted}/actions/refuse",
        who="examiner",
        json={"grounds": "1,2", "reason": "x"},
    ),
    _invalid(
        "act:unknown-field",
        ACT,
        path="/applications/{submitted}/actions/withdraw",
        json={"reason": "x", "state": "registered"},
    ),
    _invalid(
        "act:huge-reason",
        ACT,
        path="/applications/{submitted}/actions/withdraw",
        json={"reason": HUGE},
    ),
    _invalid("act:long-action-name", ACT, path="/applications/{draft}/actions/" + "a" * 100),
    _invalid("act:non-numeric-id", ACT, path="/applications/one/actions/submit"),
    _invalid("act:huge-id", ACT, path="/applications/99999999999999999999/actions/submit"),
    c(
        "act:approve-a-draft",
        ACT,
        409,
        "action_not_allowed_in_state",
        who="examiner",
        path="/applications/{draft}/actions/approve",
    ),
    c(
        "act:publicise-before-accept",
        ACT,
        409,
        "action_not_allowed_in_state",
        who="examiner",
        path="/applications/{submitted}/actions/publicise",
    ),
    c(
        "act:correct-uncalled",
        ACT,
        409,
        "action_not_allowed_in_state",
        path="/applications/{submitted}/actions/submit_correction",
    ),
    c(
        "act:submit-twice",
        ACT,
        409,
        "action_not_allowed_in_state",
        path="/applications/{submitted}/actions/submit",
    ),
    c("act:nul-in-action", ACT, 404, "unknown_action", path="/applications/{draft}/actions/%00"),
    c(
        "act:unknown-action",
        ACT,
        404,
        "unknown_action",
        path="/applications/{draft}/actions/teleport",
    ),
    c("act:bad-if-match", ACT, 400, "invalid_if_match", headers={"If-Match": "W/abc"}),
    c(
        "act:stale-if-match",
        ACT,
        412,
        "stale_version",
        path="/applications/{incomplete}/actions/submit",
        headers={"If-Match": '"999"'},
    ),
    c(
        "act:accept-by-applicant",
        ACT,
        403,
        "forbidden_action",
        path="/applications/{submitted}/actions/accept",
    ),
    c("act:submit-someone-elses", ACT, 404, "application_not_found", who="other"),
    c("act:submit-anonymously", ACT, 404, "application_not_found", who=None),
    c(
        "act:submit-incomplete",
        ACT,
        422,
        "incomplete_application",
        path="/applications/{incomplete}/actions/submit",
    ),
    c(
        "act:submit-duplicate",
        ACT,
        409,
        "duplicate_registration",
        path="/applications/{draft}/actions/submit",
    ),
    c(
        "act:withdraw-without-reason",
        ACT,
        422,
        "missing_fields",
        path="/applications/{submitted}/actions/withdraw",
        json={"reason": ""},
    ),
    c(
        "act:refuse-bad-ground",
        ACT,
        422,
        "invalid_ground",
        who="examiner",
        path="/applications/{submitted}/actions/refuse",
        json={"grounds": [99], "reason": "x"},
    ),
    c(
        "act:decide-without-outcome",
        ACT,
        422,
        "outcome_required",
        who="examiner",
        path="/applications/{submitted}/actions/decide_objection",
        json={"reason": "x"},
    ),
    c(
        "act:defects-not-listed",
        ACT,
        409,
        "action_not_allowed_in_state",
        who="examiner",
        path="/applications/{submitted}/actions/request_correction",
        json={"defects": []},
    ),
    c(
        "act:nul-in-reason",
        ACT,
        422,
        "invalid_characters",
        path="/applications/{submitted}/actions/withdraw",
        json={"reason": "\u0000"},
    ),
    _invalid("versions:zero", VERSIONS, path="/applications/0/versions"),
    c(
        "versions:someone-elses",
        VERSIONS,
        404,
        "application_not_found",
        path="/applications/{other_draft}/versions",
    ),
    c(
        "versions:anonymous",
        VERSIONS,
        404,
        "application_not_found",
        who=None,
        path="/applications/{submitted}/versions",
    ),
    _invalid("history:huge", HISTORY, path="/applications/4294967296/history"),
    c(
        "history:someone-elses",
        HISTORY,
        404,
        "application_not_found",
        path="/applications/{other_draft}/history",
    ),
    c("history:anonymous", HISTORY, 404, "application_not_found", who=None),
    # --- inbox ---
    c("inbox:anonymous", INBOX, 401, "unauthenticated", who=None),
    c(
        "inbox:malformed-authorization",
        INBOX,
        401,
        "invalid_token",
        who=None,
        headers={"Authorization": "Bearer"},
    ),
    _invalid("read:non-numeric", READ, path="/inbox/latest/read"),
    _invalid("read:huge", READ, path="/inbox/99999999999999999999/read"),
    c("read:someone-elses", READ, 404, "notice_not_found", who="other"),
    c("read:missing", READ, 404, "notice_not_found", path="/inbox/99999/read"),
    c("read:anonymous", READ, 401, "unauthenticated", who=None),
    # --- examination ---
    c("queue:by-applicant", QUEUE, 403, "forbidden"),
    c("queue:anonymous", QUEUE, 401, "unauthenticated", who=None),
    _invalid("queue:limit-zero", QUEUE, who="examiner", params={"limit": "0"}),
    _invalid("queue:limit-not-a-number", QUEUE, who="examiner", params={"limit": "all"}),
    c("requests:by-applicant", REQUESTS, 403, "forbidden"),
    c("requests:anonymous", REQUESTS, 401, "unauthenticated", who=None),
    _invalid("requests:limit-zero", REQUESTS, who="examiner", params={"limit": "0"}),
    _invalid("requests:limit-huge", REQUESTS, who="examiner", params={"limit": "501"}),
    # --- reference data ---
    c("industries:bad-level", INDUSTRIES, 422, "invalid_level", params={"level": "galaxy"}),
    _invalid("industries:limit-zero", INDUSTRIES, params={"limit": "0"}),
    _invalid("industries:huge-query", INDUSTRIES, params={"q": "行" * 5000}),
    _invalid("industries:non-numeric-limit", INDUSTRIES, params={"limit": "many"}),
    c("industries:nul-in-query", INDUSTRIES, 422, "invalid_characters", params={"q": "软件\x00"}),
    c("industries:nul-in-parent", INDUSTRIES, 422, "invalid_characters", params={"parent": "\x00"}),
    c(
        "load-industries:huge-field",
        LOAD_INDUSTRIES,
        422,
        "invalid_industry_table",
        who="admin",
        params={"edition": "x"},
        files={
            "file": (
                "i.csv",
                b"code,level,name,parent,section\n" + b'"' + b"x" * 200_000 + b'",class,n,,A\n',
                CSV,
            )
        },
    ),
    c(
        "load-industries:nul-in-edition",
        LOAD_INDUSTRIES,
        422,
        "invalid_characters",
        who="admin",
        params={"edition": "\x00"},
        files={"file": ("i.csv", b"code\n", CSV)},
    ),
    c(
        "load-industries:by-applicant",
        LOAD_INDUSTRIES,
        403,
        "forbidden",
        params={"edition": "x"},
        files={"file": ("i.csv", b"code,level,name,parent,section\n", CSV)},
    ),
    c(
        "load-industries:anonymous",
        LOAD_INDUSTRIES,
        401,
        "unauthenticated",
        who=None,
        params={"edition": "x"},
        files={"file": ("i.csv", b"code\n", CSV)},
    ),
    c(
        "load-industries:garbage-bytes",
        LOAD_INDUSTRIES,
        422,
        "invalid_encoding",
        who="admin",
        params={"edition": "x"},
        files={"file": ("i.csv", GARBAGE, CSV)},
    ),
    c(
        "load-industries:nul-bytes",
        LOAD_INDUSTRIES,
        422,
        "invalid_industry_table",
        who="admin",
        params={"edition": "x"},
        files={"file": ("i.csv", b"code,level,name,parent,section\n\x00\x00,class,\x00,,A\n", CSV)},
    ),
    c(
        "load-industries:wrong-columns",
        LOAD_INDUSTRIES,
        422,
        "invalid_industry_table",
        who="admin",
        params={"edition": "x"},
        files={"file": ("i.csv", "代码,名称\n0111,稻谷种植\n".encode("gb18030"), CSV)},
    ),
    c(
        "load-industries:empty-file",
        LOAD_INDUSTRIES,
        422,
        "invalid_industry_table",
        who="admin",
        params={"edition": "x"},
        files={"file": ("i.csv", b"", CSV)},
    ),
    _invalid(
        "load-industries:no-edition",
        LOAD_INDUSTRIES,
        who="admin",
        files={"file": ("i.csv", b"code\n", CSV)},
    ),
    _invalid(
        "load-industries:empty-edition",
        LOAD_INDUSTRIES,
        who="admin",
        params={"edition": ""},
        files={"file": ("i.csv", b"code\n", CSV)},
    ),
    _invalid(
        "load-industries:huge-edition",
        LOAD_INDUSTRIES,
        who="admin",
        params={"edition": "e" * 1000},
        files={"file": ("i.csv", b"code\n", CSV)},
    ),
    _invalid(
        "load-industries:json-not-file",
        LOAD_INDUSTRIES,
        who="admin",
        params={"edition": "x"},
        json={"rows": []},
    ),
    c(
        "due-date:unknown-period",
        DUE_DATE,
        422,
        "unknown_period",
        params={"period": "forever", "trigger": "2026-09-28"},
    ),
    _invalid(
        "due-date:bad-date", DUE_DATE, params={"period": "correction", "trigger": "2026-02-30"}
    ),
    _invalid("due-date:missing-trigger", DUE_DATE, params={"period": "correction"}),
    c(
        "due-date:end-of-time",
        DUE_DATE,
        422,
        "date_out_of_range",
        params={"period": "correction", "trigger": "9999-12-30"},
    ),
    _invalid(
        "override:bad-day",
        OVERRIDE,
        who="admin",
        path="/calendar/overrides/2026-13-01",
        json=OVERRIDE_BODY,
    ),
    _invalid(
        "override:wrong-types",
        OVERRIDE,
        who="admin",
        json={"is_working_day": "perhaps", "note": "x"},
    ),
    _invalid(
        "override:unknown-field", OVERRIDE, who="admin", json={**OVERRIDE_BODY, "created_by": 1}
    ),
    _invalid("override:empty-note", OVERRIDE, who="admin", json={**OVERRIDE_BODY, "note": ""}),
    _invalid("override:huge-note", OVERRIDE, who="admin", json={**OVERRIDE_BODY, "note": HUGE}),
    c(
        "override:blank-note",
        OVERRIDE,
        422,
        "missing_fields",
        who="admin",
        json={**OVERRIDE_BODY, "note": "   "},
    ),
    c("override:by-examiner", OVERRIDE, 403, "forbidden", who="examiner", json=OVERRIDE_BODY),
    c("override:anonymous", OVERRIDE, 401, "unauthenticated", who=None, json=OVERRIDE_BODY),
    _invalid("year:non-numeric", YEAR, who="admin", path="/calendar/years/next", json=YEAR_BODY),
    _invalid(
        "year:out-of-range",
        YEAR,
        who="admin",
        path="/calendar/years/99999",
        json={**YEAR_BODY, "holidays": []},
    ),
    _invalid(
        "year:huge",
        YEAR,
        who="admin",
        path="/calendar/years/18446744073709551616",
        json={**YEAR_BODY, "holidays": []},
    ),
    _invalid("year:wrong-types", YEAR, who="admin", json={**YEAR_BODY, "holidays": "2027-10-01"}),
    _invalid("year:unknown-field", YEAR, who="admin", json={**YEAR_BODY, "published": False}),
    _invalid(
        "year:too-many-holidays",
        YEAR,
        who="admin",
        json={**YEAR_BODY, "holidays": ["2027-10-01"] * 101},
    ),
    c(
        "year:holiday-in-another-year",
        YEAR,
        422,
        "invalid_arrangement",
        who="admin",
        json={**YEAR_BODY, "holidays": ["2030-10-01"]},
    ),
    c("year:by-applicant", YEAR, 403, "forbidden", json=YEAR_BODY),
    c("profile:wrong-method", PROFILE, 405, "method_not_allowed", method="DELETE"),
    c("profile:unknown-subpath", PROFILE, 404, "not_found", path="/profile/secrets"),
    _invalid("registrations:negative-cursor", REGISTRATIONS, params={"cursor": "-1"}),
    _invalid("registrations:huge-cursor", REGISTRATIONS, params={"cursor": "9" * 25}),
    _invalid("registrations:limit-huge", REGISTRATIONS, params={"limit": "201"}),
    _invalid("registration:bad-number", REGISTRATION, path="/registrations/DROP TABLE"),
    c("registration:unknown", REGISTRATION, 404, "registration_not_found"),
    c(
        "renew:anonymous",
        RENEW,
        401,
        "unauthenticated",
        who=None,
        path="/registrations/2026105200000001/actions/renew",
    ),
    c(
        "renew:unknown",
        RENEW,
        404,
        "registration_not_found",
        path="/registrations/2026105200000001/actions/renew",
    ),
    # --- actions on the world's registration (pledged; held by "applicant") ---
    c(
        "reg-act:anonymous",
        REG_ACT,
        401,
        "unauthenticated",
        who=None,
        path=_on("abandon"),
        json={"reason": "不再需要"},
    ),
    c("reg-act:unknown-action", REG_ACT, 404, "unknown_action", path=_on("teleport")),
    c("reg-act:nul-in-action", REG_ACT, 404, "unknown_action", path=_on("%00")),
    c("reg-act:application-action", REG_ACT, 404, "unknown_action", path=_on("approve")),
    _invalid("reg-act:long-action-name", REG_ACT, path=_on("a" * 100)),
    c(
        "reg-act:abandon-by-stranger",
        REG_ACT,
        403,
        "forbidden_action",
        who="other",
        path=_on("abandon"),
        json={"reason": "不再需要"},
    ),
    c(
        "reg-act:file-licence-by-stranger",
        REG_ACT,
        403,
        "forbidden_action",
        who="transferee",
        path=_on("file_licence"),
        json=LICENCE,
    ),
    c(
        "reg-act:release-pledge-by-stranger",
        REG_ACT,
        403,
        "forbidden_action",
        who="other",
        path=_on("release_pledge"),
        json=lambda w: {"filing_number": w.ids["pledge"]},
    ),
    c(
        "reg-act:renew-by-examiner",
        REG_ACT,
        403,
        "forbidden_action",
        who="examiner",
        path=_on("renew"),
    ),
    c(
        "reg-act:revoke-by-holder",
        REG_ACT,
        403,
        "forbidden_action",
        path=_on("revoke"),
        json={"grounds": [1], "reason": "自行撤销"},
    ),
    c(
        "reg-act:cancel-by-holder",
        REG_ACT,
        403,
        "forbidden_action",
        path=_on("cancel"),
        json={"ground": "evident_defect", "reason": "自行注销"},
    ),
    c(
        "reg-act:decide-by-holder",
        REG_ACT,
        403,
        "forbidden_action",
        path=_on("decide_request"),
        json={"request_id": 1, "outcome": "approve", "reason": "同意"},
    ),
    c(
        "reg-act:abandon-by-examiner",
        REG_ACT,
        403,
        "forbidden_action",
        who="examiner",
        path=_on("abandon"),
        json={"reason": "不再需要"},
    ),
    c(
        "reg-act:confirm-unnamed-transfer",
        REG_ACT,
        403,
        "forbidden_action",
        who="transferee",
        path=_on("confirm_transfer"),
    ),
    c("reg-act:withdraw-nothing", REG_ACT, 403, "forbidden_action", path=_on("withdraw_request")),
    # (the holder's abandonment and transfer meet the pledge first: see "while-pledged")
    c(
        "reg-act:cancel-without-body",
        REG_ACT,
        422,
        "missing_fields",
        who="examiner",
        path=_on("cancel"),
    ),
    c(
        "reg-act:cancel-empty-reason",
        REG_ACT,
        422,
        "missing_fields",
        who="examiner",
        path=_on("cancel"),
        json={"ground": "evident_defect", "reason": ""},
    ),
    c(
        "reg-act:release-empty-filing-number",
        REG_ACT,
        422,
        "missing_fields",
        path=_on("release_pledge"),
        json={"filing_number": ""},
    ),
    c(
        "reg-act:licence-without-contract-date",
        REG_ACT,
        422,
        "missing_fields",
        path=_on("file_licence"),
        json={k: v for k, v in LICENCE.items() if k != "contract_date"},
    ),
    c(
        "reg-act:licence-without-licensee",
        REG_ACT,
        422,
        "missing_fields",
        path=_on("file_licence"),
        json={k: v for k, v in LICENCE.items() if k != "licensee"},
    ),
    c(
        "reg-act:pledgee-without-credit-code",
        REG_ACT,
        422,
        "missing_fields",
        path=_on("file_pledge"),
        json={**PLEDGE, "pledgee": {"name": "某质权人"}},
    ),
    c(
        "reg-act:consent-without-instrument",
        REG_ACT,
        422,
        "missing_fields",
        path=_on("record_pledgee_consent"),
        json=lambda w: {"filing_number": w.ids["pledge"], "for_action": "abandon"},
    ),
    c(
        "reg-act:revoke-without-grounds",
        REG_ACT,
        422,
        "grounds_required",
        who="examiner",
        path=_on("revoke"),
        json={"grounds": [], "reason": "依职权撤销"},
    ),
    c(
        "reg-act:no-transferees",
        REG_ACT,
        422,
        "missing_fields",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court(transferees=[]),
    ),
    _invalid(
        "reg-act:unknown-field",
        REG_ACT,
        path=_on("abandon"),
        json={"reason": "不再需要", "state": "valid"},
    ),
    _invalid(
        "reg-act:unknown-nested-field",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "licensee": {"name": "被许可数据公司", "owner": 1}},
    ),
    _invalid(
        "reg-act:fee-as-text",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "fee_fen": "五千"},
    ),
    _invalid(
        "reg-act:fee-as-numeric-string",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "fee_fen": "500000"},
    ),
    _invalid(
        "reg-act:fee-as-boolean",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "fee_fen": True},
    ),
    _invalid(
        "reg-act:share-as-string",
        REG_ACT,
        path=_on("request_transfer"),
        json=lambda w: {
            "transferees": [{"party_id": w.ids["transferee_party"], "share_bp": "10000"}]
        },
    ),
    _invalid(
        "reg-act:request-id-as-string",
        REG_ACT,
        who="examiner",
        path=_on("decide_request"),
        json={"request_id": "1", "outcome": "approve", "reason": "同意"},
    ),
    _invalid(
        "reg-act:fee-fractional",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "fee_fen": 0.5},
    ),
    _invalid(
        "reg-act:fee-negative", REG_ACT, path=_on("file_licence"), json={**LICENCE, "fee_fen": -1}
    ),
    _invalid(
        "reg-act:fee-beyond-bigint",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "fee_fen": 2**64},
    ),
    _invalid(
        "reg-act:secured-amount-negative",
        REG_ACT,
        path=_on("file_pledge"),
        json={**PLEDGE, "secured_amount_fen": -100},
    ),
    c(
        "reg-act:secured-amount-zero",
        REG_ACT,
        422,
        "invalid_amount",
        path=_on("file_pledge"),
        json={**PLEDGE, "secured_amount_fen": 0},
    ),
    _invalid(
        "reg-act:two-digit-year",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "contract_date": "26-10-13"},
    ),
    _invalid(
        "reg-act:impossible-date",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "contract_date": "2026-02-30"},
    ),
    _invalid(
        "reg-act:date-as-number",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "term_end": 20271012},
    ),
    _invalid(
        "reg-act:bad-licence-type",
        REG_ACT,
        path=_on("file_licence"),
        json={**LICENCE, "licence_type": "perpetual"},
    ),
    _invalid("reg-act:share-zero", REG_ACT, path=_on("request_transfer"), json=_share(0)),
    _invalid("reg-act:share-over-100", REG_ACT, path=_on("request_transfer"), json=_share(10_001)),
    _invalid(
        "reg-act:transferees-not-a-list",
        REG_ACT,
        path=_on("request_transfer"),
        json=_transfer(transferees={"party_id": 1}),
    ),
    _invalid(
        "reg-act:too-many-transferees",
        REG_ACT,
        path=_on("request_transfer"),
        json={"transferees": [{"party_id": i} for i in range(1, 52)]},
    ),
    _invalid(
        "reg-act:huge-party-id",
        REG_ACT,
        path=_on("request_transfer"),
        json={"transferees": [{"party_id": 2**64}]},
    ),
    _invalid(
        "reg-act:bad-basis", REG_ACT, path=_on("request_transfer"), json=_transfer(basis="gift")
    ),
    _invalid(
        "reg-act:instrument-not-a-hash",
        REG_ACT,
        path=_on("record_pledgee_consent"),
        json=_consent(instrument="../../etc/passwd"),
    ),
    _invalid(
        "reg-act:cancel-as-expired",
        REG_ACT,
        who="examiner",
        path=_on("cancel"),
        json={"ground": "expired", "reason": "有效期满"},
    ),
    _invalid(
        "reg-act:too-many-grounds",
        REG_ACT,
        who="examiner",
        path=_on("revoke"),
        json={"grounds": [1, 2, 3, 1], "reason": "依职权撤销"},
    ),
    _invalid("reg-act:huge-reason", REG_ACT, path=_on("abandon"), json={"reason": HUGE}),
    c(  # validated as an application form is: the item's own limit (issue 18)
        "reg-act:huge-changes",
        REG_ACT,
        422,
        "invalid_request",
        path=_on("request_change"),
        json={"changes": {"processing_rules": HUGE}},
    ),
    c(
        "reg-act:over-request-cap",
        REG_ACT,
        413,
        "request_too_large",
        path=_on("abandon"),
        content=_too_big,
        content_type="application/json",
    ),
    c(
        "reg-act:over-request-cap-chunked",
        REG_ACT,
        413,
        "request_too_large",
        path=_on("abandon"),
        content=_too_big_chunked,
        content_type="application/json",
    ),
    c(
        "reg-act:deeply-nested-json",
        REG_ACT,
        400,
        "bad_request",
        path=_on("request_change"),
        content=NESTED,
        content_type="application/json",
    ),
    _invalid(
        "reg-act:invalid-json",
        REG_ACT,
        path=_on("abandon"),
        content=b'{"reason": ',
        content_type="application/json",
    ),
    _invalid(
        "reg-act:not-json",
        REG_ACT,
        path=_on("abandon"),
        content="reason: 不再需要".encode(),
        content_type="text/plain",
    ),
    _invalid(
        "reg-act:form-encoded",
        REG_ACT,
        path=_on("abandon"),
        content=b"reason=x",
        content_type="application/x-www-form-urlencoded",
    ),
    c(
        "reg-act:gb18030-body",
        REG_ACT,
        400,
        "bad_request",
        path=_on("abandon"),
        content='{"reason": "不再需要"}'.encode("gb18030"),
        content_type="application/json",
    ),
    c(
        "reg-act:json-null",
        REG_ACT,
        422,
        "missing_fields",
        who="examiner",
        path=_on("cancel"),
        content=b"null",
        content_type="application/json",
    ),
    _invalid("reg-act:json-array", REG_ACT, path=_on("abandon"), json=[{"reason": "不再需要"}]),
    _invalid("reg-act:json-string", REG_ACT, path=_on("abandon"), json="不再需要"),
    c(
        "reg-act:nul-in-reason",
        REG_ACT,
        422,
        "invalid_characters",
        path=_on("abandon"),
        json={"reason": "不再\u0000需要"},
    ),
    c(
        "reg-act:stale-if-match",
        REG_ACT,
        412,
        "stale_version",
        path=_on("abandon"),
        json={"reason": "不再需要"},
        headers={"If-Match": '"999"'},
    ),
    c(
        "reg-act:previous-version",
        REG_ACT,
        412,
        "stale_version",
        path=_on("file_licence"),
        json=LICENCE,
        headers={"If-Match": '"1"'},
    ),
    c(
        "reg-act:bad-if-match",
        REG_ACT,
        400,
        "invalid_if_match",
        path=_on("abandon"),
        json={"reason": "不再需要"},
        headers={"If-Match": "yesterday"},
    ),
    c(
        "reg-act:unknown-instrument",
        REG_ACT,
        422,
        "blob_not_found",
        path=_on("record_pledgee_consent"),
        json=_consent(instrument="0" * 64),
    ),
    c(
        "reg-act:unknown-contract-blob",
        REG_ACT,
        422,
        "blob_not_found",
        path=_on("file_licence"),
        json={**LICENCE, "contract_blob": "0" * 64},
    ),
    c(
        "reg-act:contract-date-in-future",
        REG_ACT,
        422,
        "contract_date_in_future",
        path=_on("file_licence"),
        json={**LICENCE, "contract_date": "2026-10-15"},
    ),
    c(
        "reg-act:term-ends-before-it-starts",
        REG_ACT,
        422,
        "invalid_term",
        path=_on("file_licence"),
        json={**LICENCE, "term_start": "2027-01-01", "term_end": "2026-12-31"},
    ),
    c(
        "reg-act:bad-licensee-credit-code",
        REG_ACT,
        400,
        "invalid_uscc",
        path=_on("file_licence"),
        json={
            **LICENCE,
            "licensee": {"name": "被许可数据公司", "credit_code": "91520115ABCDEFGHIJ"},
        },
    ),
    c(
        "reg-act:unknown-filing",
        REG_ACT,
        404,
        "filing_not_found",
        path=_on("release_pledge"),
        json={"filing_number": "BA20265200099999"},
    ),
    c(
        "reg-act:consent-on-unknown-filing",
        REG_ACT,
        404,
        "filing_not_found",
        path=_on("record_pledgee_consent"),
        json=_consent(filing_number="BA20265200099999"),
    ),
    c(
        "reg-act:decide-nothing-pending",
        REG_ACT,
        409,
        "no_pending_request",
        who="examiner",
        path=_on("decide_request"),
        json={"request_id": 1, "outcome": "approve", "reason": "同意"},
    ),
    c(
        "reg-act:re-examine-nothing",
        REG_ACT,
        409,
        "re_examination_not_available",
        path=_on("request_re_examination"),
        json={"reason": "不服"},
    ),
    c(
        "reg-act:decide-re-examination-in-valid",
        REG_ACT,
        409,
        "action_not_allowed_in_state",
        who="examiner",
        path=_on("decide_re_examination"),
        json={"outcome": "uphold", "reason": "维持"},
    ),
    c("reg-act:renew-too-early", REG_ACT, 409, "renewal_window_not_open", path=_on("renew")),
    c(
        "reg-act:abandon-while-pledged",
        REG_ACT,
        409,
        "pledged",
        path=_on("abandon"),
        json={"reason": "不再需要"},
    ),
    c(
        "reg-act:transfer-while-pledged",
        REG_ACT,
        409,
        "pledged",
        path=_on("request_transfer"),
        json=_transfer(),
    ),
    # A transfer on a court judgment, filed by the new right holder (not blocked by the pledge
    # when filed; the pledge is checked again when it would take effect).
    c(
        "reg-act:shares-not-100",
        REG_ACT,
        422,
        "shares_must_total_100",
        who="transferee",
        path=_on("request_transfer"),
        json=lambda w: _by_court(
            transferees=[{"party_id": w.ids["transferee_party"], "share_bp": 5000}]
        )(w),
    ),
    c(
        "reg-act:unverified-transferee",  # as unknown as one that does not exist (issue 18)
        REG_ACT,
        422,
        "party_not_found",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court("other_party"),
    ),
    c(
        "reg-act:unknown-transferee",
        REG_ACT,
        422,
        "party_not_found",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court(transferees=[{"party_id": 99999}]),
    ),
    c(
        "reg-act:transfer-to-the-holder",
        REG_ACT,
        422,
        "same_holder",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court("party"),
    ),
    c(
        "reg-act:transferee-named-twice",
        REG_ACT,
        422,
        "duplicate_party",
        who="transferee",
        path=_on("request_transfer"),
        json=lambda w: _by_court(
            transferees=[{"party_id": w.ids["transferee_party"], "share_bp": 5000}] * 2
        )(w),
    ),
    c(
        "reg-act:court-transfer-unknown-instrument",
        REG_ACT,
        422,
        "blob_not_found",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court(instrument="0" * 64),
    ),
    c(
        "reg-act:court-transfer-without-instrument",
        REG_ACT,
        422,
        "missing_fields",
        who="transferee",
        path=_on("request_transfer"),
        json=_by_court(instrument=None),
    ),
    # G§21, G§23 with G§20's rule: one-sided requests on another's right are made under a
    # verified real name ("other" acts for no verified party; a verified caller naming someone
    # else as the new right holder: tests/e2e/api/test_i19_real_name_offers.py)
    c(
        "reg-act:court-transfer-to-someone-else",
        REG_ACT,
        422,
        "party_not_verified",
        who="other",
        path=_on("request_transfer"),
        json=_by_court(by="other"),
    ),
    c(
        "reg-act:cancellation-by-unverified",
        REG_ACT,
        422,
        "party_not_verified",
        who="other",
        path=_on("request_cancellation"),
        json=lambda w: {
            "reason": "权利已因生效判决灭失",
            "instrument": w.ids["other_blob"],
            "party_id": w.ids["other_party"],
        },
    ),
    c(
        "reg-act:transfer-by-stranger",
        REG_ACT,
        403,
        "forbidden_action",
        who="transferee",
        path=_on("request_transfer"),
        json=_transfer(),
    ),
    c(
        "reg-act:change-nothing",
        REG_ACT,
        422,
        "no_change",
        path=_on("request_change"),
        json={"changes": {}},
    ),
    c(
        "reg-act:change-the-commitment",
        REG_ACT,
        422,
        "unchangeable_field",
        path=_on("request_change"),
        json={"changes": {"commitment_accepted": False}},
    ),
    c(
        "reg-act:revocation-under-unverified-party",
        REG_ACT,
        422,
        "party_not_verified",
        who="other",
        path=_on("request_revocation"),
        json=_revocation("other_party"),
    ),
    c(
        "reg-act:revocation-under-someone-elses-party",
        REG_ACT,
        422,
        "party_not_found",
        who="transferee",
        path=_on("request_revocation"),
        json=_revocation("party"),
    ),
    c(
        "reg-act:revoke-bad-ground",
        REG_ACT,
        422,
        "invalid_ground",
        who="examiner",
        path=_on("revoke"),
        json={"grounds": [99], "reason": "依职权撤销"},
    ),
    c(
        "reg-act:certificate-number-unknown",
        REG_ACT,
        404,
        "registration_not_found",
        path="/registrations/20269999999999999/actions/abandon",
        json={"reason": "不再需要"},
    ),
    c("archive:unknown", ARCHIVE, 404, "registration_not_found"),
    c("archive:anonymous-unknown", ARCHIVE, 404, "registration_not_found", who=None),
    _invalid("archive:bad-number", ARCHIVE, path="/registrations/X/archive"),
    c(
        "archive:anonymous",
        ARCHIVE,
        401,
        "unauthenticated",
        who=None,
        path="/registrations/{reg}/archive",
    ),
    c(
        "archive:unrelated-applicant",
        ARCHIVE,
        403,
        "forbidden",
        who="other",
        path="/registrations/{reg}/archive",
    ),
    c(
        "archive:another-verified-user",
        ARCHIVE,
        403,
        "forbidden",
        who="transferee",
        path="/registrations/{reg}/archive",
    ),
    _invalid(
        "archive:bad-download-flag",
        ARCHIVE,
        path="/registrations/{reg}/archive",
        params={"download": "perhaps"},
    ),
    # --- evidence packages and a court's freeze (issue 20 §7) ---
    c("package:unknown", PACKAGE, 404, "registration_not_found"),
    _invalid("package:bad-number", PACKAGE, path="/registrations/X/evidence-package"),
    _invalid(
        "package:bad-full-flag",
        PACKAGE,
        path="/registrations/{reg}/evidence-package",
        params={"full": "perhaps"},
    ),
    c(
        "package:anonymous-full",
        PACKAGE,
        401,
        "unauthenticated",
        who=None,
        path="/registrations/{reg}/evidence-package",
        params={"full": "true"},
    ),
    c(
        "package:unrelated-applicant-full",
        PACKAGE,
        403,
        "forbidden",
        who="other",
        path="/registrations/{reg}/evidence-package",
        params={"full": "true"},
    ),
    # institutional routes: no institutional token (tests/e2e/api/test_i20_*.py walk them
    # with a principal, through tests/support/institutions.py)
    c(
        "institution-package:no-token",
        INSTITUTION_PACKAGE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/evidence-package",
        params={"purpose": "（2026）黔01民初123号"},
    ),
    c(
        "institution-package:user-token",
        INSTITUTION_PACKAGE,
        401,
        "invalid_token",
        path="/institutions/registrations/{reg}/evidence-package",
        params={"purpose": "（2026）黔01民初123号"},
    ),
    c(
        "court-freeze:no-token",
        COURT_FREEZE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/freezes",
        json={"case_number": "（2026）黔01民初123号", "court": "法院", "ruling": "冻结"},
    ),
    c(
        "court-lift:no-token",
        COURT_LIFT,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/freezes/BQ202652000000001/lift",
        json={"case_number": "（2026）黔01民初123号", "reason": "解除"},
    ),
    # --- a bank's pledges (issue 20 §6): a bank's token or nothing (the refusals a bank's
    # client meets are in test_i20_bank_pledges.py, with real tokens) ---
    c(
        "bank-propose:no-token",
        BANK_PROPOSE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges",
        json={"contract_date": "2026-10-13", "secured_amount_fen": 1, "loan_reference": "贷1"},
    ),
    c(
        "bank-propose:user-token",
        BANK_PROPOSE,
        401,
        "invalid_token",
        path="/institutions/registrations/{reg}/pledges",
        json={"contract_date": "2026-10-13", "secured_amount_fen": 1, "loan_reference": "贷1"},
    ),
    c(
        "bank-withdraw:no-token",
        BANK_WITHDRAW,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges/proposals/ZY202652000000001/withdraw",
    ),
    c(
        "bank-reference:no-token",
        BANK_REFERENCE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges/{pledge}/reference",
        json={"zdw_reference": "04093727000235578371"},
    ),
    c(
        "bank-enforce:no-token",
        BANK_ENFORCE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges/{pledge}/enforcement",
        json={"method": "auction", "enforced_on": "2026-10-13", "amount_realised_fen": 1},
    ),
    c(
        "bank-consent:no-token",
        BANK_CONSENT,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges/{pledge}/consents",
        json={"for_action": "transfer"},
    ),
    c(
        "bank-release:no-token",
        BANK_RELEASE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/pledges/{pledge}/release",
    ),
    c(
        "encumbrances:no-token",
        ENCUMBRANCES,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/encumbrances",
        params={"purpose": "贷2026-0042"},
    ),
    # --- institutional clients (issue 20 §1-§3): the admin's routes and the holder's reads ---
    c(
        "institutions:by-applicant",
        INSTITUTION_CREATE,
        403,
        "forbidden",
        json={
            "kind": "bank",
            "name": "贵阳测试银行",
            "uscc": make_uscc(9103),
            "scopes": ["registrations:read"],
            "jwks_uri": "https://bank.example.cn/jwks.json",
        },
    ),
    _invalid("institutions:empty", INSTITUTION_CREATE, who="admin", json={}),
    _invalid(
        "institutions:unknown-field",
        INSTITUTION_CREATE,
        who="admin",
        json={"kind": "bank", "name": "银行", "uscc": make_uscc(9101), "scopes": [], "x": 1},
    ),
    c(
        "institutions:bad-uscc",
        INSTITUTION_CREATE,
        400,
        "invalid_uscc",
        who="admin",
        json={
            "kind": "bank",
            "name": "贵阳测试银行",
            "uscc": "915201150000000000",
            "scopes": ["registrations:read"],
            "jwks_uri": "https://bank.example.cn/jwks.json",
        },
    ),
    c(
        "institutions:scope-not-grantable",
        INSTITUTION_CREATE,
        422,
        "scope_not_grantable",
        who="admin",
        json={
            "kind": "bank",
            "name": "贵阳测试银行",
            "uscc": make_uscc(9102),
            "scopes": ["freezes:write"],
            "jwks_uri": "https://bank.example.cn/jwks.json",
        },
    ),
    c("institutions:list-by-applicant", INSTITUTION_LIST, 403, "forbidden"),
    c("institutions:list-anonymous", INSTITUTION_LIST, 401, "unauthenticated", who=None),
    c(
        "institutions:unknown",
        INSTITUTION_ONE,
        404,
        "institution_not_found",
        who="admin",
        path="/admin/institutions/bank-0000000000000000",
    ),
    c(
        "institutions:act-unknown",
        INSTITUTION_ACT,
        404,
        "institution_not_found",
        who="admin",
        path="/admin/institutions/bank-0000000000000000/actions/suspend",
    ),
    c(
        "institutions:keys-unknown",
        INSTITUTION_KEYS,
        404,
        "institution_not_found",
        who="admin",
        path="/admin/institutions/bank-0000000000000000/keys",
        json={"jwks_uri": "https://bank.example.cn/jwks.json"},
    ),
    _invalid(
        "institutions:keys-wrong-types",
        INSTITUTION_KEYS,
        who="admin",
        path="/admin/institutions/bank-0000000000000000/keys",
        json={"jwks": "not a set"},
    ),
    c(
        "institutions:scopes-unknown",
        INSTITUTION_SCOPES,
        404,
        "institution_not_found",
        who="admin",
        path="/admin/institutions/bank-0000000000000000/scopes",
        json={"scopes": ["registrations:read"]},
    ),
    c(
        "institution-read:no-token",
        INSTITUTION_READ,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}",
    ),
    c(
        "institution-read:user-token",
        INSTITUTION_READ,
        401,
        "invalid_token",
        path="/institutions/registrations/{reg}",
    ),
    c(
        "institution-archive:no-token",
        INSTITUTION_ARCHIVE,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/archive",
        params={"purpose": "（2026）黔01民初123号"},
    ),
    c(
        "reads:anonymous",
        READS,
        401,
        "unauthenticated",
        who=None,
        path="/registrations/{reg}/reads",
    ),
    c("reads:not-holder", READS, 403, "forbidden", who="other", path="/registrations/{reg}/reads"),
    c("reads:unknown", READS, 404, "registration_not_found", who="admin"),
    c(
        "registration:wrong-method",
        REGISTRATION,
        405,
        "method_not_allowed",
        method="DELETE",
        path="/registrations/{reg}",
    ),
    c(
        "announcements:bad-type",
        ANNOUNCEMENTS,
        422,
        "invalid_announcement_type",
        who=None,
        params={"type": "nonsense"},
    ),
    c(
        "announcements:bad-range",
        ANNOUNCEMENTS,
        422,
        "invalid_date_range",
        who=None,
        params={"from": "2026-12-01", "to": "2026-01-01"},
    ),
    _invalid("announcements:bad-date", ANNOUNCEMENTS, who=None, params={"from": "2026-13-01"}),
    c(
        "announcements:bad-industry",
        ANNOUNCEMENTS,
        422,
        "invalid_industry",
        who=None,
        params={"industry": "I6"},
    ),
    c(
        "announcements:bad-region",
        ANNOUNCEMENTS,
        422,
        "invalid_region",
        who=None,
        params={"region": "火星"},
    ),
    _invalid("announcements:bad-cursor", ANNOUNCEMENTS, who=None, params={"cursor": "-1"}),
    c(
        "announcement:unknown",
        ANNOUNCEMENT,
        404,
        "announcement_not_found",
        who=None,
        path="/announcements/GG202652000009999",
    ),
    _invalid("announcement:bad-number", ANNOUNCEMENT, who=None, path="/announcements/GG1"),
    # --- certificates ---
    c(
        "status-list:unknown",
        STATUS_LIST,
        404,
        "status_list_not_found",
        who=None,
        path="/certificates/status-lists/7",
    ),
    _invalid("status-list:negative", STATUS_LIST, who=None, path="/certificates/status-lists/-1"),
    _invalid("status-list:word", STATUS_LIST, who=None, path="/certificates/status-lists/one"),
    _invalid(
        "status-list:huge", STATUS_LIST, who=None, path="/certificates/status-lists/" + "9" * 30
    ),
    c("certificate:unknown", CERTIFICATE, 404, "certificate_not_found", who=None),
    c(
        "certificate:pdf-unknown",
        CERTIFICATE,
        404,
        "certificate_not_found",
        who=None,
        headers={"Accept": "application/pdf"},
    ),
    c(
        "certificate:jose-json-unknown",
        CERTIFICATE,
        404,
        "certificate_not_found",
        who=None,
        headers={"Accept": "application/jose+json"},
    ),
    c(
        "certificate:no-such-version",
        CERTIFICATE,
        404,
        "certificate_not_found",
        who=None,
        path="/registrations/{reg}/certificate",
        params={"version": "99"},
    ),
    _invalid(
        "certificate:version-zero",
        CERTIFICATE,
        who=None,
        path="/registrations/{reg}/certificate",
        params={"version": "0"},
    ),
    _invalid("certificate:bad-number", CERTIFICATE, who=None, path="/registrations/X/certificate"),
    c("certificate:wrong-method", CERTIFICATE, 405, "method_not_allowed", method="POST"),
    c("cert-status:unknown", CERT_STATUS, 404, "certificate_not_found", who=None),
    _invalid(
        "cert-status:bad-version",
        CERT_STATUS,
        who=None,
        path="/certificates/{reg}/status",
        params={"version": "one"},
    ),
    _invalid("cert-status:bad-number", CERT_STATUS, who=None, path="/certificates/1/status"),
    _invalid("cert-verify:no-body", CERT_VERIFY, who=None),
    _invalid("cert-verify:empty-token", CERT_VERIFY, who=None, json={"token": ""}),
    _invalid("cert-verify:token-not-a-string", CERT_VERIFY, who=None, json={"token": 7}),
    _invalid("cert-verify:huge-token", CERT_VERIFY, who=None, json={"token": "a" * 70_000}),
    _invalid("cert-verify:unknown-field", CERT_VERIFY, who=None, json={"token": "a.b.c", "x": 1}),
    # text that is no certificate is not a bad request: it answers 200 `authentic: false`
    # (tests/e2e/api/test_i19_verify_malformed.py)
    c(
        "cert-verify:gb18030",
        CERT_VERIFY,
        400,
        "bad_request",
        who=None,
        content='{"token": "证书"}'.encode("gb18030"),
        content_type="application/json",
    ),
    _invalid("renew:bad-number", RENEW, path="/registrations/DROP TABLE/actions/renew"),
    c("renew:wrong-method", RENEW, 405, "method_not_allowed", method="GET"),
    # --- evidence deposits ---
    c("deposit:anonymous", DEPOSIT, 401, "unauthenticated", who=None, json={"root": "ab" * 32}),
    c("deposit:by-examiner", DEPOSIT, 403, "forbidden", who="examiner", json={"root": "ab" * 32}),
    _invalid("deposit:no-body", DEPOSIT),
    _invalid("deposit:no-root", DEPOSIT, json={}),
    _invalid("deposit:unknown-field", DEPOSIT, json={"root": "ab" * 32, "owner": 1}),
    _invalid("deposit:bad-hash-name", DEPOSIT, json={"root": "ab" * 32, "hash": "md5"}),
    _invalid("deposit:huge-root", DEPOSIT, json={"root": "a" * 10_000}),
    _invalid("deposit:title-too-long", DEPOSIT, json={"root": "ab" * 32, "title": HUGE}),
    _invalid("deposit:manifest-not-object", DEPOSIT, json={"root": "ab" * 32, "manifest": [1]}),
    c("deposit:short-root", DEPOSIT, 422, "invalid_root", json={"root": "ab" * 31}),
    c("deposit:non-hex-root", DEPOSIT, 422, "invalid_root", json={"root": "zz" * 32}),
    c(
        "deposit:manifest-garbage",
        DEPOSIT,
        422,
        "invalid_manifest",
        json={"root": "ab" * 32, "manifest": {"format": "x"}},
    ),
    c(
        "deposit:gb18030-body",
        DEPOSIT,
        400,
        "bad_request",
        content='{"root": "ab", "title": "交通"}'.encode("gb18030"),
        content_type="application/json",
    ),
    c("deposits:anonymous", DEPOSITS, 401, "unauthenticated", who=None),
    c(
        "deposit-one:unknown",
        DEPOSIT_ONE,
        404,
        "deposit_not_found",
        path="/evidence/CZ2026520000009",
    ),
    _invalid("deposit-one:malformed", DEPOSIT_ONE, path="/evidence/DROP TABLE"),
    _invalid("deposit-one:too-long", DEPOSIT_ONE, path="/evidence/CZ" + "9" * 40),
    # --- transparency log ---
    _invalid("log-inclusion:no-index", LOG_INCLUSION, who=None),
    _invalid("log-inclusion:negative", LOG_INCLUSION, who=None, params={"index": "-1"}),
    _invalid("log-inclusion:not-a-number", LOG_INCLUSION, who=None, params={"index": "一"}),
    _invalid("log-inclusion:huge", LOG_INCLUSION, who=None, params={"index": "9" * 25}),
    _invalid(
        "log-inclusion:size-zero", LOG_INCLUSION, who=None, params={"index": "0", "size": "0"}
    ),
    c(
        "log-inclusion:index-beyond-size",
        LOG_INCLUSION,
        422,
        "log_index_out_of_range",
        who=None,
        params={"index": "5", "size": "3"},
    ),
    c(
        "log-inclusion:size-not-published",
        LOG_INCLUSION,
        422,
        "log_size_out_of_range",
        who=None,
        params={"index": "0", "size": str(2**40)},
    ),
    _invalid("log-consistency:no-first", LOG_CONSISTENCY, who=None),
    _invalid("log-consistency:first-zero", LOG_CONSISTENCY, who=None, params={"first": "0"}),
    c(
        "log-consistency:first-after-second",
        LOG_CONSISTENCY,
        422,
        "log_size_out_of_range",
        who=None,
        params={"first": "3", "second": "2"},
    ),
    c(
        "log-consistency:not-published",
        LOG_CONSISTENCY,
        422,
        "log_size_out_of_range",
        who=None,
        params={"first": "1", "second": str(2**40)},
    ),
    _invalid("log-entry:negative", LOG_ENTRY, who=None, path="/log/entries/-1"),
    _invalid("log-entry:text", LOG_ENTRY, who=None, path="/log/entries/abc"),
    c("log-entry:beyond", LOG_ENTRY, 404, "log_not_found", who=None, path="/log/entries/999999"),
    c("log-entry:wrong-method", LOG_ENTRY, 405, "method_not_allowed", who=None, method="DELETE"),
    _invalid("log-receipt:huge", LOG_RECEIPT, who=None, path=f"/log/entries/{2**64}/receipt"),
    c(
        "log-receipt:beyond",
        LOG_RECEIPT,
        404,
        "log_not_found",
        who=None,
        path="/log/entries/999999/receipt",
    ),
    # --- documentation ---
    c("openapi:wrong-method", OPENAPI, 405, "method_not_allowed", method="POST", json={}),
    c("docs:wrong-method", DOCS, 405, "method_not_allowed", method="DELETE"),
    # --- issue 20 §4–§5: the event feed and webhooks (institutional access tokens) ---
    c("events:no-token", "GET /events", 401, "invalid_token", who=None),
    c(
        "events:no-token-bad-cursor",
        "GET /events",
        401,
        "invalid_token",
        who=None,
        params={"after": "-5", "limit": "0"},
    ),
    c("events-types:post", "GET /events/types", 405, "method_not_allowed", method="POST"),
    c(
        "webhooks:create-no-token",
        "POST /webhooks",
        401,
        "invalid_token",
        who=None,
        json={"url": "https://receiver.example/hook"},
    ),
    c("webhooks:list-no-token", "GET /webhooks", 401, "invalid_token", who=None),
    c(
        "webhooks:one-no-token",
        "GET /webhooks/{sub_id}",
        401,
        "invalid_token",
        who=None,
        path="/webhooks/1",
    ),
    c(
        "webhooks:pause-no-token",
        "PATCH /webhooks/{sub_id}",
        401,
        "invalid_token",
        who=None,
        path="/webhooks/1",
        json={"state": "paused"},
    ),
    c(
        "webhooks:delete-no-token",
        "DELETE /webhooks/{sub_id}",
        401,
        "invalid_token",
        who=None,
        path="/webhooks/1",
    ),
    c(
        "webhooks:replay-no-token",
        "POST /webhooks/{sub_id}/replay",
        401,
        "invalid_token",
        who=None,
        path="/webhooks/1/replay",
        json={"from_sequence": 0},
    ),
    c(
        "webhooks:deliveries-no-token",
        "GET /webhooks/{sub_id}/deliveries",
        401,
        "invalid_token",
        who=None,
        path="/webhooks/1/deliveries",
    ),
    # --- issue 22 §5–6: statistics (R30) and typical cases (JS25§10) ---
    c(
        "statistics:bad-month",
        "GET /statistics",
        422,
        "invalid_period",
        who=None,
        params={"from": "2026-13"},
    ),
    c(
        "statistics:from-after-to",
        "GET /statistics",
        422,
        "invalid_period",
        who=None,
        params={"from": "2026-10", "to": "2026-01"},
    ),
    c(
        "statistics:year-and-range",
        "GET /statistics",
        422,
        "invalid_period",
        who=None,
        params={"year": "2026", "from": "2026-01"},
    ),
    _invalid("statistics:year-text", "GET /statistics", who=None, params={"year": "abc"}),
    c(
        "statistics:no-such-table",
        "GET /statistics/{table}",
        404,
        "statistics_table_not_found",
        who=None,
        path="/statistics/nothing",
    ),
    _invalid(
        "statistics:bad-format",
        "GET /statistics/{table}",
        who=None,
        path="/statistics/monthly",
        params={"format": "xlsx"},
    ),
    _invalid("typical-cases:year-huge", "GET /typical-cases", who=None, params={"year": "99999"}),
    c(
        "typical-cases:anonymous",
        "POST /typical-cases",
        401,
        "unauthenticated",
        who=None,
        json={"registration_number": "{reg}", "year": 2026, "title": "案例", "text": "说明"},
    ),
    c(
        "typical-cases:by-applicant",
        "POST /typical-cases",
        403,
        "forbidden",
        json=lambda w: {
            "registration_number": w.ids["reg"],
            "year": 2026,
            "title": "案例",
            "text": "说明",
        },
    ),
    _invalid(
        "typical-cases:unknown-field",
        "POST /typical-cases",
        who="examiner",
        json={"registration_number": "x", "year": 2026, "title": "t", "text": "t", "x": 1},
    ),
    _invalid(
        "typical-cases:huge-text",
        "POST /typical-cases",
        who="examiner",
        json={"registration_number": "x", "year": 2026, "title": "t", "text": HUGE},
    ),
    c(
        "typical-cases:two-line-title",
        "POST /typical-cases",
        422,
        "invalid_characters",
        who="examiner",
        json={"registration_number": "x", "year": 2026, "title": "a\nb", "text": "t"},
    ),
    c(
        "typical-cases:no-registration",
        "POST /typical-cases",
        404,
        "registration_not_found",
        who="examiner",
        json={
            "registration_number": "2026105200000001",
            "year": 2026,
            "title": "案例",
            "text": "说明",
        },
    ),
    c(
        "typical-cases:personal-data",
        "POST /typical-cases",
        422,
        "typical_case_personal_data",
        who="examiner",
        json=lambda w: {
            "registration_number": w.ids["reg"],
            "year": 2026,
            "title": "案例",
            "text": "联系电话13812345678",
        },
    ),
    c(
        "typical-cases:blank-title",
        "POST /typical-cases",
        422,
        "invalid_case_title",
        who="examiner",
        json=lambda w: {
            "registration_number": w.ids["reg"],
            "year": 2026,
            "title": "  ",
            "text": "说明",
        },
    ),
    c(
        "typical-cases:delete-anonymous",
        "DELETE /typical-cases/{case_id}",
        401,
        "unauthenticated",
        who=None,
        path="/typical-cases/1",
    ),
    c(
        "typical-cases:delete-by-applicant",
        "DELETE /typical-cases/{case_id}",
        403,
        "forbidden",
        path="/typical-cases/1",
    ),
    c(
        "typical-cases:delete-none",
        "DELETE /typical-cases/{case_id}",
        404,
        "typical_case_not_found",
        who="examiner",
        path="/typical-cases/1",
    ),
    _invalid(
        "typical-cases:delete-zero",
        "DELETE /typical-cases/{case_id}",
        who="examiner",
        path="/typical-cases/0",
    ),
    # --- the DCAT catalogue (issue 24 §4) ---
    c(
        "catalogue:cursor-backwards",
        "GET /catalogue",
        422,
        "invalid_cursor",
        who=None,
        params={"cursor": "9.3"},
    ),
    _invalid("catalogue:bad-cursor", "GET /catalogue", who=None, params={"cursor": "a.b"}),
    _invalid("catalogue:bad-since", "GET /catalogue", who=None, params={"modified_since": "x"}),
    _invalid("catalogue:bad-format", "GET /catalogue", who=None, params={"format": "xml"}),
]

# --- issue 23 §1–§2: derivation and distribution on the world's registration ({reg}) -------
_SOURCE = {"kind": "registration", "weight_bp": 3000, "stage": "processing"}
CASES += [
    c(
        "sources:cycle-to-itself",
        SOURCES,
        409,
        "source_cycle",
        path="/registrations/{reg}/sources",
        json=lambda w: {**_SOURCE, "number": w.ids["reg"]},
    ),
    c(
        "sources:no-such-registration",
        SOURCES,
        422,
        "source_not_found",
        path="/registrations/{reg}/sources",
        json={**_SOURCE, "number": "2026105200000001"},
    ),
    _invalid(
        "sources:weight-over-10000",
        SOURCES,
        path="/registrations/{reg}/sources",
        json={"kind": "external", "name": "外部来源", "weight_bp": 10_001, "stage": "collection"},
    ),
    _invalid(
        "sources:weight-not-integer",
        SOURCES,
        path="/registrations/{reg}/sources",
        json={"kind": "external", "name": "外部来源", "weight_bp": 30.5, "stage": "collection"},
    ),
    _invalid(
        "sources:unknown-stage",
        SOURCES,
        path="/registrations/{reg}/sources",
        json={"kind": "external", "name": "外部来源", "weight_bp": 100, "stage": "trading"},
    ),
    c(
        "sources:external-without-name",
        SOURCES,
        422,
        "source_name_required",
        path="/registrations/{reg}/sources",
        json={"kind": "external", "weight_bp": 100, "stage": "collection"},
    ),
    c(
        "sources:foreign-not-listed",
        SOURCES,
        422,
        "registry_not_listed",
        path="/registrations/{reg}/sources",
        json={**_SOURCE, "kind": "foreign", "agency_code": "3300", "number": "2026105200000001"},
    ),
    c(
        "sources:by-a-stranger",
        SOURCES,
        403,
        "forbidden",
        who="other",
        path="/registrations/{reg}/sources",
        json={"kind": "external", "name": "外部来源", "weight_bp": 100, "stage": "collection"},
    ),
    c("sources:anonymous", SOURCES, 401, "unauthenticated", who=None, json=_SOURCE),
    c("sources:list-unknown", SOURCE_LIST, 404, "registration_not_found"),
    c(
        "sources:confirm-unknown",
        CONFIRM_SOURCE,
        404,
        "source_not_found",
        path="/registrations/{reg}/sources/999999/confirm",
    ),
    c("sources:confirm-anonymous", CONFIRM_SOURCE, 401, "unauthenticated", who=None),
    _invalid(
        "sources:dispute-without-reason",
        DISPUTE_SOURCE,
        path="/registrations/{reg}/sources/999999/dispute",
        json={},
    ),
    c(
        "sources:dispute-unknown",
        DISPUTE_SOURCE,
        404,
        "source_not_found",
        path="/registrations/{reg}/sources/999999/dispute",
        json={"reason": "未使用"},
    ),
    c("graph:unknown", GRAPH, 404, "registration_not_found", who=None),
    _invalid(
        "distributions:amount-not-integer",
        DISTRIBUTE,
        path="/registrations/{reg}/distributions",
        json={"income_fen": 10.5},
    ),
    _invalid(
        "distributions:amount-negative",
        DISTRIBUTE,
        path="/registrations/{reg}/distributions",
        json={"income_fen": -100},
    ),
    _invalid(
        "distributions:amount-as-text",
        DISTRIBUTE,
        path="/registrations/{reg}/distributions",
        json={"income_fen": "100"},
    ),
    c(
        "distributions:no-income",
        DISTRIBUTE,
        422,
        "income_source_required",
        path="/registrations/{reg}/distributions",
        json={},
    ),
    c(
        "distributions:pledge-has-no-amount",
        DISTRIBUTE,
        422,
        "filing_has_no_amount",
        path="/registrations/{reg}/distributions",
        json=lambda w: {"filing_number": w.ids["pledge"]},
    ),
    c(
        "distributions:no-such-filing",
        DISTRIBUTE,
        404,
        "filing_not_found",
        path="/registrations/{reg}/distributions",
        json={"filing_number": "BA202652000009999"},
    ),
    c(
        "distributions:by-a-stranger",
        DISTRIBUTE,
        403,
        "forbidden",
        who="other",
        path="/registrations/{reg}/distributions",
        json={"income_fen": 100},
    ),
    c("distributions:anonymous", DISTRIBUTE, 401, "unauthenticated", who=None, json={}),
    c(
        "distributions:unknown",
        DISTRIBUTION,
        404,
        "distribution_not_found",
        path="/registrations/{reg}/distributions/999999",
    ),
    c(
        "statements:unknown-distribution",
        STATEMENT,
        404,
        "distribution_not_found",
        path="/registrations/{reg}/distributions/999999/statements/E1",
    ),
    c("statements:anonymous", STATEMENT, 401, "unauthenticated", who=None),
    _invalid(
        "statements:malformed-beneficiary",
        STATEMENT,
        path="/registrations/{reg}/distributions/1/statements/someone",
    ),
]

# --- issue 22 §2: valuations (tests/e2e/api/test_r27_valuation.py walks the successes) ---
VALUATIONS = "POST /registrations/{number}/valuations"
VALUATION_LIST = "GET /registrations/{number}/valuations"
VALUATION_ONE = "GET /registrations/{number}/valuations/{valuation}"
VALUATION_PDF = "GET /registrations/{number}/valuations/{valuation}.pdf"
APPRAISAL = "POST /institutions/registrations/{number}/valuations"
_VCOST = {"items": [{"item": "collection", "amount_fen": 100}], "profit_rate_bp": 1000}
_V = "/registrations/{reg}/valuations"
_VNO = "/registrations/{reg}/valuations/PG202652000000099"
AUTHENTICATED += [VALUATIONS, VALUATION_LIST, VALUATION_ONE, VALUATION_PDF]
CASES += [
    *[
        c(f"bad-token:{route}", route, 401, "invalid_token", who="bad", path=path, json={})
        for route, path in (
            (VALUATIONS, _V),
            (VALUATION_LIST, _V),
            (VALUATION_ONE, _VNO),
            (VALUATION_PDF, _VNO + ".pdf"),
        )
    ],
    c(
        "valuation:anonymous",
        VALUATIONS,
        401,
        "unauthenticated",
        who=None,
        path=_V,
        json={"quality_bp": 8000, "cost": _VCOST},
    ),
    c(
        "valuation:not-the-holder",
        VALUATIONS,
        403,
        "forbidden",
        who="other",
        path=_V,
        json={"quality_bp": 8000, "cost": _VCOST},
    ),
    c(
        "valuation:unknown-registration",
        VALUATIONS,
        404,
        "registration_not_found",
        path="/registrations/2026105200000001/valuations",
        json={"quality_bp": 8000, "cost": _VCOST},
    ),
    c(
        "valuation:no-quality",
        VALUATIONS,
        422,
        "invalid_valuation_input",
        path=_V,
        json={"cost": _VCOST},
    ),
    c(
        "valuation:no-approach",
        VALUATIONS,
        422,
        "invalid_valuation_input",
        path=_V,
        json={"quality_bp": 8000},
    ),
    c(
        "valuation:useful-life-too-long",
        VALUATIONS,
        422,
        "invalid_request",
        path=_V,
        json={
            "quality_bp": 8000,
            "income": {"incomes_fen": [1] * 21, "discount_rate_bp": 1, "contribution_bp": 1},
        },
    ),
    c(
        "valuation:negative-amount",
        VALUATIONS,
        422,
        "invalid_request",
        path=_V,
        json={
            "quality_bp": 8000,
            "cost": {**_VCOST, "items": [{"item": "other", "amount_fen": -1}]},
        },
    ),
    c(
        "valuation:float-amount",
        VALUATIONS,
        422,
        "invalid_request",
        path=_V,
        json={
            "quality_bp": 8000,
            "cost": {**_VCOST, "items": [{"item": "other", "amount_fen": 1.5}]},
        },
    ),
    c(
        "valuation:own-coefficient",
        VALUATIONS,
        422,
        "invalid_request",
        path=_V,
        json={"quality_bp": 8000, "cost": {**_VCOST, "coefficient_bp": 9000}},
    ),
    c(
        "valuation:quality-over-100",
        VALUATIONS,
        422,
        "invalid_request",
        path=_V,
        json={"quality_bp": 10001, "cost": _VCOST},
    ),
    c(
        "valuation:market-without-comparables",
        VALUATIONS,
        409,
        "valuation_not_computable",
        path=_V,
        json={"quality_bp": 8000, "market": {}},
    ),
    c(
        "valuation:list-unknown-registration",
        VALUATION_LIST,
        404,
        "registration_not_found",
        path="/registrations/2026105200000001/valuations",
    ),
    c("valuation:unknown", VALUATION_ONE, 404, "valuation_not_found", path=_VNO),
    c(
        "valuation:bad-number",
        VALUATION_ONE,
        422,
        "invalid_request",
        path="/registrations/{reg}/valuations/XX1",
    ),
    c("valuation:pdf-unknown", VALUATION_PDF, 404, "valuation_not_found", path=_VNO + ".pdf"),
    c(
        "valuation-institution:no-token",
        "GET /institutions/registrations/{number}/valuations/{valuation}",
        401,
        "invalid_token",
        who=None,
        path="/institutions" + _VNO,
        params={"purpose": "贷1"},
    ),
    c(
        "valuation-institution:user-token",
        "GET /institutions/registrations/{number}/valuations/{valuation}",
        401,
        "invalid_token",
        path="/institutions" + _VNO,
        params={"purpose": "贷1"},
    ),
    c(
        "appraisal:no-token",
        APPRAISAL,
        401,
        "invalid_token",
        who=None,
        path="/institutions/registrations/{reg}/valuations",
        json={"jws": "a.b.c.d.e.f"},
    ),
    c(
        "appraisal:user-token",
        APPRAISAL,
        401,
        "invalid_token",
        path="/institutions/registrations/{reg}/valuations",
        json={"jws": "a.b.c.d.e.f"},
    ),
]


# publishing or withdrawing a valuation afterwards (services/value/valuation_publication.py)
VALUATION_SET = {
    "publish": "POST /registrations/{number}/valuations/{valuation}/publish",
    "unpublish": "POST /registrations/{number}/valuations/{valuation}/unpublish",
}
AUTHENTICATED += list(VALUATION_SET.values())
for _step, _route in VALUATION_SET.items():
    CASES += [
        c(f"bad-token:{_route}", _route, 401, "invalid_token", who="bad", path=f"{_VNO}/{_step}"),
        c(
            f"valuation-{_step}:anonymous",
            _route,
            401,
            "unauthenticated",
            who=None,
            path=f"{_VNO}/{_step}",
        ),
        c(f"valuation-{_step}:unknown", _route, 404, "valuation_not_found", path=f"{_VNO}/{_step}"),
        c(
            f"valuation-{_step}:unknown-registration",
            _route,
            404,
            "registration_not_found",
            path=f"/registrations/2026105200000001/valuations/PG202652000000099/{_step}",
        ),
        _invalid(f"valuation-{_step}:bad-number", _route, path=f"{_V}/XX1/{_step}"),
        c(
            f"valuation-{_step}:bad-if-match",
            _route,
            400,
            "invalid_if_match",
            path=f"{_VNO}/{_step}",
            headers={"If-Match": "W/abc"},
        ),
    ]


def _need(**over: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: need_body(w.ids["party"], **over)


CASES += [  # issue 23 §3–§4: needs, matches, contacts
    _invalid("needs:list-bad-industry", NEEDS, who=None, params={"industry": "ZZ"}),
    _invalid("needs:list-bad-scenario", NEEDS, who=None, params={"scenario": "space"}),
    c("needs:create-no-login", NEED_CREATE, 401, "unauthenticated", who=None, json=_need()),
    c(
        "needs:create-id-number",
        NEED_CREATE,
        422,
        "need_personal_data",
        json=_need(data_wanted=f"联系人身份证号{make_resident_id(order=18)}，需要公交客流数据"),
    ),
    c(
        "needs:create-mobile",
        NEED_CREATE,
        422,
        "need_personal_data",
        json=_need(title="公交客流 请致电13812345678"),
    ),
    _invalid("needs:create-unknown-field", NEED_CREATE, json=_need(author_user_id=1)),
    _invalid("needs:create-bad-band", NEED_CREATE, json=_need(budget_band="a lot")),
    _invalid("needs:create-huge", NEED_CREATE, json=_need(data_wanted=HUGE)),
    c(
        "needs:create-nul",
        NEED_CREATE,
        422,
        "invalid_characters",
        json=_need(title="公交\x00客流数据"),
    ),
    c("needs:create-others-party", NEED_CREATE, 422, "party_not_found", who="other", json=_need()),
    c(
        "needs:create-bad-period",
        NEED_CREATE,
        422,
        "invalid_period",
        json=_need(period_from="2027-02-01", period_to="2027-01-01"),
    ),
    c(
        "needs:create-unknown-industry",
        NEED_CREATE,
        422,
        "invalid_industry",
        json=_need(industry_code="9999"),
    ),
    c("needs:one-missing", NEED_ONE, 404, "need_not_found", path="/needs/999999"),
    _invalid("needs:one-bad-id", NEED_ONE, path="/needs/0"),
    c("needs:withdraw-not-author", NEED_WITHDRAW, 403, "not_need_author", who="other"),
    c(
        "needs:withdraw-missing",
        NEED_WITHDRAW,
        404,
        "need_not_found",
        path="/needs/999999/withdraw",
    ),
    c("needs:withdraw-no-login", NEED_WITHDRAW, 401, "unauthenticated", who=None),
    c("needs:matches-missing", NEED_MATCHES, 404, "need_not_found", path="/needs/999999/matches"),
    _invalid("needs:matches-bad-region", NEED_MATCHES, params={"region": "guizhou"}),
    c("needs:registration-missing", REG_NEEDS, 404, "registration_not_found", who=None),
    _invalid("needs:registration-bad-number", REG_NEEDS, who=None, path="/registrations/abc/needs"),
    c(
        "contacts:create-outsider",
        CONTACT_CREATE,
        403,
        "not_party_to_match",
        who="other",
        json=lambda w: {"registration_number": w.ids["reg"]},
    ),
    c(
        "contacts:create-own-match",
        CONTACT_CREATE,
        409,
        "own_match",
        json=lambda w: {"registration_number": w.ids["reg"]},
    ),
    c(
        "contacts:create-missing-registration",
        CONTACT_CREATE,
        404,
        "registration_not_found",
        json={"registration_number": "2026105200009999"},
    ),
    _invalid("contacts:create-bad-number", CONTACT_CREATE, json={"registration_number": "x"}),
    c(
        "contacts:create-no-login",
        CONTACT_CREATE,
        401,
        "unauthenticated",
        who=None,
        json={"registration_number": "2026105200009999"},
    ),
    c("contacts:list-no-login", CONTACTS, 401, "unauthenticated", who=None),
    _invalid("contacts:list-bad-need", CONTACTS, params={"need_id": "x"}),
    c("contacts:accept-missing", CONTACT_ACCEPT, 404, "contact_not_found"),
    c("contacts:decline-missing", CONTACT_DECLINE, 404, "contact_not_found"),
    c("contacts:accept-no-login", CONTACT_ACCEPT, 401, "unauthenticated", who=None),
]

# issue 23 §5: the service directory (web/api/directory.py)
AGENCIES = "GET /agencies"
AGENCY_CREATE = "POST /agencies"
AGENCY_ONE = "GET /agencies/{agency_id}"
AGENCY_SUSPEND = "POST /agencies/{agency_id}/suspend"
AGENCY_REINSTATE = "POST /agencies/{agency_id}/reinstate"
SERVICE_ASK = "POST /registrations/{number}/service-requests"
SERVICE_LIST = "GET /service-requests"
SERVICE_ACCEPT = "POST /service-requests/{request_id}/accept"
SERVICE_DECLINE = "POST /service-requests/{request_id}/decline"
AUTHENTICATED += [
    AGENCY_CREATE,
    AGENCY_SUSPEND,
    AGENCY_REINSTATE,
    SERVICE_ASK,
    SERVICE_LIST,
    SERVICE_ACCEPT,
    SERVICE_DECLINE,
]


def _agency(**over: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: (
        {
            "party_id": w.ids["party"],
            "categories": ["law_firm"],
            "description": "数据产权法律服务",
        }
        | over
    )


_ASK = {"agency_id": 999999, "category": "law_firm", "message": "请协助确权"}
CASES += [
    _invalid("agencies:list-bad-category", AGENCIES, who=None, params={"category": "casino"}),
    _invalid("agencies:list-bad-region", AGENCIES, who=None, params={"region": "guizhou"}),
    c("agencies:create-no-login", AGENCY_CREATE, 401, "unauthenticated", who=None, json=_agency()),
    c(
        "agencies:create-mobile",
        AGENCY_CREATE,
        422,
        "agency_personal_data",
        json=_agency(description="法律服务 请致电13812345678"),
    ),
    _invalid("agencies:create-unknown-category", AGENCY_CREATE, json=_agency(categories=["x"])),
    _invalid("agencies:create-no-category", AGENCY_CREATE, json=_agency(categories=[])),
    _invalid("agencies:create-unknown-field", AGENCY_CREATE, json=_agency(state="listed")),
    _invalid("agencies:create-huge", AGENCY_CREATE, json=_agency(description=HUGE)),
    c(
        "agencies:create-nul",
        AGENCY_CREATE,
        422,
        "invalid_characters",
        json=_agency(description="法律\x00服务"),
    ),
    c(
        "agencies:create-others-party",
        AGENCY_CREATE,
        422,
        "party_not_found",
        who="other",
        json=_agency(),
    ),
    c("agencies:one-missing", AGENCY_ONE, 404, "agency_not_found", who=None),
    _invalid("agencies:one-bad-id", AGENCY_ONE, who=None, path="/agencies/0"),
    c("agencies:suspend-not-admin", AGENCY_SUSPEND, 403, "forbidden", json={"reason": "x"}),
    c(
        "agencies:suspend-missing",
        AGENCY_SUSPEND,
        404,
        "agency_not_found",
        who="admin",
        json={"reason": "x"},
    ),
    _invalid("agencies:suspend-no-reason", AGENCY_SUSPEND, who="admin", json={}),
    c(
        "agencies:reinstate-missing",
        AGENCY_REINSTATE,
        404,
        "agency_not_found",
        who="admin",
        json={"reason": "x"},
    ),
    c(
        "agencies:reinstate-no-login",
        AGENCY_REINSTATE,
        401,
        "unauthenticated",
        who=None,
        json={"reason": "x"},
    ),
    c(
        "service-requests:create-missing-agency",
        SERVICE_ASK,
        404,
        "agency_not_found",
        path="/registrations/{reg}/service-requests",
        json=_ASK,
    ),
    c(
        "service-requests:create-not-holder",
        SERVICE_ASK,
        403,
        "not_registration_holder",
        who="other",
        path="/registrations/{reg}/service-requests",
        json=_ASK,
    ),
    c(
        "service-requests:create-id-number",
        SERVICE_ASK,
        422,
        "service_request_personal_data",
        path="/registrations/{reg}/service-requests",
        json=_ASK | {"message": f"身份证{make_resident_id(order=19)}"},
    ),
    c(
        "service-requests:create-missing-registration",
        SERVICE_ASK,
        404,
        "registration_not_found",
        json=_ASK,
    ),
    _invalid(
        "service-requests:create-bad-category",
        SERVICE_ASK,
        path="/registrations/{reg}/service-requests",
        json=_ASK | {"category": "casino"},
    ),
    c("service-requests:create-no-login", SERVICE_ASK, 401, "unauthenticated", who=None, json=_ASK),
    c("service-requests:list-no-login", SERVICE_LIST, 401, "unauthenticated", who=None),
    _invalid("service-requests:list-bad-side", SERVICE_LIST, params={"side": "both"}),
    c("service-requests:accept-missing", SERVICE_ACCEPT, 404, "service_request_not_found"),
    c("service-requests:decline-missing", SERVICE_DECLINE, 404, "service_request_not_found"),
    _invalid("service-requests:accept-bad-id", SERVICE_ACCEPT, path="/service-requests/x/accept"),
]

# issue 22 §4: the hotness ranking and its published daily counts (public reads)
HOT = "GET /rankings/hot"
DAILY = "GET /rankings/daily-counts"
DAILY_CSV = "GET /rankings/daily-counts.csv"
CASES += [
    _invalid("rankings:bad-section", HOT, who=None, params={"section": "Z"}),
    _invalid("rankings:bad-limit", HOT, who=None, params={"limit": "0"}),
    c("rankings:unknown-region", HOT, 422, "unknown_region", who=None, params={"region": "99"}),
    c(
        "rankings:section-and-region",
        HOT,
        422,
        "ranking_filter_conflict",
        who=None,
        params={"section": "G", "region": "52"},
    ),
    _invalid("daily-counts:bad-date", DAILY, who=None, params={"from": "2026-13-01"}),
    c("daily-counts:bad-cursor", DAILY, 422, "invalid_cursor", who=None, params={"cursor": "x"}),
    c(
        "daily-counts:too-long",
        DAILY,
        422,
        "range_too_long",
        who=None,
        params={"from": "2024-01-01", "to": "2026-01-01"},
    ),
    c(
        "daily-counts-csv:too-long",
        DAILY_CSV,
        422,
        "range_too_long",
        who=None,
        params={"from": "2024-01-01", "to": "2026-01-01"},
    ),
]


# issue 24 §1–§2: data property as a second register; one window (web/api/dossiers.py)
DOSSIER_CREATE = "POST /dossiers"
DOSSIER_LIST = "GET /dossiers"
DOSSIER_ONE = "GET /dossiers/{dossier_id}"
DOSSIER_SUBMIT = "POST /dossiers/{dossier_id}/submit"
AUTHENTICATED += [DOSSIER_CREATE, DOSSIER_LIST, DOSSIER_ONE, DOSSIER_SUBMIT]


def _dossier(**over: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: (
        {
            "registers": ["data_ip", "data_property"],
            "form": {"name": "一窗数据集"},
            "applicants": [{"party_id": w.ids["party"]}],
        }
        | over
    )


CASES += [
    _invalid("applications:create-unknown-register", "POST /applications", json=_app(register="x")),
    c(
        "applications:create-register-not-kept",
        "POST /applications",
        422,
        "register_not_kept",
        json=_app(register="data_property"),
        env={"registers": {}},
    ),
    c(
        "dossiers:create-no-login",
        DOSSIER_CREATE,
        401,
        "unauthenticated",
        who=None,
        json=_dossier(),
    ),
    _invalid("dossiers:create-no-register", DOSSIER_CREATE, json=_dossier(registers=[])),
    _invalid("dossiers:create-unknown-register", DOSSIER_CREATE, json=_dossier(registers=["x"])),
    _invalid(
        "dossiers:create-unknown-right",
        DOSSIER_CREATE,
        json=_dossier(form={"name": "一窗数据集", "property": {"rights": ["ownership"]}}),
    ),
    _invalid("dossiers:create-no-applicants", DOSSIER_CREATE, json=_dossier(applicants=[])),
    c(
        "dossiers:create-register-not-kept",
        DOSSIER_CREATE,
        422,
        "register_not_kept",
        json=_dossier(),
        env={"registers": {}},
    ),
    c("dossiers:list-no-login", DOSSIER_LIST, 401, "unauthenticated", who=None),
    c("dossiers:one-missing", DOSSIER_ONE, 404, "dossier_not_found", path="/dossiers/999999"),
    _invalid("dossiers:one-bad-id", DOSSIER_ONE, path="/dossiers/0"),
    c(
        "dossiers:submit-missing",
        DOSSIER_SUBMIT,
        404,
        "dossier_not_found",
        path="/dossiers/999999/submit",
    ),
    c(
        "dossiers:submit-no-login",
        DOSSIER_SUBMIT,
        401,
        "unauthenticated",
        who=None,
        path="/dossiers/999999/submit",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_bad_request_is_refused_and_changes_nothing(
    case: Case,
    world: tuple[World, Snapshot],
    _world_cache: _Cache,
    raw_client: TestClient,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, before = world
    for attr, value in case.env.items():
        monkeypatch.setattr(registry.env, attr, value)
    r = case.send(raw_client, w)
    assert r.status_code < 500, (r.status_code, r.text[:2000])
    body = problem(r, case.status, case.code)
    assert body["status"] == case.status
    assert "Traceback" not in r.text and 'File "' not in r.text, r.text[:2000]
    if case.status == 401:
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
    changed = changed_tables(before, snapshot(registry))
    assert set(changed) == set(case.writes), changed
    _world_cache.clean = not changed
    if case.writes:  # put the world back as it was, for the next case
        with registry.engine.begin() as conn:
            for table in case.writes:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')


# --- the table covers the API ------------------------------------------------------------------


def _api_routes(app: Any) -> dict[tuple[str, str], Any]:
    """(method, path) of every route under /api/v1, through included routers if need be."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI with lazily included routers
    except ImportError:  # pragma: no cover - older FastAPI keeps flat routes
        routes = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    out = {}
    for route in routes:
        path = getattr(route, "path", None) or ""
        if not path.startswith(PREFIX + "/"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                out[(method, path)] = route
    return out


def _calls(dependant: Any) -> Iterator[Any]:
    for dep in getattr(dependant, "dependencies", ()):
        yield dep.call
        yield from _calls(dep)


def test_every_api_route_has_a_row(raw_client: TestClient) -> None:
    routes = _api_routes(raw_client.app)
    assert len(routes) > 25
    covered = {p.values[0].route_key for p in CASES}
    missing = sorted(set(routes) - covered)
    assert not missing, f"routes without a bad-input row: {missing}"
    unknown = sorted(covered - set(routes))
    assert not unknown, f"rows for routes that do not exist: {unknown}"


def test_every_authenticated_route_refuses_a_bad_token(raw_client: TestClient) -> None:
    routes = _api_routes(raw_client.app)
    resolving = {
        key
        for key, route in routes.items()
        if get_identity in set(_calls(getattr(route, "dependant", None)))
    }
    assert resolving, "no route resolves the caller? the introspection is broken"
    listed = {Case(r, 401, "").route_key for r in AUTHENTICATED}
    assert resolving == listed


def test_case_ids_are_unique() -> None:
    ids = [p.id for p in CASES]
    assert len(ids) == len(set(ids))


# --- reference data in another encoding --------------------------------------------------------


def test_gb18030_industry_table_loads(api: Api, registry: Registry) -> None:
    """An admin loads the official table saved in GB18030 (as Excel on Windows writes it)."""
    admin = api.user("registrar_admin")
    text = reference.shipped_industry_csv()
    raw = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = len(reference.parse_industry_csv(text, edition="x"))
    try:
        r = api.c.put(
            f"{PREFIX}/industries",
            headers=api.h(admin),
            params={"edition": "GB/T 4754-2017 GB18030"},
            files={"file": ("industries.csv", raw, "text/csv")},
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"rows": rows}
        found = api.c.get(f"{PREFIX}/industries", params={"q": "软件开发"}).json()
        assert found and all(i["edition"] == "GB/T 4754-2017 GB18030" for i in found)
        assert any("软件开发" in i["name"] for i in found)
    finally:
        reference.load_industries(SYSTEM, env=registry.env)
    assert count(registry, "industries") == rows


def test_upload_headers_with_control_characters_are_stored_clean(
    api: Api, registry: Registry
) -> None:
    """A multipart part's filename and type are the client's: a NUL there must not reach the
    database (PostgreSQL refuses it in text), so they are cleaned, not stored raw."""
    who = api.user("applicant")
    raw = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a\x00\x01b.csv"\r\n'
        b"Content-Type: text/\x00csv\r\n\r\nhello\r\n--B--\r\n"
    )
    r = api.c.post(
        f"{PREFIX}/blobs",
        headers={**api.h(who), "Content-Type": "multipart/form-data; boundary=B"},
        content=raw,
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "ab.csv"
    assert r.json()["media_type"] == "application/octet-stream"
    assert count(registry, "blobs") == 1


# --- Idempotency-Key -----------------------------------------------------------------------------


def _party_body(name: str) -> dict[str, Any]:
    return {"kind": "legal_person", "name": name, "id_number": make_uscc(4242), "address": "贵阳"}


def test_idempotent_post_replays_the_first_answer(api: Api, registry: Registry) -> None:
    who = api.user("applicant")
    headers = {**api.h(who), "Idempotency-Key": "create-party-1"}
    first = api.c.post(f"{PREFIX}/parties", headers=headers, json=_party_body("幂等数据公司"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = api.c.post(f"{PREFIX}/parties", headers=headers, json=_party_body("幂等数据公司"))
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert count(registry, "parties", name="幂等数据公司") == 1
    assert count(registry, "events", type="PartyCreated") == 1


def test_idempotency_key_reused_with_another_body(api: Api, registry: Registry) -> None:
    who = api.user("applicant")
    headers = {**api.h(who), "Idempotency-Key": "create-party-2"}
    first = api.c.post(f"{PREFIX}/parties", headers=headers, json=_party_body("第一家公司"))
    assert first.status_code == 201, first.text
    before = snapshot(registry)
    r = api.c.post(f"{PREFIX}/parties", headers=headers, json=_party_body("第二家公司"))
    problem(r, 422, "idempotency_key_reused")
    assert changed_tables(before, snapshot(registry)) == {}
    assert count(registry, "parties", name="第二家公司") == 0


def test_idempotent_action_transitions_once(api: Api, registry: Registry) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party)
    url = f"{PREFIX}/applications/{a['id']}/actions/submit"
    headers = {**api.h(w.applicant), "Idempotency-Key": "submit-once"}
    first = api.c.post(url, headers=headers)
    assert first.status_code == 200, first.text
    second = api.c.post(url, headers=headers)
    assert (second.status_code, second.json()) == (200, first.json())
    assert second.headers["idempotent-replayed"] == "true"
    assert count(registry, "events", subject_id=a["id"], type="ApplicationSubmitted") == 1
    # Without the key the same request is a new one: out of order now.
    problem(api.c.post(url, headers=api.h(w.applicant)), 409, "action_not_allowed_in_state")


def test_idempotent_refusal_is_replayed_as_a_problem(api: Api, registry: Registry) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, form={"name": "未完成"})
    url = f"{PREFIX}/applications/{a['id']}/actions/submit"
    headers = {**api.h(w.applicant), "Idempotency-Key": "submit-incomplete"}
    first = problem(api.c.post(url, headers=headers), 422, "incomplete_application")
    again = api.c.post(url, headers=headers)
    assert problem(again, 422, "incomplete_application") == first
    assert again.headers["idempotent-replayed"] == "true"


def test_idempotency_keys_belong_to_their_user(api: Api, registry: Registry) -> None:
    one, two = api.user("applicant"), api.user("applicant")
    for who, name in ((one, "甲公司"), (two, "乙公司")):
        r = api.c.post(
            f"{PREFIX}/parties",
            headers={**api.h(who), "Idempotency-Key": "same-key"},
            json=_party_body(name),
        )
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers, r.text
    assert count(registry, "parties") == 2


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_idempotency_key_out_of_bounds(api: Api, registry: Registry, key: str) -> None:
    who = api.user("applicant")
    before = snapshot(registry)
    r = api.c.post(
        f"{PREFIX}/parties",
        headers={**api.h(who), "Idempotency-Key": key},
        json=_party_body("键无效公司"),
    )
    problem(r, 400, "invalid_idempotency_key")
    assert changed_tables(before, snapshot(registry)) == {}


# --- issue 22 §1: data quality (web/api/quality.py) ---------------------------------------------
QUALITY = "/registrations/{number}/quality"
_Q = "/registrations/{reg}/quality"
AUTHENTICATED += [
    f"POST {QUALITY}",
    f"GET {QUALITY}",
    f"POST {QUALITY}/publish",
    f"POST {QUALITY}/unpublish",
    "GET /applications/{application_id}/quality",
]
APP_QUALITY = "GET /applications/{application_id}/quality"
CASES += [
    c(
        "bad-token:" + APP_QUALITY,
        APP_QUALITY,
        401,
        "invalid_token",
        who="bad",
        path="/applications/{submitted}/quality",
    ),
    c(
        "app-quality:anonymous",
        APP_QUALITY,
        401,
        "unauthenticated",
        who=None,
        path="/applications/{submitted}/quality",
    ),
    c(
        "app-quality:applicant",
        APP_QUALITY,
        403,
        "forbidden",
        path="/applications/{submitted}/quality",
    ),
    c(
        "app-quality:unknown",
        APP_QUALITY,
        404,
        "application_not_found",
        who="examiner",
        path="/applications/999999/quality",
    ),
    _invalid("app-quality:zero", APP_QUALITY, who="examiner", path="/applications/0/quality"),
    _invalid("app-quality:text", APP_QUALITY, who="examiner", path="/applications/abc/quality"),
    c(
        "app-quality:no-sample",
        APP_QUALITY,
        409,
        "no_sample",
        who="examiner",
        path="/applications/{incomplete}/quality",
    ),
    *[
        c(f"bad-token:{route}", route, 401, "invalid_token", who="bad", path=_Q + tail, json={})
        for route, tail in (
            (f"POST {QUALITY}", ""),
            (f"GET {QUALITY}", ""),
            (f"POST {QUALITY}/publish", "/publish"),
            (f"POST {QUALITY}/unpublish", "/unpublish"),
        )
    ],
    c("quality:anonymous", f"POST {QUALITY}", 401, "unauthenticated", who=None, path=_Q, json={}),
    c("quality:stranger", f"POST {QUALITY}", 403, "not_the_holder", who="other", path=_Q, json={}),
    c("quality:examiner", f"POST {QUALITY}", 403, "not_the_holder", who="examiner", path=_Q),
    c(
        "quality:unknown-registration",
        f"POST {QUALITY}",
        404,
        "registration_not_found",
        path="/registrations/2026105200000001/quality",
        json={},
    ),
    _invalid("quality:unknown-access", f"POST {QUALITY}", path=_Q, json={"access": "telepathy"}),
    _invalid(
        "quality:availability-over", f"POST {QUALITY}", path=_Q, json={"availability_bp": 10001}
    ),
    _invalid(
        "quality:availability-text", f"POST {QUALITY}", path=_Q, json={"availability_bp": "99"}
    ),
    _invalid("quality:unknown-field", f"POST {QUALITY}", path=_Q, json={"score": 10000}),
    _invalid("quality:standards-not-list", f"POST {QUALITY}", path=_Q, json={"standards": "GB"}),
    _invalid(
        "quality:too-many-standards",
        f"POST {QUALITY}",
        path=_Q,
        json={"standards": ["GB/T 1"] * 21},
    ),
    c(
        "quality:nul-in-standard",
        f"POST {QUALITY}",
        422,
        "invalid_characters",
        path=_Q,
        json={"standards": ["GB\u0000"]},
    ),
    _invalid("quality:bad-date", f"POST {QUALITY}", path=_Q, json={"last_updated": "2026-02-30"}),
    c(
        "quality:huge-body",
        f"POST {QUALITY}",
        413,
        "request_too_large",
        path=_Q,
        content=_too_big,
        content_type="application/json",
    ),
    _invalid(
        "quality:not-json",
        f"POST {QUALITY}",
        path=_Q,
        content=b"{",
        content_type="application/json",
    ),
    c("quality:none-yet", f"GET {QUALITY}", 404, "quality_not_found", who=None, path=_Q),
    c(
        "quality:get-unknown",
        f"GET {QUALITY}",
        404,
        "registration_not_found",
        path="/registrations/2026105200000001/quality",
    ),
    _invalid("quality:bad-number", f"GET {QUALITY}", path="/registrations/abc/quality"),
    c(
        "quality:publish-none",
        f"POST {QUALITY}/publish",
        404,
        "quality_not_found",
        path=_Q + "/publish",
    ),
    c(
        "quality:publish-stranger",
        f"POST {QUALITY}/publish",
        403,
        "not_the_holder",
        who="other",
        path=_Q + "/publish",
    ),
    c(
        "quality:publish-anonymous",
        f"POST {QUALITY}/publish",
        401,
        "unauthenticated",
        who=None,
        path=_Q + "/publish",
    ),
    c(
        "quality:publish-bad-if-match",
        f"POST {QUALITY}/publish",
        400,
        "invalid_if_match",
        path=_Q + "/publish",
        headers={"If-Match": "7"},
    ),
    c(
        "quality:unpublish-none",
        f"POST {QUALITY}/unpublish",
        409,
        "quality_not_published",
        path=_Q + "/unpublish",
    ),
    c(
        "quality:unpublish-stranger",
        f"POST {QUALITY}/unpublish",
        403,
        "not_the_holder",
        who="other",
        path=_Q + "/unpublish",
    ),
]
