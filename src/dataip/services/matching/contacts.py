"""Contact through the platform (issue 23 §4): on a match — an open need and a valid
registration — one side proposes contact (the need's author, or a holder of the
registration), the other accepts or declines. Until both have agreed neither side sees the
other's contact details: not the need's publisher (its party is never shown with the need),
not the holder's account. Once accepted each sees the other's: the party's name, the
account's display name and the e-mail address it registered (none, if it registered none).

One contact per match (`uq_need_contacts_match`): a second proposal, or the loser of two at
once, is 409 `contact_exists`; a declined contact stays declined. The state machine is the
contact exchange's (`services/contact_exchange/`), shared with the directory's service
requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.matching.needs import Contact, Need
from dataip.services.contact_exchange import exchange
from dataip.services.context import Env, Identity
from dataip.services.matching.needs import need_not_found
from dataip.services.ports import UnitOfWork

LISTED = 2000  # the newest contacts a holder's list looks through
ASKED = "proposed"


def _not_found() -> DomainError:
    return DomainError("contact_not_found", "联系请求不存在", "no such contact request", status=404)


def _notify(
    uow: UnitOfWork, env: Env, kind: str, users: list[int], need: Need, reg: m.Registration, c: Any
) -> None:
    body = {
        "need_id": need.id,
        "need_title": need.title,
        "registration_number": reg.registration_number,
        "contact_id": c.id,
    }
    exchange.notify(uow, env, kind, users, reg, body)


def propose(identity: Identity, *, env: Env, need_id: int, registration_number: str) -> Contact:
    from dataip.services.after_registration.roles import holder_users

    uid = identity.require_login()
    today = env.today()
    with env.uow() as uow:
        need = uow.matching.need(need_id)
        if need is None or (not need.open_on(today) and need.author_user_id != uid):
            raise need_not_found()
        reg = exchange.registration(uow, registration_number)
        author = need.author_user_id == uid
        holder = exchange.is_holder(uow, uid, reg)
        if not author and not holder:
            raise DomainError(
                "not_party_to_match",
                "只有需求发布人或该登记的持有人可以发起联系",
                "only the need's author or a holder of the registration may propose contact",
                status=403,
            )
        if author and holder:
            raise DomainError(
                "own_match",
                "不能就自己持有的登记联系自己",
                "this registration is your own",
                status=409,
            )
        if not need.open_on(today):
            raise DomainError(
                "need_not_open",
                "需求已撤回或已过期",
                "the need was withdrawn or has expired",
                status=409,
            )
        exchange.require_valid(reg)
        exchange.require_first(
            uow.matching.contact_for(need.id, reg.id),
            DomainError(
                "contact_exists",
                "该匹配已有联系请求",
                "a contact request on this match exists already",
                status=409,
            ),
        )
        c = uow.matching.add_contact(
            need_id=need.id,
            registration_id=reg.id,
            proposed_by="author" if author else "holder",
            holder_user_id=None if author else uid,
            state=ASKED,
            proposed_at=env.now(),
            answered_at=None,
            version=1,
        )
        others = holder_users(uow, reg) if author else [need.author_user_id]
        _notify(uow, env, "contact_proposed", others, need, reg, c)
        uow.commit()
    return c


def answer(identity: Identity, *, env: Env, contact_id: int, accept: bool) -> Contact:
    uid = identity.require_login()
    with env.uow() as uow:
        c = uow.matching.contact(contact_id)
        if c is None:
            raise _not_found()
        need = uow.matching.need(c.need_id)
        reg = uow.registrations.get(c.registration_id)
        assert need is not None and reg is not None
        author = need.author_user_id == uid
        holder = exchange.is_holder(uow, uid, reg)
        if not author and not holder:
            raise _not_found()  # an outsider learns nothing of it
        if (c.proposed_by == "author" and not holder) or (c.proposed_by == "holder" and not author):
            raise DomainError(
                "not_contact_recipient",
                "联系请求须由另一方答复",
                "the other side answers a contact request",
                status=403,
            )
        state = exchange.settle(
            state=c.state,
            asked=ASKED,
            accept=accept,
            answered=DomainError(
                "contact_not_proposed",
                "该联系请求已答复",
                "the contact request was answered already",
                status=409,
            ),
            swap=lambda new: uow.matching.answer_contact(
                c.id,
                c.version,
                state=new,
                at=env.now(),
                holder_user_id=uid if c.proposed_by == "author" else None,
            ),
            what="contact",
        )
        got = uow.matching.contact(c.id)
        assert got is not None
        proposer = [need.author_user_id] if c.proposed_by == "author" else [c.holder_user_id or 0]
        _notify(uow, env, f"contact_{state}", proposer, need, reg, got)
        uow.commit()
    return got


@dataclass(frozen=True)
class ContactView:
    """A contact as one side sees it: `other` holds the other side's contact details once
    accepted, and nothing before."""

    contact: Contact
    side: str  # author | holder
    need: Need
    registration_number: str
    registration_name: str
    can_answer: bool
    other: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        c = self.contact
        return {
            "id": c.id,
            "need_id": c.need_id,
            "need_title": self.need.title,
            "registration_number": self.registration_number,
            "registration_name": self.registration_name,
            "proposed_by": c.proposed_by,
            "state": c.state,
            "proposed_at": c.proposed_at,
            "answered_at": c.answered_at,
            "side": self.side,
            "can_answer": self.can_answer,
            "other": self.other,
        }


def _view(uow: UnitOfWork, uid: int, c: Contact, need: Need, reg: m.Registration) -> ContactView:
    side = "author" if need.author_user_id == uid else "holder"
    other = None
    if exchange.revealed(c.state):
        if side == "author":
            user = uow.users.get(c.holder_user_id) if c.holder_user_id else None
            other = exchange.details(user, [str(h.get("name")) for h in reg.holders])
        else:
            party = uow.parties.get(need.party_id)
            other = exchange.details(
                uow.users.get(need.author_user_id), [party.name] if party else []
            )
    answerer = "holder" if c.proposed_by == "author" else "author"
    return ContactView(
        contact=c,
        side=side,
        need=need,
        registration_number=reg.registration_number,
        registration_name=reg.name,
        can_answer=c.state == ASKED and side == answerer,
        other=other,
    )


def for_user(
    identity: Identity,
    *,
    env: Env,
    need_id: int | None = None,
    registration_id: int | None = None,
    contact_id: int | None = None,
) -> list[ContactView]:
    """The contacts the caller is a side of (as the need's author or a registration's
    holder), newest first; narrowed to one need, registration or contact."""
    uid = identity.require_login()
    with env.read() as uow:
        own = {n.id for n in uow.matching.by_author(uid, limit=10_000)}
        if contact_id is not None:
            one = uow.matching.contact(contact_id)
            found = [one] if one else []
        elif need_id is not None:
            found = uow.matching.contacts(need_ids=[need_id])
        elif registration_id is not None:
            found = uow.matching.contacts(registration_ids=[registration_id])
        else:
            found = uow.matching.contacts_recent(LISTED)
        needs = uow.matching.needs([c.need_id for c in found])
        regs = {r.id: r for r in uow.registrations.many([c.registration_id for c in found])}
        holder_of: dict[int, bool] = {}
        out = []
        for c in sorted(found, key=lambda c: -c.id):
            reg = regs[c.registration_id]
            if c.need_id not in own:
                if reg.id not in holder_of:
                    holder_of[reg.id] = exchange.is_holder(uow, uid, reg)
                if not holder_of[reg.id]:
                    continue
            out.append(_view(uow, uid, c, needs[c.need_id], reg))
        return out


def held(identity: Identity, *, env: Env, numbers: list[str]) -> set[str]:
    """Which of these registrations the caller holds (the pages offer a holder contact)."""
    if identity.user_id is None or not numbers:
        return set()
    out = set()
    with env.read() as uow:
        for number in numbers:
            reg = uow.registrations.by_number(number)
            if reg is not None and exchange.is_holder(uow, identity.user_id, reg):
                out.add(number)
    return out
