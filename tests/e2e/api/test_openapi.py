"""Issue 18: the OpenAPI at /api/v1/openapi.json documents every operation's refusals — each
status with the problem+json schema and the stable codes (web/problems/) — and what it says
is what the app does: the documented schema validates real problem bodies, and every refusal
the bad-input table provokes is listed for its operation. (test_contract.py checks the same
against whatever schemathesis generates.)"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI

import dataip
from dataip.web import problems
from dataip.web.problems import PROBLEM, RAISES
from tests.e2e.api import test_bad_input as bad_input
from tests.support.api import Api, problem

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def _codes(op: dict[str, Any], status: int) -> list[str]:
    return list(op["responses"].get(str(status), {}).get("x-problem-codes", []))


def _validator(doc: dict[str, Any]) -> Any:
    """The documented Problem schema, as a client would validate against it."""
    schema = {"$ref": problems.REF, "components": doc["components"]}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@pytest.fixture
def doc(app: FastAPI) -> dict[str, Any]:
    served = app.openapi()
    return json.loads(json.dumps(served))  # as served: JSON, not Python objects


def test_i18_every_operation_documents_its_problems(doc: dict[str, Any], app: FastAPI) -> None:
    ops = _operations(doc)
    assert len(ops) > 50
    assert "HTTPValidationError" not in json.dumps(doc)  # FastAPI's 422, never sent
    validator = _validator(doc)
    keys = {problems.key(m, p) for m, p, _ in ops}
    assert keys == set(RAISES), (sorted(keys - set(RAISES)), sorted(set(RAISES) - keys))
    for method, path, op in ops:
        where = f"{method} {path}"
        errors = {int(s): r for s, r in op["responses"].items() if s[0] in "45"}
        assert 422 in errors, where  # every request's input is checked
        for status, response in errors.items():
            assert list(response["content"]) == [PROBLEM], where
            assert response["content"][PROBLEM]["schema"] == {"$ref": problems.REF}, where
            codes = response["x-problem-codes"]
            examples = response["content"][PROBLEM]["examples"]
            assert sorted(examples) == codes, where
            for example in examples.values():
                assert validator.is_valid(example["value"]), example
                assert example["value"]["status"] == status, where
            assert codes and codes == sorted(set(codes)), (where, status)
            assert all(f"`{c}`" in response["description"] for c in codes), (where, status)
        headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
        if "if-match" in headers:
            assert "stale_version" in _codes(op, 412), where
            assert "invalid_if_match" in _codes(op, 400), where
        if method == "POST":
            assert "idempotency-key" in headers, where
            assert "idempotency_key_reused" in _codes(op, 422), where
        if "requestBody" in op:
            assert "request_too_large" in _codes(op, 413), where
            assert "bad_request" in _codes(op, 400), where
    # an operation that resolves the caller documents the bad token; one that needs a
    # signed-in caller, the missing one
    for method, route, path in problems.operations(app):
        op = doc["paths"][path][method.lower()]
        calls = set(problems._calls(route.dependant))
        if problems.get_identity in calls:
            assert "invalid_token" in _codes(op, 401), (method, path)


def test_i18_every_refusal_of_the_bad_input_table_is_documented_for_its_operation(
    doc: dict[str, Any],
) -> None:
    """432 requests, each refused with a known status and code: each of those pairs is in
    the OpenAPI of the operation the row is about. (A 404 `not_found` for a path no route
    matches and a 405 for a method the path does not take are not an operation's answers.)"""
    missing = []
    rows = [p.values[0] for p in bad_input.CASES]
    assert len(rows) > 300
    for row in rows:
        if row.code in ("not_found", "method_not_allowed"):
            continue
        method, path = row.route_key
        op = doc["paths"][path][method.lower()]
        if row.code not in _codes(op, row.status):
            missing.append(f"{method} {path}: {row.status} {row.code}")
    assert not missing, "\n".join(sorted(set(missing)))


def test_i18_the_documented_problem_schema_validates_real_problem_bodies(
    api: Api, doc: dict[str, Any]
) -> None:
    validator = _validator(doc)
    w = api.world()
    a = api.draft(w.applicant, w.party)
    url = f"/api/v1/applications/{a['id']}"
    answers = [
        problem(api.c.get("/api/v1/me"), 401, "unauthenticated"),
        problem(
            api.c.get("/api/v1/me", headers={"Authorization": "Bearer dip_x"}),
            401,
            "invalid_token",
        ),
        problem(
            api.c.get("/api/v1/examination/queue", headers=api.h(w.applicant)), 403, "forbidden"
        ),
        problem(api.get(w.applicant, 999_999), 404, "application_not_found"),
        problem(api.c.delete("/api/v1/me"), 405, "method_not_allowed"),
        problem(
            api.c.patch(url, headers={**api.h(w.applicant), "If-Match": '"99"'}, json={}),
            412,
            "stale_version",
        ),
        problem(
            api.c.patch(url, headers={**api.h(w.applicant), "If-Match": "yesterday"}, json={}),
            400,
            "invalid_if_match",
        ),
        problem(
            api.c.post(
                "/api/v1/parties",
                headers={**api.h(w.applicant), "Content-Type": "application/json"},
                content=b"[" * 10_000 + b"]" * 10_000,
            ),
            400,
            "bad_request",
        ),
        problem(
            api.c.post("/api/v1/parties", headers=api.h(w.applicant), json={"kind": 5}),
            422,
            "invalid_request",
        ),
        problem(api.act(w.applicant, a["id"], "approve"), 409, "action_not_allowed_in_state"),
        problem(
            api.c.post(
                "/api/v1/blobs",
                headers={**api.h(w.applicant), "Content-Length": str(10**12)},
                content=b"x",
            ),
            413,
            "request_too_large",
        ),
    ]
    for body in answers:
        errors = [e.message for e in validator.iter_errors(body)]
        assert not errors, (body, errors)
    assert answers[-3]["details"]["errors"]  # what the schema's `details` carries
    assert answers[5]["details"] == {"current_version": a["version"]}
    # the schema is not vacuous: FastAPI's own error shapes are not problems
    for body in (
        {"detail": "Not Found"},
        {"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]},
        {**answers[0], "code": "Not A Code"},
        {**answers[0], "type": "not a uri"},
    ):
        assert not validator.is_valid(body), body


def test_i18_problem_codes_read_as_the_code_they_name(doc: dict[str, Any]) -> None:
    """Every documented code is snake_case, and `type` is the code's URI on dataip.dev."""
    pattern = re.compile(doc["components"]["schemas"]["Problem"]["properties"]["code"]["pattern"])
    for _, _, op in _operations(doc):
        for response in op["responses"].values():
            for code in response.get("x-problem-codes", []):
                assert pattern.fullmatch(code), code


# --- every code the source raises is documented ----------------------------------------------

SRC = Path(dataip.__file__).parent
# Raised in code no API request reaches, or not as an answer's `code`: the reason why.
NOT_ANSWERS = {
    "bad_signature bad_sm2_signature cosignature_missing issuer_mismatch malformed_token "
    "not_a_credential tlog_proof_invalid unknown_issuer_key unsupported_algorithm "
    "wrong_token_type issuer_not_listed agency_code_mismatch": (
        "POST /certificates/verify answers 200 with `authentic: false` and this `code`"
    ),
    "invalid_registration_number invalid_certificate_number": "numbering.parse_*: CLI, tests",
    "invalid_status_list wrong_status_list": "reading a status list credential (verifiers)",
    "invalid_jwks invalid_trusted_issuers not_an_ed25519_key sm2_key_missing": (
        "configuration, refused at start-up"
    ),
    "invalid_data_source": "numbering at acceptance, after completeness checked the kinds",
    "leaf_too_large": "a leaf is built from bounded fields; the guard stops a bug, not input",
    "user_not_found": "the CLI's --as",
    "no_certificate_in_pdf": "the portal's /verify and `dataip verify` read PDFs; the API a token",
    "unreadable_credential": "the portal's /verify and `dataip verify` read files; the API a token",
    "unknown_industry industry_not_class": (
        "the portal's application form reads an industry by name; the API takes its code"
    ),
    "trust_list_malformed trust_list_expired trust_list_not_yet_valid trust_list_unsigned "
    "trust_list_signature_invalid trust_list_wrong_operator trust_list_rolled_back "
    "trust_list_not_configured trust_list_conflict trust_list_unavailable trust_list_missing": (
        "`dataip federation refresh|show` (issue 21); no API operation takes a trust list yet"
    ),
    "peer_client_not_configured": (
        "`dataip federation follow|client-jwks` (issue 21 §5): following peers' feeds is never "
        "an API operation"
    ),
    "witness_malformed_request witness_inconsistent witness_old_size_mismatch "
    "witness_unknown_log witness_log_unlisted witness_bad_signature witness_unavailable": (
        "POST /witness/add-checkpoint speaks C2SP tlog-witness (its 409 is text/x.tlog.size), "
        "outside the OpenAPI; tests/e2e/api/test_i21_witness.py checks every status"
    ),
}


def _helpers_defined(tree: ast.Module) -> set[str]:
    """The functions of a module that pass their first parameter on to DomainError as the
    code."""
    helpers: set[str] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.args.args:
            first = fn.args.args[0].arg
            for call in ast.walk(fn):
                if (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "id", None) == "DomainError"
                    and call.args
                    and getattr(call.args[0], "id", None) == first
                ):
                    helpers.add(fn.name)
    return helpers


def _raised_codes() -> dict[str, set[str]]:
    """Every literal code given to DomainError in the package (pages and CLI aside): directly,
    or through a helper that passes its first parameter on as the code — defined in the same
    module, or imported by name from the module that defines it (a package's modules share
    one)."""
    found: dict[str, set[str]] = {}
    trees: dict[str, ast.Module] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if not rel.startswith(("web/pages/", "cli/")):
            trees[rel] = ast.parse(path.read_text("utf-8"))

    def module(rel: str) -> str:
        return ".".join(["dataip", *rel.removesuffix(".py").split("/")]).removesuffix(".__init__")

    defined = {module(rel): _helpers_defined(tree) for rel, tree in trees.items()}
    for rel, tree in trees.items():
        helpers = {"DomainError", *defined[module(rel)]}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in defined:
                shared = defined[node.module]
                helpers |= {a.asname or a.name for a in node.names if a.name in shared}
        for call in ast.walk(tree):
            if (
                isinstance(call, ast.Call)
                and (getattr(call.func, "id", None) or getattr(call.func, "attr", None)) in helpers
                and call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                found.setdefault(call.args[0].value, set()).add(rel)
    return found


def test_i18_every_code_the_registry_raises_is_documented(doc: dict[str, Any]) -> None:
    """A new refusal cannot slip into the API undocumented: each code raised anywhere a
    request can reach is listed by at least one operation (whether by the right ones, the
    tests above and schemathesis check)."""
    raised = _raised_codes()
    assert len(raised) > 120, "the source walk finds nothing? it is broken"
    documented = {
        code
        for _, _, op in _operations(doc)
        for response in op["responses"].values()
        for code in response.get("x-problem-codes", [])
    }
    excused = {c for codes in NOT_ANSWERS for c in codes.split()}
    missing = {c: sorted(where) for c, where in raised.items() if c not in documented | excused}
    assert not missing, missing
    stale = excused - set(raised)
    assert not stale, f"NOT_ANSWERS names codes no longer raised: {sorted(stale)}"


def test_r31_every_route_about_a_registration_takes_every_registers_numbers(
    doc: dict[str, Any],
) -> None:
    """Issue 24 §1: a data property registration ("CQ…") has the same page as a data IP one,
    with the same actions on it; a route whose `{number}` refused the prefixed layout made the
    page offer a form that then failed (422). Every `/registrations/{number}` route, and every
    query naming a registration, takes both registers' numbers."""
    numbers = ("2026152000000012", "CQ20262000000017")  # data IP, data property
    checked = 0
    for method, path, op in _operations(doc):
        for param in op.get("parameters", []):
            about_one = param["name"] == "number" and "/registrations/{number}" in path
            if not (about_one or param["name"] == "registration_number"):
                continue
            pattern = param.get("schema", {}).get("pattern")
            if pattern is None:
                continue
            checked += 1
            for number in numbers:
                assert re.match(pattern, number), f"{method} {path} refuses {number}"
    assert checked >= 20
