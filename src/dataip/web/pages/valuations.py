"""Valuation pages (数据资产评估, issue 22 §2): the holder's form for a value reference
(amounts in yuan, rates in per cent, parsed exactly into fen and basis points and into the
API's own schema), the report page showing every input, factor and formula, and the report as
a PDF for a plain link (the API's PDF answers bearer tokens only). Rules stay in
`services/value/valuation`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services import registrations
from dataip.services.context import Env, Identity
from dataip.services.value import valuation as svc
from dataip.services.value import valuation_facts
from dataip.services.value import valuation_publication as published
from dataip.value import valuation_pdf
from dataip.value.valuation_model import COST_ITEMS
from dataip.web.api.valuations import ValuationCreate
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.account import page_identity
from dataip.web.pages.forms import FormInvalid, csrf_refused, failure, signed_in, version_of
from dataip.web.pages.render import lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)

SOURCES = {
    "registry": ("登记簿", "register"),
    "declared": ("填报", "declared"),
    "measured": ("实测", "measured"),
    "assessed": ("质量评价", "quality assessment"),
    "entered": ("估值输入", "entered"),
}
COMPARABLE_KINDS = {"licence": ("许可", "licence"), "trade": ("交易", "trade")}


# the form's labels, by the schema's field (the error box names fields by them)
LABELS = {
    "quality_bp": "Overall quality score (per cent, 0–100), declared",
    "cost": "Cost approach",
    "cost.profit_rate_bp": "Reasonable profit rate (per cent)",
    "cost.scenario_bp": "Scenario factor (per cent, 0–100)",
    "income": "Income approach",
    "income.incomes_fen": "Incremental income of each year (yuan), separated by commas",
    "income.discount_rate_bp": "Discount rate (per cent)",
    "income.contribution_bp": "Contribution share of the data (per cent, 0–100)",
    "market": "Market approach",
    "market.index_bp": "Yearly change of the price index (per cent)",
    "weights_bp": "Weights of the approaches (per cent; equal weights if left empty)",
    "weights_bp.cost": "Cost approach",
    "weights_bp.income": "Income approach",
    "weights_bp.market": "Market approach",
}


def section(identity: Identity, env: Env, number: str) -> dict[str, Any]:
    """What the registration page shows of its valuations: those the visitor may see, and
    whether it may make one (the holder, while the registration is in force)."""
    rows = svc.list_for(identity, env=env, number=number)
    may_make = False
    if identity.user_id is not None and not identity.is_registry:
        with env.read() as uow:
            reg = uow.registrations.by_number(number)
            may_make = bool(
                reg is not None
                and reg.state in svc.VALUABLE_STATES
                and actions.is_holder(uow, identity, reg)
            )
    return {"rows": rows, "may_make": may_make}


# --- the form ---------------------------------------------------------------------------------

_YUAN = Decimal("0.01")


class _Reader:
    """Yuan and per cent typed by a person, exactly into fen and basis points; a message in
    the page's language naming the input when it is not a number of that kind."""

    def __init__(self, data: FormData, en: bool) -> None:
        self.data, self.en = data, en

    def s(self, key: str) -> str:
        v = self.data.get(key)
        return v.strip() if isinstance(v, str) else ""

    def _bad(self, field: str, label: tuple[str, str], zh: str, en: str) -> FormInvalid:
        text = f"{label[1]}: {en}" if self.en else f"{label[0]}：{zh}"
        return FormInvalid([(text, field)])

    def _decimal(self, raw: str, field: str, label: tuple[str, str]) -> Decimal:
        text = raw.strip().replace(",", "").replace("，", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise self._bad(field, label, "须为数字", "a number") from None
        if not d.is_finite() or d != d.quantize(_YUAN):
            raise self._bad(field, label, "须为至多两位小数的数字", "a number, 2 decimals at most")
        return d

    def fen(self, raw: str, field: str, label: tuple[str, str]) -> int:
        d = self._decimal(raw, field, label)
        if d < 0:
            raise self._bad(field, label, "不能为负数", "not negative")
        return int(d * 100)

    def bp(self, key: str, label: tuple[str, str], default: str = "0") -> int:
        return int(self._decimal(self.s(key) or default, key, label) * 100)


def parse(data: FormData, *, en: bool = False) -> dict[str, Any]:
    """The form as the API's `ValuationCreate` body (before the schema checks it)."""
    f = _Reader(data, en)
    body: dict[str, Any] = {"publish": data.get("publish") == "on"}
    if f.s("quality_pct"):
        body["quality_bp"] = f.bp("quality_pct", ("质量综合得分", "quality score"))
    chosen = set(data.getlist("approach"))
    if "cost" in chosen:
        items = []
        for code, label in COST_ITEMS.items():
            raw = f.s(f"cost_{code}")
            if raw:
                items.append({"item": code, "amount_fen": f.fen(raw, f"cost_{code}", label)})
        body["cost"] = {
            "items": items,
            "profit_rate_bp": f.bp("profit_pct", ("合理利润率", "profit rate")),
            "scenario_bp": f.bp("scenario_pct", ("场景因素", "scenario factor"), "80"),
        }
    if "income" in chosen:
        raw = f.s("incomes").replace("，", ",").replace("\n", ",").replace("；", ",")
        label = ("逐年增量收益", "yearly incremental income")
        body["income"] = {
            "incomes_fen": [f.fen(x, "incomes", label) for x in raw.split(",") if x.strip()],
            "discount_rate_bp": f.bp("discount_pct", ("折现率", "discount rate")),
            "contribution_bp": f.bp("contribution_pct", ("数据贡献率", "contribution share")),
        }
    if "market" in chosen:
        body["market"] = {"index_bp": f.bp("index_pct", ("价格指数年变动", "price index"), "3")}
    weights = {
        a: f.bp(f"weight_{a}", ("权重", "weight"))
        for a in ("cost", "income", "market")
        if f.s(f"weight_{a}")
    }
    if weights:
        body["weights_bp"] = weights
    return body


def _form(
    request: Request,
    env: Env,
    number: str,
    *,
    error: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    identity = page_identity(request, env)
    v = registrations.view(identity, env=env, number=number)
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        measured = valuation_facts.quality_input(uow, reg) if reg is not None else None
    return render(
        request,
        "valuation_form.html",
        {
            "r": v.registration,
            "cost_items": COST_ITEMS,
            "measured": measured,
            "error": error,
            "typed": typed or {},
        },
        status_code=status,
    )


@router.get("/registrations/{number}/valuations/new", response_class=HTMLResponse)
def valuation_form(request: Request, env: EnvDep, number: str) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not section(who, env, number)["may_make"]:
        raise DomainError(
            "forbidden",
            "只有登记主体（持有人）可以在登记有效期间生成价值参考",
            "only the registration's holder may make a value reference, while it is in force",
            status=403,
        )
    return _form(request, env, number)


@router.post("/registrations/{number}/valuations", response_class=HTMLResponse)
async def valuation_create(request: Request, env: EnvDep, number: str) -> Response:
    data = await request.form()
    return await run_in_threadpool(_create, request, env, data, number)


def _create(request: Request, env: Env, data: FormData, number: str) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    typed = {k: v for k, v in data.multi_items() if isinstance(v, str) and k != "csrf_token"}
    typed["approach"] = ",".join(a for a in data.getlist("approach") if isinstance(a, str))
    try:
        body = ValuationCreate.model_validate(parse(data, en=lang_of(request) == "en"))
        made = svc.create_reference(
            who, env=env, number=number, body=body.model_dump(mode="json", exclude_none=True)
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        error = failure(request, e, labels=LABELS)
        return _form(request, env, number, error=error, typed=typed, status=status)
    return flash.redirect(
        request,
        f"/registrations/{number}/valuations/{made['number']}",
        ok="recorded",
        ref=made["number"],
    )


# --- the report -------------------------------------------------------------------------------


@router.get("/registrations/{number}/valuations/{valuation}.pdf")
def valuation_pdf_page(request: Request, env: EnvDep, number: str, valuation: str) -> Response:
    identity = page_identity(request, env)
    v = svc.get(identity, env=env, number=number, valuation_number=valuation)
    return Response(
        valuation_pdf.render(v),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{valuation}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/registrations/{number}/valuations/{valuation}", response_class=HTMLResponse)
def valuation_page(request: Request, env: EnvDep, number: str, valuation: str) -> Response:
    return _report(request, env, page_identity(request, env), number, valuation)


def _report(
    request: Request,
    env: Env,
    identity: Identity,
    number: str,
    valuation: str,
    *,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    v = svc.get(identity, env=env, number=number, valuation_number=valuation)
    holder = in_force = False
    if identity.user_id is not None and not identity.is_registry:
        with env.read() as uow:
            reg = uow.registrations.by_number(number)
            holder = reg is not None and actions.is_holder(uow, identity, reg)
            in_force = reg is not None and reg.state in svc.VALUABLE_STATES
    return render(
        request,
        "valuation.html",
        {
            "v": v,
            "rep": v["report"],
            "sources": SOURCES,
            "comparable_kinds": COMPARABLE_KINDS,
            "can_publish": holder and in_force and not v["published"],
            "can_withdraw": holder and v["published"],
            "error": error,
        },
        status_code=status,
    )


def _publication(
    request: Request, env: Env, data: FormData, number: str, valuation: str, on: bool
) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    change = published.publish if on else published.withdraw
    try:
        change(who, env=env, number=number, valuation_number=valuation, if_match=version_of(data))
    except DomainError as e:
        if e.status == 404:
            raise
        return _report(
            request, env, who, number, valuation, error=failure(request, e), status=e.status
        )
    ref = ("公开估值", "valuation published") if on else ("撤回公开的估值", "valuation withdrawn")
    return flash.redirect(
        request,
        f"/registrations/{number}/valuations/{valuation}",
        ok="recorded",
        ref=ref[1] if lang_of(request) == "en" else ref[0],
    )


@router.post("/registrations/{number}/valuations/{valuation}/publish", response_class=HTMLResponse)
async def valuation_publish(request: Request, env: EnvDep, number: str, valuation: str) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_publication, request, env, data, number, valuation, True)


@router.post(
    "/registrations/{number}/valuations/{valuation}/unpublish", response_class=HTMLResponse
)
async def valuation_unpublish(
    request: Request, env: EnvDep, number: str, valuation: str
) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_publication, request, env, data, number, valuation, False)
