"""The API's refusals, documented: the OpenAPI at /api/v1/openapi.json lists for every
operation each status it can answer with `application/problem+json` (the `Problem` schema,
errors.py's one shape) and the stable codes it can give under that status (in the response's
description and as `x-problem-codes`).

Two sources, merged when the document is built (`install`):

* what the shared machinery answers, derived from each route itself: every request passes
  the input checks (422 `invalid_request`, `invalid_characters`); a body may be unparseable or
  too large (400 `bad_request`, 413 `request_too_large`); a route that resolves the caller
  refuses a bad token (401 `invalid_token`); one that takes `If-Match` a malformed or stale one
  (400 `invalid_if_match`, 412 `stale_version`); any POST may carry `Idempotency-Key`
  (middleware.py) — the shared table, applied by `derived`;
* what an operation's services raise — `RAISES`, one entry per operation (built from the
  shared table's sets and a few per area), so that a new refusal is one edit here.

The documentation is held true by tests, not by trust: tests/e2e/api/test_contract.py runs
schemathesis over every operation (an undocumented status fails, and so does a problem whose
code its operation does not list); tests/e2e/api/test_openapi.py checks every row of the
bad-input table (status and code per route) against this document, and that every code the
source raises is documented somewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from dataip.web.deps import get_identity, if_match, if_match_required

PROBLEM = "application/problem+json"
REF = "#/components/schemas/Problem"

# RFC 9457 problem details as errors.problem() writes them. Open to members added later
# (RFC 9457 §3.2: clients ignore what they do not know); `details` carries per-code data.
SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": (
        "RFC 9457 problem details. Branch on `code` (stable, snake_case); show "
        "`message_zh` or `message_en` to people. `type` is "
        "`https://dataip.dev/problems/{code}`; `details` carries what the code needs "
        "(e.g. `current_version` for `stale_version`, `errors` for `invalid_request`)."
    ),
    "type": "object",
    "required": ["type", "title", "status", "code", "detail", "message_zh", "message_en"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string", "description": "the English message"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "detail": {"type": "string", "description": "the English message"},
        "message_zh": {"type": "string", "description": "the message in Chinese"},
        "message_en": {"type": "string", "description": "the message in English"},
        "instance": {"type": "string", "description": "the request's path"},
        "details": {"type": "object", "additionalProperties": True},
    },
}


@dataclass(frozen=True)
class Problems:
    """Status → the stable codes an operation may answer with it."""

    codes: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def __or__(self, other: Problems) -> Problems:
        merged = {s: set(c) for s, c in self.codes.items()}
        for status, codes in other.codes.items():
            merged.setdefault(status, set()).update(codes)
        return Problems({s: frozenset(c) for s, c in merged.items()})

    def items(self) -> Iterator[tuple[int, frozenset[str]]]:
        return iter(sorted(self.codes.items()))


def p(**by_status: str) -> Problems:
    """`p(s404="a b", s409="c")`: codes by status, space-separated."""
    return Problems({int(k[1:]): frozenset(v.split()) for k, v in by_status.items()})


NONE = Problems()

# --- the shared table ------------------------------------------------------------------------

INPUT = p(s422="invalid_request invalid_characters")  # schema, NUL / lone surrogates
BODY = p(s400="bad_request", s413="request_too_large")  # unparseable, over the size cap
TOKEN = p(s401="invalid_token")  # a malformed, unknown, expired or revoked bearer token
IF_MATCH = p(s400="invalid_if_match", s412="stale_version")
IF_MATCH_REQUIRED = IF_MATCH | p(s428="precondition_required")  # a write naming its version
IDEMPOTENCY = (
    p(s400="invalid_idempotency_key", s409="idempotency_in_progress", s422="idempotency_key_reused")
    | TOKEN
)
LOGIN = p(s401="unauthenticated")  # the operation needs a signed-in caller
REGISTRY = LOGIN | p(s403="forbidden")  # examiners (and admins) only
ADMIN = REGISTRY  # registrar administrators only
RACE = p(s409="concurrent_update")  # a concurrent writer won
# an institution's access token (web/api/institution_auth.require_scopes): missing, expired
# or of a suspended client; or without a scope the route needs
INSTITUTION_TOKEN = p(s401="invalid_token", s403="insufficient_scope")
# the token endpoint's RFC 6749 §5.2 errors (services/sharing/tokens.py)
_OAUTH = p(
    s400="invalid_request unsupported_grant_type invalid_scope",
    s401="invalid_client",
)

# --- what each operation's services raise ------------------------------------------------------

# Issue 18 §4 (merged on main before this): co-applicants and transferees named by credit code
# or ID number (`invalid_id_number`), forms naming only the filer's own uploads
# (`blob_not_found`), only the filer edits (`not_the_filer`), the sign-in throttle
# (`too_many_attempts`).
_APPLICANTS = p(
    s403="not_authorised_for_party",
    s422="party_not_found applicants_required duplicate_applicant invalid_id_number "
    "invalid_share rights_bounds_required shares_not_100",
)
_FORM = p(s413="form_too_large", s422="deposit_not_found blob_not_found")
_APPLICATION = p(s404="application_not_found")
_PROCEDURE = (
    LOGIN
    | RACE
    | p(
        s403="forbidden forbidden_action",
        s404="application_not_found unknown_action",
        s409="action_not_allowed_in_state duplicate_registration no_objection_to_answer "
        "own_application "
        "no_objection_to_notify objection_not_notified objection_open publicity_not_over "
        "publicity_over screening_pending "
        # R8, G§12: fast track, extension, reinstatement (domain/procedural_requests.py)
        "correction_period_over fast_track_already_granted no_pending_request "
        "reinstatement_period_over request_pending",
        s422="blob_not_found co_applicant_consent_missing defects_required evidence_required "
        "grounds_required incomplete_application invalid_defect invalid_ground invalid_outcome "
        "missing_fields outcome_required party_not_found party_not_verified text_too_long "
        "unknown_outcome due_not_working_day extension_not_later ground_required "
        "invalid_due_on invalid_evidence invalid_reason_code reason_code_required "
        "invalid_announcement_date unknown_register register_not_kept",
    )
)
_REGISTRATION_ACTIONS = (
    LOGIN
    | RACE
    | p(
        s400="invalid_uscc",
        s403="forbidden forbidden_action",
        s404="registration_not_found filing_not_found request_not_found unknown_action",
        s409="action_not_allowed_in_state agreement_expired filing_not_in_force no_open_request "
        "no_pending_request no_pledge_in_force no_sample nothing_to_confirm pledged "
        "re_examination_not_available renewal_window_closed renewal_window_not_open "
        "request_not_pending request_pending sample_missing sample_not_clean sample_unreadable "
        "screening_pending",
        s422="blob_not_found change_incomplete contract_date_in_future duplicate_party "
        "form_too_large grounds_required invalid_amount invalid_basis invalid_choice invalid_date "
        "invalid_for_action invalid_ground invalid_id_number invalid_licence_type "
        "invalid_party_kind invalid_right "
        "invalid_share invalid_subject_change invalid_term missing_fields no_change "
        "party_not_found party_not_verified same_holder shares_must_total_100 text_too_long "
        "unchangeable_field unknown_outcome",
    )
)
# issue 20 §7: a court's preservation (freeze) and its lifting
_PRESERVATION = p(
    s404="freeze_not_found",
    s409="registration_frozen no_freeze_in_force freeze_not_in_force",
    s422="invalid_case_number",
)
_REGISTRATION_ACTIONS = _REGISTRATION_ACTIONS | _PRESERVATION
_CERTIFICATE = p(s404="certificate_not_found")
# A forged, altered or unreadable token is a 200 with `authentic: false` and its code; only a
# request without a usable token is refused (by the schema, before the service).
_VERIFY = NONE

# Issue 20 §4–§5: institutional routes (web/api/institution_auth.require_scopes): a missing,
# expired or invalid access token, or one without the scopes the route needs.
INSTITUTION = p(s401="invalid_token", s403="insufficient_scope")
_WEBHOOK = INSTITUTION | p(s404="webhook_not_found")

RAISES: dict[str, Problems] = {
    # accounts
    "POST /api/v1/accounts": ADMIN  # staff accounts: an admin signs them up
    | p(
        s409="username_taken",
        s422="invalid_display_name invalid_role invalid_username weak_password",
    ),
    "POST /api/v1/auth/token": p(s401="invalid_credentials", s429="too_many_attempts"),
    "DELETE /api/v1/auth/token": LOGIN,
    "GET /api/v1/me": LOGIN,
    # parties
    "GET /api/v1/parties": LOGIN,
    "POST /api/v1/parties": LOGIN
    | p(
        s400="invalid_resident_id invalid_uscc",
        s403="forbidden",
        s422="invalid_address invalid_name invalid_party_kind",
    ),
    "GET /api/v1/parties/{party_id}": LOGIN | p(s404="party_not_found"),
    "POST /api/v1/parties/{party_id}/verification": LOGIN
    | p(s404="party_not_found", s409="already_verified", s422="blob_not_found invalid_method"),
    "POST /api/v1/parties/{party_id}/verification/decision": REGISTRY
    | p(s404="party_not_found", s409="not_pending", s422="missing_fields"),
    "GET /api/v1/authorisations": LOGIN,
    "POST /api/v1/authorisations": LOGIN
    | p(s403="forbidden", s422="blob_not_found party_not_found invalid_id_number"),
    "POST /api/v1/authorisations/{authorisation_id}/decision": REGISTRY
    | p(s404="authorisation_not_found", s409="not_pending"),
    # files
    "POST /api/v1/blobs": LOGIN | p(s413="file_too_large", s422="empty_file"),
    "GET /api/v1/blobs/{sha256}": LOGIN | p(s404="blob_not_found", s503="blob_unavailable"),
    # evidence deposits
    "GET /api/v1/evidence": LOGIN,
    "POST /api/v1/evidence": LOGIN
    | p(
        s403="forbidden",
        s409="already_deposited",
        s422="invalid_hash invalid_manifest invalid_root manifest_mismatch",
    ),
    "GET /api/v1/evidence/{number}": p(s404="deposit_not_found"),
    # applications
    "POST /api/v1/applications": LOGIN
    | p(s403="forbidden", s422="fast_track_needs_grounds register_not_kept")
    | _APPLICANTS
    | _FORM,
    "GET /api/v1/applications": p(s422="invalid_state"),
    "GET /api/v1/applications/{application_id}": _APPLICATION,
    "PATCH /api/v1/applications/{application_id}": LOGIN
    | RACE
    | _APPLICATION
    | _APPLICANTS
    | _FORM
    | p(s403="not_the_filer", s409="not_editable"),
    "POST /api/v1/applications/{application_id}/consent": LOGIN
    | RACE
    | _APPLICATION
    | p(s409="not_editable"),
    "POST /api/v1/applications/{application_id}/actions/{action}": _PROCEDURE,
    "GET /api/v1/applications/{application_id}/versions": _APPLICATION,
    "GET /api/v1/applications/{application_id}/history": _APPLICATION,
    "GET /api/v1/inbox": LOGIN,
    "POST /api/v1/inbox/{notice_id}/read": LOGIN | p(s404="notice_not_found"),
    "GET /api/v1/examination/queue": REGISTRY,
    "GET /api/v1/examination/requests": REGISTRY,
    # reference data
    "GET /api/v1/industries": p(s422="invalid_level"),
    "PUT /api/v1/industries": ADMIN | p(s422="invalid_encoding invalid_industry_table"),
    "GET /api/v1/calendar/due-date": p(s422="date_out_of_range unknown_period"),
    "PUT /api/v1/calendar/overrides/{day}": ADMIN | p(s422="missing_fields"),
    "PUT /api/v1/calendar/years/{year}": ADMIN | p(s422="invalid_arrangement"),
    "GET /api/v1/profile": NONE,
    # registrations
    "GET /api/v1/registrations": NONE,
    "GET /api/v1/registrations/{number}": p(s404="registration_not_found"),
    "POST /api/v1/registrations/{number}/actions/{action}": _REGISTRATION_ACTIONS,
    "GET /api/v1/registrations/{number}/archive": LOGIN
    | p(s403="forbidden", s404="registration_not_found"),
    # announcements
    "GET /api/v1/announcements": p(
        s422="invalid_announcement_type invalid_date_range invalid_industry invalid_region "
        "query_too_long"
    ),
    "GET /api/v1/announcements/{number}": p(s404="announcement_not_found"),
    # certificates
    "GET /api/v1/registrations/{number}/certificate": _CERTIFICATE | p(s406="not_cosigned"),
    "GET /api/v1/certificates/{number}/status": _CERTIFICATE,
    "GET /api/v1/certificates/status-lists/{list_no}": p(s404="status_list_not_found"),
    "POST /api/v1/certificates/verify": _VERIFY,
    "GET /.well-known/jwks.json": NONE,
    # the transparency log
    "GET /api/v1/log/proofs/inclusion": p(
        s404="log_not_found", s422="log_index_out_of_range log_size_out_of_range"
    ),
    "GET /api/v1/log/proofs/consistency": p(s404="log_not_found", s422="log_size_out_of_range"),
    "GET /api/v1/log/entries/{index}": p(s404="log_not_found"),
    "GET /api/v1/log/entries/{index}/receipt": p(s404="log_not_found"),
    "GET /log/checkpoint": p(s404="log_not_found"),
    "GET /log/cosigned-checkpoint": p(s404="cosigned_checkpoint_not_found"),
    "GET /log/key": NONE,
    "GET /log/tile/{path}": p(s404="log_not_found"),
    # operations
    "GET /healthz": NONE,
    # institutions (issue 20 §1–§3; services/sharing)
    "POST /oauth/token": _OAUTH | BODY,
    "GET /.well-known/oauth-authorization-server": NONE,
    "POST /api/v1/admin/institutions": ADMIN
    | p(
        s400="invalid_uscc",
        s422="invalid_institution_kind invalid_name invalid_scope scope_not_grantable "
        "keys_required invalid_jwks invalid_jwks_uri",
    ),
    "GET /api/v1/admin/institutions": ADMIN,
    "GET /api/v1/admin/institutions/{client_id}": ADMIN | p(s404="institution_not_found"),
    "POST /api/v1/admin/institutions/{client_id}/actions/{action}": ADMIN
    | RACE
    | p(s404="institution_not_found unknown_action", s409="action_not_allowed_in_state"),
    "PUT /api/v1/admin/institutions/{client_id}/keys": ADMIN
    | RACE
    | p(
        s404="institution_not_found",
        s409="action_not_allowed_in_state",
        s422="keys_required invalid_jwks invalid_jwks_uri",
    ),
    "PUT /api/v1/admin/institutions/{client_id}/scopes": ADMIN
    | RACE
    | p(
        s404="institution_not_found",
        s409="action_not_allowed_in_state",
        s422="invalid_scope scope_not_grantable",
    ),
    "GET /api/v1/institutions/registrations/{number}": p(
        s404="registration_not_found", s422="purpose_required invalid_purpose"
    ),
    "GET /api/v1/institutions/registrations/{number}/archive": p(
        s404="registration_not_found", s422="purpose_required invalid_purpose"
    ),
    "GET /api/v1/registrations/{number}/reads": LOGIN
    | p(s403="forbidden", s404="registration_not_found"),
    # issue 20 §4: the event feed
    "GET /api/v1/events": INSTITUTION,
    "GET /api/v1/events/types": NONE,
    # issue 20 §5: webhooks
    "POST /api/v1/webhooks": INSTITUTION
    | p(
        s403="webhook_type_not_allowed",
        s409="webhook_limit_reached",
        s422="webhook_url_invalid webhook_url_forbidden webhook_signing_invalid",
    ),
    "GET /api/v1/webhooks": INSTITUTION,
    "GET /api/v1/webhooks/{sub_id}": _WEBHOOK,
    "PATCH /api/v1/webhooks/{sub_id}": _WEBHOOK | RACE | p(s422="webhook_state_invalid"),
    "DELETE /api/v1/webhooks/{sub_id}": _WEBHOOK | RACE,
    "POST /api/v1/webhooks/{sub_id}/replay": _WEBHOOK | RACE,
    "GET /api/v1/webhooks/{sub_id}/deliveries": _WEBHOOK,
}

# --- into the OpenAPI document ------------------------------------------------------------------


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dep in getattr(dependant, "dependencies", ()):
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def derived(route: Any, method: str) -> Problems:
    """What the shared machinery lets this route answer, read off the route itself."""
    calls = set(_calls(route.dependant))
    out = INPUT
    if route.body_field is not None:
        out |= BODY
    if get_identity in calls:
        out |= TOKEN
    if any(hasattr(c, "required_scopes") for c in calls):  # institution_auth.require_scopes
        out |= INSTITUTION_TOKEN
    if if_match in calls:
        out |= IF_MATCH
    if if_match_required in calls:
        out |= IF_MATCH_REQUIRED
    if method == "POST":
        out |= IDEMPOTENCY
    return out


def key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def operations(app: FastAPI) -> Iterable[tuple[str, Any, str]]:
    """(method, route, documented path) of every operation the OpenAPI documents."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI with lazily included routers
    except ImportError:  # pragma: no cover - older FastAPI keeps flat routes
        routes: Iterable[Any] = app.routes
    else:
        routes = iter_route_contexts(app.routes)
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, route, route.path_format


