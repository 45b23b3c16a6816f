"""Registrations (登记) as announced: the public record and its current status (R23, R24),
what the caller may do with it, and the registration archive (登记档案, G§25, R22).

The actions themselves are in `after_registration`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import (
    REAL_NAME_REQUESTS,
    REG_STATE_LABELS,
    RegState,
    allowed,
)
from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services import catalogue, due_states, sample_publication
from dataip.services.after_registration.pledges import proposal_dict
from dataip.services.after_registration.preservation import freeze_dict
from dataip.services.announcements import public_holder
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork

private_reads = logging.getLogger("dataip.access")

# What the public sees of a filing's details; amounts, fees and prices stay private.
_PUBLIC_FILING_KEYS = (
    "licence_type",
    "scope",
    "territory",
    "term_start",
    "term_end",
    "right",
    "zdw_reference",  # issue 20 §6: the pledge's number at 中登网 (public, domain.pledges)
    "proposal_number",
)


@dataclass
class RegistrationView:
    registration: m.Registration
    visibility: str  # "full" (holder, registry) | "public"
    state_label: tuple[str, str]
    holders: list[dict[str, Any]]
    allowed_actions: list[str] = field(default_factory=list)
    filings: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    announcements: list[dict[str, Any]] = field(default_factory=list)
    encumbrances: dict[str, Any] = field(default_factory=dict)
    sample: dict[str, Any] | None = None  # published sample rows (issue 7), if any
    sample_choice: str | None = None  # the holder's choice, for holders and the registry
    freezes: list[dict[str, Any]] = field(default_factory=list)  # court preservations (保全)
    # G§20, G§21, G§23: the requests this caller could make once one of its subjects is
    # real-name verified (revocation, a one-sided transfer or cancellation; the table's guard
    # withholds them until then)
    needs_verification: list[str] = field(default_factory=list)
    # issue 20 §6: banks' pledge proposals (holders and the registry)
    pledge_proposals: list[dict[str, Any]] = field(default_factory=list)
    # R32 (issue 24 §3): the CSTR and DOI, each with its resolver's link
    identifiers: dict[str, dict[str, str]] = field(default_factory=dict)


def _needs_verification(state: RegState, who: actions.Caller) -> list[str]:
    """The requests under a real name (G§20, G§21, G§23) the table withholds from this caller
    only because none of its subjects is verified — asked of the table's guard."""
    if "public" not in who.actors or who.ctx.caller_verified:
        return []
    offered = allowed(state, who.actors, who.ctx)
    once_verified = allowed(state, who.actors, replace(who.ctx, caller_verified=True))
    return [a for a in once_verified if a in REAL_NAME_REQUESTS and a not in offered]


def _find(uow: UnitOfWork, number: str) -> m.Registration:
    reg = uow.registrations.by_number(number)
    if reg is None:
        raise actions.not_found()
    return reg


def list_registrations(*, env: Env, after_id: int = 0, limit: int = 50) -> list[m.Registration]:
    with env.read() as uow:
        return list(uow.registrations.page(after_id=after_id, limit=max(1, min(limit, 200))))


def get_registration(*, env: Env, number: str) -> m.Registration:
    with env.read() as uow:
        return _find(uow, number)


def filing_dict(f: m.Filing, *, full: bool, today: Any) -> dict[str, Any]:
    d = f.details
    out: dict[str, Any] = {
        "number": f.number,
        "kind": f.kind,
        "contract_date": f.contract_date.isoformat(),
        "filed_on": f.filed_on.isoformat(),
        "due_on": f.due_on.isoformat(),
        "provisional": f.provisional,  # R0.4: recomputed when the year is loaded
        "late": f.late,
        "state": _filing_state(f, today),
        "released_at": f.released_at.isoformat() if f.released_at else None,
    }
    ended = d.get("ended_with")
    if f.state == "ended" and ended:  # ended with the right (after_registration.encumbrances)
        out["ended_on"] = ended.get("on")
        out["ended_with"] = ended.get("registration_state")
    for k in _PUBLIC_FILING_KEYS:
        if d.get(k) is not None:
            out[k] = d[k]
    for k in ("licensee", "pledgee", "counterparty"):
        if k in d:
            out[k] = d[k] if full or k == "pledgee" else actions._public_party(d[k])
    enforced = d.get("enforcement")
    if enforced:  # issue 20 §6: how and when announced; the amount realised is private
        out["enforcement"] = {k: enforced.get(k) for k in ("method", "enforced_on")}
    if full:
        if enforced:
            out["enforcement"] = dict(enforced)
        for k in (
            "fee_fen",
            "secured_amount_fen",
            "price_fen",
            "contract_blob",
            "loan_reference",
            "contract_reference",
        ):
            if d.get(k) is not None:
                out[k] = d[k]
        out["consents"] = [
            {k: c.get(k) for k in ("for_action", "instrument", "recorded_at", "used_at")}
            for c in f.consents
        ]
        out["release_reason"] = f.release_reason
    return out


