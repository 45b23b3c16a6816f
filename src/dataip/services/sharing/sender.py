"""Sending webhook messages concurrently (issue 20 §5): one asyncio loop per worker process.

:class:`Sender` owns an ``aiohttp.ClientSession`` — keep-alive connections per receiver,
reused from one message to the next — and posts each claimed message after checking, at the
moment of sending, that it may still go:

* the subscription's client is still active and still holds ``events:read`` and the scope
  the event's type needs (``cloudevents.TYPES``): otherwise the message is *skipped* —
  recorded in the delivery log with the reason, never sent;
* the URL still resolves only to public addresses (``url_guard.pin``; DNS rebinding), and
  the connection goes to the address checked; redirects are not followed.

Each subscription has at most ``per_subscription`` messages in flight (the claim does not
hand a worker more of a busy subscription's messages), so a slow or dead receiver holds up
only its own messages, never others'. Signatures use keys decoded once per subscription
(``webhooks.Signer``). :func:`pump` is the worker's pipeline: it claims while it has room,
sends, and records finished attempts in batches, with the database calls in a thread so
that sending goes on meanwhile.

Why aiohttp and not httpx's ``AsyncClient``: profiled here (bench/README.md), httpx's async
pool (httpcore 1.0 on anyio 4) spent most of its time re-scanning its connections and in
anyio's socket attribute look-ups — 60–120 requests/s to a local receiver, where aiohttp
sent 900–1,300 and httpx's *sync* client 650 from 16 threads on the same loaded machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dataip.sharing import webhooks as wh
from dataip.sharing.cloudevents import EVENT_MEDIA_TYPE, visible_types
from dataip.sharing.scopes import EVENTS_READ

from . import url_guard

if TYPE_CHECKING:
    from .delivery import DeliverySetup, RoundReport

USER_AGENT = "dataip-webhooks/1"


@dataclass
class Attempt:
    message: dict[str, Any]
    status: int | None = None
    error: str | None = None
    latency_ms: int = 0
    at: datetime | None = None
    skipped: str | None = None  # why it was not sent ("" : filtered, unlogged)


@lru_cache(maxsize=1024)
def _visible(scopes: frozenset[str]) -> frozenset[str]:
    return visible_types(scopes)


def refusal(m: dict[str, Any], ce_type: str) -> str | None:
    """Why a message may not be sent now (its client's state and scopes, re-read at each
    delivery), or None. "" means it was only filtered (a replay past the type filter)."""
    if ce_type not in (m["types"] or m["allowed"]):
        return ""
    state = m.get("client_state")
    if state != "active":
        return f"client_{state or 'unknown'}"
    scopes = frozenset(m.get("client_scopes") or ())
    if EVENTS_READ not in scopes:
        return "scope_withdrawn"
    if ce_type not in _visible(scopes):
        return "scope_withdrawn"
    return None


def message_id(subscription_id: int, index: int) -> str:
    """``webhook-id``: the same for every attempt and replay of one event to one endpoint."""
    return f"msg_{subscription_id}_{index}"


def _wall() -> datetime:
    """Claims and schedules run on real time even under a fixed clock (DATAIP_NOW, tests):
    a claim left by a killed worker must lapse, and a retry come due."""
    return datetime.now(UTC)


class Sender:
    """Posts messages for one worker process; ``inflight`` counts them per subscription."""

    def __init__(self, setup: DeliverySetup) -> None:
        self.setup = setup
        self.inflight: Counter[int] = Counter()
        self._signers: dict[tuple[Any, ...], wh.Signer] = {}
        import aiohttp  # here: only delivery workers pay for importing it

        self._errors = (aiohttp.ClientError, TimeoutError, OSError)
        self.client = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=setup.concurrency, use_dns_cache=False),
            timeout=aiohttp.ClientTimeout(total=setup.timeout),
            headers={"user-agent": USER_AGENT},
            trust_env=False,  # no proxy from the environment: the address checked is the peer
            skip_auto_headers=("content-type",),
        )

    async def aclose(self) -> None:
        await self.client.close()

    def busy(self) -> dict[int, int]:
        return {k: v for k, v in self.inflight.items() if v > 0}

    def _signer(self, m: dict[str, Any]) -> wh.Signer:
        k = (m["schemes"], m["ed25519_secret"], m["hmac_secret"])
        signer = self._signers.get(k)
        if signer is None:
            key = wh.SigningKey(tuple(m["schemes"].split()), m["ed25519_secret"], m["hmac_secret"])
            signer = self._signers[k] = wh.Signer(key)
        return signer

    async def send(self, attempt: Attempt, ce: dict[str, Any] | None, body: bytes) -> Attempt:
        m = attempt.message
        attempt.at = _wall()
        if ce is None:
            attempt.skipped = ""
            return attempt
        why = refusal(m, ce["type"])
        if why is not None:
            attempt.skipped = why
            return attempt
        sub = int(m["subscription_id"])
        self.inflight[sub] += 1
        started = time.monotonic()
        try:
            try:
                target = url_guard.pin(m["url"], allow_private=self.setup.allow_private_urls)
            except url_guard.Blocked as e:
                attempt.error = f"blocked: {e.code}"
                return attempt
            headers = self._signer(m).headers(
                message_id(sub, int(ce["data"]["log_index"])), int(time.time()), body
            )
            headers["content-type"] = EVENT_MEDIA_TYPE
            extra: dict[str, Any] = {}
            if target.host_header is not None:
                headers["host"] = target.host_header
            if target.sni_hostname is not None and target.url.startswith("https:"):
                extra["server_hostname"] = target.sni_hostname  # SNI and certificate check
            try:
                async with self.client.post(
                    target.url, data=body, headers=headers, allow_redirects=False, **extra
                ) as response:
                    await response.read()
                    attempt.status = response.status
            except self._errors as e:
                attempt.error = f"{type(e).__name__}: {e}"[:200]
        finally:
            attempt.latency_ms = int((time.monotonic() - started) * 1000)
            self.inflight[sub] -= 1
        return attempt


Claim = Callable[[int, dict[int, int]], list[tuple[Attempt, Any, bytes]]]
Record = Callable[[Sequence[Attempt]], "RoundReport"]


@dataclass
class PumpState:
    stop: Callable[[], bool] = lambda: False
    wake: asyncio.Event = field(default_factory=asyncio.Event)


async def pump(
    setup: DeliverySetup,
    sender: Sender,
    *,
    claim: Claim,
    record: Record,
    total: RoundReport,
    drain: bool,
    between: Callable[[], int] | None = None,
    poll_seconds: float = 1.0,
    state: PumpState | None = None,
) -> None:
    """Claim, send and record until stopped (``drain``: until nothing is due, nothing is in
    flight and the fan-out finds nothing). ``between`` (the fan-out; in a thread) runs when
    woken, and at most every 0.2 s while busy."""
    state = state or PumpState()
    tasks: set[asyncio.Task[Attempt]] = set()
    finished: list[Attempt] = []
    last_flush = next_fan = next_claim = 0.0
    while True:
        now = time.monotonic()
        fanned, fan_ran = 0, False
        if between is not None and (state.wake.is_set() or now >= next_fan):
            fan_ran = True
            state.wake.clear()
            fanned = await asyncio.to_thread(between)
            total.fanned_out += fanned
            next_fan = now if fanned else now + 0.2
            if fanned:
                next_claim = 0.0
        room = setup.concurrency - len(tasks)
        claimed, tried = 0, False
        if room > 0 and now >= next_claim and not state.stop():
            tried = True
            want = min(room, setup.batch)
            batch = await asyncio.to_thread(claim, want, sender.busy())
            claimed = len(batch)
            next_claim = 0.0 if claimed == want else now + 0.05
            for attempt, ce, body in batch:
                tasks.add(asyncio.create_task(sender.send(attempt, ce, body)))
        if tasks:
            done, tasks = await asyncio.wait(
                tasks, timeout=0.05, return_when=asyncio.FIRST_COMPLETED
            )
            finished.extend(t.result() for t in done)
        now = time.monotonic()
        if finished and (len(finished) >= setup.batch or now - last_flush > 0.1 or not tasks):
            batch_done, finished = finished, []
            total.add(await asyncio.to_thread(record, batch_done))
            last_flush = now
        if tasks or finished or claimed or fanned:
            continue
        if state.stop():
            return
        if drain:
            if tried and (between is None or fan_ran):  # nothing due, in flight or fanned
                return
            next_claim = next_fan = 0.0
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.wake.wait(), poll_seconds)
