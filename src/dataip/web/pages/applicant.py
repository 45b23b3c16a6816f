"""The applicant's portal (申请人): sign-up with real-name details (实名), my applications
with their statuses, the application form with every R5 item (validated by the API's own
schema, so page and API accept exactly the same), the application's page with its history,
notices and the actions the procedure allows, and the correction reply (补正).

Routes only parse, call the services and render; a DomainError re-renders the form with the
bilingual message and the input kept. Shared helpers (labels, due dates, the record's read
model) are used by the examiner's workbench too."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from dataip.domain.application import (
    ACQUISITION_METHODS,
    COMMITMENT_TEXT_EN,
    COMMITMENT_TEXT_ZH,
    DATA_FORMATS,
    PRACTICAL_VALUES,
    SCENARIOS,
    SOURCE_KINDS,
    UPDATE_FREQUENCIES,
)
from dataip.domain.errors import DomainError
from dataip.domain.events import event_label
from dataip.domain.identifiers import check_resident_id, check_uscc
from dataip.domain.lifecycle import DEADLINE_LABELS, REFUSAL_GROUNDS, AppState
from dataip.services import accounts, applications, blobs, parties, procedure, reference
from dataip.services.context import ANONYMOUS, Env, Identity
from dataip.web.api.accounts import AccountCreate
from dataip.web.api.application_schemas import ActionIn, ApplicantIn, ApplicationForm
from dataip.web.api.parties import PartyCreate
from dataip.web.deps import EnvDep
from dataip.web.pages.account import page_identity
from dataip.web.pages.render import SHANGHAI, day, gettext_for, lang_of, render
from dataip.web.pages.screening_view import by_blob, sample_states
from dataip.web.pages.security import csrf_ok, set_session

router = APIRouter(include_in_schema=False)

HOLDER_ACTIONS = ("submit", "withdraw", "answer_objection")
APPLICANT_ROWS = 5  # lead applicant + up to four joint applicants on the page
MAX_FILES = 20
ENUM_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "scenarios": SCENARIOS,
    "practical_values": PRACTICAL_VALUES,
    "source_kinds": SOURCE_KINDS,
    "acquisition_methods": ACQUISITION_METHODS,
    "data_formats": DATA_FORMATS,
}
TEXT_BLOCKS = {
    "scope": ("coverage", "records", "bytes", "time_span_start", "time_span_end"),
    "update": ("frequency", "term"),
    "evidence": (
        "platform",
        "certificate_number",
        "hash_value",
        "notary_body",
        "notarial_certificate_number",
        "evidenced_on",
        "deposit_number",
        "sample_proof_blob",
    ),
}
TEXTS = (
    "name",
    "industry_code",
    "intellectual_achievement",
    "agreement_end_date",
    "processing_rules",
    "anonymisation",
    "other_notes",
)
BLOB_LISTS = ("sample_blobs", "source_proof_blobs")


class FormInvalid(Exception):
    """Input the page could not even turn into the schema's shape (e.g. a share of 'abc')."""

    def __init__(self, items: list[str]) -> None:
        super().__init__("; ".join(items))
        self.items = items


def failure(request: Request, e: Exception) -> dict[str, Any]:
    """The error box of a re-rendered form: one message and its items, in the page's language."""
    _ = gettext_for(request)
    en = lang_of(request) == "en"
    if isinstance(e, DomainError):
        found: Any = e.details.get("defects") or []
        items = [
            str(d.get("en" if en else "zh") or d.get("zh")) for d in found if isinstance(d, dict)
        ]
        return {"message": e.message_en if en else e.message_zh, "code": e.code, "items": items}
    if isinstance(e, ValidationError):
        items = [
            ".".join(str(x) for x in err["loc"]) + ": " + _in_language(str(err["msg"]), en)
            for err in e.errors()
        ]
        return {"message": _("Some entries are not valid."), "code": "invalid_form", "items": items}
    assert isinstance(e, FormInvalid)
    return {"message": _("Some entries are not valid."), "code": "invalid_form", "items": e.items}


