"""Issue 25: the app tries a path against its routes in the order they were added, so the most
requested groups come first (web/app.py). That order may change what a request costs, never
where it goes: no route of one group — the operations endpoints, the public log and
well-known files, the pages, the API — matches a path another group's route serves."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from dataip.web.errors import is_page

PARAM = re.compile(r"\{[^}]*\}")


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(group, a path the route serves, its pattern) for every route, in the app's order:
    the group is "page" for the portal's pages, else the path's first segment."""
    out = []
    for context in iter_route_contexts(app.router.routes):
        path = context.path or ""
        sample = PARAM.sub("1", path) + ("/x" if isinstance(context.route, Mount) else "")
        group = "page" if is_page(path) else path.split("/")[1]
        out.append((group, sample, context.path_regex))
    return out


def test_i25_no_route_matches_a_path_of_another_group(app: FastAPI) -> None:
    routes = _routes(app)
    assert {"page", "api", "log", "healthz"} <= {group for group, _, _ in routes}
    clashes = [
        (sample, other_group)
        for group, sample, _ in routes
        for other_group, _, pattern in routes
        if other_group != group
        for candidate in (sample, sample.rstrip("/") if sample != "/" else sample, sample + "/")
        if pattern.match(candidate)
    ]
    assert not clashes


def test_i25_the_operations_and_the_log_are_tried_before_the_pages_and_the_api(
    app: FastAPI,
) -> None:
    order = [sample for _, sample, _ in _routes(app)]
    first_page = next(i for i, (group, _, _) in enumerate(_routes(app)) if group == "page")
    first_api = order.index("/api/v1/registrations/1")
    for hot in ("/healthz", "/log/checkpoint", "/log/tile/1"):
        assert order.index(hot) < min(first_page, first_api), hot


def test_i25_each_route_serves_its_sample_path(app: FastAPI) -> None:
    """What the test above relies on: the path made up for each route is one it serves."""
    assert all(pattern.match(sample) for _, sample, pattern in _routes(app))
