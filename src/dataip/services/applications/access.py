"""Who may see and act on an application (登记申请), and in what context: the caller's roles
as the transition table knows them (``actors_for``: G§5, a co-applicant acts once it has
joined), ``load`` (drafts only by their applicants), the application's ``Context`` (G§14's
publicity period, G§15's objections), and the refusals every application service answers
with (``not_found``, ``stale``, ``conflict``, ``not_the_filer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import PUBLIC_STATES, AppState
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import Actor, Context, Transition
from dataip.domain.procedural_requests import RequestFacts
from dataip.domain.registers import transitions_for
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.ports import UnitOfWork
from dataip.services.recording import due_date


def not_found() -> DomainError:
    return DomainError(
        "application_not_found", "登记申请不存在", "application not found", status=404
    )


def stale(current: int) -> DomainError:
    return DomainError(
        "stale_version",
        "申请已被他人修改，请刷新后重试",
        "the application changed since you read it; reload and retry",
        status=412,
        details={"current_version": current},
    )


def conflict() -> DomainError:
    return DomainError(
        "concurrent_update",
        "申请正被他人同时处理，请刷新后重试",
        "someone else changed the application at the same time; reload",
        status=409,
    )


def actors_for(uow: UnitOfWork, identity: Identity, app: m.Application) -> set[Actor]:
    """The caller's roles on this application. `holder` is the filer, or an applicant the
    caller acts for that has consented: a party named as co-applicant may read the draft
    and consent (`is_invited`), but acts on it only once it has joined (G§5). Staff are the
    `registry`; every other signed-in caller is `public`."""
    actors: set[Actor] = set()
    if identity.role == "system":
        return {"system"}
    if identity.role == "authority":  # issue 24 §1: the body a register forwards to
        return {"authority"} if app.register != "data_ip" else set()
    if identity.user_id is None:
        return actors
    # registry staff act as the registry, not as the public: they hold no parties, so an
    # objection (real name, G§14) is never theirs to file
    actors.add("registry" if identity.is_registry else "public")
    if app.filer_user_id == identity.user_id:
        actors.add("holder")
    else:
        mine = actable_party_ids(uow, identity)
        rows = uow.app_parties.for_application(app.id)
        if any(ap.party_id in mine and ap.consented_at is not None for ap in rows):
            actors.add("holder")
    return actors


def table_for(env: Env, app: m.Application) -> tuple[Transition, ...]:
    """The application's register's transition table (issue 24 §1, `domain.registers`):
    data property's is decided by another body when its profile forwards its filings."""
    forwarded = env.profile_for(app.register).authority == "forward"
    return transitions_for(app.register, forwarded=forwarded)


def is_invited(uow: UnitOfWork, identity: Identity, app: m.Application) -> bool:
    """The caller acts for a party named on the application (consented or not)."""
    mine = actable_party_ids(uow, identity)
    return bool(mine & {ap.party_id for ap in uow.app_parties.for_application(app.id)})


def load(uow: UnitOfWork, identity: Identity, application_id: int) -> m.Application:
    """Load an application the caller may see at all (drafts only by their applicants)."""
    app = uow.applications.get(application_id)
    if app is None:
        raise not_found()
    if AppState(app.state) in PUBLIC_STATES or identity.is_registry:
        return app
    if "holder" in actors_for(uow, identity, app) or is_invited(uow, identity, app):
        return app
    raise not_found()


def not_the_filer() -> DomainError:
    return DomainError(
        "not_the_filer",
        "仅申请提交人可修改申请；共同申请人可查看并确认",
        "only the filer edits the application; co-applicants read and consent",
        status=403,
    )


def context_for(
    uow: UnitOfWork,
    env: Env,
    app: m.Application,
    deadlines: Sequence[m.Deadline] | None = None,
    objections: Sequence[m.Objection] | None = None,
    identity: Identity | None = None,
    *,
    with_requests: bool = True,
) -> Context:
    """What the table's guards read: the application's periods and objections and, for a
    signed-in `identity`, whether it is one of the applicants."""
    now = env.now()
    if deadlines is None:
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
    if objections is None:
        objections = (
            uow.objections.for_application(app.id)
            if app.state in (AppState.PUBLICISED, AppState.OBJECTION_PENDING)
            else []
        )
    publicity = [d for d in deadlines if d.kind == "publicity" and d.status == "open"]
    over = bool(publicity) and all(_expired(d.due_on, now) for d in publicity)
    open_obj = [o for o in objections if o.status != "decided"]
    in_publicity = app.state in (AppState.PUBLICISED, AppState.OBJECTION_PENDING)
    verified = True
    if in_publicity and identity is not None and identity.user_id is not None:
        verified = any(
            p.verification_status == "verified" for p in uow.parties.for_owner(identity.user_id)
        )
    return Context(
        today=now.date(),
        publicity_over=over,
        open_objections=len(open_obj),
        unnotified_objections=sum(o.status == "filed" for o in open_obj),
        notified_objections=sum(o.status == "notified" for o in open_obj),
        caller_is_applicant=(
            identity is not None
            and identity.user_id is not None
            and app.state in (AppState.PUBLICISED, AppState.OBJECTION_PENDING)
            and (app.filer_user_id == identity.user_id or is_invited(uow, identity, app))
        ),
        caller_verified=verified,
        requests=request_facts(uow, env, app, deadlines) if with_requests else RequestFacts(),
        decided_elsewhere=env.profile_for(app.register).authority == "forward",
    )


def request_facts(
    uow: UnitOfWork, env: Env, app: m.Application, deadlines: Sequence[m.Deadline]
) -> RequestFacts:
    """What the guards of fast track, extension and reinstatement read (R8, G§12)."""
    if app.state not in IN_PROCEDURE_OR_DEEMED:
        return RequestFacts(fast_track=app.fast_track)
    pending = frozenset(
        r.kind for r in uow.procedural_requests.for_application(app.id) if r.status == "pending"
    )
    correction = next((d for d in deadlines if d.kind == "correction" and d.status == "open"), None)
    until = None
    if app.state == AppState.DEEMED_WITHDRAWN:
        # G§12: counted from the deemed withdrawal (its correction period's expiry)
        ended = [
            d.closed_at
            for d in uow.deadlines.for_application(app.id)
            if d.kind == "correction" and d.status == "expired" and d.closed_at is not None
        ]
        if ended:
            until = due_date(env, "reinstatement", max(ended), app.register).due_on
    return RequestFacts(
        pending=pending,
        fast_track=app.fast_track,
        correction_due=correction.due_on if correction else None,
        reinstatement_until=until,
    )


IN_PROCEDURE_OR_DEEMED = frozenset(
    {
        AppState.SUBMITTED,
        AppState.UNDER_EXAMINATION,
        AppState.AWAITING_CORRECTION,
        AppState.PUBLICISED,
        AppState.OBJECTION_PENDING,
        AppState.AWAITING_JUDGMENT,
        AppState.DEEMED_WITHDRAWN,
    }
)


def _expired(due_on: date, now: Any) -> bool:
    return bool(now.date() > due_on)
