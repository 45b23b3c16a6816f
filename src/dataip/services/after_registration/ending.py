"""Ending a registration at its holder's wish or by the registry: abandonment (放弃, G§20) and
cancellation (注销, G§19, G§23). Revocation, the other end, is in `revocation`.

After announcement the holder may abandon, giving a reason; it takes effect at once. The holder
may ask the registry to cancel — or, where a legal instrument extinguished the holder's right,
the new right holder may, with the instrument — and the registry decides (`decisions`). The
registry cancels a registration expired unrenewed, with evident defects, or whose right is
extinguished with no new right holder, and announces why, masked. A pledge in force blocks
abandonment and the holder's cancellation without its pledgee's consent (G§22).
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import RegState
from dataip.domain.after_registration_codes import CANCELLATION_GROUNDS
from dataip.services import decision_text
from dataip.services.after_registration.decisions import _request
from dataip.services.after_registration.outcome import Outcome, _end, ended_facts
from dataip.services.after_registration.payload import _bad, _blob, _text
from dataip.services.after_registration.roles import Caller, _pledge_check, holder_users
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment


def _abandon(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the holder abandons after announcement, giving a reason."""
    _pledge_check(uow, env, reg, "abandon", use=True)
    reason = _text(payload, "reason")
    ended = _end(uow, env, reg, RegState.ABANDONED, reason)
    return Outcome(
        public={"ended_on": env.today().isoformat(), **ended_facts(ended)},
        private={"reason": commitment(reason)},
        announce="abandonment",
        notify=[
            (
                "registration_ended",
                holder_users(uow, reg),
                {"state": reg.state, "reason": reason},
                None,
            )
        ],
    )


def _request_cancellation(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§23: the holder asks to cancel; or, where a legal instrument extinguished the holder's
    right, the new right holder does, with the instrument."""
    reason = _text(payload, "reason")
    instrument = payload.get("instrument")
    party_id = None
    if "holder" in who.actors:
        _pledge_check(uow, env, reg, "cancellation", use=False)
        if instrument is not None:
            instrument = _blob(uow, identity, instrument, "instrument")
    else:
        instrument = _blob(uow, identity, instrument, "instrument")
        pid = payload.get("party_id")
        if not isinstance(pid, int) or pid not in who.party_ids:
            raise _bad(
                "party_not_found",
                "请选择您名下的新权利主体",
                "choose the party (new right holder) you act for",
            )
        party = uow.parties.get(pid)
        if party is None or party.verification_status != "verified":
            raise _bad(  # G§23 with G§20's rule: a request on another's right, by real name
                "party_not_verified",
                "新权利人申请注销须实名提出：所选主体尚未通过实名核验",
                "a cancellation request by the new right holder is made under a verified "
                "real name: the party chosen is not verified",
            )
        party_id = pid
    r = _request(
        uow,
        env,
        identity,
        reg,
        "cancellation",
        {"reason": reason, "instrument": instrument},
        party_id=party_id,
    )
    return Outcome(
        public={"request_id": r.id},
        private={"reason": commitment(reason)},
        notify=[
            (
                "request_received",
                [identity.user_id or 0, *holder_users(uow, reg)],
                {"request_id": r.id, "kind": "cancellation"},
                None,
            )
        ],
        result=r,
    )


def _cancel(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§19 / G§23: the registry cancels (expired unrenewed, evident defects, right
    extinguished with no new right holder), and announces it."""
    ground = payload.get("ground")
    if ground not in CANCELLATION_GROUNDS or ground == "holder_request":
        raise _bad(
            "invalid_ground",
            "注销依据无效",
            "invalid cancellation ground",
            valid=[g for g in CANCELLATION_GROUNDS if g != "holder_request"],
        )
    reason = _text(payload, "reason")
    ended = _end(uow, env, reg, RegState.CANCELLED, f"{ground}: {reason}")
    facts = {"ground": ground, "ended_on": env.today().isoformat(), **ended_facts(ended)}
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§19, G§23
        announce="cancellation",
        notify=[("registration_ended", holder_users(uow, reg), {**facts, "reason": reason}, None)],
    )
