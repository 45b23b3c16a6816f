"""What an action after registration gives back (`Outcome`, 处理结果) and the end of a
registration (登记终止).

A handler answers with the facts of its event — `public`, what the log's leaf publishes
(closed kinds only, `domain.public_record`), and `private`, committed to — the announcement it
publishes (公告) with what that shows besides (`announced`: names, masked decision text), and
the notices it serves (通知); `action.apply` records them all in the action's transaction.
A registration ends abandoned (G§20), cancelled (G§19, G§23) or revoked (G§20) through
`_end`: its open requests lapse and its filings in force end with it (`encumbrances`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import RegState
from dataip.services.after_registration import encumbrances
from dataip.services.after_registration.roles import Caller
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork

Notify = tuple[str, list[int], dict[str, Any], "tuple[date, bool] | None"]


@dataclass
class Outcome:
    """What one action did, for its event, notices and announcement. `public` is what the
    log publishes (closed kinds only: `domain.public_record`); `announced` is what the
    announcement shows besides it (names, masked free text) and the log only commits to."""

    public: dict[str, Any] = field(default_factory=dict)
    private: dict[str, Any] = field(default_factory=dict)
    announced: dict[str, Any] = field(default_factory=dict)
    announce: str | None = None
    # (notice kind, recipients, body, (due date, provisional) or None)
    notify: list[Notify] = field(default_factory=list)
    result: Any = None


Handler = Callable[[UnitOfWork, Env, Identity, m.Registration, Caller, dict[str, Any]], Outcome]


def _end(uow: UnitOfWork, env: Env, reg: m.Registration, state: RegState, reason: str) -> list[str]:
    """The registration ends: open requests and pledge proposals lapse, and the licences,
    pledges and trades in force end with the right (`encumbrances`). The numbers of the
    filings that ended."""
    reg.state = state.value
    reg.state_reason = reason
    reg.ended_on = env.today()
    for r in uow.requests.for_registration(reg.id, open_only=True):
        r.state = "lapsed"
        r.decided_at = env.now()
    for p in uow.pledge_proposals.for_registration(reg.id):  # a bank's (issue 20 §6)
        if p.state == "awaiting":
            p.state = "lapsed"
            p.decided_at = env.now()
    return encumbrances.end_with_right(uow, env, reg)


def ended_facts(filings: list[str]) -> dict[str, Any]:
    """What an ending's event adds: the filings that ended with the right, if any."""
    return {"filings_ended": filings} if filings else {}
