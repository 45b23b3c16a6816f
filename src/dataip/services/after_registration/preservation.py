"""A people's court's preservation (保全, freeze) of a registration and its lifting (解除保全),
issue 20 §7.

A court preserves a data IP by its ruling (民事裁定书) and a notice of assistance in
enforcement (协助执行通知书). The registry records it — a registrar acting on the court's
notice, or the court's own institutional client (scope ``freezes:write``) — and from then on
the registration cannot be disposed of: transfer, licence, pledge and trade filings,
abandonment and cancellation by the holder are refused (409 ``registration_frozen``) and no
longer offered (``domain.after_registration.FROZEN_BLOCKS``), until the court's ruling lifting
the preservation is recorded. Several courts may preserve the same right (轮候保全): each
freeze is its own record (``BQ`` + year + registry code + serial) and the registration stays
frozen while any is in force.

What is public (the log's leaf and the announcement): the freeze's number, the case number
(a case number names a case, not a person: ``domain.preservation``) and the term. The court's
name is announced, not logged; the ruling's text and the instrument are commitments only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.preservation import normalise_case_number, valid_case_number
from dataip.services.after_registration.outcome import Outcome
from dataip.services.after_registration.payload import _bad, _blob, _date, _missing, _text
from dataip.services.after_registration.roles import Caller, holder_users
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment

MAX_COURT = 100  # the longest court name is well under this


def _case_number(payload: dict[str, Any], key: str = "case_number") -> str:
    raw = payload.get(key)
    if raw is None or raw == "":
        raise _missing(key)
    number = normalise_case_number(str(raw))
    if not valid_case_number(number):
        raise _bad(
            "invalid_case_number",
            "案号格式不正确，应如“（2026）黔01民初123号”",
            "not a court case number such as （2026）黔01民初123号",
            field=key,
        )
    return number


def _acting(identity: Identity) -> dict[str, Any]:
    """Who recorded it: a registrar (user id) or a court's institutional client."""
    if identity.role == "court":
        return {"client_id": identity.username}
    return {"user_id": identity.user_id}


def _freeze(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    case = _case_number(payload)
    court = _text(payload, "court")
    if len(court) > MAX_COURT:
        raise _bad("text_too_long", f"court不得超过{MAX_COURT}字", f"court: at most {MAX_COURT}")
    ruling = _text(payload, "ruling")
    term_end = _date(payload, "term_end", required=False)
    if term_end is not None and term_end < env.today():
        raise _bad("invalid_term", "保全期限已届满", "the preservation's term has already ended")
    instrument = payload.get("instrument")
    if instrument is not None:
        instrument = _blob(uow, identity, instrument, "instrument")
    today = env.today()
    serial = uow.next_value(f"freeze:{env.profile.registry_code}:{today.year}")
    f = uow.freezes.add(
        m.Freeze(
            number=f"BQ{today.year:04d}{env.profile.registry_code}{serial:07d}",
            registration_id=reg.id,
            case_number=case,
            frozen_at=env.now(),
            term_end=term_end,
            details={
                "court": court,
                "ruling": ruling,
                "instrument": instrument,
                "recorded_by": _acting(identity),
            },
        )
    )
    facts = {
        "freeze_number": f.number,
        "case_number": case,
        "term_end": term_end.isoformat() if term_end else None,
    }
    private = {"court": commitment(court), "ruling": commitment(ruling)}
    if instrument is not None:
        private["instrument"] = commitment(instrument)
    if identity.role == "court":
        private["client"] = commitment(identity.username)
    return Outcome(
        public=facts,
        private=private,
        announced={"court": court},
        announce="freeze",
        result=f,
        notify=[("freeze_notice", holder_users(uow, reg), {**facts, "court": court}, None)],
    )


def _lift_freeze(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    number = payload.get("freeze_number")
    if number is None or number == "":
        raise _missing("freeze_number")
    f = uow.freezes.by_number(str(number))
    if f is None or f.registration_id != reg.id:
        raise _bad("freeze_not_found", "未找到该保全", "no such freeze on this registration", 404)
    if f.state != "in_force":
        raise _bad("freeze_not_in_force", "该保全已解除", "the freeze is no longer in force", 409)
    case = _case_number(payload)
    reason = _text(payload, "reason")
    instrument = payload.get("instrument")
    if instrument is not None:
        instrument = _blob(uow, identity, instrument, "instrument")
    f.state = "lifted"
    f.lifted_at = env.now()
    f.lift_case_number = case
    f.details = {
        **f.details,
        "lift": {"reason": reason, "instrument": instrument, "recorded_by": _acting(identity)},
    }
    facts = {"freeze_number": f.number, "case_number": case}
    private = {"reason": commitment(reason)}
    if instrument is not None:
        private["instrument"] = commitment(instrument)
    if identity.role == "court":
        private["client"] = commitment(identity.username)
    court = str(f.details.get("court") or "")
    return Outcome(
        public=facts,
        private=private,
        announced={"court": court},
        announce="freeze_lift",
        result=f,
        notify=[("freeze_notice", holder_users(uow, reg), {**facts, "court": court}, None)],
    )


def freeze_state(f: m.Freeze, today: date) -> str:
    """`in_force`, `lifted`, or `lapsed`: its term ended without a lifting (no longer binds)."""
    if f.state == "in_force" and f.term_end is not None and f.term_end < today:
        return "lapsed"
    return f.state


def freeze_dict(f: m.Freeze, *, full: bool, today: date) -> dict[str, Any]:
    """A freeze as the registration page and the API show it: the court and the case number
    are public (they are announced); the ruling's text and instruments are not."""
    out: dict[str, Any] = {
        "number": f.number,
        "case_number": f.case_number,
        "court": f.details.get("court"),
        "frozen_at": f.frozen_at.isoformat(),
        "term_end": f.term_end.isoformat() if f.term_end else None,
        "state": freeze_state(f, today),
        "lifted_at": f.lifted_at.isoformat() if f.lifted_at else None,
        "lift_case_number": f.lift_case_number,
    }
    if full:
        out["ruling"] = f.details.get("ruling")
        out["instrument"] = f.details.get("instrument")
        out["lift"] = f.details.get("lift")
    return out
