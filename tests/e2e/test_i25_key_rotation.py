"""Issue 25 §5: the certificate key rotated under load. Two server processes on one database
and one data dir (two machines' worth, as a proxy balances them) serve a steady stream of
requests — old certificates verified, the JWKS, the log's checkpoint — while the key is staged,
every server restarted one at a time (each out of the proxy's rotation while it restarts, as a
drained upstream is), the key activated and every server restarted again. Not one request
fails; every old certificate still verifies; every server publishes the new key before any
signs with it."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, scratch_database


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    with scratch_database(tmp_path) as url:
        a = Server(tmp_path, url)
        b = Server(tmp_path, url, public_base_url=a.base_url)  # one registry, two processes
        a.cli("init")
        a.cli("demo", timeout=300)
        a.start()
        b.start()
        try:
            yield [a, b]
        finally:
            for s in (a, b):
                s.stop()
                s.close()


class Load:
    """A client behind a balancing proxy: round robin over the servers in rotation, a steady
    stream of PACE rounds a second (verify, JWKS, checkpoint) — a load, not a flood: flat out,
    the servers' CPU was most of the test's (and CI's two cores are shared)."""

    PACE = 20

    def __init__(self, servers: list[Server], tokens: list[str]) -> None:
        self.servers = servers
        self.live = set(range(len(servers)))
        self.tokens = tokens
        self.ok = 0
        self.failures: list[str] = []
        self.kids_seen: dict[int, set[str]] = {i: set() for i in range(len(servers))}
        self.running = True
        self.lock = threading.Lock()
        self.idle = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as http:
            for n in itertools.count():
                if not self.running:
                    return
                time.sleep(1 / self.PACE)
                with self.lock:
                    live = sorted(self.live)
                    self.idle.clear()
                i = live[n % len(live)]
                base = self.servers[i].base_url
                try:
                    r = http.post(
                        f"{base}/api/v1/certificates/verify",
                        json={"token": self.tokens[n % len(self.tokens)]},
                    )
                    if r.status_code != 200 or r.json().get("authentic") is not True:
                        self.failures.append(f"verify on {i}: {r.status_code} {r.text[:200]}")
                    jwks = http.get(f"{base}/.well-known/jwks.json")
                    if jwks.status_code != 200:
                        self.failures.append(f"jwks on {i}: {jwks.status_code}")
                    else:
                        self.kids_seen[i] = {k["kid"] for k in jwks.json()["keys"]}
                    checkpoint = http.get(f"{base}/log/checkpoint")
                    if checkpoint.status_code != 200:
                        self.failures.append(f"checkpoint on {i}: {checkpoint.status_code}")
                    self.ok += 1
                except httpx.HTTPError as exc:
                    self.failures.append(f"server {i}: {type(exc).__name__}: {exc}")
                finally:
                    self.idle.set()

    def drain(self, i: int) -> None:
        """Take a server out of rotation and let the request in flight finish."""
        with self.lock:
            self.live.discard(i)
        self.idle.wait(30)
        time.sleep(0.2)

    def restore(self, i: int) -> None:
        with self.lock:
            self.live.add(i)


def _rolling_restart(load: Load, servers: list[Server]) -> None:
    for i, server in enumerate(servers):
        load.drain(i)
        server.stop()
        server.start()
        load.restore(i)
        before = load.ok
        deadline = time.monotonic() + 30
        while load.ok < before + 4 and time.monotonic() < deadline:
            time.sleep(0.05)


def test_i25_certificate_key_rotated_under_load(servers: list[Server]) -> None:
    a = servers[0]
    rows = a.rows("SELECT token, kid FROM certificates ORDER BY id")
    assert rows, "the demo issues certificates"
    old_kid = rows[0].kid
    load = Load(servers, [r.token for r in rows])
    load.thread.start()
    try:
        time.sleep(1)
        staged = a.cli("keys", "rotate", "--stage").stdout.split()[2]
        assert staged != old_kid
        _rolling_restart(load, servers)
        # every server publishes the new key, and signs with the old one still
        deadline = time.monotonic() + 30
        while not all(staged in kids for kids in load.kids_seen.values()):
            assert time.monotonic() < deadline, load.kids_seen
            time.sleep(0.1)
        assert f"{old_kid}  (active)" in a.cli("keys", "list").stdout
        a.cli("keys", "activate", staged)
        _rolling_restart(load, servers)
        assert f"{staged}  (active)" in a.cli("keys", "list").stdout
        time.sleep(0.5)
    finally:
        load.running = False
        load.thread.join(60)
    assert not load.failures, load.failures[:10]
    assert load.ok >= 20, load.ok
    assert all({old_kid, staged} <= kids for kids in load.kids_seen.values())
    # the restarted servers have the new key active: what they sign from now on
    for server in servers:
        assert server.cli("keys", "list").stdout.count("(active)") == 1
