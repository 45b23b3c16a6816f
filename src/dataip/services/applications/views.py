"""What each caller may see of applications (登记申请的查看): one application's view (the
whole filing to its applicants and the registry, G§14's public part to anyone else, a natural
person's name masked), the lists, the running publicity periods (R11/G§14), the frozen
versions, the archive of its events (登记档案, R22/G§25) and the notices served (R7/G§11).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import PUBLIC_STATES, STATE_LABELS, AppState
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import mask_name, mask_resident_id
from dataip.domain.lifecycle import allowed_actions
from dataip.services.applications.access import (
    actors_for,
    context_for,
    is_invited,
    load,
    not_found,
    table_for,
)
from dataip.services.applications.checks import examination_checks
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.ports import UnitOfWork

private_reads = logging.getLogger("dataip.private_access")


@dataclass
class ApplicationView:
    """What one caller may see of one application."""

    application: m.Application
    visibility: str  # "full" | "public"
    applicants: list[dict[str, Any]]
    deadlines: list[m.Deadline] = field(default_factory=list)
    allowed_actions: list[str] = field(default_factory=list)
    registration: m.Registration | None = None
    objections: list[m.Objection] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    # fast track, extension, reinstatement requests (R8, G§12): the applicants' and registry's
    requests: list[m.ProceduralRequest] = field(default_factory=list)


def public_applicants(uow: UnitOfWork, app: m.Application) -> list[dict[str, Any]]:
    """G§14 shows the applicant; a natural person's name is shown masked, never the ID."""
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    out = []
    for r in rows:
        p = parties[r.party_id]
        if p.kind == "natural_person":
            out.append({"kind": p.kind, "name": mask_name(p.name)})
        else:
            out.append({"kind": p.kind, "name": p.name, "credit_code": p.id_number})
    return out


def holder_applicants(
    uow: UnitOfWork, app: m.Application, *, unmask: bool, viewer: Identity | None = None
) -> list[dict[str, Any]]:
    """The applicants as the holders and the registry see them. A co-applicant that has not
    consented is shown to `viewer` (unless it is the registry or acts for that party) only as
    the filer named it: to the filer its party id and number (a resident ID masked), to
    others its share alone — its name and verification status wait for its consent (G§5,
    issue 18)."""
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    mine: set[int] | None = None
    if viewer is not None and not viewer.is_registry:
        mine = actable_party_ids(uow, viewer)
    filer = viewer is not None and viewer.user_id == app.filer_user_id
    out = []
    for r in rows:
        p = parties[r.party_id]
        number = p.id_number
        if p.kind == "natural_person" and not unmask:
            number = mask_resident_id(number)
        entry: dict[str, Any] = {
            "party_id": p.id,
            "kind": p.kind,
            "name": p.name,
            "id_number": number,
            "verification_status": p.verification_status,
            "warnings": p.warnings,
            "share_bp": r.share_bp,
            "rights_bounds": r.rights_bounds,
            "consented": r.consented_at is not None,
        }
        if mine is not None and r.consented_at is None and r.party_id not in mine:
            entry |= {
                "party_id": p.id if filer else None,
                "kind": None,
                "name": None,
                "id_number": number if filer else None,
                "verification_status": None,
                "warnings": [],
            }
        out.append(entry)
    return out


def view(identity: Identity, *, env: Env, application_id: int) -> ApplicationView:
    # a read: no write lock (SQLite) while the checks read the sample and proof files
    with env.read() as uow:
        app = load(uow, identity, application_id)
        actors = actors_for(uow, identity, app)
        # the applicants, and a party invited to join as one, see the whole filing
        full = bool(actors & {"holder", "registry"}) or is_invited(uow, identity, app)
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
        objections = uow.objections.for_application(app.id)
        ctx = context_for(uow, env, app, deadlines, objections, identity=identity)
        v = ApplicationView(
            application=app,
            visibility="full" if full else "public",
            applicants=(
                holder_applicants(uow, app, unmask=False, viewer=identity)
                if full
                else public_applicants(uow, app)
            ),
            deadlines=list(deadlines) if full else [d for d in deadlines if d.kind == "publicity"],
            allowed_actions=allowed_actions(AppState(app.state), actors, ctx, table_for(env, app)),
            registration=uow.registrations.by_application(app.id),
            objections=objections if "registry" in actors else [],
        )
        if full:
            v.checks = examination_checks(uow, env, app, viewer=identity)
            v.requests = list(uow.procedural_requests.for_application(app.id))
        return v


def consent_awaited(identity: Identity, *, env: Env, view: ApplicationView) -> list[Any]:
    """R3 (G§5): the joint applicants of a draft that the caller acts for (its own subjects,
    or an agent's accepted powers of attorney) and that have not yet consented."""
    if view.application.state != AppState.DRAFT.value:
        return []
    with env.read() as uow:
        mine = actable_party_ids(uow, identity)
    return [x for x in view.applicants if x["party_id"] in mine and not x["consented"]]


def under_publicity(*, env: Env, limit: int = 200) -> list[tuple[m.Application, m.Deadline]]:
    """R11/G§14: the applications whose publicity period is running today — anyone may
    object until its last day — with that period's deadline, the soonest ending first."""
    states = [AppState.PUBLICISED.value, AppState.OBJECTION_PENDING.value]
    with env.read() as uow:
        rows = uow.deadlines.running_publicity(env.today(), states, limit=max(1, min(limit, 500)))
        return [(app, d) for d, app in rows]


