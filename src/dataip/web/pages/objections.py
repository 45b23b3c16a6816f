"""Publicity (公示) for the public, and objections to it (异议, G§14, R12).

`/publicity` lists the applications whose publicity period is running; `/publicity/{id}` is
the public notice of one: only the G§14 particulars (applicant, name, scenarios, data source,
scope, rules), the publicity period, and — for a signed-in visitor with a verified subject —
the objection form. Filing goes through `procedure.perform("file_objection")`, the same call
as the API, so the page refuses exactly what the API refuses (period over, subject not
verified, no reason, no evidence, a file over the limit); a refusal re-renders the form with
the bilingual message and what was typed. Uploads use the applicant pages' helper: files are
stored first and kept on the re-rendered form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.domain.profile import Period
from dataip.services import applications, due_states, files, procedure
from dataip.services.applications import ApplicationView
from dataip.services.blobs import SHA256_RE
from dataip.services.context import Env, Identity
from dataip.web.api.application_schemas import ActionIn
from dataip.web.deps import EnvDep
from dataip.web.pages.account import page_identity
from dataip.web.pages.applicant import (
    FIELD_LABELS,
    MAX_FILES,
    _s,
    _uploads,
    csrf_refused,
    failure,
    my_parties,
    picker,
    signed_in,
    summary,
)
from dataip.web.pages.due_text import due_text
from dataip.web.pages.render import lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)
AppId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # as the API's

LIST_LIMIT = 500  # running publicity periods listed, soonest ending first
# G§14: what the public notice shows of the filing (besides applicants and number)
PUBLIC_ITEMS = (
    "name",
    "scenarios",
    "source_kinds",
    "acquisition_methods",
    "scope",
    "processing_rules",
)


# the objection form's labels, by the schema's field (the error box names fields by them)
LABELS = {
    "objector_party_id": "Objecting subject (verified real name)",
    "statement": "Grounds and reasons of the objection",
    "evidence_blobs": "Evidence",
}


def _period(env: Env, lang: str, v: ApplicationView) -> dict[str, Any] | None:
    """The running (or just ended) publicity period: start, end, what is left."""
    d = next((d for d in v.deadlines if d.kind == "publicity" and d.status == "open"), None)
    return None if d is None else _period_of(env, lang, d)


def _period_of(env: Env, lang: str, d: Any) -> dict[str, Any]:
    return {
        "start": d.trigger_at,
        "end": d.due_on,
        "due": due_text(env, lang, due_states.of_deadline(d)),
        "over": env.today() > d.due_on,
    }


def particulars(env: Env, lang: str, public_fields: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The G§14 items as label and text, worded as on the application's own page."""
    f = public_fields or {}
    source = f.get("data_source") or {}
    form = {
        "name": f.get("name"),
        "scenarios": f.get("scenarios"),
        "source_kinds": source.get("kinds"),
        "acquisition_methods": source.get("methods"),
        "scope": f.get("scope"),
        "processing_rules": f.get("processing_rules"),
    }
    rows = summary(form, lang, env)
    return [row for key, row in zip(FIELD_LABELS, rows, strict=True) if key in PUBLIC_ITEMS]


def _span(p: Period, lang: str) -> str:
    if lang == "en":
        return f"{p.days} working days" if p.unit == "working_days" else f"{p.days} days"
    return f"{p.days}个工作日" if p.unit == "working_days" else f"{p.days}日"


@router.get("/publicity", response_class=HTMLResponse)
def publicity_list(request: Request, env: EnvDep) -> Response:
    """Applications under publicity now: anyone may object until the period ends."""
    page_identity(request, env)  # the layout's navigation
    lang = lang_of(request)
    pick = picker(lang)
    rows = [
        {
            "a": a,
            "state": pick(applications.state_label(a.state)),
            "applicants": [p.get("name") for p in (a.public_fields or {}).get("applicants") or []],
            "period": _period_of(env, lang, d),
        }
        for a, d in applications.under_publicity(env=env, limit=LIST_LIMIT)
    ]
    return render(request, "publicity_list.html", {"rows": rows})


def _notice(
    request: Request,
    env: Env,
    who: Identity,
    application_id: int,
    *,
    error: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    kept: list[str] | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request)
    pick = picker(lang)
    v = applications.view(who, env=env, application_id=application_id)
    a = v.application
    own = v.visibility == "full"  # the applicant or the registry: not an objector here
    mine = my_parties(who, env) if who.user_id is not None else []
    verified = [p for p in mine if p.verification_status == "verified"]
    typed = typed or {}
    if not typed.get("party") and len(verified) == 1:
        typed = {**typed, "party": str(verified[0].id)}
    return render(
        request,
        "publicity.html",
        {
            "a": a,
            "state": pick(applications.state_label(a.state)),
            "applicants": (a.public_fields or {}).get("applicants") or [],
            "items": particulars(env, lang, a.public_fields),
            "period": _period(env, lang, v),
            "registration": v.registration,
            "signed_in": who.user_id is not None,
            "own": own,
            "is_registry": who.is_registry,
            "can_object": (
                who.user_id is not None and not own and "file_objection" in v.allowed_actions
            ),
            "verified": verified,
            "error": error,
            "typed": typed,
            "kept": kept or [],
            "kept_files": (
                files.describe_for(who, env=env, shas=kept) if kept and who.user_id else {}
            ),
            "max_mb": env.max_blob_bytes // (1024 * 1024),
            "max_files": MAX_FILES,
        },
        status_code=status,
    )


@router.get("/publicity/{application_id}", response_class=HTMLResponse)
def publicity_page(request: Request, env: EnvDep, application_id: AppId) -> Response:
    return _notice(request, env, page_identity(request, env), application_id)


@router.post("/publicity/{application_id}", response_class=HTMLResponse)
async def objection_submit(request: Request, env: EnvDep, application_id: AppId) -> Response:
    data = await request.form(max_files=MAX_FILES)
    return await run_in_threadpool(_file, request, env, data, application_id)


def _party_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _file(request: Request, env: Env, data: FormData, app_id: int) -> Response:
    """File the objection as the API does; on a refusal the form comes back as typed."""
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    typed = {"party": _s(data, "objector_party_id") or "", "statement": _s(data, "statement") or ""}
    kept = [
        b for b in data.getlist("evidence_blobs") if isinstance(b, str) and SHA256_RE.fullmatch(b)
    ]
    try:
        kept = list(dict.fromkeys([*kept, *_uploads(who, env, data, "evidence_files", True)]))
        payload = ActionIn.model_validate(
            {
                "objector_party_id": _party_id(typed["party"]),
                "statement": typed["statement"] or None,
                "evidence_blobs": kept or None,
            }
        )
        procedure.perform(
            who,
            env=env,
            application_id=app_id,
            action="file_objection",
            payload=payload.model_dump(mode="json", exclude_none=True),
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _notice(
            request,
            env,
            who,
            app_id,
            error=failure(request, e, labels=LABELS),
            typed=typed,
            kept=kept,
            status=status,
        )
    return RedirectResponse(f"/publicity/{app_id}/objection-received", status_code=303)


@router.get("/publicity/{application_id}/objection-received", response_class=HTMLResponse)
def objection_received(request: Request, env: EnvDep, application_id: AppId) -> Response:
    """What happens after filing (G§15): notice to the applicant, the answer, the decision."""
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    lang = lang_of(request)
    v = applications.view(who, env=env, application_id=application_id)
    return render(
        request,
        "objection_received.html",
        {
            "a": v.application,
            "notify": _span(env.profile.period("notify_objection"), lang),
            "answer": _span(env.profile.period("answer_objection"), lang),
        },
    )
