"""Issue 20 §6 and R20 (G§22): a bank's pledge, step by step — proposed by the bank with
itself as pledgee, confirmed or declined by the holder, withdrawn by the bank, lapsing when
nobody answers; filed late when confirmed after the 10 working days from the contract date;
the 中登网 number, the enforcement (质权实现) and the release by the pledgee only. Each step
is a ledger leaf of codes and commitments; refused requests are problem+json and change
nothing."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.services import ledger
from dataip.sharing.scopes import GRANTABLE, PLEDGES_WRITE, REGISTRATIONS_READ
from tests.support.api import Api, World, make_uscc, problem
from tests.support.institutions import Institution

LOAN = "贷2026-0042"
ZDW = "04093727000235578371"


class Bank:
    """A bank's client: its institution registered by the admin, a fresh token per call."""

    def __init__(self, api: Api, kind: str = "bank", scopes: Any = None) -> None:
        self.api = api
        wanted = sorted(GRANTABLE[kind] if scopes is None else scopes)
        self.inst = Institution(api, api.user("registrar_admin"), kind, wanted)
        self.client_id = self.inst.client_id
        r = api.c.get(
            f"/api/v1/admin/institutions/{self.client_id}",
            headers=api.h(api.user("registrar_admin")),
        )
        self.uscc = r.json()["uscc"]

    def h(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.inst.token()}"}

    def post(self, number: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"/api/v1/institutions/registrations/{number}/pledges{path}"
        return self.api.c.post(url, json=body or {}, headers=self.h())

    def propose(self, number: str, **over: Any) -> Any:
        body = {
            "contract_date": "2026-10-19",
            "secured_amount_fen": 500_000_000,
            "loan_reference": LOAN,
            **over,
        }
        return self.post(number, "", {k: v for k, v in body.items() if v is not None})

    def encumbrances(self, number: str, purpose: str | None = LOAN) -> Any:
        params = {"purpose": purpose} if purpose is not None else {}
        return self.api.c.get(
            f"/api/v1/institutions/registrations/{number}/encumbrances",
            params=params,
            headers=self.h(),
        )


def _registered(api: Api) -> tuple[World, str]:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    return w, number


def _pledged(api: Api, w: World, number: str, bank: Bank, **over: Any) -> str:
    """The bank proposes, the holder confirms: the pledge's filing number."""
    r = bank.propose(number, **over)
    assert r.status_code == 201, r.text
    d = api.reg_ok(w.applicant, number, "confirm_pledge", proposal_number=r.json()["number"])
    return str(
        next(f for f in d["filings"] if f.get("proposal_number") == r.json()["number"])["number"]
    )


def _state(api: Api) -> dict[str, Any]:
    engine = api.c.app.state.registry.engine  # type: ignore[attr-defined]
    tables = {
        "registrations": t.registrations,
        "filings": t.filings,
        "pledge_proposals": t.pledge_proposals,
        "events": t.events,
        "announcements": t.announcements,
        "notices": t.notices,
        "reads": t.institution_reads,
        "freezes": t.freezes,
    }
    with engine.connect() as c:
        return {
            name: sorted(map(repr, c.execute(sa.select(table)).all()))
            for name, table in tables.items()
        }


def _leaves(registry: Registry) -> list[dict[str, Any]]:
    ledger.integrate(registry.env, registry.log_keys)
    return [json.loads(leaf) for _, _, leaf in ledger.iter_leaves(registry.env)]


def test_i20_bank_pledge_refusals_change_nothing(api: Api) -> None:
    w, number = _registered(api)
    bank, other_bank = Bank(api), Bank(api)
    court = Bank(api, "court")
    reader = Bank(api, scopes={REGISTRATIONS_READ})
    mine = _pledged(api, w, number, bank)
    theirs = _pledged(api, w, number, other_bank)
    awaiting = bank.propose(number).json()["number"]
    assert other_bank.propose(number).status_code == 201  # its own awaits too
    _, frozen = _registered(api)
    registrar = api.user("registrar_admin")
    api.reg_ok(
        registrar,
        frozen,
        "freeze",
        case_number="（2026）黔01民初123号",
        court="贵阳中院",
        ruling="冻结",
    )
    _, bare = _registered(api)
    bystander = Bank(api)  # a bank with no pledge on `number`
    cases: list[tuple[str, Any, int, str]] = [
        ("a pledge by a court", lambda: court.propose(number), 403, "insufficient_scope"),
        ("a bank without pledges:write", lambda: reader.propose(number), 403, "insufficient_scope"),
        (
            "a bank filing for another credit code",
            lambda: bank.propose(number, pledgee_credit_code=make_uscc(9103)),
            403,
            "pledgee_not_caller",
        ),
        (
            "missing loan reference",
            lambda: bank.propose(number, loan_reference=None),
            422,
            "invalid_request",
        ),
        (
            "a contract dated tomorrow",
            lambda: bank.propose(number, contract_date="2026-10-21"),
            422,
            "contract_date_in_future",
        ),
        (
            "pledge on a frozen registration",
            lambda: bank.propose(frozen),
            409,
            "registration_frozen",
        ),
        (
            "no such registration",
            lambda: bank.propose("5201152026000999"),
            404,
            "registration_not_found",
        ),
        (
            "releasing another bank's pledge",
            lambda: bank.post(number, f"/{theirs}/release"),
            403,
            "not_pledgee",
        ),
        (
            "releasing without a pledge of one's own",
            lambda: bystander.post(number, f"/{mine}/release"),
            403,
            "forbidden_action",
        ),
        (
            "enforcing another bank's pledge",
            lambda: bank.post(
                number,
                f"/{theirs}/enforcement",
                {"method": "auction", "enforced_on": "2026-10-20", "amount_realised_fen": 1},
            ),
            403,
            "not_pledgee",
        ),
        (
            "consenting for another bank's pledge",
            lambda: bank.post(number, f"/{theirs}/consents", {"for_action": "transfer"}),
            403,
            "not_pledgee",
        ),
        (
            "consenting to something that is not a disposal",
            lambda: bank.post(number, f"/{mine}/consents", {"for_action": "licence"}),
            422,
            "invalid_request",
        ),
        (
            "a malformed 中登网 number",
            lambda: bank.post(number, f"/{mine}/reference", {"zdw_reference": "ZD2026-001"}),
            422,
            "invalid_zdw_reference",
        ),
        (
            "withdrawing another bank's proposal",
            lambda: other_bank.post(number, f"/proposals/{awaiting}/withdraw"),
            403,
            "not_own_proposal",
        ),
        (
            "withdrawing with no proposal of one's own",
            lambda: bystander.post(number, f"/proposals/{awaiting}/withdraw"),
            409,
            "no_pledge_proposal",
        ),
        (
            "a bank releasing on a registration it has no pledge on",
            lambda: bank.post(bare, f"/{mine}/release"),
            403,
            "forbidden_action",
        ),
        (
            "encumbrances without a purpose",
            lambda: bank.encumbrances(number, purpose=None),
            422,
            "invalid_request",
        ),
        (
            "encumbrances with an empty purpose",
            lambda: bank.encumbrances(number, purpose=" "),
            422,
            "purpose_required",
        ),
        (
            "a holder confirms an unknown proposal",
            lambda: api.reg_act(
                w.applicant, number, "confirm_pledge", proposal_number="ZY202652000009999"
            ),
            404,
            "pledge_proposal_not_found",
        ),
        (
            "a stranger confirms",
            lambda: api.reg_act(
                api.user("applicant"), number, "confirm_pledge", proposal_number=awaiting
            ),
            403,
            "forbidden_action",
        ),
        (
            "a holder proposes as if a bank",
            lambda: api.reg_act(
                w.applicant,
                number,
                "propose_pledge",
                contract_date="2026-10-19",
                secured_amount_fen=1,
            ),
            403,
            "forbidden_action",
        ),
    ]
    for name, call, status, code in cases:
        before = _state(api)
        body = problem(call(), status, code)
        assert body["message_zh"] and body["message_en"], name
        assert _state(api) == before, name


def test_r20_confirmation_after_ten_working_days_is_filed_late(api: Api) -> None:
    w, number = _registered(api)
    bank = Bank(api)
    # contract of 2026-09-01: due 10 working days later (mid-September), long past
    r = bank.propose(number, contract_date="2026-09-01")
    assert r.status_code == 201, r.text
    proposal = r.json()
    d = api.reg_ok(w.applicant, number, "confirm_pledge", proposal_number=proposal["number"])
    [f] = d["filings"]
    assert f["late"] is True and f["due_on"] < "2026-10-20"
    assert f["contract_date"] == "2026-09-01"


def test_r20_a_proposal_nobody_answers_lapses(api: Api, registry: Registry) -> None:
    w, number = _registered(api)
    bank = Bank(api)
    proposal = bank.propose(number).json()
    lapses = proposal["lapses_on"]
    assert "2026-10-30" <= lapses <= "2026-11-06"  # 10 working days from 2026-10-20
    api.at(f"{lapses} 17:00")  # its last day: still awaiting
    assert "confirm_pledge" in api.reg(w.applicant, number).json()["allowed_actions"]
    api.later(days=1)
    d = api.reg(w.applicant, number).json()
    assert d["pledge_proposals"][0]["state"] == "lapsed"
    assert "confirm_pledge" not in d["allowed_actions"]
    problem(
        api.reg_act(w.applicant, number, "confirm_pledge", proposal_number=proposal["number"]),
        409,
        "no_pledge_proposal",
    )
    # the bank proposes again
    assert bank.propose(number, contract_date=lapses).status_code == 201


def test_i20_holder_declines_and_bank_withdraws(api: Api, registry: Registry) -> None:
    w, number = _registered(api)
    bank = Bank(api)
    first = bank.propose(number).json()["number"]
    second = bank.propose(number, secured_amount_fen=1_000).json()["number"]
    d = api.reg_ok(w.applicant, number, "decline_pledge", proposal_number=first, reason="金额不符")
    states = {p["number"]: p["state"] for p in d["pledge_proposals"]}
    assert states == {first: "declined", second: "awaiting"}
    problem(
        api.reg_act(w.applicant, number, "confirm_pledge", proposal_number=first),
        409,
        "pledge_proposal_not_awaiting",
    )
    r = bank.post(number, f"/proposals/{second}/withdraw")
    assert r.status_code == 200 and r.json()["state"] == "withdrawn", r.text
    notices = api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
    [withdrawn] = [n for n in notices if n["kind"] == "pledge_proposal_withdrawn"]
    assert withdrawn["body"]["proposal_number"] == second
    d = api.reg(w.applicant, number).json()
    assert d["filings"] == [] and not {"confirm_pledge", "decline_pledge"} & set(
        d["allowed_actions"]
    )
    leaves = [x for x in _leaves(registry) if x["type"].startswith("PledgeProposal")]
    assert [x["type"] for x in leaves] == ["PledgeProposalDeclined", "PledgeProposalWithdrawn"]
    assert "金额不符" not in json.dumps(leaves, ensure_ascii=False)
    assert "reason" in leaves[0]["commitments"]


def test_i20_pledgee_enforces_and_the_transfer_no_longer_waits_on_it(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    bank = Bank(api)
    filing = _pledged(api, w, number, bank)
    # pledged: a transfer needs the pledgee's consent
    buyer = api.user("applicant")
    party = api.party(buyer, verify_by=w.examiner)
    transfer = {
        "transferees": [{"id_number": api.numbers[party], "share_bp": 10_000}],
        "reason": "拍卖成交",
    }
    problem(api.reg_act(w.applicant, number, "request_transfer", **transfer), 409, "pledged")
    r = bank.post(number, f"/{filing}/reference", {"zdw_reference": ZDW})
    assert r.status_code == 200, r.text
    r = bank.post(
        number,
        f"/{filing}/enforcement",
        {
            "method": "auction",
            "enforced_on": "2026-10-20",
            "amount_realised_fen": 420_000_000,
            "reference": "（2026）黔01执45号",
        },
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["state"] == "enforced" and out["enforcement"]["method"] == "auction"
    assert out["zdw_reference"] == ZDW
    # no longer its pledgee of anything in force
    problem(bank.post(number, f"/{filing}/release"), 403, "forbidden_action")
    public = api.reg(None, number).json()
    [f] = public["filings"]
    assert f["state"] == "enforced" and f["enforcement"] == {
        "method": "auction",
        "enforced_on": "2026-10-20",
    }
    assert public["announcements"][-1]["kind"] == "pledge_enforcement"
    report = bank.encumbrances(number).json()
    assert report["pledges"] == [] and report["own_pledges"][0]["state"] == "enforced"
    # the right passes to the buyer by a separate transfer, no longer blocked by the pledge
    api.reg_ok(w.applicant, number, "request_transfer", **transfer)
    leaves = {x["type"]: x for x in _leaves(registry)}
    enforced = leaves["PledgeEnforced"]
    assert enforced["public"]["method"] == "auction"
    assert {"amount_realised_fen", "reference"} <= set(enforced["commitments"])
    assert leaves["PledgeReferenceRecorded"]["public"]["zdw_reference"] == ZDW
    proposed = leaves["PledgeProposed"]
    text = json.dumps(proposed, ensure_ascii=False)
    assert LOAN not in text and "500000000" not in text and "银行" not in text
    assert {"pledgee", "secured_amount_fen", "loan_reference"} <= set(proposed["commitments"])
    feed_types = {e["type"] for e in bank_feed(api, bank) if e.get("subject") == number}
    assert {
        "cn.dataip.registration.pledge.proposed",
        "cn.dataip.registration.pledge.reference.recorded",
        "cn.dataip.registration.pledge.enforced",
    } <= feed_types


def test_r20_pledgee_bank_consents_to_a_transfer_through_its_own_client(
    api: Api, registry: Registry
) -> None:
    """G§22 and the pledge contract: the pledged right is transferred only with the
    pledgee's consent; the bank gives it by its own authenticated call (no document to
    upload). The log names the filing and the disposal consented to, not the bank."""
    w, number = _registered(api)
    bank = Bank(api)
    filing = _pledged(api, w, number, bank)
    buyer = api.user("applicant")
    party = api.party(buyer, verify_by=w.examiner)
    transfer = {
        "transferees": [{"id_number": api.numbers[party], "share_bp": 10_000}],
        "reason": "转让",
    }
    problem(api.reg_act(w.applicant, number, "request_transfer", **transfer), 409, "pledged")
    r = bank.post(number, f"/{filing}/consents", {"for_action": "transfer"})
    assert r.status_code == 200, r.text
    [given] = [f for f in api.reg(w.applicant, number).json()["filings"] if f["number"] == filing]
    api.reg_ok(w.applicant, number, "request_transfer", **transfer)
    consent = next(x for x in _leaves(registry) if x["type"] == "PledgeeConsentRecorded")
    assert consent["public"]["filing_number"] == filing
    assert consent["public"]["for_action"] == "transfer"
    assert bank.client_id not in json.dumps(consent)
    with registry.engine.connect() as c:
        consents = c.execute(
            sa.select(t.filings.c.consents).where(t.filings.c.number == filing)
        ).scalar_one()
    assert consents[0]["given_by_client"] == bank.client_id and consents[0]["instrument"] is None
    assert given["state"] == "in_force"


def bank_feed(api: Api, bank: Bank) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/events", params={"limit": 1000}, headers=bank.h())
    assert r.status_code == 200, r.text
    return list(r.json())


def test_i20_encumbrance_query_for_due_diligence(api: Api) -> None:
    w, number = _registered(api)
    bank, other = Bank(api), Bank(api)
    _pledged(api, w, number, other, term_end="2029-10-18")
    api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-10-19",
        licence_type="exclusive",
        licensee={"name": "贵阳数据应用有限公司", "credit_code": make_uscc(9102)},
        scope="模型训练",
        territory="贵州省",
        term_end="2028-06-30",
        fee_fen=100,
    )
    registrar = api.user("registrar_admin")
    api.reg_ok(
        registrar,
        number,
        "freeze",
        case_number="（2026）黔01民初123号",
        court="贵阳中院",
        ruling="冻结",
    )
    exchange = Bank(api, "exchange")
    r = exchange.encumbrances(number, purpose="挂牌审核2026-7")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["frozen"] and report["freezes"][0]["case_number"] == "（2026）黔01民初123号"
    [pledge] = report["pledges"]
    assert pledge["own"] is False and pledge["pledgee"]["credit_code"] == other.uscc
    assert pledge["term_end"] == "2029-10-18"
    assert "secured_amount_fen" not in pledge and report["own_pledges"] == []
    [licence] = report["exclusive_licences"]
    assert licence["licence_type"] == "exclusive"
    assert report["pending"] == {"revocation": False, "re_examination": False, "requests": []}
    # the calling bank sees its own in full, another's in public
    assert bank.encumbrances(number).json()["own_pledges"] == []
    mine = other.encumbrances(number).json()["own_pledges"]
    assert mine[0]["secured_amount_fen"] == 500_000_000
    # a court states its case number
    court = Bank(api, "court", scopes={REGISTRATIONS_READ})
    problem(court.encumbrances(number, purpose=LOAN), 422, "invalid_purpose")
    # a bank holding pledges:write only may ask too
    lean = Bank(api, scopes={PLEDGES_WRITE})
    assert lean.encumbrances(number).status_code == 200
    seen = api.c.get(f"/api/v1/registrations/{number}/reads", headers=api.h(w.applicant)).json()
    assert {x["resource"] for x in seen} == {"encumbrances"} and len(seen) == 4


def test_i20_the_holder_is_served_the_proposal_and_it_lapses_with_the_right(api: Api) -> None:
    w, number = _registered(api)
    bank = Bank(api)
    proposal = bank.propose(number).json()
    [notice] = [
        n
        for n in api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
        if n["kind"] == "pledge_proposal"
    ]
    assert notice["body"]["proposal_number"] == proposal["number"]
    assert notice["due_on"] == proposal["lapses_on"]
    # a proposal does not block abandonment; the registration's end lapses it
    d = api.reg_ok(w.applicant, number, "abandon", reason="不再维护")
    assert d["pledge_proposals"][0]["state"] == "lapsed"
    assert not {"confirm_pledge", "decline_pledge"} & set(d["allowed_actions"])
    r = bank.post(number, f"/proposals/{proposal['number']}/withdraw")
    problem(r, 409, "no_pledge_proposal")
    problem(bank.propose(number), 409, "action_not_allowed_in_state")
