"""The app's routes, for tests that must cover every route of a kind (a new route without a
row fails them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PREFIX = "/api/v1"


def all_routes(app: Any) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI with lazily included routers
    except ImportError:  # pragma: no cover - older FastAPI keeps flat routes
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def api_routes(app: Any) -> dict[tuple[str, str], Any]:
    """(method, path) of every route under /api/v1."""
    out = {}
    for route in all_routes(app):
        path = getattr(route, "path", None) or ""
        if not path.startswith(PREFIX + "/"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                out[(method, path)] = route
    return out


def page_routes(app: Any) -> dict[tuple[str, str], Any]:
    """(method, path) of every portal page route (not the API, the log or static files)."""
    out = {}
    for route in all_routes(app):
        path = getattr(route, "path", None) or ""
        machine = (PREFIX, "/log/", "/.well-known/", "/oauth/", "/static", "/witness/")
        if path.startswith(machine) or not hasattr(route, "endpoint"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                out[(method, path)] = route
    return out


def dependency_calls(dependant: Any) -> Iterator[Any]:
    """Every dependency callable a route resolves, nested ones included."""
    for dep in getattr(dependant, "dependencies", ()):
        yield dep.call
        yield from dependency_calls(dep)
