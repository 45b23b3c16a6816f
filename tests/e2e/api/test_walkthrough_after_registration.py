"""One registration through its life after registration, over HTTP (G§19–G§25): licence and
pledge filings, a change, a renewal, a transfer refused while pledged and made once the pledge
is released, and abandonment by the new holder. Each step is announced and logged; the
archive holds all of it."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, make_uscc, problem


class Log:
    """Reads the leaves each step adds to the transparency log, over HTTP."""

    def __init__(self, api: Api, registry: Registry) -> None:
        self.api, self.registry = api, registry
        self.size = 0
        self.leaves: list[dict[str, Any]] = []

    def new(self) -> list[dict[str, Any]]:
        report = ledger.integrate(self.registry.env, self.registry.log_keys)
        assert report.size_before == self.size, "the log grew behind the test's back"
        out = []
        for i in range(report.size_before, report.size_after):
            r = self.api.c.get(f"/api/v1/log/entries/{i}")
            assert r.status_code == 200, r.text
            entry = r.json()
            assert entry["index"] == i
            out.append(entry["leaf"])
        self.size = report.size_after
        self.leaves += out
        return out


def _announcements(api: Api, number: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/announcements", params={"registration_number": number})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["next_cursor"] is None
    items: list[dict[str, Any]] = page["items"]
    assert all(a["registration_number"] == number for a in items)
    return items


def _step(
    api: Api,
    log: Log,
    number: str,
    *,
    events: list[str],
    announced: str | None,
    seen: list[str],
) -> dict[str, Any] | None:
    """After one step: its leaves are in the log (in this order) and, when the step announces,
    its announcement is the newest for the registration, of the right kind, and the leaf
    that made it names it."""
    leaves = [leaf for leaf in log.new() if leaf["subject"]["type"] == "registration"]
    assert [leaf["type"] for leaf in leaves] == events, leaves
    for leaf in leaves:
        assert leaf["public"]["registration_number"] == number
        assert leaf["subject"]["type"] == "registration"
    items = _announcements(api, number)
    if announced is None:
        assert [a["number"] for a in items] == seen[::-1], "the step announced nothing"
        return None
    newest = items[0]
    assert newest["kind"] == announced, items
    assert newest["number"] not in seen
    seen.append(newest["number"])
    assert [a["number"] for a in items] == seen[::-1], "one new announcement, newest first"
    assert newest["body"]["registration_number"] == number
    assert leaves[-1]["public"]["announcement_number"] == newest["number"]
    one = api.c.get(f"/api/v1/announcements/{newest['number']}")
    assert one.status_code == 200 and one.json() == newest
    return newest


def test_walkthrough_after_registration_licence_pledge_change_renewal_transfer_abandonment(
    api: Api, registry: Registry
) -> None:
    log = Log(api, registry)
    w = api.world()
    number = w.registered()
    seen: list[str] = []

    # 1. Registration (G§16): announced, logged as the application's approval.
    leaves = log.new()
    approved = [x for x in leaves if x["type"] == "ApplicationApproved"]
    assert len(approved) == 1 and approved[0]["public"]["registration_number"] == number
    items = _announcements(api, number)
    assert [a["kind"] for a in items] == ["registration"]
    assert approved[0]["public"]["announcement_number"] == items[0]["number"]
    seen.append(items[0]["number"])
    assert items[0]["number"].startswith("GG2026" + registry.env.profile.registry_code)
    start = api.reg(w.applicant, number).json()
    assert start["state"] == "valid" and start["valid_until"] == "2028-10-12"
    assert start["certificate_version"] == 1

    # 2. Licence filing (G§22), within 10 working days of the contract.
    api.at("2026-10-20 10:00")
    licensee = {"kind": "legal_person", "name": "被许可数据有限公司", "credit_code": make_uscc(901)}
    out = api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-10-16",
        licence_type="non_exclusive",
        licensee=licensee,
        scope="数据分析与模型训练",
        territory="中国境内",
        term_start="2026-10-20",
        term_end="2031-10-19",
        fee_fen=12_000_000,
    )
    licence = next(f for f in out["filings"] if f["kind"] == "licence")
    assert licence["state"] == "in_force" and licence["late"] is False
    a = _step(api, log, number, events=["LicenceFiled"], announced="licence", seen=seen)
    assert a is not None and a["body"]["filing_number"] == licence["number"]
    assert "fee_fen" not in a["body"]  # the fee is private
    assert log.leaves[-1]["public"]["filing_number"] == licence["number"]

    # 3. Pledge filing.
    pledgee = {
        "kind": "legal_person",
        "name": "贵阳质权银行股份有限公司",
        "credit_code": make_uscc(902),
    }
    out = api.reg_ok(
        w.applicant,
        number,
        "file_pledge",
        contract_date="2026-10-19",
        pledgee=pledgee,
        secured_amount_fen=500_000_000,
        term_end="2029-10-18",
    )
    pledge = next(f for f in out["filings"] if f["kind"] == "pledge")
    assert pledge["state"] == "in_force" and out["encumbrances"]["pledged"] is True
    a = _step(api, log, number, events=["PledgeFiled"], announced="pledge", seen=seen)
    assert a is not None and a["body"]["filing_number"] == pledge["number"]
    assert "secured_amount_fen" not in a["body"]

    # 4. Change (G§21): requested by the holder, approved by the registry, then announced.
    api.at("2026-10-22 10:00")
    out = api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"processing_rules": "清洗、标注、质量校验、脱敏"},
        reason="增加脱敏处理",
    )
    change = next(r for r in out["requests"] if r["kind"] == "change")
    assert change["state"] == "pending"
    _step(api, log, number, events=["ChangeRequested"], announced=None, seen=seen)
    api.at("2026-10-26 10:00")
    out = api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=change["id"],
        outcome="approve",
        reason="变更事项符合要求",
    )
    assert out["certificate_version"] == 2
    a = _step(api, log, number, events=["RequestDecided"], announced="change", seen=seen)
    assert a is not None and a["body"]["fields"] == ["processing_rules"]
    assert log.leaves[-1]["public"]["outcome"] == "approve"

    # 5. Renewal (G§19) inside the window (2028-09-13 .. 2028-10-12).
    api.at("2028-09-20 10:00")
    out = api.reg_ok(w.applicant, number, "renew")
    assert out["valid_until"] == "2030-10-12" and out["certificate_version"] == 3
    a = _step(api, log, number, events=["RegistrationRenewed"], announced="renewal", seen=seen)
    assert a is not None and a["body"]["previous_valid_until"] == "2028-10-12"

    # 6. A transfer by agreement is refused while the pledge is in force, and changes nothing.
    buyer = api.user("applicant")
    buyer_party = api.party(buyer, verify_by=w.examiner)
    log.new()  # the transferee's account and party
    before = api.reg(w.applicant, number).json()
    refused = api.reg_act(
        w.applicant,
        number,
        "request_transfer",
        transferees=[{"id_number": api.numbers[buyer_party]}],
        basis="agreement",
    )
    body = problem(refused, 409, "pledged")
    assert body["details"]["pledges"] == [pledge["number"]]
    after = api.reg(w.applicant, number).json()
    assert after["version"] == before["version"] and after["requests"] == before["requests"]
    assert log.new() == []
    assert [a["number"] for a in _announcements(api, number)] == seen[::-1]

    # 7. The pledge is released.
    out = api.reg_ok(
        w.applicant, number, "release_pledge", filing_number=pledge["number"], reason="债务已清偿"
    )
    released = next(f for f in out["filings"] if f["number"] == pledge["number"])
    assert released["state"] == "released" and out["encumbrances"]["pledged"] is False
    a = _step(api, log, number, events=["PledgeReleased"], announced="pledge_release", seen=seen)
    assert a is not None and a["body"]["filing_number"] == pledge["number"]

    # 8. Transfer by agreement (G§21): the holder files, the transferee confirms, the registry
    # approves; the new holder is on the certificate.
    api.at("2028-09-21 10:00")
    out = api.reg_ok(
        w.applicant,
        number,
        "request_transfer",
        transferees=[{"id_number": api.numbers[buyer_party]}],
        basis="agreement",
        reason="数据资产转让",
    )
    transfer = next(r for r in out["requests"] if r["kind"] == "transfer")
    assert transfer["state"] == "awaiting_consent"
    _step(api, log, number, events=["TransferRequested"], announced=None, seen=seen)
    assert "confirm_transfer" in api.reg(buyer, number).json()["allowed_actions"]
    out = api.reg_ok(buyer, number, "confirm_transfer", request_id=transfer["id"])
    _step(api, log, number, events=["TransferConfirmed"], announced=None, seen=seen)
    api.at("2028-09-23 10:00")
    out = api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=transfer["id"],
        outcome="approve",
        reason="转让手续齐备",
    )
    assert out["certificate_version"] == 4
    assert [h["party_id"] for h in out["holders"]] == [buyer_party]
    a = _step(api, log, number, events=["RequestDecided"], announced="transfer", seen=seen)
    assert a is not None and a["body"]["holders"][0]["name"] == out["holders"][0]["name"]
    assert a["body"]["previous_holders"] != a["body"]["holders"]
    # the licence survives the transfer; the old holder may no longer act
    moved = api.reg(buyer, number).json()
    assert moved["visibility"] == "full" and "abandon" in moved["allowed_actions"]
    assert moved["encumbrances"] == {"pledged": False, "licences_in_force": 1}
    problem(api.reg_act(w.applicant, number, "abandon", reason="x"), 403, "forbidden_action")

    # 9. The new holder abandons (G§20), giving a reason.
    api.at("2028-10-08 10:00")
    problem(api.reg_act(buyer, number, "abandon"), 422, "missing_fields")
    assert log.new() == []
    out = api.reg_ok(buyer, number, "abandon", reason="业务调整，不再持有")
    assert out["state"] == "abandoned" and out["ended_on"] == "2028-10-08"
    a = _step(
        api, log, number, events=["RegistrationAbandoned"], announced="abandonment", seen=seen
    )
    assert a is not None and "业务调整" not in str(a["body"])  # the reason stays private
    assert [x["kind"] for x in _announcements(api, number)][::-1] == [
        "registration",
        "licence",
        "pledge",
        "change",
        "renewal",
        "pledge_release",
        "transfer",
        "abandonment",
    ]

    # The licence filing is still on record, but it ended with the right (issue 19): no
    # licence outlives what it licenses. The public sees it too.
    for who in (buyer, None):
        final = api.reg(who, number).json()
        lic = next(f for f in final["filings"] if f["number"] == licence["number"])
        assert lic["state"] == "ended" and lic["term_end"] == "2031-10-19"
        assert (lic["ended_with"], lic["ended_on"]) == ("abandoned", final["ended_on"])
        assert final["encumbrances"]["licences_in_force"] == 0

    # The archive (G§25): the final holder and the registry read it; nobody else does.
    ledger.integrate(registry.env, registry.log_keys)
    for who in (buyer, w.examiner):
        r = api.c.get(f"/api/v1/registrations/{number}/archive", headers=api.h(who))
        assert r.status_code == 200, r.text
        assert "content-disposition" not in r.headers
        dossier = r.json()
        assert dossier["registration"]["registration_number"] == number
        assert dossier["registration"]["state"] == "abandoned"
        versions = dossier["certificate_versions"]
        assert [(v["number"], v["reason"]) for v in versions] == [
            (1, "registration"),
            (2, "change"),
            (3, "renewal"),
            (4, "transfer"),
        ]
        assert versions[1]["form"]["processing_rules"] == "清洗、标注、质量校验、脱敏"
        assert versions[1]["request_id"] == change["id"]
        assert versions[2]["valid_until"] == "2030-10-12"
        assert versions[3]["request_id"] == transfer["id"]
        assert [h["party_id"] for h in versions[3]["holders"]] == [buyer_party]
        filings = {f["number"]: f for f in dossier["filings"]}
        assert filings[licence["number"]]["fee_fen"] == 12_000_000
        assert filings[licence["number"]]["state"] == "ended"  # with the right
        assert filings[pledge["number"]]["secured_amount_fen"] == 500_000_000
        assert filings[pledge["number"]]["state"] == "released"
        assert filings[pledge["number"]]["release_reason"] == "债务已清偿"
        reqs = {r["id"]: r for r in dossier["requests"]}
        assert reqs.keys() == {change["id"], transfer["id"]}
        assert reqs[change["id"]]["state"] == "approved"
        assert reqs[transfer["id"]]["state"] == "approved"
        assert str(buyer_party) in reqs[transfer["id"]]["payload"]["confirmations"]
        notices = {n["kind"] for n in dossier["notices"]}
        assert {
            "registration",
            "filing_receipt",
            "request_received",
            "request_decision",
            "renewal",
            "transfer_consent",
            "registration_ended",
        } <= notices, notices
        assert [x["number"] for x in dossier["announcements"]] == seen
        events = dossier["events"]
        assert all(isinstance(e["log_index"], int) for e in events), events
        assert len({e["log_index"] for e in events}) == len(events)
        by_index = {i: leaf for i, leaf in enumerate(log.leaves)}
        for e in events:
            assert by_index[e["log_index"]]["type"] == e["type"]
            assert by_index[e["log_index"]]["event"] == e["id"]
        reg_events = [e["type"] for e in events if e["subject"] == "registration"]
        assert reg_events == [
            "LicenceFiled",
            "PledgeFiled",
            "ChangeRequested",
            "RequestDecided",
            "RegistrationRenewed",
            "PledgeReleased",
            "TransferRequested",
            "TransferConfirmed",
            "RequestDecided",
            "RegistrationAbandoned",
        ]
        assert "ApplicationApproved" in [e["type"] for e in events]
        abandon = next(e for e in events if e["type"] == "RegistrationAbandoned")
        assert abandon["actor"]["username"] == buyer

    r = api.c.get(f"/api/v1/registrations/{number}/archive?download=true", headers=api.h(buyer))
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="archive-{number}.json"'
    assert r.json()["registration"]["registration_number"] == number

    problem(api.c.get(f"/api/v1/registrations/{number}/archive"), 401, "unauthenticated")
    stranger = api.user("applicant")
    problem(
        api.c.get(f"/api/v1/registrations/{number}/archive", headers=api.h(stranger)),
        403,
        "forbidden",
    )
    problem(
        api.c.get(f"/api/v1/registrations/{number}/archive?download=true", headers=api.h(stranger)),
        403,
        "forbidden",
    )
