"""A court's preservation (保全) of a registration and its lifting, as a service both callers
use (issue 20 §7): a registrar acting on the court's notice of assistance (an `Identity` of
the registry's staff) and the court's own institutional client (a `Principal` holding
``freezes:write``). Both go through the one after-registration entry point
(`after_registration.perform`): the same table row, guards, ledger leaf, announcement and
notices; the handlers are in `after_registration.preservation`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services.context import Env, Identity
from dataip.sharing.scopes import FREEZES_WRITE, Principal

Caller = Identity | Principal


def acting_identity(caller: Caller, scope: str) -> Identity:
    """The identity a call acts under: a staff identity as is; a principal as its
    institution (role = its kind, username = its client id), once it holds `scope`."""
    if isinstance(caller, Identity):
        return caller
    if not caller.allows(scope):
        raise DomainError(
            "insufficient_scope",
            f"访问令牌不含所需权限：{scope}",
            f"the access token lacks the scope {scope}",
            status=403,
            details={"required_scopes": [scope]},
        )
    return Identity(user_id=None, role=caller.kind, username=caller.client_id)


def freeze(
    caller: Caller,
    *,
    env: Env,
    number: str,
    case_number: str,
    court: str,
    ruling: str,
    term_end: date | None = None,
    instrument: str | None = None,
    if_match: Any = None,
) -> m.Freeze:
    """Record a court's preservation of registration `number` (403 unless the caller is the
    registry or a court; 409 when the registration has ended)."""
    payload: dict[str, Any] = {"case_number": case_number, "court": court, "ruling": ruling}
    if term_end is not None:
        payload["term_end"] = term_end.isoformat()
    if instrument is not None:
        payload["instrument"] = instrument
    f: m.Freeze
    _, f = actions.perform(
        acting_identity(caller, FREEZES_WRITE),
        env=env,
        number=number,
        action="freeze",
        payload=payload,
        if_match=if_match,
    )
    return f


def lift(
    caller: Caller,
    *,
    env: Env,
    number: str,
    freeze_number: str,
    case_number: str,
    reason: str,
    instrument: str | None = None,
    if_match: Any = None,
) -> m.Freeze:
    """Lift the preservation `freeze_number` on the court's ruling `case_number`."""
    payload: dict[str, Any] = {
        "freeze_number": freeze_number,
        "case_number": case_number,
        "reason": reason,
    }
    if instrument is not None:
        payload["instrument"] = instrument
    f: m.Freeze
    _, f = actions.perform(
        acting_identity(caller, FREEZES_WRITE),
        env=env,
        number=number,
        action="lift_freeze",
        payload=payload,
        if_match=if_match,
    )
    return f