def _in_language(msg: str, en: bool) -> str:
    """Our own schema messages are "中文 / English" (dataip.schemas.text): the page's half."""
    zh, sep, english = msg.partition(" / ")
    return (english if en else zh) if sep else msg


def signed_in(request: Request, env: Env) -> Identity | Response:
    identity = page_identity(request, env)
    if identity.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return identity


def version_of(data: FormData) -> int | None:
    """The version the form was rendered from (If-Match): a stale form is refused."""
    v = data.get("version")
    return int(v) if isinstance(v, str) and v.isdigit() and len(v) < 10 else None


def csrf_refused(request: Request) -> Response:
    return render(request, "error.html", {"code": "csrf"}, status_code=403)


# --- the application's record: shared with the examiner's workbench ----------------------------

ACTION_LABELS: dict[str, tuple[str, str]] = {
    "submit": ("提交申请", "Submit"),
    "accept": ("受理", "Accept"),
    "request_correction": ("发出补正通知", "Request correction"),
    "submit_correction": ("提交补正", "Submit the correction"),
    "refuse": ("不予登记", "Refuse"),
    "publicise": ("公示", "Publicise"),
    "file_objection": ("提出异议", "File an objection"),
    "notify_objection": ("通知登记主体", "Notify the subject"),
    "answer_objection": ("答复异议", "Answer the objection"),
    "decide_objection": ("作出异议决定", "Decide the objection"),
    "record_judgment": ("录入司法裁决", "Record the judgment"),
    "approve": ("核准登记", "Approve"),
    "withdraw": ("撤回申请", "Withdraw"),
}
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("数据知识产权名称", "Name"),
    "industry_code": ("所属行业（GB/T 4754-2017）", "Industry (GB/T 4754-2017)"),
    "scenarios": ("应用场景", "Application scenarios"),
    "practical_values": ("实用价值", "Practical value"),
    "intellectual_achievement": ("智力成果属性", "Intellectual-achievement attributes"),
    "source_kinds": ("数据来源类型", "Data source kinds"),
    "acquisition_methods": ("数据获得方式", "Acquisition methods"),
    "agreement_end_date": ("协议截止日期", "Agreement end date"),
    "processing_rules": ("数据处理规则或算法说明", "Processing rules or algorithm"),
    "anonymisation": ("匿名化、去标识化处理说明", "Anonymisation / de-identification"),
    "scope": ("数据规模和范围", "Scope and scale"),
    "update": ("更新周期", "Update cycle"),
    "evidence": ("存证或公证信息", "Evidence or notarisation"),
    "sample_blobs": ("样例数据", "Sample data"),
    "source_proof_blobs": ("数据来源证明材料", "Source proof documents"),
    "data_formats": ("数据格式", "Data formats"),
    "other_notes": ("其他说明", "Other notes"),
    "commitment_accepted": ("承诺声明", "Commitment statement"),
}


def picker(lang: str) -> Any:
    return lambda pair: pair[1] if lang == "en" else pair[0]


def industry_classes(env: Env) -> list[tuple[str, str]]:
    """Every GB/T 4754 class for the picker."""
    return [(r.code, r.name) for r in reference.industries_at(env=env, level="class")]


def industry_name(env: Env, code: str | None) -> str:
    if not code:
        return ""
    rows = reference.search_industries(env=env, q=code, level="class", limit=5)
    return next((r.name for r in rows if r.code == code), "")


def my_parties(identity: Identity, env: Env) -> list[Any]:
    if identity.is_registry:
        return []
    return parties.list_parties(identity, env=env)


def due(env: Env, lang: str, due_on: date, provisional: bool) -> dict[str, Any]:
    """ "2026年10月10日前（剩余3个工作日）", overdue flagged in words as well as in red."""
    n = env.calendar().working_days_left(env.today(), due_on)
    if lang == "en":
        left = f"overdue by {-n} working days" if n < 0 else f"{n} working days left"
        text = f"by {day(due_on, lang)} ({left})"
    else:
        left = f"已逾期{-n}个工作日" if n < 0 else f"剩余{n}个工作日"
        text = f"{day(due_on, lang)}前（{left}）"
    return {"text": text, "overdue": n < 0, "provisional": provisional}


