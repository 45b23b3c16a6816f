"""One transition of the procedure (登记程序): :func:`perform` runs any action of the
transition table (``domain.lifecycle``; G§9: apply → accept → examine → publicise →
objections → certificate) on one application in one transaction; :func:`apply_action` is the
same inside a caller's unit of work (``tick`` applies passed deadlines' consequences through
it, G§12). It closes the deadlines the transition ends and opens those it starts (R0, G§12,
G§14, G§15), serves the notice (R7/G§11) and records the event; what an action needs beyond
the table is its step, in ``_BEFORE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import AppState
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import Transition, closing_status, decide
from dataip.domain.procedural_requests import REQUEST_ACTIONS
from dataip.services import preconditions, screening
from dataip.services.applications import actors_for, conflict, context_for, load, stale
from dataip.services.applications.access import table_for
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.procedure import requests
from dataip.services.procedure.decision import _approve, _refuse, _withdraw
from dataip.services.procedure.periods import trigger_for
from dataip.services.procedure.publicity import (
    _answer_objection,
    _decide_objection,
    _file_objection,
    _notify_objection,
    _publicise,
    _record_judgment,
)
from dataip.services.procedure.step import _Step
from dataip.services.procedure.submission import (
    _request_correction,
    _submit,
    _submit_correction,
)
from dataip.services.recording import open_deadline, record_event, serve_notice
from dataip.services.screening_worker import settle, setup


def _holder_recipients(uow: UnitOfWork, app: m.Application) -> list[int]:
    return holder_recipients_of(uow, [app])[app.id]


def holder_recipients_of(uow: UnitOfWork, apps: Sequence[m.Application]) -> dict[int, list[int]]:
    """Who is served the holder's notices, per application: the filer, then the owners of its
    applicant parties by party id, each once. One query however many applications: `tick`
    loads a batch's up front, so no query (and no autoflush) runs per application."""
    owners: dict[int, list[int]] = {a.id: [] for a in apps}
    for app_id, _party_id, owner in uow.app_parties.owners(list(owners)) if apps else []:
        owners[app_id].append(owner)
    return {a.id: list(dict.fromkeys([a.filer_user_id, *owners[a.id]])) for a in apps}


def perform(
    identity: Identity,
    *,
    env: Env,
    application_id: int,
    action: str,
    if_match: preconditions.Expected = None,
    payload: Mapping[str, Any] | None = None,
) -> m.Application:
    """Perform one transition of the procedure on one application, in one transaction."""
    payload = dict(payload or {})
    outcome = payload.get("outcome")
    if outcome is not None and not isinstance(outcome, str):
        raise DomainError(
            "invalid_outcome", "处理结果格式无效", "outcome must be a string", status=422
        )
    if action in ("submit", "submit_correction", "publicise"):
        _await_screening(identity, env, application_id, action)
    try:
        with env.uow() as uow:
            app = load(uow, identity, application_id)
            preconditions.check(if_match, app.version, stale)
            apply_action(uow, env, identity, app, action, payload, outcome)
            uow.commit()
            return app
    except ConcurrencyConflict as e:  # at commit, or at an autoflush before it
        raise conflict() from e


_AWAITS_SCREENING = {
    "submit": AppState.DRAFT,
    "submit_correction": AppState.AWAITING_CORRECTION,
    "publicise": AppState.UNDER_EXAMINATION,
}


def _await_screening(identity: Identity, env: Env, application_id: int, action: str) -> None:
    """Issue 18: before the transaction of a submission (or of the examination's passing)
    opens, give the screening of the sample files a bounded time to finish (they were queued
    when the draft was saved), so that the examiner usually finds the reports there. What is
    not done by then is filed as pending (a submission) or refused (``publicise``)."""
    with env.read() as uow:
        app = load(uow, identity, application_id)
    if app.state == _AWAITS_SCREENING[action].value:
        settle(
            env,
            screening.samples_of(app.form),
            timeout=setup(env).submit_wait_seconds,
            owner=app.filer_user_id,
        )


def apply_action(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    action: str,
    payload: dict[str, Any],
    outcome: str | None,
    deadlines: Sequence[m.Deadline] | None = None,
    holders: Sequence[int] | None = None,
) -> Transition:
    """Apply one transition inside the caller's unit of work. `deadlines` (the application's
    open ones) and `holders` (its holder recipients) may be passed preloaded by a batch."""
    now = env.now()
    actors = actors_for(uow, identity, app)
    if not actors:
        raise DomainError("unauthenticated", "请先登录", "authentication required", status=401)
    if deadlines is None:
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
    ctx = context_for(
        uow, env, app, deadlines, identity=identity, with_requests=action in REQUEST_ACTIONS
    )
    t = decide(AppState(app.state), action, actors, ctx, payload, outcome, table_for(env, app))
    step = _BEFORE[action](uow, env, identity, app, payload, now) if action in _BEFORE else _Step()
    app.state = t.target.value
    app.updated_at = now
    # Close what the transition ends — met, expired, ended or moot (`closing_status`) —,
    # resume what it resumes and open what it starts (G§12, G§14, G§15 periods).
    for d in deadlines:
        status = closing_status(t, d.kind) if d.status == "open" else None
        if status is not None:
            d.status, d.closed_at = status, now
    if t.resumes:
        _resume(uow, app, t.resumes)
    requests.settle(uow, app, t, deadlines, now)
    opened = [
        open_deadline(
            uow,
            env,
            application_id=app.id,
            rule=r,
            trigger=trigger_for(app, t, r, env, now),
            register=app.register,
        )
        for r in t.opens
    ]
    holder_due = next((d for d in opened if d.party == "holder"), step.notice_due)
    if holder_due is not None and t.notice:
        uow.flush()  # the notice names its deadline
    if t.notice:
        body = {"action": action, "state": app.state, **step.notice_body}
        if holders is None:
            holders = _holder_recipients(uow, app)
        for uid in [*holders, *step.extra_recipients]:
            serve_notice(
                uow,
                application_id=app.id,
                kind=t.notice,
                recipient_user_id=uid,
                at=now,
                body=body,
                due=holder_due,
            )
    public = {"action": action, "state": app.state, **step.public}
    if outcome:
        public["outcome"] = outcome
    if opened:
        public["due"] = {d.kind: d.due_on.isoformat() for d in opened}
    record_event(
        uow,
        subject_type="application",
        subject_id=app.id,
        type=t.event,
        at=now,
        actor_user_id=identity.user_id,
        public=public,
        private=step.private,
    )
    return t


def _resume(uow: UnitOfWork, app: m.Application, kinds: frozenset[str]) -> None:
    """Reopen the latest ended period of each kind (G§15: suspended, then going on)."""
    latest: dict[str, m.Deadline] = {}
    for d in uow.deadlines.for_application(app.id):
        if d.kind in kinds:
            latest[d.kind] = d
    for d in latest.values():
        if d.status == "ended":
            d.status, d.closed_at = "open", None


_BEFORE = {
    "submit": _submit,
    "submit_correction": _submit_correction,
    "request_correction": _request_correction,
    "refuse": _refuse,
    "publicise": _publicise,
    "file_objection": _file_objection,
    "notify_objection": _notify_objection,
    "answer_objection": _answer_objection,
    "decide_objection": _decide_objection,
    "record_judgment": _record_judgment,
    "withdraw": _withdraw,
    "approve": _approve,
    **requests.STEPS,
}
