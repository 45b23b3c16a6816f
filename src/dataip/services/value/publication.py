"""What the holder's publish and withdraw share (a data-quality assessment, a valuation): the
holder alone acts (403 ``not_the_holder``), the change is a compare-and-set the repository
answers True or False, and a lost race is a 409 in the record's words with nothing logged. A
change made is logged by the caller with codes only (the registration number and the record's
number or scores) — what was assessed or valued goes in as a commitment, never as typed."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.after_registration.roles import is_holder
from dataip.services.context import Identity
from dataip.services.ports import UnitOfWork

__all__ = ["Refusal", "holder", "settle"]

Refusal = tuple[str, str, str]  # code, zh, en of the 409 when the change was not made


def holder(uow: UnitOfWork, identity: Identity, reg: m.Registration, zh: str, en: str) -> int:
    """The signed-in holder's user id; 403 ``not_the_holder`` (in the record's words) else."""
    uid = identity.require_login()
    if not is_holder(uow, identity, reg):
        raise DomainError("not_the_holder", zh, en, status=403)
    return uid


def settle(done: bool, refusal: Refusal) -> None:
    """After the compare-and-set: 409 ``refusal`` when it changed nothing (the caller then
    logs the change with ``record_event``, its type a literal the log's schema test reads)."""
    if not done:
        raise DomainError(*refusal, status=409)
