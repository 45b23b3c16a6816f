"""Issue 22 §2: race rows for the valuation routes (run by test_i18_create_races, which races
every write route of the API by eight): eight value references at once are eight valuations
with eight numbers; one agency report sent eight times at once is recorded once, the others
are told it is; a valuation published (or withdrawn) eight times at once changes once."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from dataip.value.valuation_signature import sign
from tests.support.api import Api, World
from tests.support.db import count
from tests.support.institutions import Institution
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]
COST = {"items": [{"item": "collection", "amount_fen": 1_000_000}], "profit_rate_bp": 1000}


def _reference(api: Api, w: World) -> Request:
    number = w.registered()
    body = {"quality_bp": 8000, "cost": COST}
    url = f"{PREFIX}/registrations/{number}/valuations"
    return "POST", url, api.h(w.applicant), {"json": body}


def _appraisal(api: Api, w: World) -> Request:
    number = w.registered()
    inst = Institution(api, api.user("registrar_admin"), "appraisal", ["valuations:write"])
    admin = api.user("registrar_admin")
    uscc = api.c.get(f"{PREFIX}/admin/institutions/{inst.client_id}", headers=api.h(admin))
    payload = {
        "registration_number": number,
        "agency_uscc": uscc.json()["uscc"],
        "valuation_date": "2026-10-13",
        "inputs": {"quality_bp": 8000, "cost": COST},
    }
    token = sign(payload, inst.key, kid=inst.kid, alg=inst.alg)
    headers = {"Authorization": f"Bearer {inst.token()}"}
    url = f"{PREFIX}/institutions/registrations/{number}/valuations"
    return "POST", url, headers, {"json": {"jws": token}}


def _made(api: Api, w: World, *, publish: bool) -> str:
    number = w.registered()
    body = {"quality_bp": 8000, "cost": COST, "publish": publish}
    url = f"{PREFIX}/registrations/{number}/valuations"
    r = api.c.post(url, headers=api.h(w.applicant), json=body)
    assert r.status_code == 201, r.text
    return f"{url}/{r.json()['number']}"


def _publish(api: Api, w: World) -> Request:
    return "POST", _made(api, w, publish=False) + "/publish", api.h(w.applicant), {}


def _unpublish(api: Api, w: World) -> Request:
    return "POST", _made(api, w, publish=True) + "/unpublish", api.h(w.applicant), {}


def _published_once(registry: Registry) -> None:
    assert count(registry, "valuations", published=True, version=2) == 1
    assert count(registry, "events", type="ValuationPublished") == 1


def _withdrawn_once(registry: Registry) -> None:
    assert count(registry, "valuations", published=False, version=2) == 1
    assert count(registry, "events", type="ValuationWithdrawn") == 1


def _eight(registry: Registry) -> None:
    assert count(registry, "valuations") == 8
    assert count(registry, "events", type="ValuationRecorded") == 8


def _one(registry: Registry) -> None:
    assert count(registry, "valuations") == 1
    assert count(registry, "events", type="ValuationRecorded") == 1


def valuation_cases(case: Any) -> list[Any]:
    return [
        case("POST /registrations/{number}/valuations", _reference, "all", set(), _eight),
        case(
            "POST /institutions/registrations/{number}/valuations",
            _appraisal,
            "one",
            {(409, "valuation_already_recorded"), (409, "concurrent_update")},
            _one,
        ),
        # publishing or withdrawing afterwards: eight at once change it once, log it once
        case(
            "POST /registrations/{number}/valuations/{valuation}/publish",
            _publish,
            "one",
            {(409, "valuation_already_published"), (409, "concurrent_update")},
            _published_once,
        ),
        case(
            "POST /registrations/{number}/valuations/{valuation}/unpublish",
            _unpublish,
            "one",
            {(409, "valuation_not_published"), (409, "concurrent_update")},
            _withdrawn_once,
        ),
    ]