def _notices_of(identity: Identity, env: Env, app_id: int) -> list[Any]:
    return applications.inbox(identity, env=env, application_id=app_id, limit=500)


def correction_defects(identity: Identity, env: Env, app_id: int) -> list[dict[str, Any]]:
    """The defects of the latest correction notice (补正通知书) served on the caller."""
    notices = [n for n in _notices_of(identity, env, app_id) if n.kind == "correction_notice"]
    if not notices:
        return []
    latest = max(notices, key=lambda n: (n.served_at, n.id))
    return list(latest.body.get("defects") or [])


def _enum_text(block: Any, table: dict[str, tuple[str, str]], pick: Any) -> str:
    if not isinstance(block, dict):
        return ""
    names = [pick(table[v]) if v in table else str(v) for v in block.get("values") or []]
    if block.get("other_text"):
        names.append(str(block["other_text"]))
    return "、".join(names)


def summary(form: dict[str, Any], lang: str, env: Env) -> list[tuple[str, str]]:
    """Every R5 item of a form as label and text, in the order of G§7."""
    pick = picker(lang)
    sep = "; " if lang == "en" else "；"
    values: dict[str, str] = {k: str(form.get(k) or "") for k in TEXTS}
    code = form.get("industry_code")
    values["industry_code"] = f"{code} {industry_name(env, code)}".strip() if code else ""
    for key, table in ENUM_FIELDS.items():
        values[key] = _enum_text(form.get(key), table, pick)
    desc = (form.get("practical_values") or {}).get("description")
    if desc:
        values["practical_values"] += sep + str(desc)
    sc = form.get("scope") or {}
    parts = [str(sc.get("coverage") or "")]
    if sc.get("records") is not None:
        parts.append(f"{sc['records']:,} " + ("records" if lang == "en" else "条"))
    if sc.get("bytes") is not None:
        parts.append(f"{sc['bytes']:,} " + ("bytes" if lang == "en" else "字节"))
    if sc.get("time_span_start") or sc.get("time_span_end"):
        parts.append(f"{sc.get('time_span_start') or ''} – {sc.get('time_span_end') or ''}")
    values["scope"] = sep.join(p for p in parts if p)
    up = form.get("update") or {}
    freq = up.get("frequency")
    values["update"] = sep.join(
        p
        for p in (
            pick(UPDATE_FREQUENCIES[freq]) if freq in UPDATE_FREQUENCIES else "",
            up.get("term") or "",
        )
        if p
    )
    ev = form.get("evidence") or {}
    values["evidence"] = sep.join(
        str(ev[k])
        for k in (
            "platform",
            "certificate_number",
            "hash_value",
            "notary_body",
            "notarial_certificate_number",
            "evidenced_on",
        )
        if ev.get(k)
    )
    for key in BLOB_LISTS:
        n = len(form.get(key) or [])
        values[key] = (f"{n} files" if lang == "en" else f"{n}个文件") if n else ""
    values["commitment_accepted"] = (
        ("signed" if lang == "en" else "已签署") if form.get("commitment_accepted") else ""
    )
    return [(pick(label), values.get(key, "")) for key, label in FIELD_LABELS.items()]


