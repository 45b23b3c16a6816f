"""Service requests (issue 23 §5): a holder of a registration asks a listed agency for a
service; the agency's users (the owner of its party) get an inbox notice and accept or
decline. The state machine is the contact exchange's (`services/contact_exchange/`), as for
contacts on a match: neither side sees the other's contact details until the agency accepted:
then each sees the other's party names, display name and e-mail address. One request per
agency and registration (`uq_service_requests_pair`): a second, or the loser of two at once,
is 409; a declined request stays declined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.contact_exchange import exchange
from dataip.services.context import Env, Identity
from dataip.services.directory.agencies import agency_not_found, screen
from dataip.services.directory.records import CATEGORIES, Agency, ServiceRequest
from dataip.services.ports import UnitOfWork

ASKED = "requested"


def _not_found() -> DomainError:
    return DomainError(
        "service_request_not_found", "服务请求不存在", "no such service request", status=404
    )


def _notify(
    uow: UnitOfWork, env: Env, kind: str, user: int, agency: Agency, reg: m.Registration, r: Any
) -> None:
    body = {
        "agency_id": agency.id,
        "agency_name": agency.name,
        "registration_number": reg.registration_number,
        "service_request_id": r.id,
        "category": r.category,
    }
    exchange.notify(uow, env, kind, [user], reg, body)


def ask(
    identity: Identity,
    *,
    env: Env,
    registration_number: str,
    agency_id: int,
    category: str,
    message: str,
) -> ServiceRequest:
    uid = identity.require_login()
    message = message.strip()
    if category not in CATEGORIES:
        raise DomainError(
            "invalid_agency_category",
            "请从列表中选择服务类别",
            "choose a service category from the list",
            status=422,
            details={"unknown": [category]},
        )
    screen("message", message, "service_request_personal_data")
    with env.uow() as uow:
        reg = exchange.registration(uow, registration_number)
        if not exchange.is_holder(uow, uid, reg):
            raise DomainError(
                "not_registration_holder",
                "只有该登记的持有人可以请求服务",
                "only a holder of the registration may ask for a service",
                status=403,
            )
        agency = uow.directory.agency(agency_id)
        if agency is None or agency.state != "listed":
            raise agency_not_found()
        if category not in agency.category_list:
            raise DomainError(
                "agency_category_not_offered",
                "该服务机构不提供此类服务",
                "the agency does not offer this service",
                status=422,
            )
        if agency.owner_user_id == uid:
            raise DomainError(
                "own_agency", "不能向自己的机构请求服务", "this agency is your own", status=409
            )
        exchange.require_valid(reg)
        exchange.require_first(
            uow.directory.request_for(agency.id, reg.id),
            DomainError(
                "service_request_exists",
                "已就该登记向该机构发出过服务请求",
                "a service request for this registration to this agency exists already",
                status=409,
            ),
        )
        r = uow.directory.add_request(
            agency_id=agency.id,
            registration_id=reg.id,
            requester_user_id=uid,
            category=category,
            message=message,
            state=ASKED,
            requested_at=env.now(),
            answered_at=None,
            version=1,
        )
        _notify(uow, env, "service_requested", agency.owner_user_id, agency, reg, r)
        uow.commit()
    return r


def answer(identity: Identity, *, env: Env, request_id: int, accept: bool) -> ServiceRequest:
    uid = identity.require_login()
    with env.uow() as uow:
        r = uow.directory.request(request_id)
        if r is None:
            raise _not_found()
        agency = uow.directory.agency(r.agency_id)
        assert agency is not None
        if agency.owner_user_id != uid:
            if r.requester_user_id == uid:
                raise DomainError(
                    "not_agency_user",
                    "服务请求由服务机构答复",
                    "the agency answers a service request",
                    status=403,
                )
            raise _not_found()  # an outsider learns nothing of it
        state = exchange.settle(
            state=r.state,
            asked=ASKED,
            accept=accept,
            answered=DomainError(
                "service_request_answered",
                "该服务请求已答复",
                "the service request was answered already",
                status=409,
            ),
            swap=lambda new: uow.directory.answer(r.id, r.version, state=new, at=env.now()),
            what="service request",
        )
        got = uow.directory.request(r.id)
        assert got is not None
        reg = uow.registrations.get(r.registration_id)
        assert reg is not None
        _notify(uow, env, f"service_{state}", r.requester_user_id, agency, reg, got)
        uow.commit()
    return got


@dataclass(frozen=True)
class RequestView:
    """A service request as one side sees it; `other` only once accepted."""

    request: ServiceRequest
    side: str  # holder | agency
    agency: Agency
    registration_number: str
    registration_name: str
    can_answer: bool
    other: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        r = self.request
        return {
            "id": r.id,
            "agency_id": r.agency_id,
            "agency_name": self.agency.name,
            "registration_number": self.registration_number,
            "registration_name": self.registration_name,
            "category": r.category,
            "message": r.message,
            "state": r.state,
            "requested_at": r.requested_at,
            "answered_at": r.answered_at,
            "side": self.side,
            "can_answer": self.can_answer,
            "other": self.other,
        }


def for_user(
    identity: Identity, *, env: Env, request_id: int | None = None, side: str | None = None
) -> list[RequestView]:
    """The requests the caller sent (holder) or received (agency), newest first."""
    uid = identity.require_login()
    with env.read() as uow:
        mine = {
            a.id: a for a in uow.directory.search(states=("listed", "suspended"), owner_user_id=uid)
        }
        found = uow.directory.requests(
            requester_user_id=None if side == "agency" else uid,
            agency_ids=None if side == "holder" else list(mine),
        )
        out = []
        for r in found:
            if request_id is not None and r.id != request_id:
                continue
            agency = mine.get(r.agency_id) or uow.directory.agency(r.agency_id)
            reg = uow.registrations.get(r.registration_id)
            assert agency is not None and reg is not None
            who = "agency" if r.agency_id in mine else "holder"
            other = None
            if exchange.revealed(r.state):
                if who == "agency":
                    other = exchange.details(
                        uow.users.get(r.requester_user_id),
                        [str(h.get("name")) for h in reg.holders],
                    )
                else:
                    other = exchange.details(uow.users.get(agency.owner_user_id), [agency.name])
            out.append(
                RequestView(
                    request=r,
                    side=who,
                    agency=agency,
                    registration_number=reg.registration_number,
                    registration_name=reg.name,
                    can_answer=who == "agency" and r.state == ASKED,
                    other=other,
                )
            )
        return out
