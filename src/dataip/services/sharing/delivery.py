"""Webhook delivery (事件推送投递, issue 20 §5): outbox → messages → signed POSTs.

1. :func:`fan_out` — under a lease (one process at a time), takes outbox rows whose events
   have a log index below the latest checkpoint, adds one message per matching subscription
   and deletes the rows, in one transaction: an event is fanned out exactly once, and only
   after it is provable.
2. Delivery — a pipeline per worker process (``sender.pump``, one asyncio loop): it claims
   due messages in batches with a lease (``claimed_until``; ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so several workers take different rows), at most ``per_subscription`` of one
   subscription in flight; posts them concurrently over keep-alive connections with **no
   transaction open** and a timeout per attempt; and records finished attempts (the
   delivery log) and each message's next state in batches: 2xx delivered; 410 Gone disables
   the subscription; anything else is retried on the Standard Webhooks schedule
   (``sharing.webhooks.RETRY_SCHEDULE``) and given up after it. A message whose client is
   no longer active or no longer holds the scopes its type needs is skipped and logged as
   such (``sender.refusal``); a URL that now resolves to a private address is refused
   (``url_guard``). A claim left by a killed worker lapses and the message is sent again:
   at least once.
3. :class:`WebhookLoop` — the server's worker thread (started with the app); ``dataip
   webhooks deliver --workers N`` runs N worker processes; ``dataip tick`` calls
   :func:`run_pending` instead. Each also prunes messages and delivery-log rows past the
   retention (:func:`prune`). Requests never wait on a receiver.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import orjson

from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict
from dataip.sharing import webhooks as wh
from dataip.sharing.cloudevents import to_cloudevent

from .sender import Attempt, PumpState, Sender, _wall, message_id, pump

_log = logging.getLogger("dataip.webhooks")
T = TypeVar("T")
FANOUT_LEASE = "webhook-fanout"
__all__ = ["DeliverySetup", "RoundReport", "WebhookLoop", "fan_out", "message_id", "prune"]


@dataclass
class DeliverySetup:
    """How a process delivers: the registry's base URL (the events' source), the timeout of
    one attempt, how many POSTs at once, how many messages a round claims."""

    source: str
    timeout: float = 10.0
    concurrency: int = 64  # POSTs in flight at once in this process
    per_subscription: int = 8  # of them, at most this many to one subscription
    batch: int = 200
    allow_private_urls: bool = False  # DATAIP_WEBHOOK_ALLOW_PRIVATE_URLS (url_guard)
    retention: timedelta = timedelta(days=30)  # DATAIP_WEBHOOK_RETENTION_DAYS
    holder: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    )

    @classmethod
    def from_settings(cls, s: Any) -> DeliverySetup:
        """The setup ``config.Settings`` describe (``DATAIP_WEBHOOK_*``)."""
        return cls(
            source=str(s.public_base_url).rstrip("/"),
            timeout=s.webhook_timeout_seconds,
            concurrency=s.webhook_concurrency,
            per_subscription=s.webhook_per_subscription,
            allow_private_urls=s.webhook_allow_private_urls,
            retention=timedelta(days=s.webhook_retention_days),
        )

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

    def add(self, other: RoundReport) -> None:
        self.fanned_out += other.fanned_out
        self.delivered += other.delivered
        self.failed += other.failed
        self.disabled += other.disabled
        self.skipped += other.skipped


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


def _claim(env: Env, setup: DeliverySetup, limit: int, busy: dict[int, int]) -> list[Any]:
    """Claim up to ``limit`` due messages; each with its CloudEvent and body (made once per
    event however many subscribers get it)."""
    if limit <= 0:
        return []
    now = _wall()
    with env.uow() as uow:
        ids = uow.webhooks.claim_due(
            holder=setup.holder,
            now=now,
            until=now + timedelta(seconds=setup.claim_seconds),
            limit=limit,
            busy=busy,
            per_subscription=setup.per_subscription,
        )
        messages = uow.webhooks.messages(ids) if ids else []
        uow.commit()
    bodies: dict[int, tuple[Any, bytes]] = {}
    out = []
    for m in messages:
        event = m["event"]
        if event.log_index not in bodies:
            ce = to_cloudevent(event, source=setup.source)
            bodies[event.log_index] = (ce, orjson.dumps(ce) if ce is not None else b"")
        ce, body = bodies[event.log_index]
        out.append((Attempt(m), ce, body))
    return out


def _record(env: Env, setup: DeliverySetup, attempts: Sequence[Attempt]) -> RoundReport:
    """Store finished attempts: the delivery log and each message's next state."""
    report = RoundReport()
    with env.uow() as uow:
        log = []
        delivered: list[int] = []
        disabled: set[int] = set()
        for a in attempts:
            m = a.message
            at = a.at or _wall()
            number = int(m["attempts"]) + 1
            if a.skipped is not None:
                uow.webhooks.settle(m["message_id"], setup.holder, state="skipped")
                report.skipped += 1
                if a.skipped:  # the client's state or scopes: logged as such, not sent
                    log.append(_log_row(m, number, at, None, 0, f"skipped: {a.skipped}"))
                continue
            log.append(_log_row(m, number, at, a.status, a.latency_ms, a.error))
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
            row = uow.webhooks.subscription(sub_id)
            if row is not None and row["state"] != "disabled":  # several 410s may be in flight
                uow.webhooks.update_subscription(
                    sub_id, state="disabled", disabled_reason="gone_410", updated_at=env.now()
                )
                report.disabled += 1
        uow.commit()
    return report


