"""Issue 23 §5: the race rows for the directory routes (`directory_cases`, run by
test_i18_create_races): eight identical requests at once on SQLite and PostgreSQL — one
listing per party, one suspension, one reinstatement, one request per agency and
registration, one answer to it; never a 500."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from tests.support.api import Api, World
from tests.support.db import count
from tests.support.matching import BUS
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]
_AGENCY_USER: dict[str, str] = {}


def _body(party: int) -> dict[str, Any]:
    return {"party_id": party, "categories": ["law_firm"], "description": "数据产权法律服务"}


def _list(api: Api, w: World) -> Request:
    return "POST", f"{PREFIX}/agencies", api.h(w.applicant), {"json": _body(w.party)}


def _agency(api: Api, w: World) -> int:
    who = api.user("applicant")
    party = api.party(who, verify_by=w.examiner)
    r = api.c.post(f"{PREFIX}/agencies", headers=api.h(who), json=_body(party))
    assert r.status_code == 201, r.text
    _AGENCY_USER["who"] = who
    return int(r.json()["id"])


def _suspend(api: Api, w: World) -> Request:
    admin = api.user("registrar_admin")
    url = f"{PREFIX}/agencies/{_agency(api, w)}/suspend"
    return "POST", url, api.h(admin), {"json": {"reason": "执业许可被吊销"}}


def _reinstate(api: Api, w: World) -> Request:
    admin = api.user("registrar_admin")
    agency = _agency(api, w)
    r = api.c.post(
        f"{PREFIX}/agencies/{agency}/suspend", headers=api.h(admin), json={"reason": "暂停"}
    )
    assert r.status_code == 200, r.text
    url = f"{PREFIX}/agencies/{agency}/reinstate"
    return "POST", url, api.h(admin), {"json": {"reason": "恢复"}}


def _ask_request(api: Api, w: World) -> Request:
    agency = _agency(api, w)
    number = w.registered(**BUS)
    body = {"agency_id": agency, "category": "law_firm", "message": "请协助审查授权协议"}
    url = f"{PREFIX}/registrations/{number}/service-requests"
    return "POST", url, api.h(w.applicant), {"json": body}


def _asked(api: Api, w: World) -> int:
    _, url, headers, kwargs = _ask_request(api, w)
    r = api.c.post(url, headers=headers, **kwargs)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _accept(api: Api, w: World) -> Request:
    rid = _asked(api, w)
    return "POST", f"{PREFIX}/service-requests/{rid}/accept", api.h(_AGENCY_USER["who"]), {}


def _decline(api: Api, w: World) -> Request:
    rid = _asked(api, w)
    return "POST", f"{PREFIX}/service-requests/{rid}/decline", api.h(_AGENCY_USER["who"]), {}


def _one_agency(registry: Registry) -> None:
    assert count(registry, "agencies") == 1


def _one_request(registry: Registry) -> None:
    assert count(registry, "service_requests") == 1
    assert count(registry, "notices", kind="service_requested") == 1


def _answered_once(registry: Registry) -> None:
    _one_request(registry)
    answered = count(registry, "notices", kind="service_accepted") + count(
        registry, "notices", kind="service_declined"
    )
    assert answered == 1


def directory_cases(case: Any) -> list[Any]:
    """The race rows, built with test_i18_create_races' own `Case`."""
    answered = {(409, "service_request_answered"), (409, "concurrent_update")}
    return [
        case(
            "POST /agencies",
            _list,
            "one",
            {(409, "agency_exists"), (409, "concurrent_update")},
            _one_agency,
        ),
        case(
            "POST /agencies/{agency_id}/suspend",
            _suspend,
            "one",
            {(409, "agency_suspended"), (409, "concurrent_update")},
        ),
        case(
            "POST /agencies/{agency_id}/reinstate",
            _reinstate,
            "one",
            {(409, "agency_listed"), (409, "concurrent_update")},
        ),
        case(
            "POST /registrations/{number}/service-requests",
            _ask_request,
            "one",
            {(409, "service_request_exists"), (409, "concurrent_update")},
            _one_request,
        ),
        case(
            "POST /service-requests/{request_id}/accept", _accept, "one", answered, _answered_once
        ),
        case(
            "POST /service-requests/{request_id}/decline", _decline, "one", answered, _answered_once
        ),
    ]