def of(app: FastAPI) -> dict[str, Problems]:
    """Every documented operation's problems: derived and declared."""
    out = {}
    for method, route, path in operations(app):
        k = key(method, path)
        # An operation without an entry still gets the shared problems (a test fails on it)
        out[k] = derived(route, method) | RAISES.get(k, NONE)
    return out


def _response(status: int, codes: frozenset[str], before: Mapping[str, Any]) -> dict[str, Any]:
    listed = ", ".join(f"`{c}`" for c in sorted(codes))
    examples = {
        code: {
            "summary": code,
            "value": {
                "type": f"https://dataip.dev/problems/{code}",
                "title": "…",
                "status": status,
                "code": code,
                "detail": "…",
                "message_zh": "…",
                "message_en": "…",
            },
        }
        for code in sorted(codes)
    }
    return {
        "description": f"Problem codes: {listed}.",
        "content": {PROBLEM: {"schema": {"$ref": REF}, "examples": examples}},
        "x-problem-codes": sorted(codes),
        **{k: v for k, v in before.items() if k == "headers"},
    }


def document(doc: dict[str, Any], problems: Mapping[str, Problems]) -> dict[str, Any]:
    """Write each operation's problems into an OpenAPI document, replacing FastAPI's default
    422 (a JSON validation body the app never sends) and its schemas."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            found = problems.get(key(method, path))
            if found is None:
                continue
            responses = op.setdefault("responses", {})
            for status, codes in found.items():
                responses[str(status)] = _response(status, codes, responses.get(str(status), {}))
            params = op.setdefault("parameters", [])
            for param in params:
                if param.get("in") == "header" and param.get("name", "").lower() == "if-match":
                    required = str(param.get("description", "")).startswith("required")
                    param.update(IF_MATCH_REQUIRED_HEADER if required else IF_MATCH_HEADER)
            if method == "post":
                params.append(IDEMPOTENCY_KEY)
    return doc


# The shared headers, as clients should send them (deps.py and middleware.py read them).
IF_MATCH_HEADER: dict[str, Any] = {
    "name": "If-Match",
    "description": (
        'The `ETag` of the version you read, e.g. `"7"`: 412 `stale_version` (with '
        "`details.current_version`) if it changed since; without it, the last writer wins "
        "unless two writes race (409 `concurrent_update`)."
    ),
    "schema": {"type": "string", "pattern": '^"[0-9]{1,12}"$'},
}
# A co-applicant's consent names the version it consented to (deps.if_match_required).
IF_MATCH_REQUIRED_HEADER: dict[str, Any] = {
    **IF_MATCH_HEADER,
    "description": (
        'Required: the `ETag` of the version you read and consent to, e.g. `"7"`: 428 '
        "`precondition_required` without it (or with `*`), 412 `stale_version` (with "
        "`details.current_version`) if it changed since."
    ),
}

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Retry safely: the key is reserved before the work is done; a repeat by the same "
        "signed-in caller with the same key and body replays the first answer — status, "
        "body and headers, with `Idempotent-Replayed: true` — or, while the first is still "
        "running, waits for it (up to 10 s) or gets 409 `idempotency_in_progress` with "
        "`Retry-After`; the same key with another body is 422 `idempotency_key_reused`."
    ),
    "schema": {"type": "string", "pattern": "^[\\x20-\\x7e]{1,200}$"},
}


def install(app: FastAPI) -> None:
    """Build the OpenAPI document with every operation's problems (once, on first request)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(build(), of(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# issue 20 §7: evidence packages and a court's freeze (web/api/preservation.py); the
