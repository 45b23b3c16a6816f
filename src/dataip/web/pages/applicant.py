"""The applicant's portal (申请人): my applications with their statuses, the draft (草稿)
made and edited on the application form and submitted (G§10), the correction reply (补正,
G§12) on the same form, and the application's page with its history, notices and the actions
the procedure leaves the applicant (submit, withdraw — G§20 —, answer an objection — G§15).

Routes only parse, call the services and render; a DomainError re-renders the form with the
bilingual message and the input kept. The form's fields are parsed in `application_form`,
the record both this page and the examiner's show is `application_record`, sign-up is
`signup`, and what every form page shares is `forms`; the names other pages import from here
stay importable from here (`__all__`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.app_states import AppState
from dataip.domain.errors import DomainError
from dataip.services import applications, files, procedure
from dataip.services.context import Env, Identity
from dataip.web.api.application_schemas import ActionIn
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages import procedural_requests as requests_ui
from dataip.web.pages.application_form import (
    BLOB_LISTS,
    MAX_FILES,
    applicant_rows,
    form_anchor,
    form_context,
    form_values,
    industry_shown,
    party_number,
    raw_applicants,
    raw_form,
    validated_applicants,
    validated_form,
    with_industry_code,
)
from dataip.web.pages.application_record import (
    FIELD_LABELS,
    correction_defects,
    due,
    record,
    summary,
)
from dataip.web.pages.form_errors import Label
from dataip.web.pages.forms import (
    FormInvalid,
    _s,
    _uploads,
    csrf_refused,
    failure,
    my_parties,
    picker,
    signed_in,
    version_of,
)
from dataip.web.pages.render import gettext_for, lang_of, render
from dataip.web.pages.screening_view import by_blob, sample_states
from dataip.web.pages.security import csrf_ok
from dataip.web.pages.signup import METHOD_LABELS, PARTY_KIND_LABELS, _precheck_party

# this module's pages, and the names the examiner's, the objection and the parties' pages
# import from here (their homes are application_form, application_record, forms, signup)
__all__ = [
    "FIELD_LABELS",
    "HOLDER_ACTIONS",
    "MAX_FILES",
    "METHOD_LABELS",
    "PARTY_KIND_LABELS",
    "FormInvalid",
    "_detail",
    "_precheck_party",
    "_s",
    "_uploads",
    "application_page",
    "csrf_refused",
    "due",
    "edit_form",
    "edit_submit",
    "failure",
    "holder_action",
    "my_applications",
    "my_parties",
    "new_form",
    "new_submit",
    "picker",
    "record",
    "router",
    "signed_in",
    "summary",
    "version_of",
]

router = APIRouter(include_in_schema=False)

HOLDER_ACTIONS = ("submit", "withdraw", "answer_objection", *requests_ui.HOLDER_REQUESTS)
HOLDER_CONFIRMATIONS = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "answer_objection": "objection_answered",
    **dict.fromkeys(requests_ui.HOLDER_REQUESTS, "request_filed"),
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
            # a subject by its credit code (a resident ID masked), never the internal number
            "party_number": party_number,
            "welcome": request.query_params.get("welcome") == "1",
        },
    )


# the labels the error box names a schema's fields by (the forms' own labels)
FORM_LABELS: dict[str, Label] = {
    **FIELD_LABELS,
    "applicants": ("申请人", "Applicants"),
    "identifiers": ("标识符", "Identifiers"),
    "note": "Note to the examiner (optional)",
}
DETAIL_LABELS: dict[str, Label] = {
    "statement": "Your answer to the objection",
    "reason": "Reason for withdrawing",
}


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
    values = {**values, "industry_code": industry_shown(env, values.get("industry_code") or "")}
    ctx |= {"v": values, "applicants": rows, "app": app, "error": error, "note": note}
    ctx["screening"] = by_blob(sample_states(checks, lang_of(request)))  # issue 18
    ctx["file_infos"] = _form_files(identity, env, values)  # issue 19: by name, size, screening
    ctx["defects"] = defects or []
    return render(request, "app_form.html", ctx, status_code=status)


def _form_files(identity: Identity, env: Env, values: dict[str, Any]) -> dict[str, Any]:
    shas = [sha for key in BLOB_LISTS for sha in values.get(key) or []]
    if values.get("evidence_sample_proof_blob"):
        shas.append(values["evidence_sample_proof_blob"])
    samples = list(values.get("sample_blobs") or [])
    return dict(files.describe_for(identity, env=env, shas=shas, samples=samples))


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
    back with the message and everything typed (uploads included).

    Post/redirect/get: a success answers 303 to the application's page with a confirmation;
    a submission refused after the draft was saved answers 303 to the saved draft's form with
    the refusal (a refresh then repeats nothing). Only a refusal that saved nothing
    re-renders the posted form."""
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
    saved = False
    try:
        raw = raw_form(who, env, data)
        form = validated_form(with_industry_code(env, raw))
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
        saved = True
        if op == "submit":
            action = "submit_correction" if correcting else "submit"
            payload = {"note": note} if correcting and note else {}
            a = procedure.perform(
                who,
                env=env,
                application_id=app_id,
                action=action,
                if_match=version,
                payload=ActionIn.model_validate(payload).model_dump(exclude_none=True),
            )
    except (DomainError, ValidationError, FormInvalid) as e:
        if saved and app_id is not None:
            _ = gettext_for(request)
            refused = failure(request, e, form_anchor, FORM_LABELS)
            refused["note"] = _("Your entries are saved in the draft; it was not submitted.")
            return flash.redirect(request, f"/applications/{app_id}/edit", error=refused)
        saved_view = applications.view(who, env=env, application_id=app_id) if app_id else None
        app = saved_view.application if saved_view else None
        return _render_form(
            request,
            env,
            who,
            values=form_values(raw),
            rows=[*rows]
            if not correcting or current is None
            else applicant_rows(current.applicants),
            app=app,
            error=failure(request, e, form_anchor, FORM_LABELS),
            defects=correction_defects(who, env, app_id) if app_id else [],
            note=note,
            status=e.status if isinstance(e, DomainError) else 422,
            checks=saved_view.checks if saved_view else None,
        )
    if op == "submit":
        ok = "correction_submitted" if correcting else "submitted"
        return flash.redirect(
            request, f"/applications/{app_id}", ok=ok, ref=a.application_number or ""
        )
    ok = "draft_created" if current is None else "draft_saved"
    return flash.redirect(request, f"/applications/{app_id}", ok=ok)


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
        **requests_ui.context(env, rec["v"], lang_of(request)),
    }
    return render(request, "app_detail.html", rec, status_code=status)


@router.post("/applications/{application_id}/actions/{action}", response_class=HTMLResponse)
async def holder_action(
    request: Request, env: EnvDep, application_id: int, action: str
) -> Response:
    # a fast-track or relief request may carry its evidence (R8, G§12)
    data = await request.form(max_files=MAX_FILES)
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
        fields: dict[str, Any] = {k: v for k, v in typed.items() if v}
        if action in requests_ui.HOLDER_REQUESTS:
            fields, typed = requests_ui.holder_payload(who, env, data, action)
        payload = ActionIn.model_validate(fields)
        done = procedure.perform(
            who,
            env=env,
            application_id=app_id,
            action=action,
            if_match=version_of(data),
            payload=payload.model_dump(mode="json", exclude_none=True),
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        own = None if action in requests_ui.HOLDER_REQUESTS else DETAIL_LABELS
        error = failure(request, e, labels=own)
        return _detail(request, env, who, app_id, error=error, typed=typed, status=status)
    return flash.redirect(
        request,
        f"/applications/{app_id}",
        ok=HOLDER_CONFIRMATIONS[action],
        ref=done.application_number or "",
    )
