"""Licences, pledges and trades end with the right (权利终止，备案随之终止), G§20, G§22, G§23.

A filing (`filings`) is a record on the registration; it is in force only while the right it
rests on is. When the registration ends — abandoned (G§20), cancelled (G§19, G§23) or revoked
(G§20) — every filing still in force ends with it: its state becomes `ended`, and its details
say with what (`ended_with`: the registration's final state and the day). A licence can give
no more than the right, and a pledge has nothing left to bind. The ending's event in the log
lists the filings that ended (`filings_ended`).

A revocation overturned on re-examination (G§20) means the right never ended: the filings that
ended with that revocation are in force again (`reinstated_on` records when).
"""

from __future__ import annotations

from dataip.domain import model as m
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork


def end_with_right(uow: UnitOfWork, env: Env, reg: m.Registration) -> list[str]:
    """End every filing in force on `reg`, which has just ended; their numbers."""
    ended: list[str] = []
    for f in uow.filings.for_registration(reg.id):
        if f.state != "in_force":
            continue
        f.state = "ended"
        f.details = {
            **f.details,
            "ended_with": {"registration_state": reg.state, "on": env.today().isoformat()},
        }
        ended.append(f.number)
    return ended


def reinstate_with_right(uow: UnitOfWork, env: Env, reg: m.Registration) -> list[str]:
    """The right is restored (a revocation overturned): the filings that ended with it are in
    force again; their numbers."""
    back: list[str] = []
    for f in uow.filings.for_registration(reg.id):
        if f.state != "ended" or "ended_with" not in f.details:
            continue
        details = {k: v for k, v in f.details.items() if k != "ended_with"}
        f.details = {**details, "reinstated_on": env.today().isoformat()}
        f.state = "in_force"
        back.append(f.number)
    return back
