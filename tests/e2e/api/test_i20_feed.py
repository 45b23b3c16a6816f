"""Issue 20 §4: the event feed. Events of a real procedure walk appear in
``GET /api/v1/events`` as CloudEvents 1.0 (checked against the CloudEvents project's JSON
schema), each event's ``sequence`` is its transparency-log index, each one's inclusion proof
verifies against a signed checkpoint, the pages chain by ``Link: rel=next``, and what a
client sees follows its scopes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dataip.bootstrap import Registry
from dataip.ledger import merkle
from dataip.ledger.checkpoint import open_checkpoint
from dataip.services import ledger
from dataip.sharing.scopes import EVENTS_READ, REGISTRATIONS_READ_FULL, WEBHOOKS_MANAGE
from tests.support.api import Api, World, make_uscc, problem
from tests.support.institutions import MakeClient

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "vectors" / "cloudevents" / "cloudevents.json").read_text()
)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
BATCH = "application/cloudevents-batch+json"


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


def walk(api: Api) -> tuple[World, str]:
    """Register, change, file and release a pledge: a registration's life so far."""
    w = api.world()
    number = w.registered()
    w.changed(number)
    api.at("2026-10-20 10:00")
    pledgee = {"kind": "legal_person", "name": "贵阳质权银行", "credit_code": make_uscc(902)}
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
    api.reg_ok(
        w.applicant, number, "release_pledge", filing_number=pledge["number"], reason="已清偿"
    )
    return w, number


def read_all(api: Api, headers: dict[str, str], limit: int = 1000) -> list[dict[str, Any]]:
    """Follow the feed's next links until a page comes back empty."""
    out: list[dict[str, Any]] = []
    url = f"/api/v1/events?limit={limit}"
    for _ in range(1000):
        r = api.c.get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(BATCH)
        page = r.json()
        if not page:
            return out
        out.extend(page)
        url = r.links["next"]["url"]
    raise AssertionError("the feed did not end")


