"""Typical cases (典型案例, JS25§10) on the portal: `/typical-cases` lists the cases the
registry picked, newest year first (a year's filter), each linked to its registration and to
that year's annual report. Registry staff (examiners, administrators) add a case on the same
page and remove one; the text is screened for personal data by the service
(`services/value/typical_cases.py`), as the API's `POST /api/v1/typical-cases` is."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.value import annual_report, typical_cases
from dataip.web.api.statistics import TypicalCaseCreate
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.account import page_identity
from dataip.web.pages.forms import _s, csrf_refused, failure, plain_anchor, signed_in
from dataip.web.pages.render import lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELDS = ("registration_number", "year", "title", "text")


def _page(
    request: Request,
    env: Env,
    identity: Identity,
    *,
    year: int | None = None,
    error: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = typical_cases.cases(env=env, year=year)
    years = sorted(
        {c["year"] for c in typical_cases.cases(env=env)} | set(annual_report.years(env=env)),
        reverse=True,
    )
    groups = [
        (y, list(cs))
        for y, cs in groupby(
            sorted(found, key=lambda c: (-c["year"], c["id"])), key=lambda c: c["year"]
        )
    ]
    this_year = env.today().year
    return render(
        request,
        "typical_cases.html",
        {
            "groups": groups,
            "years": years,
            "year": year,
            "registry": identity.is_registry,
            "error": error,
            "typed": typed or {"year": str(year or this_year)},
            "max_title": typical_cases.MAX_TITLE,
            "max_text": typical_cases.MAX_TEXT,
        },
        status_code=status,
    )


@router.get("/typical-cases", response_class=HTMLResponse)
def cases_page(
    request: Request, env: EnvDep, year: Annotated[str | None, Query(max_length=4)] = None
) -> Response:
    chosen = int(year) if year and year.isdigit() and 2000 <= int(year) <= 2100 else None
    return _page(request, env, page_identity(request, env), year=chosen)


def _add(request: Request, env: Env, data: FormData) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    typed = {k: v if isinstance(v := data.get(k), str) else "" for k in FIELDS}
    try:
        raw_year = typed["year"].strip()
        body = TypicalCaseCreate.model_validate(
            {
                "registration_number": typed["registration_number"].strip(),
                "year": int(raw_year) if raw_year.isdigit() and len(raw_year) < 6 else 0,
                "title": typed["title"],
                "text": typed["text"],
            }
        )
        case = typical_cases.add(
            who,
            env=env,
            number=body.registration_number,
            year=body.year,
            title=body.title,
            text=body.text,
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        error = failure(request, e, plain_anchor)
        return _page(request, env, who, error=error, typed=typed, status=status)
    return flash.redirect(
        request,
        f"/typical-cases?year={case['year']}#case-{case['id']}",
        ok="recorded",
        ref=case["title"],
    )


@router.post("/typical-cases", response_class=HTMLResponse)
async def add_form(request: Request, env: EnvDep) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_add, request, env, data)


def _remove(request: Request, env: Env, data: FormData, case_id: int) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    try:
        typical_cases.remove(who, env=env, case_id=case_id)
    except DomainError as e:
        return _page(request, env, who, error=failure(request, e), status=e.status)
    ref = "典型案例已移除" if lang_of(request) != "en" else "typical case removed"
    return flash.redirect(request, "/typical-cases", ok="recorded", ref=ref)


@router.post("/typical-cases/{case_id}/remove", response_class=HTMLResponse)
async def remove_form(request: Request, env: EnvDep, case_id: CaseId) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_remove, request, env, data, case_id)
