"""Federation test support (issue 21): a list operator, peer registries whose logs are built
with the project's own ledger code (RFC 6962 tree, C2SP checkpoints signed with Ed25519), and
a way to give the session's registry a trust list and a witness key for one test."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dataip.federation.trust_list import RegistryEntry, TrustList
from dataip.federation.witness import AddCheckpoint
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import CosignatureSigner
from dataip.ledger.merkle import MerkleTree
from dataip.ledger.note import Signer
from dataip.services.context import Env
from dataip.services.federation import FederationSetup

ISSUED = datetime(2026, 9, 1, tzinfo=UTC)  # the suite's clock is 2026-09-28
EXPIRES = datetime(2026, 12, 1, tzinfo=UTC)
JWKS = {
    "keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]
}


def seeded(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


def operator(name: str = "trust.example.cn") -> Signer:
    return Signer(name, seeded("operator " + name))


@dataclass
class PeerLog:
    """A peer registry's log: a Merkle tree of leaves and the key that signs its checkpoints."""

    origin: str
    signer: Signer
    tree: MerkleTree = field(default_factory=MerkleTree)

    def append(self, *leaves: bytes) -> None:
        for leaf in leaves:
            self.tree.append(hashlib.sha256(b"\x00" + leaf).digest())

    def grow_to(self, size: int) -> None:
        while self.tree.size < size:
            self.append(f"event {self.tree.size}".encode())

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.tree.size if size is None else size
        return Checkpoint(self.origin, size, self.tree.root(size))

    def note(self, size: int | None = None) -> str:
        return self.checkpoint(size).sign([self.signer])

    def request(self, old: int, size: int | None = None) -> bytes:
        """The add-checkpoint body from ``old`` to ``size`` with the RFC 6962 proof."""
        size = self.tree.size if size is None else size
        proof = tuple(self.tree.consistency_proof(old, size)) if 0 < old < size else ()
        return AddCheckpoint(old, proof, self.note(size)).to_body()


def peer(code: str, host: str) -> tuple[RegistryEntry, PeerLog]:
    origin = f"{host}/log"
    log = PeerLog(origin, Signer(origin, seeded("log " + host)))
    witness = CosignatureSigner(f"{host}/witness", seeded("witness " + host))
    entry = RegistryEntry(
        agency_code=code,
        name=f"registry {code}",
        issuer=f"https://{host}",
        jwks=JWKS,
        log_origin=origin,
        log_key=log.signer.verifier().to_text(),
        feed_url=f"https://{host}/api/v1/events",
        witness_key=witness.verifier().to_text(),
        witness_url=f"https://{host}/witness",
    )
    return entry, log


def trust_list(
    *entries: RegistryEntry,
    sequence: int = 1,
    issued: datetime = ISSUED,
    expires: datetime = EXPIRES,
    op: Signer | None = None,
) -> TrustList:
    return TrustList(
        operator=(op or operator()).name,
        sequence=sequence,
        issued=issued,
        expires=expires,
        registries=tuple(entries),
    )


def signed(listed: TrustList, op: Signer | None = None) -> str:
    return listed.sign(op or operator())


@contextmanager
def federation(env: Env, **kw: Any) -> Iterator[FederationSetup]:
    """Give the registry a federation setup for the duration (the session's has none of its
    own: no list URL and no operator key)."""
    kw.setdefault("operator_keys", (operator().verifier(),))
    kw.setdefault("witness", CosignatureSigner("witness.test.example/w1", seeded("our witness")))
    setup = FederationSetup(**kw)
    saved = env.federation
    env.federation = setup
    try:
        yield setup
    finally:
        env.federation = saved


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class ListServer:
    """A real local HTTP server publishing the operator's list (what it serves can change)."""

    url: str
    body: bytes = b""
    status: int = 200
    requests: int = 0


@contextmanager
def list_server() -> Iterator[ListServer]:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    holder: list[ListServer] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state = holder[0]
            state.requests += 1
            self.send_response(state.status)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(ListServer(url=f"http://127.0.0.1:{server.server_address[1]}/trust-list"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