# institutional routes answer require_scopes's 401 / 403 (web/api/institution_auth.py)
_INSTITUTION = p(s401="invalid_token", s403="insufficient_scope")
_PACKAGE = p(s404="registration_not_found log_not_found", s503="log_key_missing")
_COURT_ACTION = (
    _INSTITUTION
    | RACE
    | _PRESERVATION
    | p(
        s403="forbidden_action",
        s404="registration_not_found",
        s409="action_not_allowed_in_state",
        s422="missing_fields text_too_long invalid_date invalid_term",
    )
)
RAISES.update(
    {
        "GET /api/v1/registrations/{number}/evidence-package": LOGIN
        | _PACKAGE
        | p(s403="forbidden"),
        "GET /api/v1/institutions/registrations/{number}/evidence-package": _INSTITUTION
        | _PACKAGE
        | p(s422="purpose_required text_too_long"),
        "POST /api/v1/institutions/registrations/{number}/freezes": _COURT_ACTION,
        "POST /api/v1/institutions/registrations/{number}/freezes/{freeze_number}/lift": (
            _COURT_ACTION
        ),
    }
)

# issue 20 §6: a bank's pledges (web/api/pledges.py) and the holder's answer to a proposal
# (the registration's actions `confirm_pledge`, `decline_pledge`)
_PLEDGE = p(
    s403="not_pledgee not_own_proposal pledgee_not_caller",
    s404="pledge_proposal_not_found",
    s409="no_pledge_proposal pledge_proposal_not_awaiting",
    s422="invalid_reference invalid_zdw_reference invalid_enforcement_method",
)
RAISES["POST /api/v1/registrations/{number}/actions/{action}"] = (
    RAISES["POST /api/v1/registrations/{number}/actions/{action}"] | _PLEDGE
)
_BANK_ACTION = _COURT_ACTION | _PLEDGE | p(s404="filing_not_found", s409="filing_not_in_force")
RAISES.update(
    {
        "POST /api/v1/institutions/registrations/{number}/pledges": _BANK_ACTION
        | p(s409="registration_frozen", s422="contract_date_in_future invalid_amount"),
        "POST /api/v1/institutions/registrations/{number}/pledges/proposals/{proposal_number}"
        "/withdraw": _BANK_ACTION,
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/reference": (
            _BANK_ACTION | p(s409="no_pledge_in_force")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/enforcement": (
            _BANK_ACTION | p(s409="no_pledge_in_force", s422="invalid_amount")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/consents": (
            _BANK_ACTION | p(s409="no_pledge_in_force", s422="invalid_for_action")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/release": (
            _BANK_ACTION | p(s409="no_pledge_in_force")
        ),
        "GET /api/v1/institutions/registrations/{number}/encumbrances": _INSTITUTION
        | p(s404="registration_not_found", s422="purpose_required invalid_purpose"),
    }
)

