"""The examiner's workbench (审查工作台): the queue by statutory due date, real-name
verifications waiting, and one application with its checks, a defects checklist that makes
ONE consolidated correction notice (一次性告知, G§12), refusal with its G§13 grounds,
publicity, objections and their decisions, and approval — buttons only for what
`allowed_actions` says the registry may do now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import DEADLINE_LABELS
from dataip.services import applications, blobs, due_states, examination, files, parties, procedure
from dataip.services.context import Env, Identity
from dataip.services.procedure.announcement_date import ANNOUNCE_WITHIN_DAYS
from dataip.web.api.application_schemas import ActionIn
from dataip.web.api.parties import Decision
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages import procedural_requests as requests_ui
from dataip.web.pages.applicant import (
    METHOD_LABELS,
    csrf_refused,
    failure,
    picker,
    record,
    signed_in,
    version_of,
)
from dataip.web.pages.application_record import ACTION_LABELS
from dataip.web.pages.due_text import due_text
from dataip.web.pages.labels import OBJECTION_OUTCOMES, label
from dataip.web.pages.labels import pick as pick_pair
from dataip.web.pages.render import SHANGHAI, day, lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)

REGISTRY_ACTIONS = (
    "accept",
    "request_correction",
    "publicise",
    "refuse",
    "notify_objection",
    "decide_objection",
    "record_judgment",
    "approve",
    *requests_ui.REGISTRY_DECISIONS,
)
# The examiner's standard checklist (审查要点): one line per G§7 item, in both languages as
# the notice carries them; detected defects are offered above these, already ticked.
CHECKLIST: dict[str, tuple[str, str]] = {
    "name": (
        "名称不符合“主要应用场景+数据集合”格式",
        "the name does not read 'scenario + data collection'",
    ),
    "industry_code": (
        "所属行业小类不准确，请按GB/T 4754-2017重新选择",
        "the GB/T 4754-2017 class is inaccurate",
    ),
    "scenarios": ("应用场景描述不清", "the application scenarios are unclear"),
    "practical_values": ("实用价值说明不充分", "the practical value is insufficiently described"),
    "intellectual_achievement": (
        "智力成果属性说明不充分",
        "the intellectual-achievement attributes are insufficient",
    ),
    "source_kinds": (
        "数据来源说明不清或缺少来源证明材料",
        "the data source is unclear or unproven",
    ),
    "processing_rules": (
        "数据处理规则或算法说明不充分",
        "the processing rules or algorithm are insufficiently described",
    ),
    "anonymisation": (
        "未充分说明匿名化、去标识化处理情况",
        "the anonymisation applied is not explained",
    ),
    "scope": ("数据规模和范围不明确", "the scope and scale are unclear"),
    "update": ("更新周期不明确", "the update cycle is unclear"),
    "evidence": (
        "存证或公证信息不完整或无法核验",
        "the evidence or notarisation is incomplete or unverifiable",
    ),
    "sample_blobs": (
        "样例数据不符合要求（如含未脱敏个人信息）",
        "the sample data do not conform (e.g. personal data not de-identified)",
    ),
    "data_formats": ("数据格式不明确", "the data format is unclear"),
}
OUTCOMES = OBJECTION_OUTCOMES


def _registry(request: Request, env: Env) -> Identity | Response:
    who = signed_in(request, env)
    if isinstance(who, Identity) and not who.is_registry:
        raise DomainError("forbidden", "仅登记机构工作人员可用", "registry staff only", status=403)
    return who


@router.get("/workbench", response_class=HTMLResponse)
def workbench(request: Request, env: EnvDep) -> Response:
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    lang = lang_of(request)
    pick = picker(lang)
    queue = [
        {
            "i": i,
            "state": pick(applications.state_label(i.application.state)),
            "due": due_text(env, lang, due_states.of_deadline(i.deadline)),
            "task": pick(DEADLINE_LABELS.get(i.task, (i.task,) * 2)),
            "key": (not i.application.fast_track, i.deadline.due_on, 0, i.deadline.id),
        }
        for i in examination.queue(who, env=env)
    ]
    queue = merged_queue(queue, request_rows(who, env, lang))
    recent = [
        {"a": a, "state": pick(applications.state_label(a.state))}
        for a in sorted(applications.list_for(who, env=env, limit=200), key=lambda a: -a.id)
        if a.state != "draft"
    ][:50]
    pending = [
        {"p": p, "method": pick(METHOD_LABELS.get(p.verification_method or "", ("", "")))}
        for p in parties.list_parties(who, env=env)
    ]
    return render(
        request,
        "exam_workbench.html",
        {"queue": queue, "recent": recent, "pending": pending, "error": None},
    )


# What the registry does with a request after registration (issue 19 §4), as the queue's task.
REQUEST_TASKS: dict[str, tuple[str, str]] = {
    "change": ("审查变更申请", "examine the change request"),
    "transfer": ("审查转让申请", "examine the transfer request"),
    "cancellation": ("审查注销申请", "examine the cancellation request"),
    "revocation": ("审查撤销申请", "examine the revocation request"),
    "re_examination": ("作出复审决定", "decide the re-examination"),
}


def request_rows(who: Identity, env: Env, lang: str) -> list[dict[str, Any]]:
    """The requests after registration awaiting the registry (change, transfer, cancellation,
    revocation, re-examination; G§20–G§24), as rows of the workbench's queue. The measures
    set them no period (及时): each is due from the day it reached the registry, and the row
    says how many working days it has waited."""
    rows = []
    for q in examination.pending_requests(who, env=env, limit=500):
        r, reg = q.request, q.registration
        form = "decide_re_examination" if r.kind == "re_examination" else "decide_request"
        n = q.working_days_waiting
        text = (
            f"promptly (filed {day(r.filed_at, lang)}, waiting {n} working days)"
            if lang == "en"
            else f"及时办理（{day(r.filed_at, lang)}提交，已等待{n}个工作日）"
        )
        rows.append(
            {
                "request": r,
                "registration": reg,
                "href": f"/registrations/{reg.registration_number}#act-{form}",
                "state": label("request_state", r.state, lang),
                "task": pick_pair(REQUEST_TASKS.get(r.kind, (r.kind, r.kind)), lang),
                "due": {"text": text, "overdue": False, "provisional": False},
                "key": (True, r.filed_at.astimezone(SHANGHAI).date(), 1, r.id),
            }
        )
    return rows


def merged_queue(
    applications_due: list[dict[str, Any]], requests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One queue by due date: the applications' statutory tasks (fast track first) and the
    requests after registration, each request at the day it became due (its filing)."""
    return sorted(applications_due + requests, key=lambda row: row["key"])


