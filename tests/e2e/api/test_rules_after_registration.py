"""After registration (issue 5, first slice): R16 renewal."""

from __future__ import annotations

import json

from httpx import Response

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, World, problem


def _registered(api: Api) -> tuple[World, str]:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    api.at("2026-10-13 09:00")
    reg = api.ok(w.examiner, aid, "approve")["registration"]
    assert reg["valid_until"] == "2028-10-12"
    return w, reg["registration_number"]


def _renew(api: Api, who: str | None, number: str) -> Response:
    return api.c.post(f"/api/v1/registrations/{number}/actions/renew", headers=api.h(who))


def test_r16_renewal_the_day_before_the_window_is_refused_and_on_its_first_day_accepted(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    api.at("2028-09-12 10:00")  # window: 2028-09-13 .. 2028-10-12 (one month before expiry)
    body = problem(_renew(api, w.applicant, number), 409, "renewal_window_not_open")
    assert body["details"] == {"opens": "2028-09-13", "closes": "2028-10-12"}
    api.at("2028-09-13 09:00")
    renewed = _renew(api, w.applicant, number)
    assert renewed.status_code == 200, renewed.text
    # R16 / R0.3: two more years from the day after the previous expiry
    assert renewed.json()["valid_until"] == "2030-10-12"
    assert api.c.get(f"/api/v1/registrations/{number}").json()["valid_until"] == "2030-10-12"
    # the renewal is in the log
    ledger.integrate(registry.env, registry.log_keys)
    types = [json.loads(leaf)["type"] for _, _, leaf in ledger.iter_leaves(registry.env)]
    assert types[-1] == "RegistrationRenewed"
    # renewed once, the window is now two years away
    problem(_renew(api, w.applicant, number), 409, "renewal_window_not_open")


def test_r16_renewal_after_expiry_is_refused(api: Api) -> None:
    w, number = _registered(api)
    api.at("2028-10-13 09:00")
    problem(_renew(api, w.applicant, number), 409, "renewal_window_closed")


def test_r16_only_the_holder_renews(api: Api) -> None:
    w, number = _registered(api)
    api.at("2028-09-20 09:00")
    problem(_renew(api, w.examiner, number), 403, "forbidden_action")
    problem(_renew(api, api.user("applicant"), number), 403, "forbidden_action")
    problem(_renew(api, None, number), 401, "unauthenticated")
    problem(_renew(api, w.applicant, "2026105200009999"), 404, "registration_not_found")
