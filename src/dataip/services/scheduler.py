"""The scheduler's work (`dataip tick`): apply the consequences of passed deadlines (G§12: no
correction in time → deemed withdrawn), approve applications whose publicity ended cleanly
when the profile says so (G§16), recompute provisional due dates once a year's holiday
arrangement is loaded (R0.4), and screen sample files still queued (issue 18). Idempotent,
batched, and safe to run twice at once."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dataip.domain import model as m
from dataip.domain.after_registration import IN_FORCE
from dataip.domain.calendar import renewal_window
from dataip.domain.errors import DomainError
from dataip.services import after_registration, screening_worker
from dataip.services.context import SYSTEM, Env
from dataip.services.matching import push as matching_push
from dataip.services.ports import ConcurrencyConflict
from dataip.services.procedure import announcement_date, apply_action, holder_recipients_of
from dataip.services.property_authority import forwarding
from dataip.services.recompute import recompute_provisional
from dataip.services.recording import record_event, serve_notice
from dataip.services.value import hotness as value_hotness
from dataip.services.value import statistics


@dataclass
class TickReport:
    as_of: str
    deemed_withdrawn: int = 0
    approved: int = 0
    recomputed: int = 0
    renewal_reminders: int = 0
    registrations_announced: int = 0  # approved with a later announcement date (G§16)
    registrations_cancelled: int = 0
    samples_screened: int = 0
    match_notices: int = 0  # issue 23 §4: new registrations pushed to matching needs' authors
    signal_days_closed: int = 0  # issue 22: days whose signals closed (the ranking rebuilt)
    statistics_months: int = 0  # R30: months of statistics recomputed (once a day)
    forwarded: int = 0  # issue 24 §1: data property filings posted to their authority
    authority_decisions: int = 0  # filings moved by what the authority decided
    skipped_lease: bool = False
    errors: list[str] = field(default_factory=list)
    # items a job could not apply, each rolled back alone and tried again by the next run:
    # {"job", "subject", "code", "message"}
    failures: list[dict[str, str]] = field(default_factory=list)

    def fail(self, job: str, subject: str, code: str, message: str) -> None:
        self.failures.append(
            {"job": job, "subject": subject, "code": code, "message": message[:500]}
        )
        self.errors.append(f"{job} {subject}: {code}")


LEASE = "tick"
_log = logging.getLogger("dataip.tick")


def tick(*, env: Env, batch_size: int = 500, lease_seconds: int = 300) -> TickReport:
    """Apply every consequence whose time has come. Idempotent; two at once are harmless:
    a lease lets one run, and each application's version check stops a double transition."""
    now = env.now()
    report = TickReport(as_of=now.isoformat())
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(report)}"
    # The lease runs on real time even under a fixed clock (--as-of, DATAIP_NOW): a lease
    # left by a killed tick must lapse.
    wall = datetime.now(UTC)
    with env.uow() as uow:
        if not uow.try_lease(LEASE, holder, wall, wall + timedelta(seconds=lease_seconds)):
            report.skipped_lease = True
            return report
        uow.commit()
    try:
        report.recomputed = recompute_provisional(env=env)
        report.deemed_withdrawn = _expire_deadlines(env, now, batch_size, report)
        if env.profile.auto_approve:
            report.approved = _auto_approve(env, now, batch_size, report)
        report.registrations_announced = announcement_date.publish_due(env, batch_size)
        report.registrations_cancelled = _cancel_expired(env, batch_size, report)
        report.renewal_reminders = _remind_renewal(env, batch_size)
        # issue 18: sample files queued and not screened (no server worker, or one killed
        # mid-file); each file is claimed, so a server's workers and this never collide
        report.samples_screened = screening_worker.run_pending(env)
        report.match_notices = matching_push.registrations_granted(env)
        # issue 24 §1: data property filings to the body deciding them, and its decisions
        report.forwarded = forwarding.forward(env)
        report.authority_decisions = forwarding.follow(env)
        report.signal_days_closed = value_hotness.refresh(env, force=False).days_closed
        # R30: the statistics' monthly aggregates, once a day (services/value/statistics.py);
        # derived figures: a failure is reported and retried by the next run, nothing waits
        try:
            report.statistics_months = len(statistics.refresh(env=env).months)
        except Exception as e:  # isolate it, whatever it is: the procedure must proceed
            report.fail("statistics", "refresh", type(e).__name__, str(e))
            _log.exception("tick: refreshing the statistics failed")
        with env.uow() as uow:
            uow.set_value(LAST_RUN, int(wall.timestamp()))
            uow.commit()
    finally:
        with env.uow() as uow:
            uow.release_lease(LEASE, holder)
            uow.commit()
    return report