@router.post("/workbench/parties/{party_id}/decision", response_class=HTMLResponse)
async def decide_party(request: Request, env: EnvDep, party_id: int) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_decide_party, request, env, data, party_id)


def _decide_party(request: Request, env: Env, data: FormData, party_id: int) -> Response:
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    try:
        body = Decision.model_validate(
            {"approve": _s(data, "decision") == "approve", "note": _s(data, "note") or ""}
        )
        parties.decide_verification(
            who, env=env, party_id=party_id, approve=body.approve, note=body.note
        )
    except (DomainError, ValidationError) as e:
        return render(
            request,
            "exam_workbench.html",
            {"queue": [], "recent": [], "pending": [], "error": failure(request, e)},
            status_code=e.status if isinstance(e, DomainError) else 422,
        )
    return flash.redirect(request, "/workbench", ok="decision_recorded")


@router.get("/workbench/files/{sha256}")
def file(request: Request, env: EnvDep, sha256: str) -> Response:
    """A filed document (sample, proof, licence scan) for the examiner: an attachment, never
    rendered inline (it is the applicant's content)."""
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    b, data = blobs.download(who, env=env, sha256=sha256)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": attachment(b.filename, b.sha256)},
    )


def attachment(filename: str, sha256: str) -> str:
    """`attachment` with the name it was uploaded under (RFC 6266 / RFC 5987: an ASCII
    fallback and the UTF-8 name), the digest when it has none."""
    name = filename or sha256
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _s(data: FormData, key: str) -> str:
    v = data.get(key)
    return v.strip() if isinstance(v, str) else ""


def _checklist(v: applications.ApplicationView, lang: str) -> list[dict[str, Any]]:
    """Detected defects first (ticked), then the standard checklist."""
    en = lang == "en"
    items = [
        {
            "value": f"auto:{d['field']}:{d['code']}",
            "label": d["en"] if en else d["zh"],
            "checked": True,
        }
        for d in v.checks.get("defects", [])
    ]
    items += [
        {"value": f"std:{k}", "label": en_zh[1] if en else en_zh[0], "checked": False}
        for k, en_zh in CHECKLIST.items()
    ]
    return items


