"""R0.4: every stored date computed from the working-day calendar in a year whose holiday
arrangement was not yet published is provisional (暂定), and is recomputed once that year's
arrangement is loaded — the procedure's deadlines (and the notices that carry them), the
filing periods of licences, pledges and trades (G§22, with each filing's `late` flag
following its new due date) and the re-examination windows of revocation decisions (G§20,
with the decision notices that carry them). Each date that moves, or stops being
provisional, records a `DeadlineRecomputed` event (codes, numbers and dates only).

Only open deadlines move: a deadline already met, missed or moot is history.
"""

from __future__ import annotations

from typing import Any

from dataip.domain.after_registration import filing_is_late
from dataip.services.after_registration.decisions import _re_exam_due
from dataip.services.after_registration.filings import filing_due
from dataip.services.context import SHANGHAI, Env
from dataip.services.ports import UnitOfWork
from dataip.services.recording import due_date, record_event

__all__ = ["recompute_provisional"]


def recompute_provisional(*, env: Env) -> int:
    """Recompute every provisional date against the calendar as loaded now; the number of
    dates that changed (moved, or became final)."""
    env.invalidate_calendar()
    with env.uow() as uow:
        changed = _deadlines(uow, env) + _filings(uow, env) + _re_examinations(uow, env)
        uow.commit()
    return changed


def _event(uow: UnitOfWork, env: Env, subject: tuple[str, int], public: dict[str, Any]) -> None:
    record_event(
        uow,
        subject_type=subject[0],
        subject_id=subject[1],
        type="DeadlineRecomputed",
        at=env.now(),
        actor_user_id=None,
        public=public,
    )


def _deadlines(uow: UnitOfWork, env: Env) -> int:
    changed = 0
    registers: dict[int, str] = {}
    for d in uow.deadlines.provisional_open():
        if d.application_id not in registers:  # issue 24 §1: the register's own periods
            app = uow.applications.get(d.application_id)
            registers[d.application_id] = app.register if app else "data_ip"
        new = due_date(env, d.period_key, d.trigger_at, registers[d.application_id])
        if (new.due_on, new.provisional) == (d.due_on, d.provisional):
            continue
        _event(
            uow,
            env,
            ("application", d.application_id),
            {
                "kind": d.kind,
                "from": d.due_on.isoformat(),
                "to": new.due_on.isoformat(),
                "provisional": new.provisional,
            },
        )
        for n in uow.notices.for_application(d.application_id):
            if n.deadline_id == d.id:
                n.due_on, n.provisional = new.due_on, new.provisional
        d.due_on, d.provisional = new.due_on, new.provisional
        changed += 1
    return changed


def _filings(uow: UnitOfWork, env: Env) -> int:
    """G§22: a filing's due date (10 working days from the contract) and so its `late`."""
    changed = 0
    for f in uow.filings.provisional():
        new = filing_due(env, f.contract_date)
        if (new.due_on, new.provisional) == (f.due_on, f.provisional):
            continue
        reg = uow.registrations.get(f.registration_id)
        late = filing_is_late(f.filed_on, new.due_on)
        _event(
            uow,
            env,
            ("registration", f.registration_id),
            {
                "kind": "filing",
                "registration_number": reg.registration_number,
                "filing_number": f.number,
                "from": f.due_on.isoformat(),
                "to": new.due_on.isoformat(),
                "provisional": new.provisional,
                "late": late,
            },
        )
        f.due_on, f.provisional, f.late = new.due_on, new.provisional, late
        changed += 1
    return changed


def _re_examinations(uow: UnitOfWork, env: Env) -> int:
    """G§20: 15 days from the decision's service to ask for re-examination."""
    changed = 0
    for r in uow.requests.provisional_re_examinations():
        if r.re_examination_due is None or r.decided_at is None:
            continue
        due, provisional = _re_exam_due(env, r.decided_at.astimezone(SHANGHAI).date())
        if (due, provisional) == (r.re_examination_due, r.re_examination_provisional):
            continue
        reg = uow.registrations.get(r.registration_id)
        _event(
            uow,
            env,
            ("registration", r.registration_id),
            {
                "kind": "re_examination",
                "registration_number": reg.registration_number,
                "request_id": r.id,
                "from": r.re_examination_due.isoformat(),
                "to": due.isoformat(),
                "provisional": provisional,
            },
        )
        for n in uow.notices.for_application(reg.application_id):
            if n.kind == "revocation_decision" and (
                n.body.get("request_id") == r.id
                or ("request_id" not in n.body and n.due_on == r.re_examination_due)
            ):
                n.due_on, n.provisional = due, provisional
        r.re_examination_due, r.re_examination_provisional = due, provisional
        changed += 1
    return changed
