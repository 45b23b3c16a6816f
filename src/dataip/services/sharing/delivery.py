"""Webhook delivery (事件推送投递, issue 20 §5): outbox → messages → signed POSTs.

1. :func:`fan_out` — under a lease (one process at a time), takes outbox rows whose events
   have a log index below the latest checkpoint, adds one message per matching subscription
   and deletes the rows, in one transaction: an event is fanned out exactly once, and only
   after it is provable.
2. :func:`deliver_due` — claims due messages with a compare-and-set (``claimed_until``, like
   the screening queue: several servers never send the same message at once), POSTs each
   with **no transaction open** and a timeout per attempt, several at once, then records
   every attempt (the delivery log) and each message's next state in one transaction:
   2xx delivered; 410 Gone disables the subscription; anything else is retried on the
   Standard Webhooks schedule (``sharing.webhooks.RETRY_SCHEDULE``) and given up after it.
   A claim left by a killed worker lapses and the message is sent again: at least once.
3. :class:`WebhookLoop` — the server's worker thread (started with the app); ``dataip tick``
   calls :func:`run_pending` instead. Requests never wait on a receiver.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict
from dataip.sharing import webhooks as wh
from dataip.sharing.cloudevents import EVENT_MEDIA_TYPE, to_cloudevent

_log = logging.getLogger("dataip.webhooks")
FANOUT_LEASE = "webhook-fanout"
USER_AGENT = "dataip-webhooks/1"


def _wall() -> datetime:
    """Claims and schedules run on real time even under a fixed clock (DATAIP_NOW, tests):
    a claim left by a killed worker must lapse, and a retry come due."""
    return datetime.now(UTC)


@dataclass
class DeliverySetup:
    """How a process delivers: the registry's base URL (the events' source), the timeout of
    one attempt, how many POSTs at once, how many messages a round claims."""

    source: str
    timeout: float = 10.0
    concurrency: int = 8
    batch: int = 200
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:wh")
    transport: httpx.BaseTransport | None = None  # tests and the bench may inject one

    @property
    def claim_seconds(self) -> float:
        return self.timeout * 2 + 30


@dataclass
class RoundReport:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0
    disabled: int = 0
    skipped: int = 0

    @property
    def attempts(self) -> int:
        return self.delivered + self.failed


# --- 1. fan-out ---------------------------------------------------------------------------------


def fan_out(env: Env, *, batch: int = 1000, lease_seconds: float = 30.0) -> int:
    """Turn ready outbox rows into messages; returns how many events were fanned out."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:fanout"
    done = 0
    with env.read() as uow:  # idle: no write, not even the lease
        if not uow.webhooks.outbox_ready(below=uow.feed.published_size(), limit=1):
            return 0
    with env.uow() as uow:
        now = _wall()
        if not uow.try_lease(FANOUT_LEASE, holder, now, now + timedelta(seconds=lease_seconds)):
            return 0
        uow.commit()
    try:
        while True:
            with env.uow() as uow:
                ready = uow.webhooks.outbox_ready(below=uow.feed.published_size(), limit=batch)
                if not ready:
                    break
                subs = uow.webhooks.subscriptions(states=("active", "paused"))
                now = _wall()
                rows = []
                for event_id, event in ready:
                    ce = to_cloudevent(event, source="-")
                    if ce is None:
                        continue
                    for sub in subs:
                        wanted = sub["types"] or sub["allowed"]
                        if ce["type"] in wanted:
                            rows.append(
                                {
                                    "subscription_id": sub["id"],
                                    "event_id": event_id,
                                    "log_index": event.log_index,
                                    "state": "pending",
                                    "attempts": 0,
                                    "next_attempt_at": now,
                                    "created_at": now,
                                }
                            )
                uow.webhooks.add_messages(rows)
                uow.webhooks.outbox_done([eid for eid, _ in ready])
                now = _wall()
                uow.try_lease(FANOUT_LEASE, holder, now, now + timedelta(seconds=lease_seconds))
                uow.commit()
            done += len(ready)
            if len(ready) < batch:
                break
    finally:
        with env.uow() as uow:
            uow.release_lease(FANOUT_LEASE, holder)
            uow.commit()
    return done


# --- 2. delivery --------------------------------------------------------------------------------


@dataclass
class _Attempt:
    message: dict[str, Any]
    status: int | None = None
    error: str | None = None
    latency_ms: int = 0
    at: datetime = field(default_factory=_wall)
    skipped: bool = False


def message_id(subscription_id: int, index: int) -> str:
    """``webhook-id``: the same for every attempt and replay of one event to one endpoint."""
    return f"msg_{subscription_id}_{index}"


def _bodies(setup: DeliverySetup, messages: Sequence[dict[str, Any]]) -> dict[int, Any]:
    """Each event's CloudEvent and body, once per round however many subscribers get it."""
    out: dict[int, Any] = {}
    for m in messages:
        event = m["event"]
        if event.log_index not in out:
            ce = to_cloudevent(event, source=setup.source)
            out[event.log_index] = (ce, orjson.dumps(ce) if ce is not None else b"")
    return out