# issue 22 §1: data quality (web/api/quality.py, services/value/quality.py)
_QUALITY = LOGIN | RACE | p(s403="not_the_holder", s404="registration_not_found")
RAISES.update(
    {
        "POST /api/v1/registrations/{number}/quality": _QUALITY
        | p(
            s409="action_not_allowed_in_state no_sample screening_pending",
            s422="invalid_access invalid_availability",
        ),
        "GET /api/v1/registrations/{number}/quality": p(
            s404="registration_not_found quality_not_found"
        ),
        "POST /api/v1/registrations/{number}/quality/publish": _QUALITY
        | p(s404="quality_not_found", s409="action_not_allowed_in_state quality_already_published"),
        "POST /api/v1/registrations/{number}/quality/unpublish": _QUALITY
        | p(s409="quality_not_published"),
        "GET /api/v1/applications/{application_id}/quality": REGISTRY
        | p(s404="application_not_found", s409="no_sample screening_pending"),
    }
)

# issue 23 §1–§2: derivation and benefit distribution (web/api/distribution.py)
_DIST_REG = p(s404="registration_not_found")
_SOURCE_ANSWER = (
    LOGIN
    | _DIST_REG
    | p(s403="not_upstream_holder", s404="source_not_found", s409="source_not_pending")
)
RAISES.update(
    {
        "GET /api/v1/registrations/{number}/sources": _DIST_REG,
        "POST /api/v1/registrations/{number}/sources": LOGIN
        | RACE
        | _DIST_REG
        | p(
            s403="forbidden",
            s409="action_not_allowed_in_state source_already_declared source_cycle "
            "source_not_in_force",
            s422="invalid_source_kind invalid_stage invalid_weight registry_not_listed "
            "source_name_required source_not_found source_not_foreign source_weights_over_100",
        ),
        "POST /api/v1/registrations/{number}/sources/{link_id}/confirm": _SOURCE_ANSWER | RACE,
        "POST /api/v1/registrations/{number}/sources/{link_id}/dispute": _SOURCE_ANSWER
        | RACE
        | p(s422="reason_required"),
        "GET /api/v1/registrations/{number}/graph": _DIST_REG,
        "POST /api/v1/registrations/{number}/distributions": LOGIN
        | RACE
        | _DIST_REG
        | p(
            s403="forbidden",
            s404="filing_not_found",
            s409="distribution_not_computable income_already_distributed",
            s422="distribution_too_large filing_has_no_amount income_source_required "
            "invalid_amount",
        ),
        "GET /api/v1/registrations/{number}/distributions/{distribution_id}": _DIST_REG
        | p(s404="distribution_not_found"),
        "GET /api/v1/registrations/{number}/distributions/{distribution_id}/statements/"
        "{beneficiary}": LOGIN | _DIST_REG | p(s404="distribution_not_found statement_not_found"),
    }
)