def _log_row(
    m: dict[str, Any], number: int, at: datetime, status: int | None, ms: int, error: str | None
) -> dict[str, Any]:
    return {
        "message_id": m["message_id"],
        "subscription_id": m["subscription_id"],
        "attempt": number,
        "at": at,
        "status_code": status,
        "latency_ms": ms,
        "error": error,
    }


async def _run(
    env: Env,
    setup: DeliverySetup,
    *,
    drain: bool,
    fan: bool,
    state: PumpState | None = None,
    poll_seconds: float = 1.0,
    rounds: int | None = None,
) -> RoundReport:
    total = RoundReport()
    sender = Sender(setup)
    try:
        if rounds == 1:  # one claim, its sends, its record (deliver_due)
            batch = await asyncio.to_thread(_claim, env, setup, setup.batch, {})
            done = await asyncio.gather(*(sender.send(a, ce, body) for a, ce, body in batch))
            if done:
                total.add(await asyncio.to_thread(_record, env, setup, done))
            return total
        await pump(
            setup,
            sender,
            claim=lambda n, busy: _claim(env, setup, n, busy),
            record=lambda done: _record(env, setup, done),
            total=total,
            drain=drain,
            between=(lambda: fan_out(env)) if fan else None,
            poll_seconds=poll_seconds,
            state=state,
        )
    finally:
        await sender.aclose()
    return total


def _run_sync(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the delivery loop to its end from synchronous code: on this thread when no event
    loop runs here, else (a caller inside an event loop: a notebook, a test driving a
    browser) on a thread of its own, since `asyncio.run` refuses a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


def deliver_due(env: Env, setup: DeliverySetup) -> RoundReport:
    """One round: claim due messages (one batch), send them, record the outcomes."""
    return _run_sync(lambda: _run(env, setup, drain=True, fan=False, rounds=1))


def run_pending(env: Env, setup: DeliverySetup) -> RoundReport:
    """Fan out and deliver whatever is due now, then prune past the retention (``dataip
    tick``; tests): returns when nothing is due and nothing is in flight."""
    total = _run_sync(lambda: _run(env, setup, drain=True, fan=True))
    prune(env, setup.retention)
    return total


def prune(env: Env, retention: timedelta) -> int:
    """Delete settled messages and delivery-log rows older than ``retention``; returns how
    many messages went. Replay still works beyond it: it re-queues from the log."""
    before, pruned = _wall() - retention, 0
    while True:
        with env.uow() as uow:
            n = uow.webhooks.prune(before=before)
            uow.commit()
        pruned += n
        if n < 10_000:
            return pruned


# --- 3. the worker ------------------------------------------------------------------------------


class WebhookLoop:
    """Fans out and delivers continuously in a daemon thread running one asyncio loop (woken
    by the integrator after a round, else polling every ``poll_seconds``); prunes hourly. A
    request never waits on a receiver."""

    def __init__(self, env: Env, setup: DeliverySetup, poll_seconds: float = 1.0) -> None:
        self._env, self._setup, self._poll = env, setup, poll_seconds
        self._stop = threading.Event()
        self._state: PumpState | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def wake(self, *_: object) -> None:
        loop, state = self._loop, self._state
        if loop is not None and state is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(state.wake.set)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._state = PumpState(stop=self._stop.is_set)
        pruned_at = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - pruned_at > 3600:
                    await asyncio.to_thread(prune, self._env, self._setup.retention)
                    pruned_at = time.monotonic()
                await _run(
                    self._env,
                    self._setup,
                    drain=False,
                    fan=True,
                    state=self._state,
                    poll_seconds=self._poll,
                )
            except ConcurrencyConflict:
                continue
            except Exception:  # keep delivering; each message is retried on its schedule
                _log.exception("webhook delivery failed; restarting the pipeline")
                await asyncio.sleep(self._poll)
