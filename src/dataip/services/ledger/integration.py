"""The integrator (日志集成): it sequences staged leaves and signs the checkpoints (DESIGN §4;
R6/Z§2.3; RFC 6962 trees, C2SP signed notes and checkpoints).

:func:`integrate` takes staged leaves in event order, gives them log indices, stores every
full-subtree hash (tiles are read straight from them), moves the tree size by
compare-and-swap and signs a checkpoint — all in one transaction, under a lease so that
running two integrators is harmless. :class:`IntegratorLoop` is the server's publisher,
which runs it every ``DATAIP_LOG_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.note import Signer, Verifier
from dataip.services.context import Env
from dataip.services.ledger.tree import _UowReader
from dataip.services.ports import ConcurrencyConflict, UnitOfWork

LEASE = "ledger-integrator"
LEASE_SECONDS = 10.0
_log = logging.getLogger("dataip.ledger")


@dataclass(frozen=True)
class LogKeys:
    """The log's identity: its origin line and the Ed25519 key that signs its checkpoints."""

    origin: str
    signer: Signer

    @property
    def verifier(self) -> Verifier:
        return self.signer.verifier()

    @property
    def verifier_text(self) -> str:
        return self.verifier.to_text()


@dataclass
class IntegrateReport:
    size_before: int = 0
    size_after: int = 0
    checkpoints: int = 0
    skipped_lease: bool = False

    @property
    def appended(self) -> int:
        return self.size_after - self.size_before


def _sign(keys: LogKeys, size: int, root: bytes) -> str:
    return Checkpoint(keys.origin, size, root).sign([keys.signer])


def _wall_clock() -> datetime:
    """Leases run on real time even when the registry's clock is fixed (DATAIP_NOW, demos):
    a lease left by a killed process must lapse."""
    return datetime.now(UTC)


def integrate(
    env: Env,
    keys: LogKeys,
    *,
    batch_size: int = 10_000,
    max_batches: int | None = None,
    lease_seconds: float = LEASE_SECONDS,
) -> IntegrateReport:
    """Sequence staged leaves and sign a checkpoint over them. Idempotent; run it as often as
    checkpoints should be published (the server does, every `log_interval_seconds`).

    The lease is short and renewed by every batch, so a process killed mid-run delays the
    next publisher by at most `lease_seconds`."""
    report = IntegrateReport()
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(report)}"
    with env.uow() as uow:
        # Idle (nothing pending, latest checkpoint current): no write, not even the lease.
        size = uow.ledger.size()
        latest = uow.ledger.latest_checkpoint()
        if latest is not None and latest[0] == size and not uow.ledger.pending(1):
            report.size_before = report.size_after = size
            return report
    lease = _Lease(holder, lease_seconds)
    with env.uow() as uow:
        if not lease.take(uow):
            report.skipped_lease = True
            return report
        uow.commit()
    try:
        batches = 0
        while True:
            batches += 1
            last_allowed = max_batches is not None and batches >= max_batches
            more = _integrate_batch(env, keys, batch_size, report, lease, batches, last_allowed)
            if not more or last_allowed:
                break
    finally:
        with env.uow() as uow:
            uow.release_lease(LEASE, holder)
            uow.commit()
    return report


@dataclass(frozen=True)
class _Lease:
    holder: str
    seconds: float

    def take(self, uow: UnitOfWork) -> bool:
        now = _wall_clock()
        return bool(uow.try_lease(LEASE, self.holder, now, now + timedelta(seconds=self.seconds)))


def _integrate_batch(
    env: Env,
    keys: LogKeys,
    batch_size: int,
    report: IntegrateReport,
    lease: _Lease | None,
    batch: int,
    sign_anyway: bool,
) -> bool:
    """One transaction: sequence up to batch_size leaves; sign a checkpoint when the backlog
    is drained (or this is the run's last batch), so one run publishes one checkpoint.
    Returns whether more leaves may be pending."""
    with env.uow() as uow:
        if lease is not None and batch > 1 and not lease.take(uow):  # renew, or stop
            raise ConcurrencyConflict("the integrator lease passed to another process")
        size = uow.ledger.size()
        if batch == 1:
            report.size_before = report.size_after = size
        latest = uow.ledger.latest_checkpoint()
        pending = uow.ledger.pending(batch_size)
        if not pending and latest is not None and latest[0] == size:
            return False
        more = len(pending) == batch_size
        # Compare-and-swap the size first: a concurrent integrator fails here, before writing.
        if not uow.ledger.advance(size, size + len(pending)):
            raise ConcurrencyConflict("another integrator moved the log")
        frontier = merkle.CompactRange.from_reader(_UowReader(uow), size)
        rows: list[tuple[int, int]] = []
        nodes: list[tuple[int, int, bytes]] = []
        for event_id, leaf in pending:
            rows.append((event_id, frontier.size))
            nodes.extend((n.level, n.index, h) for n, h in frontier.append(merkle.leaf_hash(leaf)))
        uow.ledger.assign(rows)
        uow.ledger.add_nodes(nodes)
        signed = not more or sign_anyway
        if signed:
            root = frontier.root()
            note = _sign(keys, frontier.size, root)
            uow.ledger.add_checkpoint(frontier.size, root, note, env.now())
        uow.commit()
    report.size_after = frontier.size
    report.checkpoints += signed
    return more


class IntegratorLoop:
    """Runs :func:`integrate` every `interval` seconds in a daemon thread (the server's
    publisher), then each of `then` (e.g. attaching proofs to what the round integrated).
    Errors are logged and retried next round; `stop()` finishes the current run."""

    def __init__(
        self,
        env: Env,
        keys: LogKeys,
        interval: float,
        then: Sequence[Callable[[Env], object]] = (),
    ) -> None:
        self._env, self._keys, self._interval, self._then = env, keys, interval, tuple(then)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ledger-integrator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                integrate(self._env, self._keys)
                for step in self._then:
                    step(self._env)
            except ConcurrencyConflict:
                pass  # another process integrated first: harmless
            except Exception:  # keep publishing; the audit finds real damage
                _log.exception("ledger integrator run failed")
            self._stop.wait(self._interval)