def filing_now(*, env: Env, announcement: m.Announcement) -> dict[str, Any] | None:
    """The current state of the filing a licence, pledge, trade or pledge-release
    announcement is about (its public part): an old announcement does not say whether the
    filing is still in force — it may have been released, or ended with the right."""
    number = (announcement.body or {}).get("filing_number")
    if not number:
        return None
    with env.read() as uow:
        f = uow.filings.by_number(str(number))
        if f is None:
            return None
        out = filing_dict(f, full=False, today=env.today())
    return {k: out.get(k) for k in ("number", "kind", "state", "ended_with", "ended_on")}


def _filing_state(f: m.Filing, today: Any) -> str:
    """A licence past its term has ended; a pledge stays in force until it is released; any
    filing ends with the right (`ended`, stored when the registration ends)."""
    if f.state == "in_force" and f.kind == "licence":
        end = f.details.get("term_end")
        if end and end < today.isoformat():
            return "ended"
    return f.state


def request_dict(r: m.RegistrationRequest, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "kind": r.kind,
        "state": r.state,
        "filed_at": r.filed_at.isoformat(),
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "outcome": r.outcome,
        "re_examination_due": r.re_examination_due.isoformat() if r.re_examination_due else None,
        "re_examination_provisional": r.re_examination_provisional,  # R0.4
    }
    if full:
        out.update(
            payload=r.payload,
            requester_user_id=r.requester_user_id,
            requester_party_id=r.requester_party_id,
            decision_reason=r.decision_reason,
            decided_by=r.decided_by,
            related_request_id=r.related_request_id,
        )
    return out


def announcement_dict(a: m.Announcement) -> dict[str, Any]:
    return {
        "number": a.number,
        "kind": a.kind,
        "published_at": a.published_at.isoformat(),
        "title_zh": a.title_zh,
        "title_en": a.title_en,
    }


def view(
    identity: Identity, *, env: Env, number: str, institutional: bool = False
) -> RegistrationView:
    """The public record and current status; holders and the registry also see the filings'
    private terms and the requests' contents. `allowed_actions` are the caller's.
    `institutional`: the full record for an institution holding `registrations:read-full`,
    whose read the caller accounts for (services/sharing/reads.py)."""
    with env.read() as uow:
        reg = _find(uow, number)
        who = actions.caller(uow, env, identity, reg)
        full = institutional or bool(who.actors & {"holder", "registry"})
        today = env.today()
        filings = [
            filing_dict(f, full=full, today=today) for f in uow.filings.for_registration(reg.id)
        ]
        reqs = uow.requests.for_registration(reg.id)
        mine = {r.id for r in reqs if r.requester_user_id == identity.user_id}
        freezes = [
            freeze_dict(f, full=full, today=today) for f in uow.freezes.for_registration(reg.id)
        ]
        if full:
            private_reads.info(
                "registration read",
                extra={"user_id": identity.user_id, "role": identity.role, "registration": number},
            )
        return RegistrationView(
            registration=reg,
            visibility="full" if full else "public",
            state_label=REG_STATE_LABELS[RegState(reg.state)],
            holders=(
                [dict(h) for h in reg.holders] if full else [public_holder(h) for h in reg.holders]
            ),
            allowed_actions=allowed(RegState(reg.state), who.actors, who.ctx),
            needs_verification=_needs_verification(RegState(reg.state), who),
            filings=filings,
            requests=[request_dict(r, full=full or r.id in mine) for r in reqs],
            versions=[
                {
                    "number": v.number,
                    "reason": v.reason,
                    "effective_at": v.effective_at.isoformat(),
                    "valid_until": v.valid_until.isoformat(),
                }
                for v in uow.registration_versions.for_registration(reg.id)
            ],
            announcements=[
                announcement_dict(a) for a in uow.announcements.for_registration(reg.id)
            ],
            encumbrances={
                "pledged": any(f["kind"] == "pledge" and f["state"] == "in_force" for f in filings),
                "licences_in_force": sum(
                    f["kind"] == "licence" and f["state"] == "in_force" for f in filings
                ),
            },
            sample=sample_publication.public_view(uow, reg),
            sample_choice=sample_publication.choice_of(uow, reg) if full else None,
            freezes=freezes,
            pledge_proposals=(
                [
                    proposal_dict(p, today=today)
                    for p in uow.pledge_proposals.for_registration(reg.id)
                ]
                if full
                else []
            ),
            identifiers=catalogue.links(uow, reg),
        )


