"""The webhook half of bench/sharing.py: a receiver in its own process, the delivery workers,
steady runs timed from commit to receipt, and the drain run. A module, not a benchmark
(bench/ files starting with `_` are modules); `python bench/_sharing_webhooks.py LOG` runs
the receiver, which bench/sharing.py starts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient

from _sharing_client import Bank, client, reg_number
from dataip.bootstrap import Registry
from dataip.services import ledger
from dataip.services.recording import record_event
from dataip.services.sharing import delivery
from tick import say

# --- the receiver: another process, as a receiving system is ----------------------------------


def serve_receiver(log: Path) -> None:
    """``python bench/_sharing_webhooks.py LOG``: an HTTP/1.1 server (asyncio streams,
    keep-alive) that answers 200 to every POST and appends ``<log index> <time>`` to LOG;
    prints the port. Its own process, so it does not share the worker's GIL; minimal, so
    that at thousands of requests a second the receiver is not what is measured."""
    out = log.open("a", buffering=1 << 16)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                at = time.time()
                out.write(f"{orjson.loads(body)['data']['log_index']} {at}\n")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def flush() -> None:
        while True:
            await asyncio.sleep(0.05)
            out.flush()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        asyncio.get_running_loop().create_task(flush())
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class Receiver:
    """The receiver process, its URL and what it has logged."""

    def __init__(self, log: Path) -> None:
        self.log = log
        log.write_text("")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(log)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/hook"

    def received(self) -> list[tuple[int, float]]:
        rows = []
        for line in self.log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                rows.append((int(parts[0]), float(parts[1])))
        return rows

    def wait_for(self, count: int, timeout: float) -> list[tuple[int, float]]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.received()
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    def clear(self) -> None:
        self.log.write_text("")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# --- webhooks -----------------------------------------------------------------------------


def _subscribe(c: TestClient, bank: Bank, url: str, subscribers: int) -> None:
    for i in range(subscribers):
        r = c.post("/api/v1/webhooks", json={"url": f"{url}/{i}"}, headers=bank.headers())
        assert r.status_code == 201, r.text


class Workers:
    """The delivery workers: ``0`` — the server's own worker thread in this process (woken
    by the integrator); ``N`` — ``dataip webhooks deliver --workers N`` (N processes on the
    same database, polling every 50 ms), as an operator runs them beside the servers."""

    def __init__(self, reg: Registry, setup: delivery.DeliverySetup, n: int) -> None:
        self.reg, self.setup, self.n = reg, setup, n
        self.loop: delivery.WebhookLoop | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.n == 0:
            self.loop = delivery.WebhookLoop(self.reg.env, self.setup, poll_seconds=0.2)
            self.loop.start()
            return
        s = self.reg.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATAIP_")}
        env.update(
            DATAIP_ENV="test",
            DATAIP_DATABASE_URL=str(s.database_url),
            DATAIP_DATA_DIR=str(s.data_dir),
            DATAIP_PROFILE=str(s.profile),
            DATAIP_PUBLIC_BASE_URL=self.setup.source,
            DATAIP_LOG_ORIGIN=s.resolved_log_origin(),  # the scratch log's key
            DATAIP_WEBHOOK_ALLOW_PRIVATE_URLS="true",
            DATAIP_WEBHOOK_CONCURRENCY=str(self.setup.concurrency),
            DATAIP_WEBHOOK_PER_SUBSCRIPTION=str(self.setup.per_subscription),
            DATAIP_LOG_INTERVAL_SECONDS="0",
        )
        dataip = str(Path(sys.executable).with_name("dataip"))
        cmd = [dataip, "webhooks", "deliver", "--workers", str(self.n), "--poll", "0.05"]
        self.proc = subprocess.Popen(cmd, env=env)

    def wake(self, *_: object) -> None:
        if self.loop is not None:
            self.loop.wake()

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.stop()
            self.loop = None
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None


def _record(reg: Registry, number: str) -> tuple[int, float]:
    with reg.env.uow() as uow:
        ev = record_event(
            uow,
            subject_type="registration",
            subject_id=1,
            type="RegistrationRenewed",
            at=reg.env.now(),
            actor_user_id=None,
            public={"registration_number": number, "state": "valid"},
        )
        uow.commit()
    return ev.id, time.time()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _steady(
    reg: Registry, rec: Receiver, number: str, subscribers: int, rate: float, seconds: float
) -> dict[str, Any]:
    rec.clear()
    index_of: dict[int, float] = {}
    n = max(1, int(rate * seconds))
    started = time.perf_counter()
    for i in range(n):
        pause = started + i / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        event_id, at = _record(reg, number)
        index_of[event_id] = at
    expected = n * subscribers
    got = rec.wait_for(expected, timeout=600)
    # the receiver sees log indices: map the committed events to theirs
    with reg.env.read() as uow:
        idx = uow.ledger.indices_of_events(list(index_of))
    committed = {ix: index_of[eid] for eid, ix in idx.items()}
    latencies = [at - committed[ix] for ix, at in got]
    span = max(at for _, at in got) - min(index_of.values()) if got else 0.0
    out = {
        "events": n,
        "rate_events_per_second": rate,
        "deliveries": len(got),
        "expected_deliveries": expected,
        "deliveries_per_second": round(len(got) / span) if span else 0,
        "latency_seconds": {
            "p50": round(_pct(latencies, 0.5), 3),
            "p95": round(_pct(latencies, 0.95), 3),
            "max": round(max(latencies, default=0.0), 3),
        },
    }
    say(
        f"  steady {rate:g} events/s x {subscribers} subscribers: "
        f"{len(got):,}/{expected:,} delivered, p95 {out['latency_seconds']['p95']}s"
    )
    return out


def bench_webhooks(
    reg: Registry,
    *,
    subscribers: int,
    rates: list[float],
    seconds: float,
    drain: int,
    log_interval: float,
    concurrency: int,
    per_subscription: int,
    workers: int,
) -> dict[str, Any]:
    number = reg_number(1)
    out: dict[str, Any] = {
        "subscribers": subscribers,
        "workers": workers or "in-process",
        "concurrency_per_worker": concurrency,
        "per_subscription": per_subscription,
        "log_interval_seconds": log_interval,
    }
    rec = Receiver(Path(tempfile.mkdtemp(prefix="dataip-receiver-")) / "received.log")
    try:
        for c, bank in client(reg):
            _subscribe(c, bank, rec.url, subscribers)
        setup = delivery.DeliverySetup(
            source="https://registry.example",
            timeout=10.0,
            concurrency=concurrency,
            per_subscription=per_subscription,
            batch=500,
            allow_private_urls=True,
        )
        hooks = Workers(reg, setup, workers)
        integrator = ledger.IntegratorLoop(reg.env, reg.log_keys, log_interval, then=(hooks.wake,))
        hooks.start()
        try:
            # 1. steady rates: R events/s for T seconds each, latency commit -> receipt
            integrator.start()
            try:
                out["steady"] = [_steady(reg, rec, number, subscribers, r, seconds) for r in rates]
            finally:
                integrator.stop()
            # 2. drain: E events committed and logged at once; how fast do they all arrive?
            rec.clear()
            for _ in range(drain):
                _record(reg, number)
            ledger.integrate(reg.env, reg.log_keys)
            started = time.time()
            hooks.wake()
            got = rec.wait_for(drain * subscribers, timeout=900)
        finally:
            hooks.stop()
        secs = (max(at for _, at in got) - started) if got else 0.0
        out["drain"] = {
            "events": drain,
            "deliveries": len(got),
            "expected_deliveries": drain * subscribers,
            "seconds": round(secs, 2),
            "deliveries_per_second": round(len(got) / secs) if secs else 0,
        }
        say(
            f"  drain: {len(got):,} deliveries in {secs:.1f}s "
            f"({out['drain']['deliveries_per_second']:,}/s)"
        )
        assert len(got) >= drain * subscribers, (len(got), drain * subscribers)
    finally:
        rec.close()
    return out


if __name__ == "__main__":
    serve_receiver(Path(sys.argv[1]))
