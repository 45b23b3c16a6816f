"""Filings (备案) of a licence (许可), a pledge (质押) or a trade (交易), G§22; a pledge's release
and its pledgee's consents.

A licence, pledge or trade contract is filed within 10 working days of the contract (the
profile's `filing` period); a late filing is accepted and flagged late. A filing is a record
on the registration with its own number (`BA` + year + registry code + serial) and state
(`in_force`, `released`), not a state of the registration. Each is announced with its
counterparty as the public may see it (`services/decision_text`); amounts, scope and the like
the log only commits to. A pledge in force blocks a transfer, abandonment or cancellation
until its pledgee's written consent is recorded here (`roles._pledge_check`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import filing_is_late
from dataip.domain.after_registration_codes import CONSENT_KINDS, LICENCE_TYPES
from dataip.domain.calendar import Deadline as DueDate
from dataip.services import decision_text
from dataip.services.after_registration.outcome import Handler, Outcome
from dataip.services.after_registration.payload import (
    _bad,
    _blob,
    _choice,
    _counterparty,
    _date,
    _fen,
    _missing,
    _text,
)
from dataip.services.after_registration.roles import Caller, holder_users
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment


def _contract_date(env: Env, payload: dict[str, Any]) -> date:
    d = _date(payload, "contract_date")
    assert d is not None
    if d > env.today():
        raise _bad(
            "contract_date_in_future",
            "合同日期不得晚于今日",
            "the contract date cannot be in the future",
        )
    return d


def filing_due(env: Env, contract: date) -> DueDate:
    """G§22: the last day to file a contract of `contract`'s date (the profile's `filing`
    period; R0.4: provisional while its year's arrangement is unpublished)."""
    period = env.profile.period("filing")
    cal = env.calendar()
    if period.unit == "working_days":
        return cal.add_working_days(contract, period.days)
    return cal.add_calendar_days(contract, period.days)


def _term(payload: dict[str, Any]) -> tuple[date | None, date | None]:
    start = _date(payload, "term_start", required=False)
    end = _date(payload, "term_end", required=False)
    if start and end and end < start:
        raise _bad("invalid_term", "期限终止日早于起始日", "the term ends before it starts")
    return start, end


def _file(kind: str) -> Handler:
    def handler(
        uow: UnitOfWork,
        env: Env,
        identity: Identity,
        reg: m.Registration,
        who: Caller,
        payload: dict[str, Any],
    ) -> Outcome:
        """G§22: filed within 10 working days of the contract; late filings are accepted and
        flagged late."""
        contract = _contract_date(env, payload)
        start, end = _term(payload)
        details: dict[str, Any]
        public: dict[str, Any]
        announced: dict[str, Any]
        private: dict[str, Any] = {}
        if kind == "licence":
            ltype = _choice(
                payload,
                "licence_type",
                LICENCE_TYPES,
                "invalid_licence_type",
                "许可类型须为独占、排他或普通许可",
                "licence_type is exclusive, sole or non_exclusive",
            )
            licensee = _counterparty(payload, "licensee")
            fee = _fen(payload, "fee_fen")
            scope = _text(payload, "scope")
            territory = _text(payload, "territory")
            if end is None:
                raise _bad(
                    "missing_fields",
                    "缺少必填项：term_end",
                    "missing required field: term_end",
                    fields=["term_end"],
                )
            details = {
                "licence_type": ltype,
                "licensee": licensee,
                "scope": scope,
                "territory": territory,
                "term_start": (start or contract).isoformat(),
                "term_end": end.isoformat(),
                "fee_fen": fee,
            }
            public = {
                "licence_type": ltype,
                "term_start": details["term_start"],
                "term_end": details["term_end"],
            }
            private = {
                "fee_fen": commitment(fee),
                "licensee": commitment(licensee),
                "scope": commitment(scope),
                "territory": commitment(territory),
            }
            names = (licensee["name"],) if licensee["kind"] == "natural_person" else ()
            announced = {
                "licensee": decision_text.counterparty(uow, reg, licensee),
                "scope": decision_text.masked(uow, reg, scope, also=names),
                "territory": decision_text.masked(uow, reg, territory, also=names),
            }
        elif kind == "pledge":
            pledgee = _counterparty(payload, "pledgee")
            if "credit_code" not in pledgee:
                raise _bad(
                    "missing_fields",
                    "质权人须填写统一社会信用代码",
                    "the pledgee's credit code is required",
                    fields=["pledgee.credit_code"],
                )
            amount = _fen(payload, "secured_amount_fen", positive=True)
            details = {
                "pledgee": pledgee,
                "secured_amount_fen": amount,
                "term_start": (start or contract).isoformat(),
                "term_end": end.isoformat() if end else None,
            }
            public = {"term_start": details["term_start"], "term_end": details["term_end"]}
            private = {"secured_amount_fen": commitment(amount), "pledgee": commitment(pledgee)}
            announced = {"pledgee": decision_text.counterparty(uow, reg, pledgee)}
        else:
            counterparty = _counterparty(payload, "counterparty")
            price = _fen(payload, "price_fen")
            right = payload.get("right") or "usage"  # optional: a usage right by default
            if right not in ("usage", "operation", "other"):
                raise _bad(
                    "invalid_right",
                    "交易权利类型无效",
                    "right is usage, operation or other",
                    valid=["usage", "operation", "other"],
                    field="right",
                )
            details = {
                "counterparty": counterparty,
                "price_fen": price,
                "right": right,
                "term_start": start.isoformat() if start else None,
                "term_end": end.isoformat() if end else None,
            }
            public = {"right": right}
            private = {"price_fen": commitment(price), "counterparty": commitment(counterparty)}
            announced = {"counterparty": decision_text.counterparty(uow, reg, counterparty)}
        if payload.get("contract_blob") is not None:
            details["contract_blob"] = _blob(
                uow, identity, payload["contract_blob"], "contract_blob"
            )
        due = filing_due(env, contract)
        today = env.today()
        serial = uow.next_value(f"filing:{env.profile.registry_code}:{today.year}")
        f = uow.filings.add(
            m.Filing(
                number=f"BA{today.year:04d}{env.profile.registry_code}{serial:07d}",
                registration_id=reg.id,
                kind=kind,
                contract_date=contract,
                filed_at=env.now(),
                filed_on=today,
                due_on=due.due_on,
                late=filing_is_late(today, due.due_on),
                provisional=due.provisional,
                details=details,
                filer_user_id=identity.user_id or 0,
                consents=[],
            )
        )
        facts = {
            "filing_number": f.number,
            "filing_kind": kind,
            "contract_date": contract.isoformat(),
            "due_on": f.due_on.isoformat(),
            "late": f.late,
            **public,
        }
        return Outcome(
            public=facts,
            private=private,
            announced=announced,
            announce=kind,
            result=f,
            notify=[("filing_receipt", holder_users(uow, reg), {**facts, **announced}, None)],
        )

    return handler