def renew(identity: Identity, *, env: Env, number: str) -> m.Registration:
    """R16 / G§19: a holder renews within the profile's window before expiry."""
    reg, _ = actions.perform(identity, env=env, number=number, action="renew")
    return reg


def archive(
    identity: Identity, *, env: Env, number: str, institutional: bool = False
) -> dict[str, Any]:
    """The registration archive (登记档案, G§25, R22): the complete history of the
    application and its registration — every version, notice, decision, filing, request and
    announcement, each event with its actor, time, reason and place in the transparency log.
    Holders and the registry only; every read is access-logged. `institutional`: for an
    institution holding `registrations:read-full`, whose read the caller accounts for."""
    with env.read() as uow:
        reg = _find(uow, number)
        if not institutional:
            identity.require_login()  # anonymous: 401, like every other private read
        who = actions.caller(uow, env, identity, reg)
        if not institutional and not who.actors & {"holder", "registry"}:
            raise DomainError(
                "forbidden",
                "仅登记主体和登记机构可查阅登记档案",
                "only the holders and the registry may read the archive",
                status=403,
            )
        private_reads.info(
            "archive read",
            extra={"user_id": identity.user_id, "role": identity.role, "registration": number},
        )
        app = uow.applications.get(reg.application_id)
        events = [
            *uow.events.for_subject("application", app.id),
            *uow.events.for_subject("registration", reg.id),
            *uow.events.for_subject("certificate", reg.id),
        ]
        indices = uow.ledger.indices_of_events([e.id for e in events])
        actors = {u.id: u for u in uow.users.many({e.actor_user_id for e in events} - {None})}
        today = env.today()
        notices = uow.notices.for_application(app.id)
        dues = due_states.of_notices(uow, notices)
        return {
            "format": "dataip-archive",
            "version": 1,
            "generated_at": env.now().isoformat(),
            "registry": {
                "code": env.profile.registry_code,
                "name_zh": env.profile.registry_name_zh,
                "name_en": env.profile.registry_name_en,
            },
            "registration": {
                "registration_number": reg.registration_number,
                "certificate_number": reg.certificate_number,
                "certificate_version": reg.certificate_version,
                "name": reg.name,
                "industry_code": reg.industry_code,
                "registration_date": reg.registration_date.isoformat(),
                "valid_from": reg.valid_from.isoformat(),
                "valid_until": reg.valid_until.isoformat(),
                "state": reg.state,
                "state_reason": reg.state_reason,
                "ended_on": reg.ended_on.isoformat() if reg.ended_on else None,
                "holders": reg.holders,
            },
            "application": {
                "id": app.id,
                "application_number": app.application_number,
                "filing_date": app.filing_date.isoformat() if app.filing_date else None,
                "state": app.state,
                "versions": [
                    {
                        "number": v.number,
                        "reason": v.reason,
                        "frozen_at": v.frozen_at.isoformat(),
                        "form": v.form,
                        "applicants": v.applicants,
                    }
                    for v in uow.versions.for_application(app.id)
                ],
                "objections": [
                    {
                        "id": o.id,
                        "filed_at": o.filed_at.isoformat(),
                        "statement": o.statement,
                        "evidence_blobs": o.evidence_blobs,
                        "status": o.status,
                        "answer": o.answer,
                        "outcome": o.outcome,
                        "decided_at": o.decided_at.isoformat() if o.decided_at else None,
                    }
                    for o in uow.objections.for_application(app.id)
                ],
            },
            "certificate_versions": [
                {
                    "number": v.number,
                    "reason": v.reason,
                    "effective_at": v.effective_at.isoformat(),
                    "name": v.name,
                    "industry_code": v.industry_code,
                    "holders": v.holders,
                    "valid_from": v.valid_from.isoformat(),
                    "valid_until": v.valid_until.isoformat(),
                    "form": v.form,
                    "request_id": v.request_id,
                }
                for v in uow.registration_versions.for_registration(reg.id)
            ],
            "certificates": [
                {
                    "version": c.version,
                    "kid": c.kid,
                    "sha256": c.sha256,
                    "issued_at": c.issued_at.isoformat(),
                    "token": c.token,
                }
                for c in uow.certificates.for_registration(reg.id)
            ],
            "requests": [request_dict(r, full=True) for r in uow.requests.for_registration(reg.id)],
            "filings": [
                filing_dict(f, full=True, today=today) for f in uow.filings.for_registration(reg.id)
            ],
            "freezes": [
                freeze_dict(f, full=True, today=today) for f in uow.freezes.for_registration(reg.id)
            ],
            "notices": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "title_zh": n.title_zh,
                    "title_en": n.title_en,
                    "recipient_user_id": n.recipient_user_id,
                    "served_at": n.served_at.isoformat(),
                    "due_on": n.due_on.isoformat() if n.due_on else None,
                    "provisional": n.provisional,
                    "due_status": dues[n.id].shown(today) if n.id in dues else None,
                    "body": n.body,
                }
                for n in notices
            ],
            "announcements": [
                {**announcement_dict(a), "body": a.body}
                for a in uow.announcements.for_registration(reg.id)
            ],
            "events": [
                {
                    "id": e.id,
                    "subject": e.subject_type,
                    "type": e.type,
                    "occurred_at": e.occurred_at.isoformat(),
                    "actor": (
                        {
                            "user_id": e.actor_user_id,
                            "username": actors[e.actor_user_id].username,
                            "role": actors[e.actor_user_id].role,
                        }
                        if e.actor_user_id in actors
                        else None
                    ),
                    "public": e.public,
                    "log_index": indices.get(e.id),
                }
                for e in sorted(events, key=lambda e: e.id)
            ],
        }


