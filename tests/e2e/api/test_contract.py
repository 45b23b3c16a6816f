"""Issue 18: the API keeps the contract its OpenAPI states. schemathesis (property-based, from
the OpenAPI document itself) calls every operation through the ASGI app on this pass's
database, signed in as the demo's users, and checks each answer: no server error, a
documented status, the documented content type and schema, and — for a problem — a code the
document lists for that operation and status. Bounded and derandomised, so CI is stable; the
seed, the examples per operation and the phases are in CONFIG."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dataip.bootstrap import Registry, build
from dataip.config import Settings
from dataip.domain.after_registration import ACTION_NAMES
from dataip.domain.lifecycle import ACTIONS
from dataip.services import certificates, demo, ledger
from dataip.services.context import SHANGHAI, FixedClock
from dataip.web.problems import PROBLEM
from tests.support import demo_world
from tests.support.db import empty


def _document() -> dict[str, Any]:
    """The app's OpenAPI, built at collection (schemathesis makes one test per operation from
    it) by an app on a throwaway registry: the document does not depend on the data."""
    from dataip.web.app import create_app

    scratch = tempfile.mkdtemp(prefix="dataip-openapi-")
    try:
        registry = build(
            Settings(
                env="test",
                data_dir=scratch,
                database_url=f"sqlite:///{scratch}/openapi.sqlite3",
                log_interval_seconds=0,
                password_cost="test",
            )
        )
        try:
            return create_app(registry=registry).openapi()
        finally:
            registry.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# Bounded and reproducible: a fixed seed, derandomised generation, no example database
# carried between runs. Fuzzing draws 40 requests per operation and 100 for the two action
# endpoints (one operation each for ~35 actions); the coverage phase adds its boundary
# values, and a request per undeclared method. About 5,000 requests, 45 s of CPU on SQLite.
_GENERATION = {"deterministic": True, "database": "none"}
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 18,
        "generation": {**_GENERATION, "max-examples": 40},
        "operations": [
            {
                "include-path-regex": "/actions/\\{action\\}$",
                "generation": {**_GENERATION, "max-examples": 100},
            }
        ],
    }
)
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@schemathesis.check
def problem_code_is_documented(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """A problem's `code` is one the operation documents for that status, and its `status`
    member is the HTTP status."""
    if response.status_code < 400 or not response.headers.get("content-type", [""])[0].startswith(
        PROBLEM
    ):
        return
    body = response.json()
    assert body.get("status") == response.status_code, body
    documented = case.operation.definition.raw.get("responses", {}).get(
        str(response.status_code), {}
    )
    if not documented:
        return  # status_code_conformance reports it (and knows the probes that may get one)
    codes = documented.get("x-problem-codes")
    assert codes is not None, f"{response.status_code} lists no problem codes"
    assert body.get("code") in codes, (
        f"{case.operation.label} answered {response.status_code} `{body.get('code')}`, "
        f"which its OpenAPI does not list ({codes}): add it to a RAISES in dataip.web.problems"
    )


# Real identifiers of the demo registry, by path parameter (filled by the `tokens` fixture):
# generated ids and numbers almost never name a record, so each path parameter is drawn
# from the generated value or one of these.
KNOWN: dict[tuple[str, str], list[Any]] = {}
_KNOWN_SQL = {
    ("application_id", ""): "SELECT id FROM applications ORDER BY id",
    ("party_id", ""): "SELECT id FROM parties ORDER BY id",
    ("authorisation_id", ""): "SELECT id FROM agent_authorisations ORDER BY id",
    ("notice_id", ""): "SELECT id FROM notices ORDER BY id",
    ("sha256", ""): "SELECT sha256 FROM blobs ORDER BY sha256",
    ("number", "/api/v1/registrations"): "SELECT registration_number FROM registrations",
    ("number", "/api/v1/certificates"): "SELECT certificate_number FROM registrations",
    ("number", "/api/v1/evidence"): "SELECT number FROM deposits",
    ("number", "/api/v1/announcements"): "SELECT number FROM announcements",
    ("index", ""): "SELECT idx FROM log_entries WHERE idx < 3 ORDER BY idx",
    ("need_id", ""): "SELECT id FROM needs ORDER BY id",  # issue 23 §3-§4
    ("contact_id", ""): "SELECT id FROM need_contacts ORDER BY id",
}


def _known(registry: Registry) -> dict[tuple[str, str], list[Any]]:
    with registry.engine.connect() as conn:
        out = {k: sorted(conn.exec_driver_sql(q).scalars()) for k, q in _KNOWN_SQL.items()}
    out[("action", "/api/v1/applications")] = sorted(ACTIONS)
    out[("action", "/api/v1/registrations")] = sorted(ACTION_NAMES)
    out[("list_no", "")] = [0]
    return out


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    path = context.operation.path if context.operation is not None else ""
    choices = {}
    for name, value in path_parameters.items():
        known = KNOWN.get((name, "")) or next(
            (
                v
                for (n, prefix), v in KNOWN.items()
                if n == name and prefix and path.startswith(prefix)
            ),
            None,
        )
        choices[name] = st.sampled_from([value, *known]) if known else st.just(value)
    return st.fixed_dictionaries(choices)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    problem_code_is_documented,
]

# Who calls each operation: the demo's applicant (a holder with registrations), unless the
# operation is the registry's. PUT /industries stays the applicant's (403): the industry
# table outlives each test, and a fuzzed table must not replace it.
EXAMINER = {
    "GET /api/v1/examination/queue",
    "GET /api/v1/examination/requests",
    "POST /api/v1/parties/{party_id}/verification/decision",
    "POST /api/v1/authorisations/{authorisation_id}/decision",
}
ADMIN = {"PUT /api/v1/calendar/overrides/{day}", "PUT /api/v1/calendar/years/{year}"}


_keys = itertools.count()


def _fresh_idempotency_key(case: schemathesis.Case) -> None:
    """Generated cases share few Idempotency-Key values, so most POSTs would be refused as
    the reuse of a key with another body (422 `idempotency_key_reused`, documented) and never
    reach the operation. A valid key gets a per-case suffix; an invalid one stays invalid."""
    for name, value in list((case.headers or {}).items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and 0 < len(value) <= 180:
            case.headers[name] = f"{value}~{next(_keys)}"


def _user(label: str) -> str:
    return "examiner" if label in EXAMINER else "admin" if label in ADMIN else "applicant"


class Tokens:
    """The demo users' bearer tokens, signed in through the API once (again after a case
    signed one out), from a client address of their own: the fuzzed sign-ins fail from
    another, and the sign-in throttle counts by address."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, client=("192.0.2.18", 18018))
        self.tokens = dict[str, str]()

    def header(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            r = self.client.post(
                "/api/v1/auth/token", json={"username": user, "password": demo.PASSWORD}
            )
            assert r.status_code == 201, r.text
            self.tokens[user] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def forget(self, user: str) -> None:
        self.tokens.pop(user, None)


@pytest.fixture(scope="module")
def tokens(registry: Registry, clock: FixedClock, app: FastAPI) -> Iterator[Tokens]:
    """The demo's registry — parties, applications in every state, registrations with their
    filings, certificates with their log proofs — for every operation of this module."""
    empty(registry)
    clock.advance_to(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
    registry.env.invalidate_calendar()
    demo_world.populate(registry.env)
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    KNOWN.update(_known(registry))
    tokens = Tokens(app)
    yield tokens
    tokens.client.close()
    # whatever the fuzzing changed went through the services: all of it is in the log
    assert not ledger.unlogged_changes(registry.env)
    empty(registry)


@schema.parametrize()
def test_i18_every_operation_keeps_its_openapi_contract(
    case: schemathesis.Case, app: FastAPI, tokens: Tokens
) -> None:
    label = f"{case.method.upper()} {case.path}"
    user = _user(label)
    _fresh_idempotency_key(case)
    case.call_and_validate(app=app, headers=tokens.header(user), checks=CHECKS)
    if label == "DELETE /api/v1/auth/token":
        tokens.forget(user)
