"""Signing in and out of the portal, and the signed-in home: an applicant's inbox of served
notices with their due dates, an examiner's queue ordered by statutory due date."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import DEADLINE_LABELS
from dataip.schemas.text import ERROR_TYPE as INVALID_CHARACTERS
from dataip.services import accounts, applications, due_states, examination, login_throttle
from dataip.services.context import ANONYMOUS, Identity
from dataip.web.api.accounts import TokenCreate
from dataip.web.deps import EnvDep
from dataip.web.pages.due_text import due_text
from dataip.web.pages.render import gettext_for, lang_of, render
from dataip.web.pages.security import (
    CSRF_FIELD,
    clear_session,
    csrf_ok,
    session_token,
    set_session,
)

router = APIRouter(include_in_schema=False)
SESSION_HOURS = 12


def page_identity(request: Request, env: EnvDep) -> Identity:
    """The signed-in identity from the session cookie (anonymous when absent or expired)."""
    token = session_token(request)
    if not token:
        return ANONYMOUS
    try:
        identity = accounts.authenticate(env=env, token=token)
    except DomainError:
        return ANONYMOUS
    request.state.page_user = identity
    return identity


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme): no open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/portal"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "username": "", "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    env: EnvDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/portal",
) -> Response:
    _ = gettext_for(request)
    if not csrf_ok(request, csrf_token):
        return render(request, "error.html", {"code": "csrf"}, status_code=403)
    ctx = {"next": _safe_next(next), "username": username}
    try:  # the API's schema: control characters are refused before the throttle counts
        TokenCreate.model_validate({"username": username, "password": password})
    except ValidationError as e:
        bad = [x for x in e.errors() if x["type"] == INVALID_CHARACTERS]
        if bad:
            zh, _sep, en = str(bad[0]["msg"]).partition(" / ")
            message = en if lang_of(request) == "en" else zh
            return render(
                request, "login.html", {**ctx, "username": "", "error": message}, status_code=422
            )
    try:
        issued = accounts.login(
            env=env,
            username=username,
            password=password,
            client=request.client.host if request.client else None,
            ttl_hours=SESSION_HOURS,
        )
    except DomainError as e:
        wait = login_throttle.retry_after(e)
        if wait is None:
            return render(
                request,
                "login.html",
                {**ctx, "error": _("Wrong user name or password.")},
                status_code=401,
            )
        return render(
            request,
            "login.html",
            {
                **ctx,
                "error": _("Too many failed attempts. Try again in %(minutes)d minutes.")
                % {"minutes": (wait + 59) // 60},
            },
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session(request, response, issued.token, SESSION_HOURS * 3600)
    return response


@router.post("/logout")
def logout(
    request: Request, env: EnvDep, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = ""
) -> Response:
    if not csrf_ok(request, csrf_token):
        return render(request, "error.html", {"code": "csrf"}, status_code=403)
    token = session_token(request)
    if token:
        with contextlib.suppress(DomainError):  # already gone
            accounts.logout(env=env, token=token)
    response = RedirectResponse("/", status_code=303)
    clear_session(request, response)
    return response


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _notice_href(identity: Identity, n: Any) -> str:
    """Where a notice leads: the registration it is about, the examiner's view of the
    application, or the application's page (which shows an objector the publicity notice)."""
    if (n.body or {}).get("need_id"):  # service matching (issue 23 §4)
        return f"/needs/{n.body['need_id']}"
    if (n.body or {}).get("service_request_id"):  # the service directory (issue 23 §5)
        return "/service-requests"
    number = (n.body or {}).get("registration_number")
    if number:
        return f"/registrations/{number}"
    prefix = "/workbench" if identity.is_registry else ""
    return f"{prefix}/applications/{n.application_id}"


NOTICES_SHOWN = 10


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, env: EnvDep) -> Response:
    identity = page_identity(request, env)
    if identity.user_id is None:
        return RedirectResponse("/login?next=/portal", status_code=303)
    queue = examination.queue(identity, env=env) if identity.is_registry else []
    # the applicant's home (issue 19): its applications with their next deadline first,
    # then the newest notices, each with the application it is about
    dashboard = [] if identity.is_registry else applications.dashboard(identity, env=env)
    every = request.query_params.get("notices") == "all"
    notices = applications.inbox(identity, env=env, limit=500 if every else NOTICES_SHOWN + 1)
    more = 0
    if len(notices) > NOTICES_SHOWN and not every:
        notices = notices[:NOTICES_SHOWN]
        more = len(applications.inbox(identity, env=env, limit=500))
    dues = due_states.notice_dues(identity, env=env, notices=notices)
    lang = lang_of(request)
    return render(
        request,
        "portal.html",
        {
            "identity": identity,
            "queue": queue,
            "dashboard": dashboard,
            "notices": notices,
            "more_notices": more,
            "subjects": applications.notice_subjects(identity, env=env, notices=notices),
            "state_label": lambda state: _pick(applications.state_label(state), lang),
            "task_label": lambda kind: _pick(DEADLINE_LABELS.get(kind, (kind, kind)), lang),
            "notice_href": lambda n: _notice_href(identity, n),
            # each due date as its stored state says (issue 19), never the calendar alone
            "notice_due": lambda n: due_text(env, lang, dues[n.id]) if n.id in dues else None,
            "queue_due": lambda i: due_text(env, lang, due_states.of_deadline(i.deadline)),
            "deadline_due": lambda d: due_text(env, lang, due_states.of_deadline(d)),
            "today": env.today(),
        },
    )