def _expire_deadlines(env: Env, now: datetime, batch_size: int, report: TickReport) -> int:
    done = 0
    while True:
        try:
            applied, errors = _expire_batch(env, now, batch_size)
        except ConcurrencyConflict:
            continue  # someone acted on one of these meanwhile: re-read and retry
        if applied is None:
            return done
        done += applied  # counted once committed, so a retried batch is not counted twice
        report.errors.extend(errors)


def _expire_batch(env: Env, now: datetime, batch_size: int) -> tuple[int | None, list[str]]:
    """One batch of lapsed deadlines in one transaction: (applied, errors); None when done."""
    applied, errors = 0, list[str]()
    with env.uow() as uow:
        due = uow.deadlines.expired_with_consequence(now.date(), limit=batch_size)
        if not due:
            return None, []
        apps = {
            a.id: a
            for a in uow.applications.page(ids=[d.application_id for d in due], limit=len(due))
        }
        open_by_app: dict[int, list[m.Deadline]] = {}
        for d in uow.deadlines.for_applications(list(apps)):
            open_by_app.setdefault(d.application_id, []).append(d)
        holders = holder_recipients_of(uow, list(apps.values()))
        for d in due:
            app = apps[d.application_id]
            try:
                apply_action(
                    uow,
                    env,
                    SYSTEM,
                    app,
                    d.on_expiry or "",
                    {},
                    None,
                    deadlines=open_by_app.get(app.id, []),
                    holders=holders[app.id],
                )
                applied += 1
            except DomainError as e:
                # The consequence no longer applies (e.g. state moved on): retire it.
                errors.append(f"application {app.id}: {e.code}")
            d.status = "expired"
            d.closed_at = now
        uow.commit()
        return applied, errors


def _auto_approve(env: Env, now: datetime, batch_size: int, report: TickReport) -> int:
    done, after = 0, 0
    while True:
        approved, errors = 0, list[str]()
        try:
            with env.uow() as uow:
                ended = uow.deadlines.ended_publicity(now.date(), limit=batch_size, after_id=after)
                if not ended:
                    return done
                for d in ended:
                    app = uow.applications.get(d.application_id)
                    if not env.profile_for(app.register).auto_approve:
                        continue  # issue 24 §1: each register's profile says
                    try:
                        apply_action(uow, env, SYSTEM, app, "approve", {}, None)
                        approved += 1
                    except DomainError as e:
                        errors.append(f"application {app.id}: {e.code}")
                uow.commit()
        except ConcurrencyConflict:
            continue  # re-read the same batch: what another writer did is then seen
        after = ended[-1].id
        done += approved
        report.errors.extend(errors)


JOB_CANCEL_EXPIRED = "cancel_expired"
FAILURES = "tick:failures:"  # + job: how many items the job's last run could not apply
LAST_RUN = "tick:last_run"  # epoch seconds at which the last complete run ended


