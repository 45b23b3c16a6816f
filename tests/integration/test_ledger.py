"""The transparency log on a real database: every action leaves a leaf in its own transaction,
the integrator sequences and signs, proofs and tiles served over HTTP verify, and the audit
names a hand-edited row."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.domain import model as m
from dataip.ledger import merkle, tiles
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.note import Verifier
from dataip.ledger.proof import verify_proof
from dataip.services import ledger
from tests.support.api import Api, complete_form, make_resident_id


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _history(api: Api) -> dict[str, int]:
    """A small registry history: one application registered, one refused, a person party."""
    w = api.world()
    person = api.user("applicant")
    api.party(person, kind="natural_person", name="张三", id_number=make_resident_id())
    api.at("2026-09-28 10:00")
    registered = w.publicised(name="交通流量数据集")
    evidence = {**complete_form(sample="x")["evidence"], "hash_value": "cd" * 32}
    refused = w.submitted(name="被驳回的数据集", evidence=evidence)
    api.ok(w.examiner, refused, "refuse", grounds=[1], reason="不属于数据知识产权登记对象")
    api.at("2026-10-13 09:00")
    api.ok(w.examiner, registered, "approve")
    return {"registered": registered, "refused": refused}


def _count(registry: Registry, table: sa.Table) -> int:
    with registry.engine.connect() as c:
        return int(c.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_r6_every_event_has_its_leaf_written_in_the_same_transaction(
    api: Api, registry: Registry
) -> None:
    _history(api)
    events = _count(registry, t.events)
    assert events > 10
    assert _count(registry, t.log_entries) == events  # staged with the change, not later
    report = ledger.integrate(registry.env, registry.log_keys)
    assert (report.size_before, report.size_after) == (0, events)
    assert ledger.integrate(registry.env, registry.log_keys).appended == 0  # idempotent


def test_r6_leaves_carry_no_personal_data(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    leaves = [leaf for _, _, leaf in ledger.iter_leaves(registry.env)]
    blob = b"\n".join(leaves).decode()
    assert make_resident_id() not in blob and "张三" not in blob
    for leaf in leaves:
        doc = json.loads(leaf)
        assert set(doc) == {"v", "event", "type", "subject", "at", "public", "commitments"}
        assert all(len(v) == 64 for v in doc["commitments"].values())  # hashes, never salts
    # a company's name and credit code are public record
    assert any(json.loads(x)["type"] == "PartyCreated" for x in leaves)


def test_checkpoint_is_signed_by_the_published_key_with_the_configured_origin(
    api: Api, registry: Registry
) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    key = api.c.get("/log/key")
    assert key.status_code == 200 and key.headers["content-type"].startswith("text/plain")
    verifier = Verifier.from_text(key.text.strip())
    r = api.c.get("/log/checkpoint")
    assert r.status_code == 200
    assert "max-age=1" in r.headers["cache-control"]
    cp, _ = open_checkpoint(r.text, [verifier], origin=registry.settings.resolved_log_origin())
    assert cp.origin == "127.0.0.1:8000/log"  # default: public base URL host + /log
    assert cp.size == _count(registry, t.events)


def test_tiles_over_http_rebuild_the_signed_root(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    verifier = Verifier.from_text(api.c.get("/log/key").text.strip())
    cp, _ = open_checkpoint(api.c.get("/log/checkpoint").text, [verifier])

    def fetch(tile: tiles.Tile) -> bytes:
        r = api.c.get("/log/" + tile.path)
        assert r.status_code == 200, (tile.path, r.text)
        return r.content

    reader = tiles.TileHashReader(cp.size, fetch)
    assert merkle.root_from_reader(reader, cp.size) == cp.root_hash
    bundle = api.c.get(f"/log/tile/entries/000.p/{cp.size}")
    assert bundle.headers["cache-control"] == "public, max-age=3600"
    entries = tiles.decode_entry_bundle(bundle.content, cp.size)
    tiles.verify_entry_bundle(bundle.content, fetch(tiles.Tile(0, 0, cp.size)))
    proof = merkle.inclusion_proof_from_reader(reader, 3, cp.size)
    merkle.verify_inclusion(merkle.leaf_hash(entries[3]), 3, cp.size, proof, cp.root_hash)
    # nothing beyond the published tree, and no malformed paths
    assert api.c.get(f"/log/tile/0/000.p/{cp.size + 1}").status_code == 404
    assert api.c.get("/log/tile/0/001").status_code == 404
    assert api.c.get("/log/tile/0/x000/000").status_code == 404
    assert api.c.get("/log/tile/9/../000").status_code == 404


def test_full_tiles_are_immutable(api: Api, registry: Registry) -> None:
    with registry.env.uow() as uow:
        for i in range(300):
            uow.events.add(
                m.Event(
                    subject_type="test",
                    subject_id=i,
                    type="CalendarYearLoaded",  # any declared type (domain.public_record)
                    occurred_at=registry.env.now(),
                    actor_user_id=None,
                    public={"year": 2000 + i},
                    private={},
                )
            )
            uow.flush()
        uow.commit()
    assert ledger.stage_missing(registry.env) == 300
    ledger.integrate(registry.env, registry.log_keys, batch_size=128)
    full = api.c.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert len(api.c.get("/log/tile/entries/000").content) > 256 * 2
    partial = api.c.get("/log/tile/0/001.p/44")
    assert partial.status_code == 200 and len(partial.content) == 44 * 32


def test_inclusion_consistency_and_receipts_over_the_api(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    first = ledger.checkpoint_note(registry.env)[0]
    api.at("2026-10-14 09:00")
    w = api.world()
    w.submitted(name="后来的数据集")
    ledger.integrate(registry.env, registry.log_keys)
    second = ledger.checkpoint_note(registry.env)[0]
    assert second > first

    for index in (0, first - 1, second - 1):
        p = api.c.get("/api/v1/log/proofs/inclusion", params={"index": index}).json()
        assert p["size"] == second
        merkle.verify_inclusion(
            _b64(p["leaf_hash"]), index, second, [_b64(h) for h in p["proof"]], _b64(p["root_hash"])
        )
        e = api.c.get(f"/api/v1/log/entries/{index}").json()
        assert e["leaf_hash"] == p["leaf_hash"]
        assert merkle.leaf_hash(_b64(e["leaf_base64"])) == _b64(e["leaf_hash"])
        receipt = api.c.get(f"/api/v1/log/entries/{index}/receipt").text
        verify_proof(receipt, [registry.log_keys.verifier], leaf_data=_b64(e["leaf_base64"]))
        with pytest.raises(ValueError):
            verify_proof(receipt, [registry.log_keys.verifier], leaf_data=b"forged")
    c = api.c.get("/api/v1/log/proofs/consistency", params={"first": first}).json()
    merkle.verify_consistency(
        first, second, [_b64(h) for h in c["proof"]], _b64(c["first_root"]), _b64(c["second_root"])
    )
    old = api.c.get("/api/v1/log/proofs/inclusion", params={"index": 0, "size": first}).json()
    assert old["root_hash"] == c["first_root"]


def test_i25_receipts_for_every_leaf_at_once_are_each_leafs_own_receipt(
    api: Api, registry: Registry
) -> None:
    """Issue 25: the integrator proves a batch of certificates with one read of the tree's
    nodes — thousands of them for a large batch, which SQLite refuses as one OR chain of
    1,000 terms ("Expression tree is too large"): asked in parts, on both databases."""
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    size = ledger.checkpoint_note(registry.env)[0]
    every = list(range(size))
    assert ledger.receipts(registry.env, every) == {
        i: ledger.receipt(registry.env, i) for i in every
    }
    with registry.env.read() as uow:
        asked = [(level, i) for level in range(8) for i in range(400)]  # 3,200 nodes
        found = uow.ledger.hashes(asked)
        assert len(found) == sum(size >> level for level in range(8))
    assert ledger.receipts(registry.env, [size, size + 1]) == {}  # not covered: left out


def test_audit_is_clean_on_an_untouched_log(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    assert report.ok, report.findings
    assert report.size == _count(registry, t.events) and report.checkpoints == 1


def _index_of_type(registry: Registry, type_: str) -> tuple[int, int]:
    for idx, event_id, leaf in ledger.iter_leaves(registry.env):
        if json.loads(leaf)["type"] == type_:
            return idx, event_id
    raise AssertionError(type_)


@pytest.mark.tampers
def test_audit_names_a_hand_edited_event_row(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    idx, event_id = _index_of_type(registry, "ApplicationRefused")
    with registry.engine.begin() as c:
        c.execute(
            sa.update(t.events)
            .where(t.events.c.id == event_id)
            .values(public={"action": "approve", "state": "registered"})
        )
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    codes = {(f.code, f.index) for f in report.findings}
    assert ("event_mismatch", idx) in codes, report.findings


@pytest.mark.tampers
def test_audit_names_a_hand_edited_state(api: Api, registry: Registry) -> None:
    ids = _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    with registry.engine.begin() as c:
        c.execute(
            sa.update(t.applications)
            .where(t.applications.c.id == ids["refused"])
            .values(state="registered")
        )
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    [finding] = report.findings
    assert finding.code == "state_mismatch" and finding.index is not None
    assert str(ids["refused"]) in finding.message


@pytest.mark.tampers
def test_audit_names_a_hand_edited_leaf_and_tree(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    with registry.engine.begin() as c:
        c.execute(sa.update(t.log_entries).where(t.log_entries.c.idx == 2).values(leaf=b'{"v":1}'))
        c.execute(
            sa.update(t.log_nodes)
            .where(t.log_nodes.c.level == 1, t.log_nodes.c.idx == 3)
            .values(hash=b"\0" * 32)
        )
    codes = {
        (f.code, f.index) for f in ledger.audit(registry.env, registry.log_keys.verifier).findings
    }
    assert ("leaf_hash_mismatch", 2) in codes and ("event_mismatch", 2) in codes
    assert ("node_mismatch", 6) in codes


@pytest.mark.tampers
def test_audit_names_a_forged_checkpoint(api: Api, registry: Registry) -> None:
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    with registry.engine.begin() as c:
        note = c.scalar(sa.select(t.log_checkpoints.c.note))
        assert note is not None
        forged = note.replace("\n", "\n", 1).replace(note.split("\n")[2], "A" * 43 + "=", 1)
        c.execute(sa.update(t.log_checkpoints).values(note=forged))
    codes = {f.code for f in ledger.audit(registry.env, registry.log_keys.verifier).findings}
    assert "checkpoint_signature" in codes


def test_two_integrators_at_once_are_harmless(api: Api, registry: Registry) -> None:
    _history(api)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            ledger.integrate(registry.env, registry.log_keys, batch_size=3)
        except Exception as exc:  # a conflict is acceptable; a broken tree is not
            if not isinstance(exc, ledger.ConcurrencyConflict):
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    ledger.integrate(registry.env, registry.log_keys)
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    assert report.ok, report.findings
    assert report.size == _count(registry, t.events) and report.pending == 0


def test_no_checkpoint_yet_is_a_clear_404(api: Api) -> None:
    r = api.c.get("/log/checkpoint")
    assert r.status_code == 404 and r.json()["code"] == "log_not_found"
    r = api.c.get("/api/v1/log/proofs/inclusion", params={"index": 0})
    assert r.status_code == 404 and r.json()["code"] == "log_not_found"


def test_r6_an_applicants_history_points_at_each_events_receipt(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    aid = w.publicised(name="可证明的数据集")
    history = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(w.applicant)).json()
    assert [h["log_index"] for h in history] == [None] * len(history)  # not yet integrated
    ledger.integrate(registry.env, registry.log_keys)
    history = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(w.applicant)).json()
    assert [h["type"] for h in history][-1] == "ApplicationPublicised"
    for h in history:
        receipt = api.c.get(f"/api/v1/log/entries/{h['log_index']}/receipt").text
        leaf = base64.b64decode(receipt.split("\n")[1].removeprefix("extra "))
        verify_proof(receipt, [registry.log_keys.verifier], leaf_data=leaf)
        doc = json.loads(leaf)
        assert (doc["event"], doc["type"], doc["public"]) == (h["id"], h["type"], h["public"])


def test_cas_stops_two_integrators_that_bypass_the_lease(api: Api, registry: Registry) -> None:
    """Without the lease (e.g. one expired mid-run), the compare-and-swap on the tree size
    still lets exactly one of two simultaneous batches through; the loser writes nothing."""
    _history(api)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            ledger._integrate_batch(
                registry.env, registry.log_keys, 1000, ledger.IntegrateReport(), None, 1, True
            )
            outcomes.append("ok")
        except ledger.ConcurrencyConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=run) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert "ok" in outcomes and set(outcomes) <= {"ok", "conflict"}
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    assert report.ok, report.findings
    assert report.size == _count(registry, t.events) and report.pending == 0


def test_metrics_show_the_log_backlog(api: Api, registry: Registry) -> None:
    _history(api)
    events = _count(registry, t.events)
    assert f'dataip_log_leaves{{kind="pending"}} {events}.0' in api.c.get("/metrics").text
    ledger.integrate(registry.env, registry.log_keys)
    text = api.c.get("/metrics").text
    assert 'dataip_log_leaves{kind="pending"} 0.0' in text
    assert f'dataip_log_leaves{{kind="published"}} {events}.0' in text


def test_a_dead_integrators_lease_lapses_on_real_time_even_under_a_fixed_clock(
    api: Api, registry: Registry
) -> None:
    """kill -9 mid-integration leaves the lease row; the registry's clock may be fixed (demo,
    DATAIP_NOW) months before it, so leases must run on wall-clock time to lapse."""
    _history(api)
    lapsed = datetime.now(UTC) - timedelta(seconds=1)  # after the fixed clock's "now"
    assert registry.env.now() < lapsed
    with registry.engine.begin() as c:
        c.execute(
            sa.insert(t.leases).values(
                name=ledger.LEASE, holder="dead-host:4242:1", expires_at=lapsed
            )
        )
    report = ledger.integrate(registry.env, registry.log_keys)
    assert not report.skipped_lease and report.size_after == _count(registry, t.events)
    with registry.engine.begin() as c:
        c.execute(
            sa.insert(t.leases).values(
                name=ledger.LEASE,
                holder="live-host:4242:1",
                expires_at=datetime.now(UTC) + timedelta(seconds=30),
            )
        )
    assert ledger.integrate(registry.env, registry.log_keys).appended == 0  # idle: no lease needed
    _history(api)
    assert ledger.integrate(registry.env, registry.log_keys).skipped_lease  # held by a live one
    with registry.engine.begin() as c:
        c.execute(sa.delete(t.leases))


@pytest.mark.needs("openssl")
def test_checkpoint_signature_verifies_with_openssl(
    api: Api, registry: Registry, tmp_path: Path
) -> None:
    """An outside verifier (OpenSSL's Ed25519) accepts the checkpoint signature: the note
    text signed is exactly what C2SP signed-note says, with nothing of ours in between."""
    _history(api)
    ledger.integrate(registry.env, registry.log_keys)
    note = api.c.get("/log/checkpoint").text
    text, _, signatures = note.partition("\n\n")
    name, sig = signatures.splitlines()[0].removeprefix("— ").split(" ")
    raw = base64.b64decode(sig)
    assert name == registry.log_keys.origin and raw[:4] == registry.log_keys.signer.key_id.to_bytes(
        4, "big"
    )
    (tmp_path / "msg").write_bytes((text + "\n").encode())
    (tmp_path / "sig").write_bytes(raw[4:])
    public = Ed25519PublicKey.from_public_bytes(registry.log_keys.signer.public_key)
    (tmp_path / "pub.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    def openssl_verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
             "-in", "msg", "-sigfile", "sig"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip

    ok = openssl_verify()
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, ok
    (tmp_path / "msg").write_bytes(("x" + text + "\n").encode())  # any change at all
    assert openssl_verify().returncode != 0