def test_i20_feed_carries_a_procedure_walk_as_cloudevents_with_log_indices(
    api: Api, registry: Registry, institution: MakeClient
) -> None:
    w, number = walk(api)
    bank = institution("bank-1", kind="bank")
    # nothing is in the feed before the log integrates it (no index, no proof yet)
    assert api.c.get("/api/v1/events", headers=bank).json() == []
    ledger.integrate(registry.env, registry.log_keys)

    events = read_all(api, bank)
    types = [e["type"] for e in events]
    for wanted in (
        "cn.dataip.application.publicised",
        "cn.dataip.registration.registered",
        "cn.dataip.registration.certificate.issued",
        "cn.dataip.registration.change.requested",
        "cn.dataip.registration.changed",
        "cn.dataip.registration.filing.recorded",
        "cn.dataip.registration.pledge.released",
    ):
        assert wanted in types, (wanted, types)
    # a bank does not see applications before publicity
    assert "cn.dataip.application.submitted" not in types

    note = ledger.checkpoint_note(registry.env)
    size = note[0]
    checkpoint, _ = open_checkpoint(api.c.get("/log/checkpoint").text, [registry.log_keys.verifier])
    assert checkpoint.size == size
    sequences = [int(e["sequence"]) for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    for e in events:
        VALIDATOR.validate(e)
        assert e["specversion"] == "1.0" and e["source"] == "http://127.0.0.1:8000"
        assert len(e["sequence"]) == 16 and int(e["sequence"]) == e["data"]["log_index"]
        index = e["data"]["log_index"]
        entry = api.c.get(f"/api/v1/log/entries/{index}").json()
        leaf = json.loads(_b64(entry["leaf_base64"]))
        # the event is the leaf at its sequence: same time, same public numbers
        assert leaf["at"][:23] == e["time"][:23]
        for k in ("registration_number", "filing_number", "certificate_number"):
            if k in leaf["public"]:
                assert e["data"][k] == leaf["public"][k]
        # and it is provably in the signed tree
        p = api.c.get("/api/v1/log/proofs/inclusion", params={"index": index}).json()
        assert p["size"] == checkpoint.size and _b64(p["root_hash"]) == checkpoint.root_hash
        merkle.verify_inclusion(
            merkle.leaf_hash(_b64(entry["leaf_base64"])),
            index,
            checkpoint.size,
            [_b64(h) for h in p["proof"]],
            checkpoint.root_hash,
        )
        # thin payload: numbers, codes and links only — no names, no amounts, no reasons
        text = json.dumps(e, ensure_ascii=False)
        for private in ("贵阳质权银行", "已清偿", "500000000", "更新频率调整", w.applicant):
            assert private not in text
    registered = next(e for e in events if e["type"].endswith(".registered"))
    assert registered["subject"] == number
    assert registered["data"]["links"]["registration"].endswith(f"/api/v1/registrations/{number}")
    assert api.c.get(registered["data"]["links"]["registration"]).status_code == 200

    # the same events page by page, two at a time
    assert read_all(api, bank, limit=2) == events


def test_i20_feed_scopes_decide_which_events_a_client_sees(
    api: Api, registry: Registry, institution: MakeClient
) -> None:
    w = api.world()
    w.submitted()
    ledger.integrate(registry.env, registry.log_keys)
    court = institution(
        "court-1", kind="court", scopes=frozenset({EVENTS_READ, REGISTRATIONS_READ_FULL})
    )
    bank = institution("bank-1")
    court_types = {e["type"] for e in read_all(api, court)}
    assert "cn.dataip.application.submitted" in court_types
    submitted = next(e for e in read_all(api, court) if e["type"].endswith(".submitted"))
    assert len(submitted["subject"]) == 16  # the application number
    assert read_all(api, bank) == []
    # without events:read: 403; without a token: 401
    hooks_only = institution("x-1", scopes=frozenset({WEBHOOKS_MANAGE}))
    problem(api.c.get("/api/v1/events", headers=hooks_only), 403, "insufficient_scope")
    problem(api.c.get("/api/v1/events"), 401, "invalid_token")


def test_i20_feed_cursor_at_the_head_and_bad_cursors(
    api: Api, registry: Registry, institution: MakeClient
) -> None:
    walk(api)
    ledger.integrate(registry.env, registry.log_keys)
    bank = institution()
    r = api.c.get("/api/v1/events", params={"limit": 1000}, headers=bank)
    events = r.json()
    size = int(r.headers["dataip-log-size"])
    # past the last event: an empty page whose next link stays at the head
    r = api.c.get("/api/v1/events", params={"after": size - 1}, headers=bank)
    assert r.json() == [] and f"after={size - 1}" in r.links["next"]["url"]
    # after=N means strictly after N
    second = api.c.get(
        "/api/v1/events", params={"after": int(events[0]["sequence"]), "limit": 1}, headers=bank
    ).json()
    assert second == [events[1]]
    problem(api.c.get("/api/v1/events", params={"after": -2}, headers=bank), 422, "invalid_request")
    problem(api.c.get("/api/v1/events", params={"limit": 0}, headers=bank), 422, "invalid_request")
    problem(
        api.c.get("/api/v1/events", params={"limit": 5001}, headers=bank), 422, "invalid_request"
    )


def test_i20_event_types_are_listed_with_their_scopes(api: Api) -> None:
    types = {t["type"]: t["scopes"] for t in api.c.get("/api/v1/events/types").json()}
    assert types["cn.dataip.registration.registered"] == ["events:read"]
    assert types["cn.dataip.application.submitted"] == ["events:read", "registrations:read-full"]


@pytest.mark.parametrize("limit", [1, 3])
def test_i20_feed_pages_never_repeat_or_skip(
    api: Api, registry: Registry, institution: MakeClient, limit: int
) -> None:
    walk(api)
    ledger.integrate(registry.env, registry.log_keys)
    bank = institution()
    everything = read_all(api, bank)
    assert read_all(api, bank, limit=limit) == everything
