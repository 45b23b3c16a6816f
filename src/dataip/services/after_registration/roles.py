"""Who is who on a registration — its holders (登记主体), a transferee (受让人), a requester
(请求人) — and the context the table's guards read (`RegContext`).

A caller is a holder if it owns or is an accepted agent of one of the holder parties, or filed
the application while the holders are still the ones it filed for; after a transfer the
transferees' accounts take over. It is a transferee while a transfer by agreement awaits its
consent (G§21), and a requester while a request of its own is open or while it may still
contest the refusal of its revocation request (G§20, 15 days). The context carries the
renewal window (G§19) and the pledges in force: a pledge blocks a transfer, abandonment or
cancellation until its pledgee's consent is recorded (G§22 and the pledge contract), checked
when the request is filed and used up when it takes effect (`_pledge_check`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dataip.domain import model as m
from dataip.domain.after_registration import OPEN_REQUEST_STATES, RegActor, RegContext, pledged
from dataip.domain.after_registration_codes import CONSENT_KINDS
from dataip.domain.calendar import renewal_window
from dataip.domain.registration import agreement_end
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.ports import UnitOfWork


def holder_party_ids(reg: m.Registration) -> set[int]:
    return {int(h["party_id"]) for h in reg.holders if h.get("party_id") is not None}


def _original_holders(uow: UnitOfWork, reg: m.Registration) -> bool:
    app_parties = {ap.party_id for ap in uow.app_parties.for_application(reg.application_id)}
    return app_parties == holder_party_ids(reg)


def holder_users(uow: UnitOfWork, reg: m.Registration) -> list[int]:
    """Who is served the holder's notices: the owners of the holder parties, and the filer of
    the application while the holders are still those it filed for."""
    owners = [p.owner_user_id for p in uow.parties.many(sorted(holder_party_ids(reg)))]
    if _original_holders(uow, reg):
        app = uow.applications.get(reg.application_id)
        owners.insert(0, app.filer_user_id)
    return list(dict.fromkeys(owners))


def is_holder(uow: UnitOfWork, identity: Identity, reg: m.Registration) -> bool:
    if identity.user_id is None:
        return False
    if actable_party_ids(uow, identity) & holder_party_ids(reg):
        return True
    if _original_holders(uow, reg):
        app = uow.applications.get(reg.application_id)
        return bool(app.filer_user_id == identity.user_id)
    return False


@dataclass
class Caller:
    actors: set[RegActor]
    party_ids: set[int]
    ctx: RegContext


def _contestable(
    reqs: list[m.RegistrationRequest], actors: set[RegActor], uid: int | None, today: date
) -> m.RegistrationRequest | None:
    """G§20: the revocation decision the caller may contest, if within its 15 days."""
    contested = {r.related_request_id for r in reqs if r.kind == "re_examination"}
    for r in reversed(reqs):
        if r.kind != "revocation" or r.outcome is None or r.re_examination_due is None:
            continue
        if r.id in contested or today > r.re_examination_due:
            return None  # only the latest decision can be contested
        if r.outcome == "approve" and "holder" in actors:
            return r
        if r.outcome == "refuse" and r.requester_user_id == uid:
            return r
        return None
    return None


def caller(uow: UnitOfWork, env: Env, identity: Identity, reg: m.Registration) -> Caller:
    uid = identity.user_id
    actors: set[RegActor] = set()
    mine: set[int] = set()
    if identity.role == "system":
        actors.add("system")
    elif identity.role == "court":
        actors.add("court")  # issue 20 §7: a court's institutional client (freezes:write)
    elif identity.role == "bank":
        actors.add("bank")  # issue 20 §6: a bank's institutional client (pledges:write)
    elif uid is not None:
        mine = actable_party_ids(uow, identity)
        # staff act as the registry, not as the public: they hold no parties, so a request
        # under a real name (revocation, a unilateral transfer or cancellation) is not theirs
        actors.add("registry" if identity.is_registry else "public")
        if is_holder(uow, identity, reg):
            actors.add("holder")
    reqs = uow.requests.for_registration(reg.id)
    open_reqs = [r for r in reqs if r.state in OPEN_REQUEST_STATES]
    awaiting = [
        r
        for r in open_reqs
        if r.kind == "transfer"
        and r.state == "awaiting_consent"
        and mine & {int(t["party_id"]) for t in r.payload["transferees"]}
    ]
    if awaiting:
        actors.add("transferee")
    my_open = [r for r in open_reqs if uid is not None and r.requester_user_id == uid]
    if my_open:
        actors.add("requester")
    contest = _contestable(reqs, actors, uid, env.today())
    if contest is not None and contest.outcome == "refuse":
        actors.add("requester")
    latest = uow.registration_versions.latest(reg.id)
    opens, closes = renewal_window(reg.valid_until, months=env.profile.renewal_window_months)
    pledges = [
        f
        for f in uow.filings.for_registration(reg.id)
        if f.kind == "pledge" and f.state == "in_force"
    ]
    uscc = bank_uscc(uow, identity)
    if uscc is not None and any(pledgee_uscc(f) == uscc for f in pledges):
        actors.add("pledgee")
    awaiting_proposals = proposals_awaiting(uow, reg, env.today())
    ctx = RegContext(
        today=env.today(),
        renewal_opens=opens,
        renewal_closes=closes,
        pending_requests=sum(r.state == "pending" for r in open_reqs),
        awaiting_my_consent=len(awaiting),
        my_open_requests=len(my_open),
        re_examination_open=contest is not None,
        pledges_in_force=len(pledges),
        pledges_blocking=_blocking(pledges),
        freezes_in_force=freezes_in_force(uow, reg, env.today()),
        pledge_proposals=tuple(p.number for p in awaiting_proposals),
        my_pledge_proposals=tuple(
            p.number for p in awaiting_proposals if p.client_id == identity.username and uscc
        ),
        pending_change_or_transfer=any(r.kind in ("change", "transfer") for r in open_reqs),
        agreement_end=agreement_end(env.profile, latest.form) if latest else None,
        caller_verified="public" not in actors
        or any(
            p is not None and p.verification_status == "verified"
            for p in map(uow.parties.get, sorted(mine))
        ),
    )
    return Caller(actors, mine, ctx)


def bank_uscc(uow: UnitOfWork, identity: Identity) -> str | None:
    """Issue 20 §6: the credit code of a bank client's institution (verified when the admin
    registered it), or None for anyone else."""
    if identity.role != "bank" or identity.username is None:
        return None
    inst = uow.sharing.institution(identity.username)
    return inst.uscc if inst is not None else None


def pledgee_uscc(f: m.Filing) -> str | None:
    pledgee = f.details.get("pledgee") or {}
    return pledgee.get("credit_code") if isinstance(pledgee, dict) else None


def proposals_awaiting(uow: UnitOfWork, reg: m.Registration, today: date) -> list[m.PledgeProposal]:
    """Issue 20 §6: the banks' pledge proposals still awaiting the holder (not lapsed)."""
    return [
        p
        for p in uow.pledge_proposals.for_registration(reg.id)
        if p.state == "awaiting" and p.lapses_on >= today
    ]