def _defects(v: applications.ApplicationView, data: FormData) -> list[dict[str, Any]]:
    detected = {f"auto:{d['field']}:{d['code']}": d for d in v.checks.get("defects", [])}
    out: list[dict[str, Any]] = []
    for value in data.getlist("defect"):
        if not isinstance(value, str):
            continue
        if value in detected:
            d = detected[value]
            out.append({"field": d["field"], "zh": d["zh"], "en": d["en"]})
        elif value.startswith("std:") and value[4:] in CHECKLIST:
            zh, en = CHECKLIST[value[4:]]
            out.append({"field": value[4:], "zh": zh, "en": en})
    for line in _s(data, "extra_defects").splitlines():
        if line.strip():
            out.append({"field": None, "zh": line.strip(), "en": line.strip()})
    return out


@router.get("/workbench/applications/{application_id}", response_class=HTMLResponse)
def application_page(request: Request, env: EnvDep, application_id: int) -> Response:
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    return _page(request, env, who, application_id)


def _page(
    request: Request,
    env: Env,
    who: Identity,
    app_id: int,
    *,
    error: dict[str, Any] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request)
    pick = picker(lang)
    rec = record(request, env, who, app_id)
    v = rec["v"]
    rec |= {
        "files": _files(who, env, v),
        "actions": [a for a in v.allowed_actions if a in REGISTRY_ACTIONS],
        "checklist": _checklist(v, lang),
        "outcomes": [(k, pick(p)) for k, p in OUTCOMES.items()],
        "error": error,
        "typed": typed or {},
        **requests_ui.context(env, v, lang),
    }
    if "approve" in rec["actions"]:  # G§16: the announcement on a later date, if chosen
        today = env.today()
        rec |= {
            "today": today.isoformat(),
            "announce_days": ANNOUNCE_WITHIN_DAYS,
            "announce_latest": (today + timedelta(days=ANNOUNCE_WITHIN_DAYS)).isoformat(),
        }
    return render(request, "exam_application.html", rec, status_code=status)


def _files(who: Identity, env: Env, v: applications.ApplicationView) -> dict[str, Any]:
    """The application's files (named by the applicant's uploads) and each objection's
    evidence (by the objector's), by digest: name, size, screening result."""
    form = v.application.form
    samples = list(form.get("sample_blobs") or [])
    out: dict[str, Any] = dict(
        files.describe_for(
            who,
            env=env,
            shas=samples + list(form.get("source_proof_blobs") or []),
            owner=v.application.filer_user_id,
            samples=samples,
        )
    )
    for o in v.objections:
        out |= files.describe_for(
            who, env=env, shas=list(o.evidence_blobs), owner=o.objector_user_id
        )
    return out


@router.post("/workbench/applications/{application_id}/actions/{action}")
async def registry_action(
    request: Request, env: EnvDep, application_id: int, action: str
) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_act, request, env, data, application_id, action)


def _act(request: Request, env: Env, data: FormData, app_id: int, action: str) -> Response:
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    typed: dict[str, Any] = {
        k: _s(data, k)
        for k in (
            "reason",
            "instrument",
            "outcome",
            "extra_defects",
            "note",
            "due_on",
            "announcement_date",
        )
    }
    typed["grounds"] = [g for g in data.getlist("grounds") if isinstance(g, str)]
    try:
        if action not in REGISTRY_ACTIONS:
            raise DomainError(
                "forbidden_action", "您无权执行此操作", f"you may not {action} here", status=403
            )
        payload: dict[str, Any] = {
            k: typed[k] for k in ("reason", "instrument", "outcome") if typed[k]
        }
        if action == "approve" and typed["announcement_date"]:
            payload["announcement_date"] = typed["announcement_date"]
        if action == "refuse":
            payload["grounds"] = [int(g) for g in typed["grounds"] if g.isdigit()]
        if action == "request_correction":
            v = applications.view(who, env=env, application_id=app_id)
            payload["defects"] = _defects(v, data)
        if action in requests_ui.REGISTRY_DECISIONS:
            payload = requests_ui.registry_payload(data, action)
        body = ActionIn.model_validate(payload).model_dump(mode="json", exclude_none=True)
        procedure.perform(
            who,
            env=env,
            application_id=app_id,
            action=action,
            if_match=version_of(data),
            payload=body,
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _page(
            request, env, who, app_id, error=failure(request, e), typed=typed, status=status
        )
    label = ACTION_LABELS.get(action, (action, action))
    return flash.redirect(
        request,
        f"/workbench/applications/{app_id}",
        ok="recorded",
        ref=picker(lang_of(request))(label),
    )
