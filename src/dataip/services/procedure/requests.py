"""Procedural requests (程序性请求) as steps of the procedure: fast-track examination (快速审查,
R8 / Z§2.1), extension of a correction period (延长补正期限, G§12) and reinstatement of a
deemed-withdrawn application (恢复申请, G§12) — each asked for with a ground (and, for relief,
the good reason in words), and granted or refused by the registry with a reason code. The
registry may also grant fast track on its own motion.

The request, its statement and evidence and the decision's note are private (the request's
row; commitments in the log); the log publishes only codes: the ground, the refusal reason,
the new due date. While an extension request is pending the correction period's consequence
(deemed withdrawal) is held, so that a request made in time is never overtaken by `tick`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import AppState
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import Transition
from dataip.domain.procedural_requests import (
    RELIEF_GROUNDS,
    validate_ground,
    validate_refusal_reason,
)
from dataip.services import blobs as uploads
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.procedure.step import _Step, _text
from dataip.services.recording import commitment

_DEEM = "deem_withdrawn"


def _admitted(env: Env, kind: str) -> tuple[str, ...]:
    return env.profile.fast_track_grounds if kind == "fast_track" else tuple(RELIEF_GROUNDS)


def _evidence(uow: UnitOfWork, identity: Identity, payload: dict[str, Any]) -> list[str]:
    raw = payload.get("evidence_blobs") or []
    if not isinstance(raw, list) or not all(isinstance(b, str) for b in raw):
        raise DomainError(
            "invalid_evidence", "证明材料格式无效", "evidence_blobs: a list of uploads", status=422
        )
    for b in raw:  # the requester's own uploads only
        uploads.require_own(uow, identity.user_id, b, field="evidence_blobs")
    return list(dict.fromkeys(raw))


def _pending(uow: UnitOfWork, app: m.Application, kind: str) -> m.ProceduralRequest | None:
    return next(
        (
            r
            for r in uow.procedural_requests.for_application(app.id)
            if r.kind == kind and r.status == "pending"
        ),
        None,
    )


def _file(
    kind: str, *, statement_required: bool
) -> Any:  # the three requests differ only in their kind and whether words are required
    def step(
        uow: UnitOfWork,
        env: Env,
        identity: Identity,
        app: m.Application,
        payload: dict[str, Any],
        now: datetime,
    ) -> _Step:
        ground = validate_ground(kind, payload.get("ground"), _admitted(env, kind))
        statement = _text(payload, "statement", required=statement_required)
        evidence = _evidence(uow, identity, payload)
        req = uow.procedural_requests.add(
            m.ProceduralRequest(
                application_id=app.id,
                kind=kind,
                filed_at=now,
                ground=ground,
                statement=statement,
                evidence_blobs=evidence,
                filed_by=identity.user_id,
            )
        )
        if kind == "extension":
            # G§12: a request made in time holds the deemed withdrawal until it is decided
            for d in uow.deadlines.for_application(app.id, open_only=True):
                if d.kind == "correction":
                    d.on_expiry = None
        uow.flush()
        return _Step(
            public={"request_id": req.id, "ground": ground},
            private={"request": commitment([statement, evidence])},
        )

    return step


def _decided(
    req: m.ProceduralRequest, identity: Identity, now: datetime, status: str, note: str
) -> None:
    req.status = status
    req.decided_by = identity.user_id
    req.decided_at = now
    req.note = note or None


def _grant_fast_track(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """Z§2.1: grant the applicant's request — or, with no request, on the registry's own
    motion, naming the ground."""
    note = _text(payload, "note", required=False)
    req = _pending(uow, app, "fast_track")
    if req is None:
        ground = validate_ground("fast_track", payload.get("ground"), _admitted(env, "fast_track"))
        req = uow.procedural_requests.add(
            m.ProceduralRequest(
                application_id=app.id,
                kind="fast_track",
                filed_at=now,
                ground=ground,
                own_motion=True,
            )
        )
    _decided(req, identity, now, "granted", note)
    app.fast_track = True  # the examiner's queue puts it first (services/examination.py)
    uow.flush()
    return _Step(
        notice_body={
            "request": "fast_track",
            "decision": "granted",
            "ground": req.ground,
            "note": note,
        },
        public={"request_id": req.id, "ground": req.ground, "own_motion": req.own_motion},
        private={"note": commitment(note)},
    )


def _refuse(kind: str) -> Any:
    def step(
        uow: UnitOfWork,
        env: Env,
        identity: Identity,
        app: m.Application,
        payload: dict[str, Any],
        now: datetime,
    ) -> _Step:
        reason = validate_refusal_reason(kind, payload.get("reason_code"))
        note = _text(payload, "note", required=False)
        req = _pending(uow, app, kind)
        assert req is not None  # the table's guard: a refusal needs a pending request
        req.reason_code = reason
        _decided(req, identity, now, "refused", note)
        step_ = _Step(
            notice_body={
                "request": kind,
                "decision": "refused",
                "reason_code": reason,
                "note": note,
            },
            public={"request_id": req.id, "reason_code": reason},
            private={"note": commitment(note)},
        )
        if kind == "extension":
            # the period stands: its consequence applies again (tick, once it has passed)
            for d in uow.deadlines.for_application(app.id, open_only=True):
                if d.kind == "correction":
                    d.on_expiry = _DEEM
                    step_.notice_due = d
        return step_

    return step


def _grant_extension(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§12: the registry extends the correction period to a new due date, a working day
    later than the current one; the date is the registry's, not a computed (provisional) one."""
    req = _pending(uow, app, "extension")
    assert req is not None  # the table's guard
    correction = next(
        d for d in uow.deadlines.for_application(app.id, open_only=True) if d.kind == "correction"
    )
    new = _new_due(env, payload.get("due_on"), correction.due_on, now.date())
    note = _text(payload, "note", required=False)
    previous = correction.due_on
    correction.due_on, correction.provisional, correction.on_expiry = new, False, _DEEM
    req.due_on = new
    _decided(req, identity, now, "granted", note)
    return _Step(
        notice_body={"request": "extension", "decision": "granted", "note": note},
        public={
            "request_id": req.id,
            "previous_due": previous.isoformat(),
            "due": {"correction": new.isoformat()},
        },
        private={"note": commitment(note)},
        notice_due=correction,
    )


