"""Issue 20 §6: race rows for a bank's pledge routes (run by test_i18_create_races, which
races every write route of the API by eight): eight proposals at once are eight proposals;
consents and 中登网 numbers are recorded by each race's winners; a withdrawal, an enforcement
and a release happen once, the others are told why not."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, World
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]
BASE = "/institutions/registrations/{number}/pledges"


def _setup(api: Api, w: World, *, pledged: bool) -> tuple[str, dict[str, str], str]:
    """A registration, a bank's headers, and its proposal's or (confirmed) pledge's number."""
    from tests.e2e.api.test_i20_bank_pledges import Bank

    number = w.registered()
    bank = Bank(api)
    signed = api.reg(w.applicant, number).json()["registration_date"]
    r = bank.propose(number, contract_date=signed)
    assert r.status_code == 201, r.text
    proposal = str(r.json()["number"])
    if not pledged:
        return number, bank.h(), proposal
    d = api.reg_ok(w.applicant, number, "confirm_pledge", proposal_number=proposal)
    return number, bank.h(), str(d["filings"][-1]["number"])


def _propose(api: Api, w: World) -> Request:
    number, headers, _ = _setup(api, w, pledged=False)
    signed = api.reg(w.applicant, number).json()["registration_date"]
    body = {"contract_date": signed, "secured_amount_fen": 1_000, "loan_reference": "贷R-1"}
    return "POST", f"{PREFIX}/institutions/registrations/{number}/pledges", headers, {"json": body}


def _withdraw(api: Api, w: World) -> Request:
    number, headers, proposal = _setup(api, w, pledged=False)
    url = f"{PREFIX}/institutions/registrations/{number}/pledges/proposals/{proposal}/withdraw"
    return "POST", url, headers, {}


def _on_pledge(what: str, body: dict[str, Any]) -> Any:
    def build(api: Api, w: World) -> Request:
        number, headers, filing = _setup(api, w, pledged=True)
        if "enforced_on" in body:
            body["enforced_on"] = api.reg(w.applicant, number).json()["registration_date"]
        url = f"{PREFIX}/institutions/registrations/{number}/pledges/{filing}/{what}"
        return "POST", url, headers, {"json": body}

    return build


GONE = {
    (403, "forbidden_action"),  # no longer the pledgee of a pledge in force
    (409, "filing_not_in_force"),
    (409, "no_pledge_in_force"),
    (409, "concurrent_update"),
}


def pledge_cases(case: Any) -> list[Any]:
    """The race rows, built with test_i18_create_races' own `Case`."""
    return [
        case("POST " + BASE, _propose, "some", {(409, "concurrent_update")}),
        case(
            "POST " + BASE + "/proposals/{proposal_number}/withdraw",
            _withdraw,
            "one",
            {
                (409, "no_pledge_proposal"),
                (409, "pledge_proposal_not_awaiting"),
                (409, "concurrent_update"),
            },
        ),
        case(
            "POST " + BASE + "/{filing_number}/reference",
            _on_pledge("reference", {"zdw_reference": "04093727000235578371"}),
            "some",
            {(409, "concurrent_update")},
        ),
        case(
            "POST " + BASE + "/{filing_number}/consents",
            _on_pledge("consents", {"for_action": "transfer"}),
            "some",
            {(409, "concurrent_update")},
        ),
        case(
            "POST " + BASE + "/{filing_number}/enforcement",
            _on_pledge(
                "enforcement",
                {"method": "auction", "enforced_on": "", "amount_realised_fen": 1},
            ),
            "one",
            GONE,
        ),
        case("POST " + BASE + "/{filing_number}/release", _on_pledge("release", {}), "one", GONE),
    ]
