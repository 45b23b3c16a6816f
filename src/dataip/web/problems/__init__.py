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
  shared table's sets and a few per area), so that a new refusal is one edit in its area's
  table.

The documentation is held true by tests, not by trust: tests/e2e/api/test_contract.py runs
schemathesis over every operation (an undocumented status fails, and so does a problem whose
code its operation does not list); tests/e2e/api/test_openapi.py checks every row of the
bad-input table (status and code per route) against this document, and that every code the
source raises is documented somewhere.

The package's modules follow that seam: `machinery` holds the `Problems` value, `p()`, the
shared table and the writing into the document; `registry`, `institutions`, `value` and
`matching` each hold one area's table (its own `RAISES`), merged below — an operation two
areas speak of (a registration's actions) gets the union of what they list.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from dataip.web.deps import get_identity
from dataip.web.problems import institutions, matching, registry, value
from dataip.web.problems.machinery import (
    NONE,
    PROBLEM,
    REF,
    Problems,
    _calls,
    derived,
    document,
    key,
    operations,
)

# what the rest of the project reads here: the app installs the document; the OpenAPI tests
# check it against the table, the routes and their dependencies
__all__ = [
    "PROBLEM",
    "RAISES",
    "REF",
    "_calls",
    "get_identity",
    "install",
    "key",
    "of",
    "operations",
]

RAISES: dict[str, Problems] = {}
for _table in (registry.RAISES, institutions.RAISES, value.RAISES, matching.RAISES):
    for _key, _problems in _table.items():
        RAISES[_key] = RAISES.get(_key, NONE) | _problems


def of(app: FastAPI) -> dict[str, Problems]:
    """Every documented operation's problems: derived and declared."""
    out = {}
    for method, route, path in operations(app):
        k = key(method, path)
        # An operation without an entry still gets the shared problems (a test fails on it)
        out[k] = derived(route, method) | RAISES.get(k, NONE)
    return out


def install(app: FastAPI) -> None:
    """Build the OpenAPI document with every operation's problems (once, on first request)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(build(), of(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
