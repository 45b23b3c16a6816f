"""Service matching's pages (issue 23 §3–§4): `/needs` lists the open needs and, for a
signed-in user with a verified subject, the form to publish one; `/needs/{id}` shows a need,
its matching registrations, and the contact flow — each form only while it would succeed
(the author's withdrawal while open; a contact proposal on a match without one, by the
author or a holder of the registration; accept/decline to the side that answers). The
holder's matching needs on a registration's page are `for_registration`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from dataip.domain.application import SCENARIOS
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES
from dataip.matching.needs import BUDGET_BANDS, Need
from dataip.services import parties, reference
from dataip.services.context import Env, Identity
from dataip.services.industry_names import find_industry
from dataip.services.matching import contacts as contact_svc
from dataip.services.matching import needs as svc
from dataip.web.api.needs import NeedCreate
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.account import page_identity
from dataip.web.pages.forms import FIRST, Shown, _s, failed, handled, posted
from dataip.web.pages.render import lang_of, render

router = APIRouter(include_in_schema=False)
NeedId = Annotated[int, Path(ge=1, le=2**31 - 1)]

STATUS = {
    "open": ("征集中", "Open"),
    "withdrawn": ("已撤回", "Withdrawn"),
    "expired": ("已过期", "Expired"),
}
CONTACT_STATE = {
    "proposed": ("待答复", "Awaiting an answer"),
    "accepted": ("双方已同意", "Both agreed"),
    "declined": ("已拒绝", "Declined"),
}
SIDE = {"author": ("需求发布方", "The need's author"), "holder": ("数据持有方", "The holder")}


def _pick(pair: tuple[str, ...], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _region(code: str | None, lang: str) -> str:
    if not code:
        return "Nationwide" if lang == "en" else "全国"
    return PROVINCES.get(code[:2], code) + ("" if len(code) == 2 else f" {code}")


def need_row(env: Env, n: Need, lang: str) -> dict[str, Any]:
    """A need as pages show it: labels, never codes."""
    industry = reference.industry_name(env=env, code=n.industry_code)
    return {
        "n": n,
        "status": _pick(STATUS[n.status_on(env.today())], lang),
        "open": n.open_on(env.today()),
        "scenario": _pick(SCENARIOS.get(n.scenario, (n.scenario, n.scenario)), lang),
        "industry": f"{n.industry_code} {industry}".strip(),
        "region": _region(n.region_code, lang),
        "band": _pick(BUDGET_BANDS[n.budget_band][:2], lang),
    }


def _verified(identity: Identity, env: Env) -> list[Any]:
    if identity.user_id is None or identity.is_registry:
        return []
    return [
        p for p in parties.list_parties(identity, env=env) if p.verification_status == "verified"
    ]


def _list(request: Request, env: Env, identity: Identity, shown: Shown = FIRST) -> Response:
    lang = lang_of(request)
    q = request.query_params
    scenario = q.get("scenario") if q.get("scenario") in SCENARIOS else None
    found = svc.list_open(env=env, scenario=scenario, limit=200)
    mine = svc.mine(identity, env=env) if identity.user_id is not None else []
    today = env.today()
    return render(
        request,
        "needs.html",
        {
            "needs": [need_row(env, n, lang) for n in found],
            "mine": [need_row(env, n, lang) for n in mine],
            "scenario": scenario,
            "scenarios": [(k, _pick(v, lang)) for k, v in SCENARIOS.items()],
            "bands": [(k, _pick(v[:2], lang)) for k, v in BUDGET_BANDS.items()],
            "provinces": sorted(PROVINCES.items()),
            "verified": _verified(identity, env),
            "signed_in": identity.user_id is not None,
            "is_registry": identity.is_registry,
            "error": shown.error,
            "typed": shown.typed
            or {
                "period_from": (today + timedelta(days=30)).isoformat(),
                "period_to": (today + timedelta(days=395)).isoformat(),
                "expires_on": (today + timedelta(days=90)).isoformat(),
            },
        },
        status_code=shown.status,
    )


@router.get("/needs", response_class=HTMLResponse)
def needs_page(request: Request, env: EnvDep) -> Response:
    return _list(request, env, page_identity(request, env))


FIELDS = (
    "party_id",
    "title",
    "scenario",
    "industry",
    "data_wanted",
    "region_code",
    "period_from",
    "period_to",
    "budget_band",
    "expires_on",
)


def _industry_code(env: Env, text: str | None) -> str | None:
    if not text:
        return None
    row = find_industry(env=env, text=text)
    return row.code if row is not None else text


def _publish(request: Request, env: Env, data: FormData) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    typed = {k: _s(data, k) or "" for k in FIELDS}
    try:
        body = NeedCreate.model_validate(
            {
                "party_id": int(typed["party_id"]) if typed["party_id"].isdigit() else 0,
                "title": typed["title"],
                "scenario": typed["scenario"] or None,
                "industry_code": _industry_code(env, typed["industry"]),
                "data_wanted": typed["data_wanted"],
                "region_code": typed["region_code"] or None,
                "period_from": typed["period_from"] or None,
                "period_to": typed["period_to"] or None,
                "budget_band": typed["budget_band"] or None,
                "expires_on": typed["expires_on"] or None,
            }
        )
        from dataip.matching.needs import NeedFields

        need = svc.publish(
            who,
            env=env,
            party_id=body.party_id,
            fields=NeedFields(**body.model_dump(exclude={"party_id"})),
        )
    except (DomainError, ValidationError) as e:
        return _list(request, env, who, failed(request, e, typed))
    return flash.redirect(request, f"/needs/{need.id}", ok="need_published")


@router.post("/needs", response_class=HTMLResponse)
async def publish_form(request: Request, env: EnvDep) -> Response:
    return await handled(request, env, _publish)


def _detail(
    request: Request, env: Env, identity: Identity, need_id: int, shown: Shown = FIRST
) -> Response:
    lang = lang_of(request)
    need = svc.get(identity, env=env, need_id=need_id)
    q = request.query_params
    same_industry = q.get("same_industry") == "1"
    same_region = q.get("same_region") == "1"
    found = (
        svc.matches(
            identity,
            env=env,
            need_id=need_id,
            industry=need.industry_code[:2] if same_industry else None,
            region=need.region_code if same_region else None,
        )
        if need.open_on(env.today())
        else []
    )
    author = identity.user_id is not None and need.author_user_id == identity.user_id
    views = (
        contact_svc.for_user(identity, env=env, need_id=need_id)
        if identity.user_id is not None
        else []
    )
    contacted = {v.registration_number for v in views}
    held = contact_svc.held(identity, env=env, numbers=[m.registration_number for m in found])
    can_contact = need.open_on(env.today()) and identity.user_id is not None
    rows = [
        {
            "m": m,
            "industry": reference.industry_name(env=env, code=m.industry_code),
            "held": m.registration_number in held,
            "can_propose": can_contact
            and m.registration_number not in contacted
            and (author != (m.registration_number in held)),
        }
        for m in found
    ]
    return render(
        request,
        "need.html",
        {
            "row": need_row(env, need, lang),
            "author": author,
            "matches": rows,
            "same_industry": same_industry,
            "same_region": same_region,
            "contacts": [
                {
                    "v": v,
                    "state": _pick(CONTACT_STATE[v.contact.state], lang),
                    "by": _pick(SIDE[v.contact.proposed_by], lang),
                }
                for v in views
            ],
            "signed_in": identity.user_id is not None,
            "error": shown.error,
        },
        status_code=shown.status,
    )


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_page(request: Request, env: EnvDep, need_id: NeedId) -> Response:
    return _detail(request, env, page_identity(request, env), need_id)


def _act(request: Request, env: Env, data: FormData, need_id: int, action: str) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        if action == "withdraw":
            svc.withdraw(who, env=env, need_id=need_id)
            return flash.redirect(request, f"/needs/{need_id}", ok="need_withdrawn")
        if action == "contact":
            number = _s(data, "registration_number") or ""
            contact_svc.propose(who, env=env, need_id=need_id, registration_number=number)
            return flash.redirect(request, f"/needs/{need_id}#contacts", ok="contact_proposed")
        contact = _s(data, "contact_id") or ""
        contact_svc.answer(
            who,
            env=env,
            contact_id=int(contact) if contact.isdigit() and len(contact) < 10 else 0,
            accept=action == "accept",
        )
        return flash.redirect(request, f"/needs/{need_id}#contacts", ok="contact_answered")
    except DomainError as e:
        if e.code == "need_not_found":
            raise
        return _detail(request, env, who, need_id, failed(request, e))


@router.post("/needs/{need_id}/{action}", response_class=HTMLResponse)
async def need_action(request: Request, env: EnvDep, need_id: NeedId, action: str) -> Response:
    if action not in ("withdraw", "contact", "accept", "decline"):
        raise DomainError("not_found", "页面不存在", "page not found", status=404)
    return await handled(request, env, _act, need_id, action)


def for_registration(identity: Identity, env: Env, number: str, lang: str) -> list[dict[str, Any]]:
    """The open needs a registration matches, for its holder's view of the page."""
    return [
        need_row(env, n, lang) for n in svc.needs_for_registration(identity, env=env, number=number)
    ]
