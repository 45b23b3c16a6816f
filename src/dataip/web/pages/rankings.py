"""The hotness ranking's public page (热度榜, issue 22 §4): overall, per GB/T 4754 section or
per province, with the formula stated in words and symbols and the signals behind each score.
Reads the pre-aggregated snapshot (`services.value.hotness.hot`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES
from dataip.services import reference
from dataip.services.value import hotness
from dataip.value.hotness import KIND_LABELS, KINDS, SCALE
from dataip.web.deps import EnvDep
from dataip.web.pages.render import lang_of, render

router = APIRouter(include_in_schema=False)


@router.get("/rankings/hot", response_class=HTMLResponse)
def hot_page(
    request: Request,
    env: EnvDep,
    section: Annotated[str | None, Query(max_length=1)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    lang = lang_of(request)
    error: DomainError | None = None
    as_of = None
    rows: list[hotness.HotRow] = []
    try:
        as_of, rows = hotness.hot(env, section=section or None, region=region or None)
    except DomainError as e:
        error = e
    sections = reference.industries_at(env=env, level="section")
    pol = hotness.policy(env)
    context: dict[str, Any] = {
        "as_of": as_of,
        "rows": rows,
        "error": error,
        "form": {"section": section or "", "region": region or ""},
        "sections": [(s.code, s.name) for s in sections],
        "section_names": {s.code: s.name for s in sections},
        "regions": [(c, n) for c, n in PROVINCES.items() if c != "83"],
        "region_names": PROVINCES,
        "kinds": KINDS,
        "kind_labels": {k: (v[1] if lang == "en" else v[0]) for k, v in KIND_LABELS.items()},
        "policy": pol,
        "scale": SCALE,
        "decay_at": {a: pol.decay()[a] for a in (0, 1, 7, 30) if a < pol.window_days},
    }
    return render(request, "rankings_hot.html", context, status_code=422 if error else 200)