# issue 22 §2: valuations (web/api/valuations.py, services/value/valuation.py)
_VALUATION = p(
    s404="registration_not_found",
    s409="valuation_not_available_in_state valuation_not_computable",
    s422="invalid_valuation_input",
)
_VALUATION_READ = p(s404="registration_not_found valuation_not_found")
_VALUATION_SET = LOGIN | RACE | _VALUATION_READ | p(s403="not_the_holder")
RAISES.update(
    {
        "POST /api/v1/registrations/{number}/valuations": LOGIN | p(s403="forbidden") | _VALUATION,
        "POST /api/v1/institutions/registrations/{number}/valuations": _INSTITUTION
        | _VALUATION
        | p(
            s409="valuation_figure_mismatch valuation_already_recorded",
            s422="invalid_valuation_signature valuation_payload_mismatch",
        ),
        "GET /api/v1/registrations/{number}/valuations": p(s404="registration_not_found"),
        "GET /api/v1/institutions/registrations/{number}/valuations/{valuation}": _INSTITUTION
        | _VALUATION_READ
        | p(s422="purpose_required invalid_purpose"),
        "GET /api/v1/registrations/{number}/valuations/{valuation}": _VALUATION_READ,
        "GET /api/v1/registrations/{number}/valuations/{valuation}.pdf": _VALUATION_READ,
        # publish or withdraw afterwards (services/value/valuation_publication.py)
        "POST /api/v1/registrations/{number}/valuations/{valuation}/publish": _VALUATION_SET
        | p(s409="valuation_not_available_in_state valuation_already_published"),
        "POST /api/v1/registrations/{number}/valuations/{valuation}/unpublish": _VALUATION_SET
        | p(s409="valuation_not_published"),
    }
)