def _filing(uow: UnitOfWork, reg: m.Registration, payload: dict[str, Any], kind: str) -> m.Filing:
    number = payload.get("filing_number")
    if number is None or number == "":
        raise _missing("filing_number")
    f = uow.filings.by_number(str(number))
    if f is None or f.registration_id != reg.id or f.kind != kind:
        raise _bad("filing_not_found", "未找到该备案", "no such filing on this registration", 404)
    if f.state != "in_force":
        raise _bad(
            "filing_not_in_force",
            "该备案已不在有效状态",
            "the filing is no longer in force",
            409,
            state=f.state,
        )
    return f


def _release_pledge(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledge ends: the holder files the release (with the pledgee's release instrument
    where there is one), or the registry records it."""
    f = _filing(uow, reg, payload, "pledge")
    instrument = payload.get("instrument")
    if instrument is not None:
        instrument = _blob(uow, identity, instrument, "instrument")
    f.state = "released"
    f.released_at = env.now()
    f.release_reason = _text(payload, "reason", required=False) or None
    f.details = {**f.details, "release_instrument": instrument}
    facts = {"filing_number": f.number}
    pledgee = (
        {"pledgee": decision_text.counterparty(uow, reg, f.details["pledgee"])}
        if "pledgee" in f.details
        else {}
    )
    return Outcome(
        public=facts,
        private={"reason": commitment(f.release_reason)} if f.release_reason else {},
        announced=pledgee,
        announce="pledge_release",
        result=f,
        notify=[("filing_receipt", holder_users(uow, reg), {**facts, **pledgee}, None)],
    )


def add_consent(f: m.Filing, env: Env, payload: dict[str, Any], **given: Any) -> Outcome:
    """Record on pledge `f` its pledgee's consent to the disposal `payload` names (a
    transfer, abandonment or cancellation); `given` says how it was given."""
    action = _choice(
        payload,
        "for_action",
        CONSENT_KINDS,
        "invalid_for_action",
        "同意事项须为转让、放弃或注销",
        "for_action is transfer, abandon or cancellation",
    )
    f.consents = [
        *f.consents,
        {"for_action": action, **given, "recorded_at": env.now().isoformat()},
    ]
    return Outcome(public={"filing_number": f.number, "for_action": action}, result=f)


def _record_pledgee_consent(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledgee's written consent to a transfer, abandonment or cancellation."""
    f = _filing(uow, reg, payload, "pledge")
    instrument = _blob(uow, identity, payload.get("instrument"), "instrument")
    return add_consent(f, env, payload, instrument=instrument, recorded_by=identity.user_id)