def _post(
    client: httpx.Client, setup: DeliverySetup, attempt: _Attempt, bodies: dict[int, Any]
) -> None:
    m = attempt.message
    ce, body = bodies[m["event"].log_index]
    if ce is None or ce["type"] not in (m["types"] or m["allowed"]):
        attempt.skipped = True  # replayed past a filter (RequestDecided of another kind)
        return
    key = wh.SigningKey(tuple(m["schemes"].split()), m["ed25519_secret"], m["hmac_secret"])
    headers = wh.headers(
        key, message_id(m["subscription_id"], ce_index(ce)), int(time.time()), body
    )
    headers["content-type"] = EVENT_MEDIA_TYPE
    started = time.monotonic()
    attempt.at = _wall()
    try:
        response = client.post(m["url"], content=body, headers=headers)
        attempt.status = response.status_code
    except httpx.HTTPError as e:
        attempt.error = f"{type(e).__name__}: {e}"[:200]
    attempt.latency_ms = int((time.monotonic() - started) * 1000)


def ce_index(ce: dict[str, Any]) -> int:
    return int(ce["data"]["log_index"])


def deliver_due(
    env: Env, setup: DeliverySetup, *, client: httpx.Client | None = None
) -> RoundReport:
    """One round: claim due messages, send them, record the outcomes."""
    report = RoundReport()
    now = _wall()
    with env.uow() as uow:
        ids = uow.webhooks.claim_due(
            holder=setup.holder,
            now=now,
            until=now + timedelta(seconds=setup.claim_seconds),
            limit=setup.batch,
        )
        messages = uow.webhooks.messages(ids) if ids else []
        uow.commit()
    if not messages:
        return report
    attempts = [_Attempt(m) for m in messages]
    bodies = _bodies(setup, messages)
    own = client is None
    client = client or _client(setup)
    try:
        if setup.concurrency > 1 and len(attempts) > 1:
            with ThreadPoolExecutor(max_workers=min(setup.concurrency, len(attempts))) as pool:
                list(pool.map(lambda a: _post(client, setup, a, bodies), attempts))
        else:
            for a in attempts:
                _post(client, setup, a, bodies)
    finally:
        if own:
            client.close()
    _record(env, setup, attempts, report)
    return report


def _client(setup: DeliverySetup) -> httpx.Client:
    limits = httpx.Limits(max_connections=max(setup.concurrency, 1) * 2)
    return httpx.Client(
        timeout=setup.timeout,
        follow_redirects=False,  # Standard Webhooks: a 3xx is a failure
        headers={"user-agent": USER_AGENT},
        limits=limits,
        transport=setup.transport,
    )


def _record(
    env: Env, setup: DeliverySetup, attempts: Sequence[_Attempt], report: RoundReport
) -> None:
    with env.uow() as uow:
        log = []
        delivered: list[int] = []
        disabled: set[int] = set()
        for a in attempts:
            m = a.message
            if a.skipped:
                uow.webhooks.settle(m["message_id"], setup.holder, state="skipped")
                report.skipped += 1
                continue
            number = int(m["attempts"]) + 1
            log.append(
                {
                    "message_id": m["message_id"],
                    "subscription_id": m["subscription_id"],
                    "attempt": number,
                    "at": a.at,
                    "status_code": a.status,
                    "latency_ms": a.latency_ms,
                    "error": a.error,
                }
            )
            if a.status is not None and 200 <= a.status < 300:
                delivered.append(m["message_id"])
                report.delivered += 1
                continue
            report.failed += 1
            if a.status == 410:  # Standard Webhooks: the receiver wants no more
                disabled.add(m["subscription_id"])
                uow.webhooks.settle(m["message_id"], setup.holder, state="failed", attempts=number)
                continue
            delay = wh.next_delay(number)
            if delay is None:
                uow.webhooks.settle(m["message_id"], setup.holder, state="failed", attempts=number)
            else:
                uow.webhooks.settle(
                    m["message_id"], setup.holder, attempts=number, next_attempt_at=_wall() + delay
                )
        uow.webhooks.settle_delivered(delivered, setup.holder, _wall())
        uow.webhooks.add_attempts(log)
        for sub_id in disabled:
            uow.webhooks.update_subscription(
                sub_id, state="disabled", disabled_reason="gone_410", updated_at=env.now()
            )
        report.disabled = len(disabled)
        uow.commit()


def run_pending(env: Env, setup: DeliverySetup, *, max_rounds: int = 100) -> RoundReport:
    """Fan out and deliver whatever is due now (``dataip tick``; tests). Bounded."""
    total = RoundReport()
    total.fanned_out = fan_out(env)
    with _client(setup) as client:
        for _ in range(max_rounds):
            r = deliver_due(env, setup, client=client)
            total.delivered += r.delivered
            total.failed += r.failed
            total.disabled += r.disabled
            total.skipped += r.skipped
            if not (r.attempts or r.skipped):
                break
    return total


# --- 3. the server's worker ---------------------------------------------------------------------


class WebhookLoop:
    """Fans out and delivers every ``poll_seconds`` (sooner when woken, e.g. by the
    integrator after a round), in a daemon thread; a request never waits on a receiver."""

    def __init__(self, env: Env, setup: DeliverySetup, poll_seconds: float = 1.0) -> None:
        self._env, self._setup, self._poll = env, setup, poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def wake(self, *_: object) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with _client(self._setup) as client:
            while not self._stop.is_set():
                busy = False
                try:
                    fan_out(self._env)
                    r = deliver_due(self._env, self._setup, client=client)
                    busy = bool(r.attempts or r.skipped)
                except ConcurrencyConflict:
                    busy = True
                except Exception:  # keep delivering; each message is retried on its schedule
                    _log.exception("webhook delivery round failed")
                if not busy:
                    self._wake.wait(self._poll)
                    self._wake.clear()