# issue 23 §3–§4: service matching (web/api/needs.py; services/matching/)
_NEED = p(s404="need_not_found")
_NEED_FIELDS = p(
    s422="need_personal_data party_not_found party_not_verified invalid_need_title "
    "invalid_data_wanted invalid_scenario invalid_industry invalid_region invalid_budget_band "
    "invalid_period invalid_expiry"
)
_CONTACT_ANSWER = (
    LOGIN
    | RACE
    | p(s403="not_contact_recipient", s404="contact_not_found", s409="contact_not_proposed")
)
RAISES.update(
    {
        "GET /api/v1/needs": NONE,
        "POST /api/v1/needs": LOGIN | _NEED_FIELDS,
        "GET /api/v1/needs/{need_id}": _NEED,
        "POST /api/v1/needs/{need_id}/withdraw": LOGIN
        | RACE
        | _NEED
        | p(s403="not_need_author", s409="need_not_open"),
        "GET /api/v1/needs/{need_id}/matches": _NEED,
        "GET /api/v1/registrations/{number}/needs": p(s404="registration_not_found"),
        "POST /api/v1/needs/{need_id}/contacts": LOGIN
        | RACE
        | p(
            s403="not_party_to_match",
            s404="need_not_found registration_not_found",
            s409="own_match need_not_open registration_not_valid contact_exists",
        ),
        "GET /api/v1/contacts": LOGIN,
        "POST /api/v1/contacts/{contact_id}/accept": _CONTACT_ANSWER,
        "POST /api/v1/contacts/{contact_id}/decline": _CONTACT_ANSWER,
    }
)
# issue 24 §3–§5: CSTR and DOI added by change registration (domain.resource_ids), the DCAT
# catalogue's cursor (services/catalogue/harvest.py)
RAISES["POST /api/v1/registrations/{number}/actions/{action}"] = RAISES[
    "POST /api/v1/registrations/{number}/actions/{action}"
] | p(s422="invalid_cstr invalid_doi")
RAISES["GET /api/v1/catalogue"] = p(s422="invalid_cursor")
# issue 22 §3, §4: the hotness ranking and the published daily counts (web/api/rankings.py)
RAISES.update(
    {
        "GET /api/v1/rankings/hot": p(
            s422="ranking_filter_conflict unknown_section unknown_region"
        ),
        "GET /api/v1/rankings/daily-counts": p(s422="invalid_cursor range_too_long"),
        "GET /api/v1/rankings/daily-counts.csv": p(s422="range_too_long"),
    }
)

