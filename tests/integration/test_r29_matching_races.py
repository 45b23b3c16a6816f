"""Issue 23 §3–§4: the race rows for the matching routes (`matching_cases`, run by
test_i18_create_races): eight identical requests at once on SQLite and PostgreSQL — one
withdrawal, one contact per match, one answer to it; never a 500."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from tests.support.api import Api, World
from tests.support.db import count
from tests.support.matching import BUS, NEEDS, holder, need_body
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]
_HOLDER: dict[str, str] = {}  # the holder of the world's matched registration, for the answers


def _need(api: Api, w: World) -> int:
    api.at("2026-10-13 09:00")
    r = api.c.post(NEEDS, headers=api.h(w.applicant), json=need_body(w.party))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _publish(api: Api, w: World) -> Request:
    api.at("2026-10-13 09:00")
    return "POST", f"{PREFIX}/needs", api.h(w.applicant), {"json": need_body(w.party)}


def _withdraw(api: Api, w: World) -> Request:
    url = f"{PREFIX}/needs/{_need(api, w)}/withdraw"
    return "POST", url, api.h(w.applicant), {}


def _match(api: Api, w: World) -> tuple[int, str, str]:
    """A need of the world's applicant and a registration of another holder's."""
    who = api.user("applicant")
    _, number = holder(api, w.examiner, who, **BUS)
    return _need(api, w), number, who


def _propose(api: Api, w: World) -> Request:
    need, number, _ = _match(api, w)
    body = {"registration_number": number}
    return "POST", f"{PREFIX}/needs/{need}/contacts", api.h(w.applicant), {"json": body}


def _proposed(api: Api, w: World) -> int:
    need, number, who = _match(api, w)
    r = api.c.post(
        f"{PREFIX}/needs/{need}/contacts",
        headers=api.h(w.applicant),
        json={"registration_number": number},
    )
    assert r.status_code == 201, r.text
    _HOLDER["who"] = who
    return int(r.json()["id"])


def _accept(api: Api, w: World) -> Request:
    contact = _proposed(api, w)
    return "POST", f"{PREFIX}/contacts/{contact}/accept", api.h(_HOLDER["who"]), {}


def _decline(api: Api, w: World) -> Request:
    contact = _proposed(api, w)
    return "POST", f"{PREFIX}/contacts/{contact}/decline", api.h(_HOLDER["who"]), {}


def _one_contact(registry: Registry) -> None:
    assert count(registry, "need_contacts") == 1


def _answered_once(registry: Registry) -> None:
    assert count(registry, "need_contacts") == 1
    # one proposal notice to the holder, one answer notice to the author
    assert count(registry, "notices", kind="contact_proposed") == 1
    answered = count(registry, "notices", kind="contact_accepted") + count(
        registry, "notices", kind="contact_declined"
    )
    assert answered == 1


def matching_cases(case: Any) -> list[Any]:
    """The race rows, built with test_i18_create_races' own `Case`."""
    answered = {(409, "contact_not_proposed"), (409, "concurrent_update")}
    return [
        case("POST /needs", _publish, "all"),
        case(
            "POST /needs/{need_id}/withdraw",
            _withdraw,
            "one",
            {(409, "need_not_open"), (409, "concurrent_update")},
        ),
        case(
            "POST /needs/{need_id}/contacts",
            _propose,
            "one",
            {(409, "contact_exists"), (409, "concurrent_update")},
            _one_contact,
        ),
        case("POST /contacts/{contact_id}/accept", _accept, "one", answered, _answered_once),
        case("POST /contacts/{contact_id}/decline", _decline, "one", answered, _answered_once),
    ]