def _cancel_expired(env: Env, batch_size: int, report: TickReport) -> int:
    """G§19: a registration not renewed by its expiry is cancelled and announced.

    Each registration in its own transaction: one that fails — a refusal, a bug, a leaf the
    log refuses at commit — rolls back only its own cancellation, is reported (the tick's
    `failures`, `/metrics`' `dataip_tick_failures`) and is tried again by the next run; the
    others proceed. Expiries are a handful a day, so a commit each costs nothing that matters."""
    done, failed = 0, 0
    after: tuple[date, int] | None = None
    while True:
        with env.read() as uow:
            batch = uow.registrations.expired(env.today(), limit=batch_size, after=after)
        if not batch:
            break
        for found in batch:
            try:
                done += _cancel_one(env, found.id)
            except Exception as e:  # isolate it, whatever it is: the rest must proceed
                failed += 1
                code = e.code if isinstance(e, DomainError) else type(e).__name__
                if not isinstance(e, DomainError):
                    _log.exception("tick: cancelling %s failed", found.registration_number)
                report.fail(JOB_CANCEL_EXPIRED, found.registration_number, code, str(e))
        after = (batch[-1].valid_until, batch[-1].id)
    with env.uow() as uow:
        uow.set_value(FAILURES + JOB_CANCEL_EXPIRED, failed)
        uow.commit()
    return done


def _cancel_one(env: Env, registration_id: int) -> int:
    """Cancel one expired registration in its own transaction: 1 if cancelled, 0 if it is no
    longer due (renewed or ended meanwhile). A concurrent writer is retried once."""
    for attempt in (1, 2):
        try:
            with env.uow() as uow:
                reg = uow.registrations.get(registration_id, for_update=True)
                if reg is None or reg.state not in IN_FORCE or reg.valid_until >= env.today():
                    return 0
                after_registration.apply(
                    uow,
                    env,
                    SYSTEM,
                    reg,
                    "cancel",
                    {"ground": "expired", "reason": f"有效期至{reg.valid_until}届满未续展"},
                )
                uow.commit()
                return 1
        except ConcurrencyConflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def status(env: Env) -> tuple[dict[str, int], int | None]:
    """What the last runs left, for `/metrics` (`dataip tick` runs in another process): items
    each job could not apply on its last run, by job, and when the last complete run ended
    (epoch seconds; None before the first)."""
    with env.read() as uow:
        stored = uow.values("tick:")
    failures = {JOB_CANCEL_EXPIRED: 0}
    failures.update(
        {k.removeprefix(FAILURES): v for k, v in stored.items() if k.startswith(FAILURES)}
    )
    return failures, stored.get(LAST_RUN)


def _remind_renewal(env: Env, batch_size: int) -> int:
    """Serve each holder one reminder when the renewal window opens (G§19), due at expiry."""
    today = env.today()
    months = env.profile.renewal_window_months
    horizon = today + timedelta(days=31 * months + 1)
    done = 0
    while True:
        with env.uow() as uow:
            regs = [
                r
                for r in uow.registrations.expiring(horizon, limit=batch_size)
                if renewal_window(r.valid_until, months=months)[0] <= today
            ]
            if not regs:
                return done
            for r in regs:
                reg = uow.registrations.get(r.id, for_update=True)
                reg.renewal_notice_for = reg.valid_until
                reg.version += 1
                for uid in after_registration.holder_users(uow, reg):
                    serve_notice(
                        uow,
                        application_id=reg.application_id,
                        kind="renewal_reminder",
                        recipient_user_id=uid,
                        at=env.now(),
                        body={
                            "registration_number": reg.registration_number,
                            "valid_until": reg.valid_until.isoformat(),
                        },
                        due_on=reg.valid_until,
                    )
                record_event(
                    uow,
                    subject_type="registration",
                    subject_id=reg.id,
                    type="RenewalReminderServed",
                    at=env.now(),
                    actor_user_id=None,
                    public={
                        "registration_number": reg.registration_number,
                        "valid_until": reg.valid_until.isoformat(),
                    },
                )
            uow.commit()
            done += len(regs)
