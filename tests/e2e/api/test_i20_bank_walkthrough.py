"""Issue 20 §6, done-means: a bank's IT department connects in a day. The registry's admin
registers the bank's client (real ES256 key, over the admin API); the bank gets a token by
client credentials with a ``private_key_jwt`` assertion, reads the event feed, subscribes a
webhook (signatures checked by the independent ``standardwebhooks`` package), checks the
encumbrances, proposes a pledge; the holder confirms it; the feed and the webhook carry the
filing; the bank records the pledge's 中登网 number and releases it; the feed and the webhook
carry ``pledge.released``; the holder sees the bank's due-diligence read."""

from __future__ import annotations

import json
from typing import Any

from standardwebhooks import Webhook

from dataip.bootstrap import Registry
from dataip.services import ledger
from dataip.services.sharing import reads
from dataip.sharing.scopes import GRANTABLE
from tests.e2e.api.test_i20_feed_webhooks import VALIDATOR, deliver, subscribe
from tests.support.api import Api
from tests.support.institutions import Institution
from tests.support.receiver import receiver

LOAN = "贷2026-0042"
_R = "cn.dataip.registration."


def _feed(api: Api, headers: dict[str, str], after: str | None = None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"limit": 1000}
    if after is not None:
        params["after"] = after
    r = api.c.get("/api/v1/events", params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/cloudevents-batch+json")
    events: list[dict[str, Any]] = r.json()
    for e in events:
        VALIDATOR.validate(e)
    return events


def test_i20_bank_walkthrough_from_admin_registration_to_pledge_release(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    admin = api.user("registrar_admin")
    # 1. the admin registers the bank's client; 2. the bank gets a token (private_key_jwt)
    bank = Institution(api, admin, "bank", sorted(GRANTABLE["bank"]), "ES256")
    h = {"Authorization": f"Bearer {bank.token()}"}
    listed = api.c.get(f"/api/v1/admin/institutions/{bank.client_id}", headers=api.h(admin))
    assert listed.status_code == 200, listed.text
    uscc = listed.json()["uscc"]
    # 3. the feed
    ledger.integrate(registry.env, registry.log_keys)
    before = _feed(api, h)
    assert any(e["type"] == _R + "registered" and e["subject"] == number for e in before)
    cursor = before[-1]["sequence"]
    with receiver() as rec:
        # 4. a webhook for the pledge events, signed v1a and v1
        sub = subscribe(
            api,
            h,
            rec,
            signing=["v1a", "v1"],
            types=[_R + "pledge.proposed", _R + "filing.recorded", _R + "pledge.released"],
        )
        # 5. due diligence: nothing burdens the registration yet; the read is accounted
        base = f"/api/v1/institutions/registrations/{number}"
        r = api.c.get(f"{base}/encumbrances", params={"purpose": LOAN}, headers=h)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["in_force"] and not report["frozen"] and report["pledges"] == []
        # 6. the bank proposes a pledge with itself as pledgee
        r = api.c.post(
            f"{base}/pledges",
            json={
                "contract_date": "2026-10-19",
                "secured_amount_fen": 500_000_000,
                "loan_reference": LOAN,
                "contract_reference": "质字2026第17号",
                "term_end": "2029-10-18",
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        proposal = r.json()
        assert proposal["state"] == "awaiting"
        assert proposal["pledgee"]["credit_code"] == uscc
        assert proposal["number"].startswith("ZY2026")
        # the holder sees it with confirm and decline; the public sees neither
        d = api.reg(w.applicant, number).json()
        assert [p["number"] for p in d["pledge_proposals"]] == [proposal["number"]]
        assert {"confirm_pledge", "decline_pledge"} <= set(d["allowed_actions"])
        public = api.reg(None, number).json()
        assert public["pledge_proposals"] == []
        assert "confirm_pledge" not in public["allowed_actions"]
        # 7. the holder confirms: the pledge is filed as when a holder files
        d = api.reg_ok(w.applicant, number, "confirm_pledge", proposal_number=proposal["number"])
        [pledge] = [f for f in d["filings"] if f["kind"] == "pledge"]
        assert pledge["proposal_number"] == proposal["number"] and pledge["late"] is False
        assert pledge["pledgee"]["credit_code"] == uscc
        assert d["pledge_proposals"][0]["state"] == "confirmed"
        assert "confirm_pledge" not in d["allowed_actions"]
        kinds = [a["kind"] for a in api.reg(None, number).json()["announcements"]]
        assert kinds[-1] == "pledge"
        # 8. the feed and the webhook carry the filing, naming the proposal
        report_1 = deliver(registry)
        assert report_1.failed == 0
        got = rec.wait_for(2)
        feed = _feed(api, h, after=cursor)
        filed = next(e for e in feed if e["type"] == _R + "filing.recorded")
        assert filed["data"]["filing_number"] == pledge["number"]
        assert filed["data"]["proposal_number"] == proposal["number"]
        assert [e["type"] for e in feed if "pledge" in e["type"]] == [_R + "pledge.proposed"]
        wh = Webhook(sub["secret"])
        bodies = []
        for item in got:
            wh.verify(item.body, item.headers)  # the independent package
            bodies.append(json.loads(item.body))
        bodies.sort(key=lambda b: b["sequence"])  # delivered concurrently: any order
        assert [b["type"] for b in bodies] == [_R + "pledge.proposed", _R + "filing.recorded"]
        assert bodies[1] == json.loads(
            json.dumps(filed).replace("http://127.0.0.1:8000", bodies[1]["source"])
        )
        # 9. the bank records the pledge's 中登网 number (typed with spaces, full-width)
        r = api.c.post(
            f"{base}/pledges/{pledge['number']}/reference",
            json={"zdw_reference": "0409 3727 0002 3557 837１"},
            headers=h,
        )
        assert r.status_code == 200, r.text
        assert r.json()["zdw_reference"] == "04093727000235578371"
        r = api.c.get(f"{base}/encumbrances", params={"purpose": LOAN}, headers=h)
        report = r.json()
        [mine] = report["pledges"]
        assert mine["own"] and mine["zdw_reference"] == "04093727000235578371"
        assert report["own_pledges"][0]["secured_amount_fen"] == 500_000_000
        assert report["own_pledges"][0]["loan_reference"] == LOAN
        assert api.reg(None, number).json()["filings"][0]["zdw_reference"] == mine["zdw_reference"]
        # 10. the bank releases its pledge
        r = api.c.post(
            f"{base}/pledges/{pledge['number']}/release", json={"reason": "贷款已结清"}, headers=h
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "released"
        kinds = [a["kind"] for a in api.reg(None, number).json()["announcements"]]
        assert kinds[-1] == "pledge_release"
        report_2 = deliver(registry)
        assert report_2.failed == 0
        got = rec.wait_for(3)
    [last] = [g for g in got if b"pledge.released" in g.body]
    released = json.loads(last.body)
    Webhook(sub["secret"]).verify(last.body, last.headers)
    assert released["type"] == _R + "pledge.released"
    assert released["data"]["filing_number"] == pledge["number"]
    feed = _feed(api, h, after=cursor)
    assert feed[-1]["type"] == _R + "pledge.released" and feed[-1]["subject"] == number
    # 11. the holder sees the bank's reads in the account of reads
    seen = api.c.get(f"/api/v1/registrations/{number}/reads", headers=api.h(w.applicant))
    assert seen.status_code == 200, seen.text
    rows = seen.json()
    assert [x["client_id"] for x in rows] == [bank.client_id] * 2
    assert {x["purpose"] for x in rows} == {LOAN}
    assert {x["resource"] for x in rows} == {"encumbrances"}
    assert {x["scope"] for x in rows} == {"pledges:write"}
    assert reads.verify(env=registry.env) == []  # the chain of reads is intact