def _new_due(env: Env, raw: object, current: date, today: date) -> date:
    try:
        new = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        new = None
    if new is None:
        raise DomainError(
            "invalid_due_on", "新的补正期限日期无效", "due_on: a date (YYYY-MM-DD)", status=422
        )
    if new <= max(current, today):
        raise DomainError(
            "extension_not_later",
            "延长后的期限须晚于原期限和今天",
            "the new due date must be later than the current one and than today",
            status=422,
            details={"current_due_on": current.isoformat()},
        )
    if not env.calendar().is_working_day(new):
        raise DomainError(
            "due_not_working_day",
            "期限须届满于工作日",
            "a period ends on a working day (R0.1)",
            status=422,
        )
    return new


def _reinstate(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§12: reinstated, the application awaits its correction again with a new period."""
    req = _pending(uow, app, "reinstatement")
    assert req is not None  # the table's guard
    note = _text(payload, "note", required=False)
    _decided(req, identity, now, "granted", note)
    return _Step(
        notice_body={"request": "reinstatement", "decision": "granted", "note": note},
        public={"request_id": req.id},
        private={"note": commitment(note)},
    )


def settle(
    uow: UnitOfWork,
    app: m.Application,
    t: Transition,
    deadlines: Sequence[m.Deadline],
    now: datetime,
) -> None:
    """A request the procedure has overtaken lapses: every pending one when the application
    leaves the procedure or goes to court, a pending extension when the correction arrives.
    A pending request has its open `decide_*` deadline, so nothing is read unless one is
    open."""
    deciding = {
        d.kind.removeprefix("decide_"): d for d in deadlines if d.kind.startswith("decide_")
    }
    if t.closes == "all" or t.target is AppState.AWAITING_JUDGMENT:
        # leaving the procedure — or going to court, where nothing of it runs (G§15): a
        # fast track has nothing to bring forward; it may be asked for again after judgment
        lapse = set(deciding)
    elif t.action == "submit_correction":
        lapse = {"extension"} & set(deciding)
    else:
        return
    if not lapse:
        return
    for r in uow.procedural_requests.for_application(app.id):
        if r.status == "pending" and r.kind in lapse:
            r.status, r.decided_at = "lapsed", now
    for kind in lapse:
        deciding[kind].status, deciding[kind].closed_at = "cancelled", now


def requests_of(uow: UnitOfWork, app: m.Application) -> list[m.ProceduralRequest]:
    return list(uow.procedural_requests.for_application(app.id))


STEPS = {
    "request_fast_track": _file("fast_track", statement_required=False),
    "grant_fast_track": _grant_fast_track,
    "refuse_fast_track": _refuse("fast_track"),
    "request_extension": _file("extension", statement_required=True),
    "grant_extension": _grant_extension,
    "refuse_extension": _refuse("extension"),
    "request_reinstatement": _file("reinstatement", statement_required=True),
    "reinstate": _reinstate,
    "refuse_reinstatement": _refuse("reinstatement"),
}