# Issue 22 §5–6: statistics (R30) and typical cases (JS25§10)
_PERIOD = p(s422="invalid_period")
RAISES.update(
    {
        "GET /api/v1/statistics": _PERIOD,
        "GET /api/v1/statistics/{table}": _PERIOD | p(s404="statistics_table_not_found"),
        "GET /api/v1/typical-cases": NONE,
        "POST /api/v1/typical-cases": REGISTRY
        | p(
            s404="registration_not_found",
            s409="typical_case_exists",
            s422="invalid_case_title invalid_case_text invalid_period typical_case_personal_data",
        ),
        "DELETE /api/v1/typical-cases/{case_id}": REGISTRY | p(s404="typical_case_not_found"),
    }
)

# issue 23 §5: the service directory (web/api/directory.py; services/directory/)
_AGENCY_STATE = LOGIN | RACE | p(s403="forbidden", s404="agency_not_found")
_SERVICE_ANSWER = (
    LOGIN
    | RACE
    | p(s403="not_agency_user", s404="service_request_not_found", s409="service_request_answered")
)
RAISES.update(
    {
        "GET /api/v1/agencies": NONE,
        "POST /api/v1/agencies": LOGIN
        | RACE
        | p(
            s409="agency_exists",
            s422="agency_personal_data invalid_agency_category party_not_found "
            "agency_not_legal_person party_not_verified invalid_uscc",
        ),
        "GET /api/v1/agencies/{agency_id}": p(s404="agency_not_found"),
        "POST /api/v1/agencies/{agency_id}/suspend": _AGENCY_STATE | p(s409="agency_suspended"),
        "POST /api/v1/agencies/{agency_id}/reinstate": _AGENCY_STATE | p(s409="agency_listed"),
        "POST /api/v1/registrations/{number}/service-requests": LOGIN
        | RACE
        | p(
            s403="not_registration_holder",
            s404="registration_not_found agency_not_found",
            s409="own_agency registration_not_valid service_request_exists",
            s422="service_request_personal_data invalid_agency_category "
            "agency_category_not_offered",
        ),
        "GET /api/v1/service-requests": LOGIN,
        "POST /api/v1/service-requests/{request_id}/accept": _SERVICE_ANSWER,
        "POST /api/v1/service-requests/{request_id}/decline": _SERVICE_ANSWER,
    }
)

# issue 24 §2: one window (web/api/dossiers.py; services/one_window/)
_DOSSIER = p(s404="dossier_not_found")
RAISES.update(
    {
        "POST /api/v1/dossiers": LOGIN
        | RACE
        | p(s403="forbidden", s422="invalid_registers register_not_kept")
        | _APPLICANTS
        | _FORM,
        "GET /api/v1/dossiers": LOGIN,
        "GET /api/v1/dossiers/{dossier_id}": _DOSSIER,
        "POST /api/v1/dossiers/{dossier_id}/submit": _PROCEDURE
        | _DOSSIER
        | p(s409="dossier_submitted", s422="register_not_kept"),
    }
)
