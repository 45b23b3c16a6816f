"""Issue 21 §3: this registry witnesses the listed peers' logs over the C2SP tlog-witness
API — real HTTP through the ASGI app, real peer logs built with the project's ledger code,
real Ed25519. Every refusal has the spec's status and stores nothing; a fork is refused; of
two requests from the same old size one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dataip.domain.errors import DomainError
from dataip.federation.witness import MAX_BODY_BYTES, AddCheckpoint
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.cosignature import verified_cosignatures
from dataip.ledger.note import Signer
from dataip.services.context import Env
from dataip.services.federation import FederationSetup, trust
from dataip.services.federation import witness as svc
from tests.support.federation import PeerLog, federation, peer, seeded, signed, trust_list

URL = "/witness/add-checkpoint"
ZJ, ZJ_LOG = peer("3300", "zj.example.cn")
JS, JS_LOG = peer("3200", "js.example.cn")


@pytest.fixture
def setup(env: Env) -> Iterator[FederationSetup]:
    with federation(env) as s:
        trust.accept(env, signed(trust_list(ZJ, JS)))
        yield s


def zj(size: int) -> PeerLog:
    log = PeerLog(ZJ_LOG.origin, ZJ_LOG.signer)
    log.grow_to(size)
    return log


def stored(env: Env, origin: str = ZJ.log_origin) -> tuple[int, str] | None:
    with env.read() as uow:
        state = uow.federation.witnessed(origin)
    return (state.size, state.root_hash) if state else None


def post(client: TestClient, body: bytes) -> tuple[int, str, str]:
    r = client.post(URL, content=body)
    return r.status_code, r.headers["content-type"], r.text


def test_i21_witness_cosigns_a_listed_peer_and_follows_it(
    client: TestClient, env: Env, setup: FederationSetup
) -> None:
    log = zj(5)
    # 1. First sight: old size 0, no proof.
    status, ctype, line = post(client, log.request(0))
    assert (status, ctype) == (200, "text/plain; charset=utf-8")
    assert line.startswith(f"— {setup.witness.name} ") and line.endswith("\n")  # type: ignore[union-attr]
    # the client "MAY concatenate it to the checkpoint" and verify with the witness's key
    note = log.note() + line
    open_checkpoint(note, [ZJ.log_verifier()])
    [cosig] = verified_cosignatures(note, [setup.witness.verifier()])  # type: ignore[union-attr]
    assert cosig.timestamp == int(env.now().timestamp())
    assert stored(env) == (5, _b64(log.tree.root()))
    # 2. The log grows: a consistency proof from 5.
    log.grow_to(12)
    status, _, line = post(client, log.request(5))
    assert status == 200
    verified_cosignatures(log.note() + line, [setup.witness.verifier()])  # type: ignore[union-attr]
    assert stored(env) == (12, _b64(log.tree.root()))
    # 3. The same tree again is cosigned again (old size = size, same root).
    assert post(client, log.request(12))[0] == 200
    # what is kept is the log's checkpoint with the log's signature and this cosignature
    with env.read() as uow:
        kept = uow.federation.witnessed(ZJ.log_origin).checkpoint
    verified_cosignatures(kept, [setup.witness.verifier()])  # type: ignore[union-attr]
    open_checkpoint(kept, [ZJ.log_verifier()])


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_i21_old_size_mismatch_is_409_with_the_known_size(
    client: TestClient, env: Env, setup: FederationSetup
) -> None:
    log = zj(5)
    assert post(client, log.request(0))[0] == 200
    log.grow_to(8)
    for old in (0, 3, 6):
        body = log.request(old)
        assert post(client, body) == (409, "text/x.tlog.size", "5\n")
    assert stored(env) == (5, _b64(log.tree.root(5)))


def test_i21_a_fork_is_refused(client: TestClient, env: Env, setup: FederationSetup) -> None:
    """One registry shows two different trees of the same size to this witness: the second
    is refused — 409 from 0 (as a client that never saw this witness asks), 422 from 5."""
    honest = zj(5)
    assert post(client, honest.request(0))[0] == 200
    fork = PeerLog(ZJ.log_origin, ZJ_LOG.signer)
    fork.append(*(f"other {i}".encode() for i in range(5)))
    assert fork.tree.root() != honest.tree.root()
    assert post(client, fork.request(0)) == (409, "text/x.tlog.size", "5\n")
    status, ctype, text = post(client, fork.request(5))
    assert (status, ctype) == (422, "application/problem+json")
    assert '"witness_inconsistent"' in text
    # and a fork that grows on: its proof from 5 does not lead to the root cosigned at 5
    fork.grow_to(9)
    assert post(client, fork.request(5))[0] == 422
    assert stored(env) == (5, _b64(honest.tree.root()))


def _problem(client: TestClient, body: bytes) -> tuple[int, str]:
    r = client.post(URL, content=body)
    assert r.headers["content-type"] == "application/problem+json", r.text
    return r.status_code, r.json()["code"]


def test_i21_refusals_have_the_spec_status_and_store_nothing(
    client: TestClient, env: Env, setup: FederationSetup
) -> None:
    log = zj(6)
    # 400: malformed bodies, and an old size above the checkpoint's
    for body in (b"", b"old x\n\n", b"old 1\n", log.request(0).replace(b"old 0", b"old 00")):
        assert _problem(client, body) == (400, "witness_malformed_request")
    over = AddCheckpoint(7, (), log.note()).to_body()
    assert _problem(client, over) == (400, "witness_malformed_request")
    # 413: over the size cap, whatever it holds
    assert _problem(client, b"old 0\n\n" + b"x" * MAX_BODY_BYTES) == (413, "request_too_large")
    # 404: a log nobody listed
    stranger = PeerLog("nobody.example/log", Signer("nobody.example/log", seeded("nobody")))
    stranger.grow_to(3)
    assert _problem(client, stranger.request(0)) == (404, "witness_unknown_log")
    # 403: a listed origin whose checkpoint is not signed by the listed key
    forger = PeerLog(ZJ.log_origin, Signer(ZJ.log_origin, seeded("forger")))
    forger.grow_to(6)
    assert _problem(client, forger.request(0)) == (403, "witness_bad_signature")
    # 403: the listed key's signature, over another body (tampered)
    tampered = log.request(0).replace(b"\n6\n", b"\n7\n")
    assert _problem(client, tampered) == (403, "witness_bad_signature")
    # 422: a proof from 0 must be empty; a size-0 tree must be the empty tree
    proof = AddCheckpoint(0, (bytes(32),), log.note()).to_body()
    assert _problem(client, proof) == (422, "witness_inconsistent")
    assert stored(env) is None
    # 422: a bad proof, once there is a cosigned size
    assert post(client, log.request(0))[0] == 200
    log.grow_to(10)
    good = log.request(6)
    request = AddCheckpoint(
        6, tuple(bytes(32) for _ in log.tree.consistency_proof(6, 10)), log.note()
    )
    assert _problem(client, request.to_body()) == (422, "witness_inconsistent")
    assert stored(env) == (6, _b64(log.tree.root(6)))
    assert post(client, good)[0] == 200


def test_i21_a_delisted_log_is_403(client: TestClient, env: Env, setup: FederationSetup) -> None:
    log = zj(4)
    assert post(client, log.request(0))[0] == 200
    trust.accept(env, signed(trust_list(JS, sequence=2)))  # Zhejiang is no longer listed
    log.grow_to(6)
    assert _problem(client, log.request(4)) == (403, "witness_log_unlisted")
    assert stored(env) == (4, _b64(log.tree.root(4)))


def test_i21_no_trust_list_in_force_is_503(client: TestClient, env: Env) -> None:
    with federation(env):
        assert _problem(client, zj(3).request(0)) == (503, "witness_unavailable")


def test_i21_concurrent_requests_from_one_old_size_one_wins(
    env: Env, setup: FederationSetup
) -> None:
    """Several requests checked against the same stored size: the compare-and-swap lets
    exactly one move it; the others are told the size it moved to (409)."""
    log = zj(5)
    svc.add_checkpoint(env, log.request(0))
    bodies = []
    for size in (7, 8, 9, 10):
        grown = zj(size)
        bodies.append(grown.request(5))
    start = threading.Barrier(len(bodies))
    results: list[object] = [None] * len(bodies)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = svc.add_checkpoint(env, bodies[i])
        except DomainError as e:
            results[i] = (e.status, e.details.get("known_size"))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [i for i, r in enumerate(results) if isinstance(r, str)]
    assert len(won) == 1, results
    winner = (7, 8, 9, 10)[won[0]]
    assert all(r == (409, winner) for i, r in enumerate(results) if i not in won), results
    assert stored(env) == (winner, _b64(zj(winner).tree.root()))


def test_i21_monitors_read_the_latest_cosigned_checkpoint(
    client: TestClient, env: Env, setup: FederationSetup
) -> None:
    """tlog-witness monitoring: GET <prefix>/<hex SHA-256 of the origin>/checkpoint."""
    import hashlib

    path = f"/witness/{hashlib.sha256(ZJ.log_origin.encode()).hexdigest()}/checkpoint"
    assert client.get(path).status_code == 404
    log = zj(6)
    assert post(client, log.request(0))[0] == 200
    r = client.get(path)
    assert r.status_code == 200
    assert open_checkpoint(r.text, [ZJ.log_verifier()])[0] == log.checkpoint()
    verified_cosignatures(r.text, [setup.witness.verifier()])  # type: ignore[union-attr]
    assert client.get("/witness/NOT-A-HASH/checkpoint").status_code == 422
    # the witness's paths answer problem+json, never the portal's HTML error page
    r = client.get(URL)
    assert (r.status_code, r.headers["content-type"]) == (405, "application/problem+json")
