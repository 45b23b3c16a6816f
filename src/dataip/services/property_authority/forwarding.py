"""Forward a register's submitted filings to the body that decides them and follow its state
(issue 24 §1, R31). `dataip tick` runs both; each filing is its own transaction, and a body
that cannot be reached changes nothing here (the next round asks again).

The body's decisions are applied through the register's transition table as the `authority`
actor (`domain.registers.transitions_for(..., forwarded=True)`): the local application walks
the same states, its deadlines, notices and log events are the procedure's own, and an
approval registers with the certificate number the body issued.
"""

from __future__ import annotations

import logging
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.one_window.links import sibling_application
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.procedure.transition import apply_action
from dataip.services.property_authority.adapters import LocalAuthority
from dataip.services.property_authority.ports import (
    TERMINAL_REMOTE_STATES,
    AuthorityUnavailable,
    Filing,
    PropertyAuthority,
    RemoteState,
)
from dataip.services.recording import record_event

AUTHORITY = Identity(user_id=None, role="authority", username="authority")
REGISTER = "data_property"
_log = logging.getLogger("dataip.property_authority")

# the local actions that bring an application to what the body reports, in order; those the
# application is past already are skipped (the table refuses them in its state)
_PATH: dict[str, tuple[str, ...]] = {
    "received": (),
    "under_examination": ("accept",),
    "publicised": ("accept", "publicise"),
    "registered": ("accept", "publicise", "approve"),
    "refused": ("refuse",),
    "withdrawn": (),
}


def forwards(env: Env) -> bool:
    """Whether this deployment forwards its data property filings to another body."""
    profile = env.registers.get(REGISTER)
    return profile is not None and profile.authority == "forward"


def authority(env: Env) -> PropertyAuthority:
    return env.property_authority or LocalAuthority(env)


def _filing(uow: UnitOfWork, app: m.Application) -> Filing:
    prop = app.form.get("property") or {}
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    applicants = [
        {
            "name": parties[r.party_id].name,
            "kind": parties[r.party_id].kind,
            "id_number": parties[r.party_id].id_number,
            "share_bp": r.share_bp,
        }
        for r in rows
    ]
    sib = sibling_application(uow, app)
    return Filing(
        reference=app.application_number or "",
        rights=list(prop.get("rights") or []),
        name=app.name,
        data_source=str(prop.get("data_source") or ""),
        legality_basis=str(prop.get("legality_basis") or ""),
        compliance_statement=str(prop.get("compliance_statement") or ""),
        applicants=applicants,
        evidence_hash=app.evidence_hash,
        sibling=sib.application_number if sib is not None else None,
    )


def forward(env: Env, *, limit: int = 50) -> int:
    """Post every submitted filing not yet forwarded; returns how many the body took."""
    if not forwards(env):
        return 0
    with env.read() as uow:
        pending = [(a.id, _filing(uow, a)) for a in uow.registers.unforwarded(REGISTER, limit)]
    port = authority(env)
    done = 0
    for app_id, filing in pending:
        try:
            remote_id = port.forward(filing)
        except AuthorityUnavailable as e:
            _log.warning("forwarding %s failed: %s", filing.reference, e)
            continue
        now = env.now()
        try:
            with env.uow() as uow:
                uow.registers.add_forwarding(
                    application_id=app_id,
                    remote_id=remote_id,
                    remote_state="received",
                    forwarded_at=now,
                    attempts=1,
                )
                record_event(
                    uow,
                    subject_type="application",
                    subject_id=app_id,
                    type="FilingForwarded",
                    at=now,
                    actor_user_id=None,
                    public={"register": REGISTER, "application_number": filing.reference},
                )
                uow.commit()
        except ConcurrencyConflict:
            continue  # another round forwarded it first
        done += 1
    return done


def follow(env: Env, *, limit: int = 200) -> int:
    """Ask the body the state of each forwarded filing still open and apply what it decided;
    returns how many filings moved."""
    if not forwards(env):
        return 0
    with env.read() as uow:
        rows = uow.registers.open_forwardings(TERMINAL_REMOTE_STATES, limit=limit)
    port = authority(env)
    moved = 0
    for row in rows:
        try:
            st = port.state(row.remote_id or "")
        except AuthorityUnavailable as e:
            with env.uow() as uow:
                uow.registers.update_forwarding(
                    row, attempts=row.attempts + 1, last_error=str(e)[:200], polled_at=env.now()
                )
                uow.commit()
            continue
        try:
            with env.uow() as uow:
                app = uow.applications.get(row.application_id)
                changed = app is not None and _apply(uow, env, app, st)
                uow.registers.update_forwarding(
                    row, remote_state=st.state, polled_at=env.now(), last_error=None
                )
                uow.commit()
        except (ConcurrencyConflict, DomainError) as e:
            _log.warning("following forwarded filing %s: %s", row.remote_id, e)
            continue
        moved += int(changed)
    return moved


def _apply(uow: UnitOfWork, env: Env, app: m.Application, st: RemoteState) -> bool:
    changed = False
    for action in _PATH[st.state]:
        payload: dict[str, Any] = {}
        if action == "approve":
            payload = {"certificate_number": st.certificate_number}
        elif action == "refuse":
            payload = {
                "grounds": st.grounds or [1],
                "reason": st.reason or "数据产权登记机构决定不予登记",
            }
        try:
            apply_action(uow, env, AUTHORITY, app, action, payload, None)
        except DomainError as e:
            if e.code == "action_not_allowed_in_state":
                continue  # past it already
            raise
        changed = True
    return changed
