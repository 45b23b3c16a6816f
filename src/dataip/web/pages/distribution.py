"""Derivation and benefit distribution on the portal (issue 23 §1–§2).

The registration's page gets a panel (`panel`, drawn by `_derivation.html`): a small
server-drawn SVG of the derivation graph (numbers and weights, pending links dashed and
labelled — never colour alone), the sources as a table, and the forms that would succeed —
the holder declares a source and records an income, the upstream holder (the registry, for a
source not registered here) confirms or disputes a declaration. A distribution has a page with
every beneficiary's share and path; a statement has a page and a PDF. Routes only read, call
a service and render.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData

from dataip.distribution import STAGES
from dataip.domain.errors import DomainError
from dataip.services import ledger
from dataip.services.after_registration.roles import is_holder
from dataip.services.context import Env, Identity
from dataip.services.distribution import incomes, sources
from dataip.services.distribution.incomes import FILING_AMOUNTS
from dataip.web.api.distribution import (
    DistributionCreate,
    SourceCreate,
    SourceDispute,
    statement_with_receipt,
)
from dataip.web.deps import EnvDep
from dataip.web.numbers import NUMBER
from dataip.web.pages import flash
from dataip.web.pages.forms import csrf_refused, handled, signed_in
from dataip.web.pages.render import lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)

STAGE_LABELS: dict[str, tuple[str, str]] = {  # JS23§14
    "collection": ("采集", "collection"),
    "processing": ("加工", "processing"),
    "circulation": ("流通", "circulation"),
    "application": ("应用", "application"),
}
STATE_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待确认", "awaiting confirmation"),
    "confirmed": ("已确认", "confirmed"),
    "disputed": ("有异议", "disputed"),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "registration": ("本机构登记", "registration here"),
    "foreign": ("其他登记机构的登记", "registration at another registry"),
    "external": ("外部来源", "external source"),
    "holder": ("持有人", "holder"),
}
TITLES = {
    "declare": ("声明数据来源", "Declare an upstream source"),
    "confirm": ("确认数据来源", "Confirm the source"),
    "dispute": ("对数据来源提出异议", "Dispute the source"),
    "distribute": ("记录收入并分配", "Record an income and distribute it"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def percent(bp: int) -> str:
    return f"{bp / 100:g}%"


def yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:,.2f}"


def share_percent(share: str) -> str:
    """An exact fraction `n/d` as a percentage to two decimals (the fraction is shown too)."""
    n, _, d = share.partition("/")
    return f"{int(n) * 100 / int(d):.2f}%"


# --- the diagram ----------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y, FONT = 190, 46, 70, 18, 12


def _fit(text: str, room: int = BOX_W - 16) -> str:
    """The text cut to the box (a wide character ~FONT px, a narrow one ~0.6 of it), with …."""
    used = 0.0
    for i, ch in enumerate(text):
        used += FONT if ord(ch) > 0x2E7F else FONT * 0.6
        if used > room:
            return text[: max(i - 1, 0)] + "…"
    return text


def diagram(graph: dict[str, Any], lang: str) -> Markup | None:
    """The graph as an SVG: this registration in the first column (those derived from it to
    its left), each column further right one step further upstream. Confirmed links solid,
    pending ones dashed and marked, weights on the arrows."""
    edges = graph["edges"]
    if not edges:
        return None
    me = graph["registration_number"]
    depth: dict[str, int] = {me: 1}
    for e in edges:
        if e["upstream"] == me:
            depth[e["downstream"]] = 0
    changed = True
    while changed:  # longest distance upstream, over an acyclic graph
        changed = False
        for e in edges:
            d = depth.get(e["downstream"])
            if d is not None and d >= 1 and depth.get(e["upstream"], -1) < d + 1:
                depth[e["upstream"]] = d + 1
                changed = True
    columns: dict[int, list[str]] = {}
    for key in sorted(depth):
        columns.setdefault(depth[key], []).append(key)
    first = min(columns)
    pos: dict[str, tuple[int, int]] = {}
    for col, keys in columns.items():
        for row, key in enumerate(keys):
            pos[key] = ((col - first) * (BOX_W + GAP_X) + 4, row * (BOX_H + GAP_Y) + 4)
    width = max(x for x, _ in pos.values()) + BOX_W + 8
    height = max(y for _, y in pos.values()) + BOX_H + 8
    nodes = {n["key"]: n for n in graph["nodes"]}
    title = "数据来源关系图" if lang != "en" else "Derivation graph"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="{FONT}">'
        f"<title>{escape(title)}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>'
    ]
    pending = "待确认" if lang != "en" else "pending"
    for e in edges:
        if e["downstream"] not in pos or e["upstream"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["downstream"]], pos[e["upstream"]]
        ax, ay, bx, by = x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2
        dash = ' stroke-dasharray="5 4"' if e["state"] != "confirmed" else ""
        label = percent(e["weight_bp"]) + ("" if e["state"] == "confirmed" else f" {pending}")
        out.append(
            f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" stroke="#333" stroke-width="1.5"'
            f'{dash} marker-end="url(#arrow)"/>'
            f'<text x="{ax + (bx - ax) * 0.55}" y="{ay + (by - ay) * 0.55 - 5}" '
            'text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for key, (x, y) in pos.items():
        n = nodes.get(key, {})
        strong = ' stroke-width="2.5"' if key == me else ""
        name = _fit(n.get("name") or _pick(KIND_LABELS.get(n.get("kind", ""), ("", "")), lang))
        shown = key
        out.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="#fff" '
            f'stroke="#1f5fa8"{strong}/>'
            f'<text x="{x + 8}" y="{y + 18}" font-family="monospace">{escape(shown)}</text>'
            f'<text x="{x + 8}" y="{y + 36}">{escape(name)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


# --- the panel on the registration's page -------------------------------------------------


def _row(s: dict[str, Any], lang: str) -> dict[str, Any]:
    return s | {
        "weight": percent(s["weight_bp"]),
        "stage_label": _pick(STAGE_LABELS[s["stage"]], lang),
        "state_label": _pick(STATE_LABELS[s["state"]], lang),
        "kind_label": _pick(KIND_LABELS[s["upstream_kind"]], lang),
    }


def panel(identity: Identity, env: Env, number: str, lang: str) -> dict[str, Any]:
    """What `_derivation.html` draws for this visitor."""
    listed = sources.sources(identity, env=env, number=number)
    graph = sources.graph(env=env, number=number)
    with env.read() as uow:
        reg = sources.registration(uow, number)
        holder = is_holder(uow, identity, reg)
        filings = [
            f
            for f in uow.filings.for_registration(reg.id)
            if f.kind in FILING_AMOUNTS
            and isinstance(f.details.get(FILING_AMOUNTS[f.kind]), int)
            and f.details.get(FILING_AMOUNTS[f.kind]) > 0
            and uow.distribution.by_filing(f.id) is None
        ]
        # declarations naming this registration, that this visitor may answer
        to_answer = [s for s in listed["derived"] if s["state"] == "pending"] if holder else []
    if identity.is_registry:  # a source not registered here: the registry answers
        to_answer += [
            s
            for s in listed["sources"]
            if s["state"] == "pending" and s["upstream_kind"] != "registration"
        ]
    in_force = reg.state == sources.IN_FORCE
    return {
        "svg": diagram(graph, lang),
        "sources": [_row(s, lang) for s in listed["sources"]],
        "derived": [_row(s, lang) for s in listed["derived"]],
        "to_answer": [_row(s, lang) for s in to_answer],
        "can_declare": holder and in_force,
        "can_distribute": holder,
        "filings": [
            (f.number, f"{f.number} · {yuan(f.details[FILING_AMOUNTS[f.kind]])}") for f in filings
        ],
        "stages": [(s, _pick(STAGE_LABELS[s], lang)) for s in STAGES],
        "distributions": incomes.of_registration(env=env, number=number),
        "titles": {k: _pick(v, lang) for k, v in TITLES.items()},
    }


# --- the forms ------------------------------------------------------------------------------


# the forms' labels, by the schema's field (the error box names fields by them)
LABELS = {
    "kind": "Kind of source",
    "number": "Registration number (a registration here or at another registry)",
    "agency_code": "Registry code (another registry only)",
    "name": "Name of the external source",
    "weight_bp": "Contribution weight (%)",
    "stage": "Stage",
    "reason": "Reason for the dispute",
    "income_fen": "Amount (yuan)",
    "filing_number": "From a filing",
}


def _refused(request: Request, env: Env, number: str, e: DomainError | ValidationError) -> Response:
    from dataip.web.pages.holder import registration_refused  # holder imports this module

    return registration_refused(request, env, number, e, LABELS)


def _posted(request: Request, env: Env, data: FormData) -> Identity | Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    return who


def _text(data: FormData, name: str) -> str:
    raw = data.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _bad_form(zh: str, en: str) -> DomainError:
    return DomainError("invalid_form", zh, en, status=422)


def _weight(value: str) -> int:
    try:
        bp = round(float(value) * 100)
    except ValueError:
        raise _bad_form("贡献权重须为百分比，如 30", "weight: a percentage such as 30") from None
    if not 0 < bp <= 10_000 or abs(float(value) * 100 - bp) > 1e-6:
        raise _bad_form(
            "贡献权重须为 0.01–100 之间的百分比", "weight: a percentage from 0.01 to 100"
        )
    return bp


def _fen(value: str) -> int:
    try:
        whole, _, cents = value.replace(",", "").partition(".")
        if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
            raise ValueError
        return int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    except ValueError:
        raise _bad_form("金额须为元，如 1200.50", "amount: yuan such as 1200.50") from None


@router.post("/registrations/{number}/sources", response_class=HTMLResponse)
async def declare(request: Request, env: EnvDep, number: str) -> Response:
    return await handled(request, env, _declare, number)


def _declare(request: Request, env: Env, data: FormData, number: str) -> Response:
    who = _posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        # the API's own schema: the same refusals (control characters, formats, ranges)
        body = SourceCreate.model_validate(
            {
                "kind": _text(data, "kind"),
                "number": _text(data, "number") or None,
                "agency_code": _text(data, "agency_code") or None,
                "name": _text(data, "name") or None,
                "weight_bp": _weight(_text(data, "weight")),
                "stage": _text(data, "stage"),
            }
        )
        up = sources.Upstream(
            kind=body.kind, number=body.number, agency_code=body.agency_code, name=body.name
        )
        sources.declare(
            who, env=env, number=number, upstream=up, weight_bp=body.weight_bp, stage=body.stage
        )
    except (DomainError, ValidationError) as e:
        return _refused(request, env, number, e)
    ref = _pick(TITLES["declare"], lang_of(request))
    return flash.redirect(request, f"/registrations/{number}#derivation", ok="recorded", ref=ref)


@router.post("/registrations/{number}/sources/{link_id}/{answer}", response_class=HTMLResponse)
async def answer(request: Request, env: EnvDep, number: str, link_id: int, answer: str) -> Response:
    return await handled(request, env, _answer, number, link_id, answer)


def _answer(
    request: Request, env: Env, data: FormData, number: str, link_id: int, answer: str
) -> Response:
    who = _posted(request, env, data)
    if isinstance(who, Response):
        return who
    back = _text(data, "back")
    if not re.fullmatch(NUMBER, back):
        back = number  # where the form came from: a registration's page, else the declaring one
    try:
        if answer == "confirm":
            sources.confirm(who, env=env, number=number, link_id=link_id)
        elif answer == "dispute":
            body = SourceDispute.model_validate({"reason": _text(data, "reason")})
            sources.dispute(who, env=env, number=number, link_id=link_id, reason=body.reason)
        else:
            raise DomainError("not_found", "页面不存在", "not found", status=404)
    except (DomainError, ValidationError) as e:
        return _refused(request, env, back, e)
    ref = _pick(TITLES["confirm" if answer == "confirm" else "dispute"], lang_of(request))
    return flash.redirect(request, f"/registrations/{back}#derivation", ok="recorded", ref=ref)


@router.post("/registrations/{number}/distributions", response_class=HTMLResponse)
async def distribute(request: Request, env: EnvDep, number: str) -> Response:
    return await handled(request, env, _distribute, number)


def _distribute(request: Request, env: Env, data: FormData, number: str) -> Response:
    who = _posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        filing = _text(data, "filing_number") or None
        amount = _text(data, "income")
        body = DistributionCreate.model_validate(
            {"income_fen": _fen(amount) if amount else None, "filing_number": filing}
        )
        row = incomes.record(
            who,
            env=env,
            number=number,
            income_fen=body.income_fen,
            filing_number=body.filing_number,
        )
    except (DomainError, ValidationError) as e:
        return _refused(request, env, number, e)
    ref = _pick(TITLES["distribute"], lang_of(request))
    return flash.redirect(
        request, f"/registrations/{number}/distributions/{row.id}", ok="recorded", ref=ref
    )


# --- the distribution and statement pages -------------------------------------------------


def _flows(flows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f | {"percent": share_percent(f["share"])} for f in flows]


@router.get("/registrations/{number}/distributions/{distribution_id}", response_class=HTMLResponse)
def distribution_page(request: Request, env: EnvDep, number: str, distribution_id: int) -> Response:
    from dataip.web.pages.account import page_identity

    identity = page_identity(request, env)
    lang = lang_of(request)
    d = incomes.get(identity, env=env, number=number, distribution_id=distribution_id)
    d["log_index"] = ledger.index_of_event(env, d["event_id"]) if d["event_id"] else None
    parts = [
        p
        | {
            "percent": share_percent(p["share"]),
            "kind_label": _pick(KIND_LABELS[p["kind"]], lang),
            "flows": _flows(p["flows"]),
        }
        for p in d["parts"]
    ]
    return render(
        request,
        "distribution.html",
        {"d": d, "parts": parts, "yuan": yuan, "retention": percent(d["retention_bp"])},
    )


@router.get(
    "/registrations/{number}/distributions/{distribution_id}/statements/{beneficiary}",
    response_class=HTMLResponse,
)
def statement_page(
    request: Request, env: EnvDep, number: str, distribution_id: int, beneficiary: str
) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    lang = lang_of(request)
    s = statement_with_receipt(request, env, who, number, distribution_id, beneficiary)
    return render(
        request,
        "statement.html",
        {
            "s": s,
            "yuan": yuan,
            "percent": share_percent(s["share"]),
            "flows": _flows(s["flows"]),
            "kind_label": _pick(KIND_LABELS[s["kind"]], lang),
            "retention": percent(s["retention_bp"]),
        },
    )


@router.get(
    "/registrations/{number}/distributions/{distribution_id}/statements/{beneficiary}/statement.pdf"
)
def statement_pdf_page(
    request: Request, env: EnvDep, number: str, distribution_id: int, beneficiary: str
) -> Response:
    from dataip.web.pages.distribution_pdf import statement_pdf

    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    s = statement_with_receipt(request, env, who, number, distribution_id, beneficiary)
    return Response(
        statement_pdf(s, lang=lang_of(request)),
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="statement-{number}-{distribution_id}-{s["position"]}.pdf"'
            )
        },
    )
