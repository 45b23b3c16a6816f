"""The service directory's pages (issue 23 §5): `/agencies` lists the listed agencies with
filters (name, category, province), the listing form for a signed-in user with an unlisted
verified legal-person subject, and for the registry the suspend/reinstate forms;
`/service-requests` shows the requests a user sent and those its agencies received, with the
agency's accept/decline forms and the contact details once accepted. The holder's "ask an
agency" form on a registration's page is `ask_section` (shown only while it would succeed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES, province_name
from dataip.services.context import Env, Identity
from dataip.services.directory import agencies as svc
from dataip.services.directory import requests as req_svc
from dataip.services.directory.records import AGENCY_STATES, CATEGORIES, REQUEST_STATES, Agency
from dataip.services.matching.contacts import held
from dataip.web.api.directory import AgencyCreate, ServiceRequestCreate, StateChange
from dataip.web.deps import EnvDep
from dataip.web.numbers import Number
from dataip.web.pages import flash
from dataip.web.pages.account import page_identity
from dataip.web.pages.forms import FIRST, Shown, _s, failed, handled, posted, signed_in
from dataip.web.pages.render import lang_of, render

router = APIRouter(include_in_schema=False)
# the listing form's labels, by the schema's field (the error box names fields by them)
AGENCY_LABELS = {
    "party_id": "Agency (verified legal person)",
    "categories": "Service category",
    "description": "Description",
}
MaxId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _row(a: Agency, lang: str) -> dict[str, Any]:
    return {
        "a": a,
        "categories": "、".join(_pick(CATEGORIES[c], lang) for c in a.category_list),
        "region": province_name(a.region_code) or a.region_code,
        "state": _pick(AGENCY_STATES[a.state], lang),
    }


def _list(request: Request, env: Env, identity: Identity, shown: Shown = FIRST) -> Response:
    lang = lang_of(request)
    q = request.query_params
    text = (q.get("q") or "").strip()[:100]
    category = q.get("category") if q.get("category") in CATEGORIES else None
    region = q.get("region") if q.get("region") in PROVINCES else None
    found = svc.search(
        env=env, q=text or None, category=category, region=region, include_suspended=False
    )
    suspended = svc.search(env=env, include_suspended=True) if identity.is_admin else []
    return render(
        request,
        "agencies.html",
        {
            "agencies": [_row(a, lang) for a in found],
            "suspended": [_row(a, lang) for a in suspended if a.state == "suspended"],
            "mine": [_row(a, lang) for a in svc.own(identity, env=env)],
            "q": text,
            "category": category,
            "region": region,
            "categories": [(k, _pick(v, lang)) for k, v in CATEGORIES.items()],
            "provinces": sorted(PROVINCES.items()),
            "listable": svc.listable_parties(identity, env=env),
            "signed_in": identity.user_id is not None,
            "is_admin": identity.is_admin,
            "error": shown.error,
            "typed": shown.typed or {"categories": []},
        },
        status_code=shown.status,
    )


@router.get("/agencies", response_class=HTMLResponse)
def agencies_page(request: Request, env: EnvDep) -> Response:
    return _list(request, env, page_identity(request, env))


def _create(request: Request, env: Env, data: FormData) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    party = _s(data, "party_id") or ""
    typed = {
        "party_id": party,
        "categories": [str(c) for c in data.getlist("categories")],
        "description": _s(data, "description") or "",
    }
    try:
        body = AgencyCreate.model_validate(
            {
                "party_id": int(party) if party.isdigit() and len(party) < 10 else 0,
                "categories": typed["categories"],
                "description": typed["description"],
            }
        )
        svc.list_agency(
            who,
            env=env,
            party_id=body.party_id,
            categories=list(body.categories),
            description=body.description,
        )
    except (DomainError, ValidationError) as e:
        shown = failed(request, e, typed, AGENCY_LABELS, _agency_anchor)
        return _list(request, env, who, shown)
    return flash.redirect(request, "/agencies#mine", ok="agency_listed")


def _agency_anchor(field: str) -> str | None:
    if field.startswith("categories"):
        return f"category-{next(iter(CATEGORIES))}"
    return field if field in AGENCY_LABELS else None


@router.post("/agencies", response_class=HTMLResponse)
async def create_form(request: Request, env: EnvDep) -> Response:
    return await handled(request, env, _create)


def _state(request: Request, env: Env, data: FormData, agency_id: int, action: str) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        body = StateChange.model_validate({"reason": _s(data, "reason") or ""})
        svc.set_state(
            who, env=env, agency_id=agency_id, suspend=action == "suspend", reason=body.reason
        )
    except (DomainError, ValidationError) as e:
        return _list(request, env, who, failed(request, e))
    return flash.redirect(
        request, "/agencies", ok="agency_suspended" if action == "suspend" else "agency_reinstated"
    )


@router.post("/agencies/{agency_id}/{action}", response_class=HTMLResponse)
async def state_form(request: Request, env: EnvDep, agency_id: MaxId, action: str) -> Response:
    if action not in ("suspend", "reinstate"):
        raise DomainError("not_found", "页面不存在", "page not found", status=404)
    return await handled(request, env, _state, agency_id, action)


def _requests(request: Request, env: Env, identity: Identity, shown: Shown = FIRST) -> Response:
    lang = lang_of(request)
    views = req_svc.for_user(identity, env=env)
    rows = [
        {
            "v": v,
            "category": _pick(CATEGORIES[v.request.category], lang),
            "state": _pick(REQUEST_STATES[v.request.state], lang),
        }
        for v in views
    ]
    return render(
        request,
        "service_requests.html",
        {
            "incoming": [r for r, v in zip(rows, views, strict=True) if v.side == "agency"],
            "sent": [r for r, v in zip(rows, views, strict=True) if v.side == "holder"],
            "error": shown.error,
        },
        status_code=shown.status,
    )


@router.get("/service-requests", response_class=HTMLResponse)
def requests_page(request: Request, env: EnvDep) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    return _requests(request, env, who)


def _answer(request: Request, env: Env, data: FormData, request_id: int, action: str) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        req_svc.answer(who, env=env, request_id=request_id, accept=action == "accept")
    except DomainError as e:
        return _requests(request, env, who, failed(request, e))
    return flash.redirect(request, "/service-requests", ok="service_request_answered")


@router.post("/service-requests/{request_id}/{action}", response_class=HTMLResponse)
async def answer_form(request: Request, env: EnvDep, request_id: MaxId, action: str) -> Response:
    if action not in ("accept", "decline"):
        raise DomainError("not_found", "页面不存在", "page not found", status=404)
    return await handled(request, env, _answer, request_id, action)


def _ask(request: Request, env: Env, data: FormData, number: str) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    agency = _s(data, "agency_id") or ""
    try:
        body = ServiceRequestCreate.model_validate(
            {
                "agency_id": int(agency) if agency.isdigit() and len(agency) < 10 else 0,
                "category": _s(data, "category") or None,
                "message": _s(data, "message") or "",
            }
        )
        req_svc.ask(
            who,
            env=env,
            registration_number=number,
            agency_id=body.agency_id,
            category=body.category,
            message=body.message,
        )
    except (DomainError, ValidationError) as e:
        from dataip.web.pages.holder import registration_refused  # holder imports this module

        return registration_refused(request, env, number, e)
    return flash.redirect(request, "/service-requests", ok="service_requested")


@router.post("/registrations/{number}/service-requests", response_class=HTMLResponse)
async def ask_form(request: Request, env: EnvDep, number: Number) -> Response:
    return await handled(request, env, _ask, number)


def ask_section(
    identity: Identity, env: Env, number: str, lang: str, state: str
) -> dict[str, Any] | None:
    """The holder's "ask an agency" form on a registration's page: only for a holder of a
    valid registration, offering the listed agencies (not its own) not asked yet for it."""
    if identity.user_id is None or identity.is_registry or state != "valid":
        return None
    if number not in held(identity, env=env, numbers=[number]):
        return None
    own = {a.id for a in svc.own(identity, env=env)}
    asked = {
        v.request.agency_id
        for v in req_svc.for_user(identity, env=env, side="holder")
        if v.registration_number == number
    }
    agencies = [a for a in svc.search(env=env) if a.id not in own | asked]
    if not agencies:
        return None
    return {
        "number": number,
        "agencies": [
            (
                a.id,
                f"{a.name}（"
                + "、".join(_pick(CATEGORIES[c], lang) for c in a.category_list)
                + "）",
            )
            for a in agencies
        ],
        "categories": [(k, _pick(v, lang)) for k, v in CATEGORIES.items()],
    }