def statistics(*, env: Env) -> dict[str, Any]:
    """Public statistics for the portal's home page: registrations by status, by industry
    section (GB/T 4754) and by month of registration (the last twelve months with any).
    Aggregates over every registration, read far more often than the register changes: each
    process keeps them while the events' generation (`Events.generation`: the last event's
    id and the log's size, which every change to a registration moves) is the same, at most
    `STATISTICS_SECONDS` (issue 25: they were most of the home page's CPU) — and, once the
    register changed, for `Settings.statistics_min_interval_seconds` after they were computed,
    one computation at a time per process (`Env.remembered`). The returned dict is shared:
    callers must not change it."""
    with env.read() as uow:
        generation = uow.events.generation()
    return env.remembered(
        "registrations.statistics",
        generation,
        lambda: _statistics(env),
        ttl=STATISTICS_SECONDS,
        min_age=env.statistics_min_interval,
    )


STATISTICS_SECONDS = 60.0


def _statistics(env: Env) -> dict[str, Any]:
    with env.read() as uow:
        counts = uow.registrations.counts()
        sections: dict[str, int] = {}
        names: dict[str, str] = {}
        for division, n in counts["division"]:
            row = uow.industries.get(division) if division else None
            letter = row.section if row is not None else "-"
            sections[letter] = sections.get(letter, 0) + n
        for letter in sections:
            row = uow.industries.get(letter)
            names[letter] = row.name if row is not None else "未填写行业"
    months: dict[str, int] = {}
    for day, n in counts["date"]:
        key = f"{day.year:04d}-{day.month:02d}"
        months[key] = months.get(key, 0) + n
    by_state = dict(counts["state"])
    return {
        "total": sum(by_state.values()),
        "by_state": [
            {"state": s.value, "label": REG_STATE_LABELS[s], "count": by_state.get(s.value, 0)}
            for s in RegState
            if by_state.get(s.value)
        ],
        "by_section": sorted(
            ({"section": k, "name": names[k], "count": v} for k, v in sections.items()),
            key=lambda d: (-d["count"], d["section"]),
        ),
        "by_month": [{"month": k, "count": months[k]} for k in sorted(months)[-12:]],
    }


def public_history(*, env: Env, number: str) -> list[dict[str, Any]]:
    """What the transparency log publishes about a registration: each event's type, time and
    log index (a proof of each is at /api/v1/log/entries/{index}/receipt). The same facts as
    the leaves themselves: no actor, nothing private. The application's events come first:
    filing, examination and publicity led to the registration."""
    with env.read() as uow:
        reg = _find(uow, number)
        events = uow.events.for_subjects(
            ("application", reg.application_id), ("registration", reg.id), ("certificate", reg.id)
        )
        indices = uow.ledger.indices_of_events([e.id for e in events])  # one query
        return [
            {"type": e.type, "at": e.occurred_at.isoformat(), "log_index": indices.get(e.id)}
            for e in events  # in id order
        ]