def freezes_in_force(uow: UnitOfWork, reg: m.Registration, today: date) -> tuple[str, ...]:
    """Issue 20 §7: the numbers of the court preservations in force on `reg` today. A
    preservation whose term has ended without being continued (续行保全: the court files a
    new one) no longer binds (SPC Interpretation of the Civil Procedure Law, Art. 487), as a
    licence past its term has ended (`registrations._filing_state`)."""
    return tuple(
        f.number
        for f in uow.freezes.for_registration(reg.id)
        if f.state == "in_force" and (f.term_end is None or f.term_end >= today)
    )


def _unused(f: m.Filing, kind: str) -> int | None:
    """The index of the pledgee's first unused consent to `kind`, if any."""
    return next(
        (
            i
            for i, c in enumerate(f.consents)
            if c.get("for_action") == kind and not c.get("used_at")
        ),
        None,
    )


def _blocking(pledges: list[m.Filing]) -> dict[str, tuple[str, ...]]:
    return {
        kind: tuple(f.number for f in pledges if _unused(f, kind) is None) for kind in CONSENT_KINDS
    }


def _pledges(uow: UnitOfWork, reg: m.Registration) -> list[m.Filing]:
    return [
        f
        for f in uow.filings.for_registration(reg.id)
        if f.kind == "pledge" and f.state == "in_force"
    ]


def _pledge_check(
    uow: UnitOfWork, env: Env, reg: m.Registration, for_action: str, *, use: bool
) -> None:
    """A pledge in force blocks the action without its pledgee's consent. Checked when the
    request is filed and again when it takes effect (a pledge may have been filed since);
    taking effect uses the consent up: it covers one transfer, abandonment or cancellation,
    not every later one."""
    pledges = _pledges(uow, reg)
    blocking = _blocking(pledges)[for_action]
    if blocking:
        raise pledged(blocking)
    if not use:
        return
    for f in pledges:
        i = _unused(f, for_action)
        assert i is not None
        consents = [dict(c) for c in f.consents]
        consents[i]["used_at"] = env.now().isoformat()
        f.consents = consents
