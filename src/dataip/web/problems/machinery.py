"""The shared machinery of the API's documented refusals: the `Problems` value and `p()` that
the area tables are written with, the shared table (what every route may answer by the way it
is built: input checks, body, token, If-Match, Idempotency-Key), and writing an operation's
problems into the OpenAPI document. Which operation raises what is the area tables' business
(the package's other modules); `dataip.web.problems` merges the two.
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