def record(request: Request, env: Env, who: Identity, app_id: int) -> dict[str, Any]:
    """What both the applicant's and the examiner's page show of one application."""
    lang = lang_of(request)
    pick = picker(lang)
    v = applications.view(who, env=env, application_id=app_id)
    a = v.application
    notices = [
        {
            "n": n,
            "title": n.title_en if lang == "en" else n.title_zh,
            "due": due(env, lang, n.due_on, n.provisional) if n.due_on else None,
            "defects": [d.get("en" if lang == "en" else "zh") for d in n.body.get("defects") or []],
            "grounds": [
                pick(REFUSAL_GROUNDS[g])
                for g in n.body.get("grounds") or []
                if g in REFUSAL_GROUNDS
            ],
            "reason": n.body.get("reason"),
        }
        for n in _notices_of(who, env, app_id)
    ]
    history = [
        {
            "at": h["occurred_at"],
            "label": event_label(h["type"], lang),
            "log_index": h["log_index"],
        }
        for h in applications.history(who, env=env, application_id=app_id)
    ]
    return {
        "v": v,
        "a": a,
        "state": pick(applications.state_label(a.state)),
        "deadlines": [
            {
                "label": pick(DEADLINE_LABELS.get(d.kind, (d.kind, d.kind))),
                "party": d.party,
                "due": due(env, lang, d.due_on, d.provisional),
            }
            for d in v.deadlines
        ],
        "notices": notices,
        "history": history,
        "summary": summary(a.form, lang, env) if v.visibility == "full" else [],
        "action_label": lambda action: pick(ACTION_LABELS.get(action, (action, action))),
        "grounds": [(g, pick(p)) for g, p in REFUSAL_GROUNDS.items()],
        "time": lambda iso: _time(iso, lang),
    }


def _time(iso: str, lang: str) -> str:
    at = datetime.fromisoformat(iso).astimezone(SHANGHAI)
    return f"{day(at, lang)} {at:%H:%M}"


# --- parsing the posted form into the schema's shape ----------------------------------------


def _s(data: FormData, key: str) -> str | None:
    v = data.get(key)
    return v.strip() if isinstance(v, str) and v.strip() else None


def _uploads(identity: Identity, env: Env, data: FormData, key: str, store: bool) -> list[str]:
    """Store the files posted under `key` (size-capped by the blob service); their digests."""
    out: list[str] = []
    if not store:
        return out
    for f in data.getlist(key):
        if isinstance(f, UploadFile) and f.filename:
            body = f.file.read(env.max_blob_bytes + 1)
            if body:
                b = blobs.upload(
                    identity,
                    env=env,
                    data=body,
                    filename=f.filename,
                    media_type=f.content_type or "application/octet-stream",
                )
                out.append(b.sha256)
    return out


def raw_form(identity: Identity, env: Env, data: FormData, *, store: bool = True) -> dict[str, Any]:
    """The posted fields as the API's form (nested, strings left for the schema to coerce);
    files are stored first so a re-rendered form keeps them."""
    raw: dict[str, Any] = {k: _s(data, k) for k in TEXTS}
    for key in ENUM_FIELDS:
        raw[key] = {
            "values": [v for v in data.getlist(key) if isinstance(v, str) and v],
            "other_text": _s(data, f"{key}_other"),
        }
    raw["practical_values"]["description"] = _s(data, "practical_values_description")
    for block, keys in TEXT_BLOCKS.items():
        raw[block] = {k: _s(data, f"{block}_{k}") for k in keys}
    proof = _uploads(identity, env, data, "evidence_sample_proof_file", store)
    if proof:
        raw["evidence"]["sample_proof_blob"] = proof[0]
    for key in BLOB_LISTS:
        kept = [v for v in data.getlist(key) if isinstance(v, str) and v]
        raw[key] = list(dict.fromkeys(kept + _uploads(identity, env, data, f"{key}_files", store)))
    raw["commitment_accepted"] = data.get("commitment_accepted") == "yes"
    return raw