def list_for(
    identity: Identity, *, env: Env, state: str | None = None, after_id: int = 0, limit: int = 50
) -> list[m.Application]:
    """Holders see their own; examiners everything; anyone the publicised ones."""
    limit = max(1, min(limit, 200))
    states = None
    if state is not None:
        try:
            states = [AppState(state).value]
        except ValueError:
            raise DomainError(
                "invalid_state", f"无效的状态：{state}", f"invalid state: {state}", status=422
            ) from None
    with env.uow() as uow:
        if identity.is_registry:
            return uow.applications.page(states=states, after_id=after_id, limit=limit)
        public = [s.value for s in PUBLIC_STATES]
        if identity.user_id is None:
            wanted = [s for s in (states or public) if s in public]
            return uow.applications.page(states=wanted, after_id=after_id, limit=limit)
        mine = actable_party_ids(uow, identity)
        return uow.applications.for_holder(
            user_id=identity.user_id, party_ids=mine, states=states, after_id=after_id, limit=limit
        )


def state_label(state: str) -> tuple[str, str]:
    return STATE_LABELS[AppState(state)]


def versions(identity: Identity, *, env: Env, application_id: int) -> list[dict[str, Any]]:
    """Frozen versions (submission, corrections): holder and registry only."""
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        if not actors_for(uow, identity, app) & {"holder", "registry"}:
            raise not_found()
        private_reads.info(
            "versions read",
            extra={"user_id": identity.user_id, "role": identity.role, "application_id": app.id},
        )
        return [
            {
                "number": v.number,
                "reason": v.reason,
                "frozen_at": v.frozen_at.isoformat(),
                "form": v.form,
                "applicants": v.applicants,
            }
            for v in uow.versions.for_application(app.id)
        ]


def history(identity: Identity, *, env: Env, application_id: int) -> list[dict[str, Any]]:
    """The archive (登记档案, G§25): every event of the application in order."""
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        full = bool(actors_for(uow, identity, app) & {"holder", "registry"})
        out = []
        events = uow.events.for_subject("application", app.id)
        indices = uow.ledger.indices_of_events([e.id for e in events])
        for e in events:
            item: dict[str, Any] = {
                "id": e.id,
                "type": e.type,
                "occurred_at": e.occurred_at.isoformat(),
                "public": e.public,
                # where the event sits in the transparency log (None until integrated): a
                # receipt is at /api/v1/log/entries/{log_index}/receipt
                "log_index": indices.get(e.id),
            }
            if full:
                item["actor_user_id"] = e.actor_user_id
            out.append(item)
        return out


def inbox(
    identity: Identity, *, env: Env, limit: int = 100, application_id: int | None = None
) -> list[m.Notice]:
    """Notices served on the caller (R7), newest first: each with its service time and any
    due date; only those about one application when `application_id` is given."""
    uid = identity.require_login()
    with env.uow() as uow:
        return uow.notices.for_user(
            uid, application_id=application_id, limit=max(1, min(limit, 500))
        )


@dataclass(frozen=True)
class DashboardRow:
    """One application on the applicant's home: its state and the open deadline that ends
    first (whoever must act by it: `deadline.party` is `holder` or `registry`)."""

    application: m.Application
    next_deadline: m.Deadline | None


def dashboard(identity: Identity, *, env: Env, limit: int = 200) -> list[DashboardRow]:
    """The caller's applications (filed, or an applicant of), each with its next deadline:
    those with a deadline first, the soonest first, then the rest newest first. Two
    queries whatever the number of applications."""
    apps = list_for(identity, env=env, limit=limit)
    with env.read() as uow:
        open_ = uow.deadlines.for_applications([a.id for a in apps]) if apps else []
    first: dict[int, m.Deadline] = {}
    for d in open_:
        if d.application_id not in first or d.due_on < first[d.application_id].due_on:
            first[d.application_id] = d
    rows = [DashboardRow(a, first.get(a.id)) for a in apps]
    return sorted(
        rows,
        key=lambda r: (
            (0, r.next_deadline.due_on.toordinal(), r.application.id)
            if r.next_deadline
            else (1, -r.application.id, 0)
        ),
    )


def notice_subjects(identity: Identity, *, env: Env, notices: list[m.Notice]) -> dict[int, str]:
    """The name of the application each of the caller's notices is about (its application
    number for one without a name yet), by application id: a notice is listed with it."""
    identity.require_login()
    ids = sorted({n.application_id for n in notices if n.application_id})
    if not ids:
        return {}
    with env.read() as uow:
        apps = uow.applications.page(ids=ids, limit=len(ids))
    return {a.id: a.name or a.application_number or f"#{a.id}" for a in apps}


def mark_read(identity: Identity, *, env: Env, notice_id: int) -> m.Notice:
    uid = identity.require_login()
    with env.uow() as uow:
        n = uow.notices.get(notice_id)
        if n is None or n.recipient_user_id != uid:
            raise DomainError("notice_not_found", "通知不存在", "notice not found", status=404)
        if n.read_at is None:
            n.read_at = env.now()
            uow.commit()
        return n
