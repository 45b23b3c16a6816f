"""Naming a party (登记主体) in a filing — a co-applicant (共同申请人, G§5), a transferee
(受让人, G§21) — and what the one naming it learns (issue 18).

Parties are private records and their ids are sequential: if any party could be named by
id, naming one would be a way to read it. So a caller names by id only the parties it may
act for (its own, or under an accepted power of attorney) and those already named on the
same filing; anyone else only by what it knows of them outside the registry — the unified
social credit code (GB 32100) or resident ID number (GB 11643) of a real-name verified
party. Every other reference — someone else's id, an id that does not exist, a number of
no party or of an unverified one — gets one and the same answer, `party_not_found`. What
the filer learns is only that a verified party with the number it already knew exists;
the party's details are shown once it consents (decision 0003).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_resident_id, check_uscc, normalise
from dataip.services.ports import UnitOfWork

__all__ = ["PartyRef", "not_found", "number_of", "resolve", "resolve_own"]


@dataclass(frozen=True)
class PartyRef:
    """A party as a filing names it: by `party_id` (one the caller acts for, or already on
    the filing) or by `id_number` (credit code or resident ID)."""

    party_id: int | None = None
    id_number: str | None = None


def not_found(field: str) -> DomainError:
    return DomainError(
        "party_not_found",
        "登记主体不存在或未通过实名核验：他人的主体请以其统一社会信用代码或居民身份证号码指明",
        "no such verified party: name someone else's party by its unified social credit code "
        "or resident ID number",
        status=422,
        details={"field": field},
    )


def number_of(raw: str, *, today: date, field: str) -> str:
    """A credit code or resident ID number, normalised (full-width, spaces, case), checked
    against either standard; 422 `invalid_id_number` when it is neither."""
    number = normalise(raw)
    for check in (check_uscc, lambda n: check_resident_id(n, today=today)):
        try:
            return check(number).number
        except DomainError:
            continue
    raise DomainError(
        "invalid_id_number",
        "请填写有效的统一社会信用代码或居民身份证号码",
        "give a valid unified social credit code or resident ID number",
        status=422,
        details={"field": field},
    )


def _by_number(uow: UnitOfWork, ref: PartyRef, today: date, field: str) -> list[m.Party]:
    if not isinstance(ref.id_number, str):
        raise not_found(field)
    return list(uow.parties.by_number(number_of(ref.id_number, today=today, field=field)))


def resolve(
    uow: UnitOfWork,
    ref: PartyRef,
    *,
    mine: Collection[int],
    named: Collection[int] = (),
    today: date,
    field: str,
) -> m.Party:
    """The party `ref` names, for a caller acting for `mine` on a filing that already names
    `named`; `party_not_found` for anything else (see the module's docstring)."""
    if ref.party_id is not None:
        pid = ref.party_id
        party = (
            uow.parties.get(pid)
            if isinstance(pid, int) and not isinstance(pid, bool) and (pid in mine or pid in named)
            else None
        )
        if party is None:
            raise not_found(field)
        return party
    candidates = _by_number(uow, ref, today, field)
    own = [p for p in candidates if p.id in mine]
    if own:  # one's own subject, verified or not yet (submission checks that)
        return min(own, key=lambda p: (p.verification_status != "verified", p.id))
    verified = [p for p in candidates if p.verification_status == "verified"]
    if not verified:
        raise not_found(field)
    # one subject recorded by several accounts: the first verified record names it
    return min(verified, key=lambda p: (p.verified_at or p.created_at, p.id))


def resolve_own(
    uow: UnitOfWork, ref: PartyRef, *, mine: Collection[int], today: date, field: str
) -> m.Party:
    """A party the caller acts for (the lead applicant, G§5): someone else's and one that
    does not exist get the same 403 `not_authorised_for_party`."""
    refused = DomainError(
        "not_authorised_for_party",
        "您无权代表第一申请人提出申请（代理须经审查员确认授权委托书）",
        "you may not act for the lead applicant (agents need an accepted power of attorney)",
        status=403,
    )
    try:
        party = resolve(uow, ref, mine=mine, today=today, field=field)
    except DomainError as e:
        if e.code == "party_not_found":
            raise refused from None
        raise
    if party.id not in mine:
        raise refused
    return party