def _prune(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            v = {a: b for a, b in v.items() if b not in (None, [])}
            if not v:
                continue
        if v is not None:
            out[k] = v
    return out


def validated_form(raw: dict[str, Any]) -> dict[str, Any]:
    """The same schema the API validates its body with."""
    return ApplicationForm.model_validate(_prune(raw)).as_form()


def raw_applicants(data: FormData) -> list[dict[str, Any]]:
    return [
        {
            "party": _s(data, f"applicant_party_{i}") or "",
            "share": _s(data, f"applicant_share_{i}") or "",
            "bounds": _s(data, f"applicant_bounds_{i}") or "",
            "name": None,
            "awaiting": False,
        }
        for i in range(APPLICANT_ROWS)
    ]


def _named(position: int, value: str, shown: list[dict[str, Any]]) -> dict[str, Any]:
    """How a row names its party (services/party_refs): the lead by the subject picked from
    one's own; a joint applicant by its credit code or resident ID number — or, when the row
    still shows what the page showed for the applicant already there (a resident ID masked),
    that applicant."""
    if position == 0 and value.isdigit() and len(value) <= 10:
        return {"party_id": int(value)}
    before = shown[position] if position < len(shown) else None
    if before and before.get("party_id") and value == (before.get("id_number") or ""):
        return {"party_id": before["party_id"]}
    return {"id_number": value}


def validated_applicants(
    request: Request, rows: list[dict[str, Any]], shown: list[dict[str, Any]] | None = None
) -> list[Any]:
    """The rows as the API's applicants; `shown` are the draft's applicants as the page
    showed them."""
    _ = gettext_for(request)
    out, problems = [], []
    filled = [r for r in rows if r["party"] or r["share"] or r["bounds"]]
    for n, r in enumerate(filled, start=1):
        share = r["share"] or ("100" if len(filled) == 1 else "")
        try:
            bp = Decimal(share) * 100
        except InvalidOperation:
            bp = Decimal("NaN")
        if not bp.is_finite() or bp != bp.to_integral_value():
            problems.append(
                _("Applicant %(n)d: the share is a percentage such as 50 or 33.33") % {"n": n}
            )
            continue
        if not r["party"]:
            problems.append(
                _("Applicant %(n)d: give the credit code or resident ID number") % {"n": n}
            )
            continue
        named = _named(n - 1, r["party"], shown or [])
        out.append({**named, "share_bp": int(bp), "rights_bounds": r["bounds"]})
    if problems:
        raise FormInvalid(problems)
    return [applications.ApplicantIn(**ApplicantIn.model_validate(x).model_dump()) for x in out]


# --- what the form template needs ------------------------------------------------------------


def form_values(form: dict[str, Any]) -> dict[str, Any]:
    """A stored (or posted) form flattened to the page's field names."""
    v: dict[str, Any] = {k: form.get(k) or "" for k in TEXTS}
    for key in ENUM_FIELDS:
        block = form.get(key) or {}
        v[key] = list(block.get("values") or [])
        v[f"{key}_other"] = block.get("other_text") or ""
    v["practical_values_description"] = (form.get("practical_values") or {}).get(
        "description"
    ) or ""
    for block, keys in TEXT_BLOCKS.items():
        b = form.get(block) or {}
        for k in keys:
            v[f"{block}_{k}"] = b.get(k) if b.get(k) is not None else ""
    for key in BLOB_LISTS:
        v[key] = list(form.get(key) or [])
    v["commitment_accepted"] = bool(form.get("commitment_accepted"))
    return v


def applicant_rows(applicants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft's applicants as the form's rows: the lead by its subject, the others by the
    number the filer gave (a resident ID masked), with the name once they have consented."""
    rows = [
        {
            "party": str(a["party_id"] or "") if pos == 0 else (a.get("id_number") or ""),
            "share": f"{Decimal(a['share_bp']) / 100:g}",
            "bounds": a.get("rights_bounds") or "",
            "name": a.get("name") if a.get("consented") else None,
            "awaiting": not a.get("consented"),
        }
        for pos, a in enumerate(applicants)
    ]
    empty = {"party": "", "share": "", "bounds": "", "name": None, "awaiting": False}
    return rows + [empty] * (APPLICANT_ROWS - len(rows))


def form_context(request: Request, env: Env, identity: Identity) -> dict[str, Any]:
    lang = lang_of(request)
    pick = picker(lang)
    return {
        "enums": {k: [(c, pick(p)) for c, p in e.items()] for k, e in ENUM_FIELDS.items()},
        "frequencies": [(c, pick(p)) for c, p in UPDATE_FREQUENCIES.items()],
        "industries": industry_classes(env),
        "my_parties": my_parties(identity, env),
        "max_mb": env.max_blob_bytes // (1024 * 1024),
        "commitment": COMMITMENT_TEXT_EN if lang == "en" else COMMITMENT_TEXT_ZH,
        "rows": range(APPLICANT_ROWS),
    }


# --- pages ------------------------------------------------------------------------------------


@router.get("/applications", response_class=HTMLResponse)
def my_applications(request: Request, env: EnvDep) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    items = applications.list_for(who, env=env, limit=200)
    pick = picker(lang_of(request))
    rows = [
        {"a": a, "state": pick(applications.state_label(a.state))}
        for a in sorted(items, key=lambda a: a.id, reverse=True)
    ]
    return render(
        request,
        "app_list.html",
        {
            "rows": rows,
            "identity": who,
            "parties": my_parties(who, env),
            "welcome": request.query_params.get("welcome") == "1",
        },
    )


def _render_form(
    request: Request,
    env: Env,
    identity: Identity,
    *,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    app: Any = None,
    error: dict[str, Any] | None = None,
    defects: list[dict[str, Any]] | None = None,
    note: str = "",
    status: int = 200,
    checks: dict[str, Any] | None = None,
) -> Response:
    ctx = form_context(request, env, identity)
    ctx |= {"v": values, "applicants": rows, "app": app, "error": error, "note": note}
    ctx["screening"] = by_blob(sample_states(checks, lang_of(request)))  # issue 18
    ctx["defects"] = defects or []
    return render(request, "app_form.html", ctx, status_code=status)


@router.get("/applications/new", response_class=HTMLResponse)
def new_form(request: Request, env: EnvDep) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    rows = applicant_rows([])
    parties = my_parties(who, env)
    if parties:
        rows[0] = {**rows[0], "party": str(parties[0].id), "share": "100"}
    return _render_form(request, env, who, values=form_values({}), rows=rows)


@router.post("/applications/new", response_class=HTMLResponse)
async def new_submit(request: Request, env: EnvDep) -> Response:
    data = await request.form(max_files=3 * MAX_FILES + 1)
    return await run_in_threadpool(_save, request, env, data, None)


@router.get("/applications/{application_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, env: EnvDep, application_id: int) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    v = applications.view(who, env=env, application_id=application_id)
    if v.visibility != "full":
        raise applications.not_found()
    if v.application.filer_user_id != who.user_id:
        raise applications.not_the_filer()
    return _render_form(
        request,
        env,
        who,
        values=form_values(v.application.form),
        rows=applicant_rows(v.applicants),
        app=v.application,
        defects=correction_defects(who, env, v.application.id),
        checks=v.checks,
    )


@router.post("/applications/{application_id}/edit", response_class=HTMLResponse)
async def edit_submit(request: Request, env: EnvDep, application_id: int) -> Response:
    data = await request.form(max_files=3 * MAX_FILES + 1)
    return await run_in_threadpool(_save, request, env, data, application_id)


def _save(request: Request, env: Env, data: FormData, app_id: int | None) -> Response:
    """Save a draft (or a correction), then submit it if asked; on any refusal the form comes
    back with the message and everything typed (uploads included)."""
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    op = _s(data, "op") or "save"
    version = version_of(data)
    rows, note = raw_applicants(data), _s(data, "note") or ""
    current = applications.view(who, env=env, application_id=app_id) if app_id else None
    correcting = current is not None and current.application.state == "awaiting_correction"
    raw = raw_form(who, env, data, store=False)  # what was typed, kept if an upload fails
    try:
        raw = raw_form(who, env, data)
        form = validated_form(raw)
        if app_id is None:
            a = applications.create_draft(
                who, env=env, form=form, applicants=validated_applicants(request, rows)
            )
            app_id, version = a.id, a.version
        else:
            a = applications.update_draft(
                who,
                env=env,
                application_id=app_id,
                if_match=version,
                form=form,
                applicants=None
                if correcting
                else validated_applicants(request, rows, current.applicants if current else None),
            )
            version = a.version
        if op == "submit":
            action = "submit_correction" if correcting else "submit"
            payload = {"note": note} if correcting and note else {}
            procedure.perform(
                who,
                env=env,
                application_id=app_id,
                action=action,
                if_match=version,
                payload=ActionIn.model_validate(payload).model_dump(exclude_none=True),
            )
    except (DomainError, ValidationError, FormInvalid) as e:
        saved = applications.view(who, env=env, application_id=app_id) if app_id else None
        app = saved.application if saved else None
        return _render_form(
            request,
            env,
            who,
            values=form_values(raw),
            rows=[*rows]
            if not correcting or current is None
            else applicant_rows(current.applicants),
            app=app,
            error=failure(request, e),
            defects=correction_defects(who, env, app_id) if app_id else [],
            note=note,
            status=e.status if isinstance(e, DomainError) else 422,
            checks=saved.checks if saved else None,
        )
    return RedirectResponse(f"/applications/{app_id}", status_code=303)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(request: Request, env: EnvDep, application_id: int) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    return _detail(request, env, who, application_id)


def _detail(
    request: Request,
    env: Env,
    who: Identity,
    application_id: int,
    *,
    error: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rec = record(request, env, who, application_id)
    if rec["v"].visibility != "full":
        # an objector's notices link here too: the public see the publicity notice instead
        return RedirectResponse(f"/publicity/{application_id}", status_code=303)
    rec["actions"] = [a for a in rec["v"].allowed_actions if a in HOLDER_ACTIONS]
    rec["can_edit"] = (
        AppState(rec["v"].application.state) in applications.EDITABLE_STATES
        and rec["v"].application.filer_user_id == who.user_id  # the filer's alone (issue 18)
    )
    rec |= {
        "error": error,
        "typed": typed or {},
        "consent": applications.consent_awaited(who, env=env, view=rec["v"]),
        "samples": sample_states(rec["v"].checks, lang_of(request)),
    }
    return render(request, "app_detail.html", rec, status_code=status)


@router.post("/applications/{application_id}/actions/{action}", response_class=HTMLResponse)
async def holder_action(
    request: Request, env: EnvDep, application_id: int, action: str
) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_act, request, env, data, application_id, action)


def _act(request: Request, env: Env, data: FormData, app_id: int, action: str) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    typed = {k: _s(data, k) or "" for k in ("reason", "statement")}
    try:
        if action not in HOLDER_ACTIONS:
            raise DomainError(
                "forbidden_action", "您无权执行此操作", f"you may not {action} here", status=403
            )
        payload = ActionIn.model_validate({k: v for k, v in typed.items() if v})
        procedure.perform(
            who,
            env=env,
            application_id=app_id,
            action=action,
            if_match=version_of(data),
            payload=payload.model_dump(mode="json", exclude_none=True),
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _detail(
            request, env, who, app_id, error=failure(request, e), typed=typed, status=status
        )
    return RedirectResponse(f"/applications/{app_id}", status_code=303)


# --- sign-up with real-name details (实名注册) -----------------------------------------------

PARTY_KIND_LABELS: dict[str, tuple[str, str]] = {
    "legal_person": ("法人", "Legal person"),
    "unincorporated": ("非法人组织", "Unincorporated organisation"),
    "natural_person": ("自然人", "Natural person"),
}
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "business_licence": ("营业执照核验", "Business licence"),
    "id_document": ("身份证件核验", "Identity document"),
    "bank_account": ("对公账户打款核验", "Corporate bank account"),
    "face_recognition": ("人脸识别", "Face recognition"),
    "in_person": ("现场核验", "In person"),
}
SIGNUP_FIELDS = (
    "username",
    "display_name",
    "email",
    "role",
    "party_kind",
    "party_name",
    "party_id_number",
    "party_address",
    "verification_method",
)


def _signup_page(
    request: Request, env: Env, typed: dict[str, str], error: dict[str, Any] | None, status: int
) -> Response:
    pick = picker(lang_of(request))
    return render(
        request,
        "signup.html",
        {
            "t": typed,
            "error": error,
            "kinds": [(k, pick(p)) for k, p in PARTY_KIND_LABELS.items()],
            "methods": [(k, pick(p)) for k, p in METHOD_LABELS.items()],
            "max_mb": env.max_blob_bytes // (1024 * 1024),
        },
        status_code=status,
    )


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, env: EnvDep) -> Response:
    typed = dict.fromkeys(SIGNUP_FIELDS, "") | {"role": "applicant", "party_kind": "legal_person"}
    return _signup_page(request, env, typed, None, 200)


@router.post("/signup", response_class=HTMLResponse)
async def signup_submit(request: Request, env: EnvDep) -> Response:
    data = await request.form(max_files=1)
    return await run_in_threadpool(_signup, request, env, data)


def _precheck_party(request: Request, env: Env, t: dict[str, str], evidence: bytes) -> None:
    """Real-name details are checked before the account exists, so a typo in the credit code
    leaves no half-made account behind (the party service checks them again)."""
    _ = gettext_for(request)
    problems = []
    if t["party_kind"] not in PARTY_KIND_LABELS:
        problems.append(_("Choose the kind of subject."))
    if not t["party_name"] or not t["party_address"]:
        problems.append(_("Give the subject's name and address."))
    if t["verification_method"] not in METHOD_LABELS:
        problems.append(_("Choose how your real name is verified."))
    if not evidence:
        problems.append(_("Upload the verification document."))
    elif len(evidence) > env.max_blob_bytes:
        problems.append(_("The file is larger than the limit."))
    if problems:
        raise FormInvalid(problems)
    if t["party_kind"] == "natural_person":
        check_resident_id(t["party_id_number"], today=env.today())
    else:
        check_uscc(t["party_id_number"])


def _signup_schemas(t: dict[str, str], password: str) -> None:
    """The account and its subject as `POST /accounts` and `POST /parties` take them."""
    AccountCreate.model_validate(
        {
            "username": t["username"],
            "password": password,
            "display_name": t["display_name"],
            "role": t["role"] or "applicant",
            "email": t["email"] or None,
        }
    )
    PartyCreate.model_validate(
        {
            "kind": t["party_kind"],
            "name": t["party_name"],
            "id_number": t["party_id_number"],
            "address": t["party_address"],
        }
    )


def _signup(request: Request, env: Env, data: FormData) -> Response:
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    _ = gettext_for(request)
    t = {k: _s(data, k) or "" for k in SIGNUP_FIELDS}
    password = data.get("password")
    password = password if isinstance(password, str) else ""
    upload = data.get("verification_file")
    evidence = b""
    if isinstance(upload, UploadFile) and upload.filename:
        evidence = upload.file.read(env.max_blob_bytes + 1)
    try:
        if password != data.get("password_again"):
            raise FormInvalid([_("The two passwords differ.")])
        _precheck_party(request, env, t, evidence)
        _signup_schemas(t, password)  # the API's own schemas: what it refuses, this refuses
        accounts.sign_up(
            ANONYMOUS,
            env=env,
            username=t["username"],
            password=password,
            display_name=t["display_name"],
            role=t["role"] or "applicant",
            email=t["email"] or None,
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _signup_page(request, env, t, failure(request, e), status)
    issued = accounts.login(
        env=env,
        username=t["username"],
        password=password,
        client=request.client.host if request.client else None,
        ttl_hours=12,
    )
    who = accounts.authenticate(env=env, token=issued.token)
    error = None
    try:
        party = parties.create_party(
            who,
            env=env,
            kind=t["party_kind"],
            name=t["party_name"],
            id_number=t["party_id_number"],
            address=t["party_address"],
        )
        assert isinstance(upload, UploadFile)
        blob = blobs.upload(
            who,
            env=env,
            data=evidence,
            filename=upload.filename or "verification",
            media_type=upload.content_type or "application/octet-stream",
        )
        parties.request_verification(
            who,
            env=env,
            party_id=party.id,
            method=t["verification_method"],
            evidence_blob=blob.sha256,
        )
    except DomainError as e:  # the account exists by now: sign in and say what is missing
        error = failure(request, e)
    if error is None:
        response: Response = RedirectResponse("/applications?welcome=1", status_code=303)
    else:
        request.state.page_user = who
        response = render(
            request,
            "app_list.html",
            {"rows": [], "identity": who, "error": error, "parties": my_parties(who, env)},
            status_code=422,
        )
    set_session(request, response, issued.token, 12 * 3600)
    return response
