"""The registry's transparency log (DESIGN §4): leaves from events, the integrator, proofs,
tiles, receipts and the audit.

* **Leaves.** Every event is recorded with its leaf in the same transaction
  (:func:`stage`, called by ``recording.record_event``): RFC 8785 JSON of the event's public
  part and the SHA-256 values of its salted commitments — never the salts, never anything
  personal. The public part must fit its event type's closed schema
  (``domain.public_record``) and pass the screening detectors
  (``services.public_screening``), or the leaf is not written and the action fails. A leaf
  names the event row it commits to, so the audit can check one against the other.
* **Integrator.** :func:`integrate` takes staged leaves in event order, gives them log
  indices, stores every full-subtree hash (tiles are read straight from them), moves the tree
  size by compare-and-swap and signs a checkpoint — all in one transaction, under a lease so
  that running two integrators is harmless.
* **Reads.** Proofs, tiles and entries are served for the latest checkpoint only, so what a
  client fetches is always consistent with a signed tree head.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.public_record import check_public
from dataip.ledger import merkle, tiles
from dataip.ledger.canonical import canonicalize
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Signer, Verifier
from dataip.ledger.proof import format_proof
from dataip.services import public_screening
from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict, UnitOfWork

# 2: the public part fits its event type's closed schema and passed the detectors. Version 1
# leaves (before that) have the same shape; the audit rebuilds each leaf at its own version.
LEAF_VERSION = 2
LEAF_VERSIONS = (1, 2)
MAX_LEAF_BYTES = 0xFFFF  # entry bundles length-prefix each entry with a uint16
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


# --- leaves ---------------------------------------------------------------------------------


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_leaf(event: m.Event, *, version: int = LEAF_VERSION) -> bytes:
    """The leaf an event is published as: canonical JSON of its public part and commitments.

    Every value in ``event.private`` must be a salted commitment (``{"salt", "sha256"}``,
    from ``recording.commitment``); only the SHA-256 value reaches the leaf. The public part
    must fit the event type's closed schema (``log_public_not_allowed``) and hold nothing
    the screening detectors find (``log_public_personal_data``); both are 422 DomainErrors,
    raised at the commit that would write the leaf, so the action is rolled back whole.
    ``version=1`` rebuilds a leaf written before those checks (the audit does).
    """
    commitments: dict[str, Any] = {}
    for key, value in sorted(event.private.items()):
        if not (isinstance(value, dict) and set(value) == {"salt", "sha256"}):
            raise ValueError(f"private field {key!r} of a {event.type} event is not a commitment")
        commitments[key] = value["sha256"]
    if version not in LEAF_VERSIONS:
        raise ValueError(f"unknown leaf version {version}")
    if version >= 2:
        screened = check_public(event.type, event.public, commitments)
        public_screening.refuse_personal_data(event.type, screened)
    document: dict[str, Any] = {
        "v": version,
        "event": event.id,
        "type": event.type,
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "at": _utc(event.occurred_at),
        "public": event.public,
        "commitments": commitments,
    }
    data = canonicalize(document)
    if len(data) > MAX_LEAF_BYTES:
        raise DomainError(
            "leaf_too_large",
            "事件公开内容过大，无法写入存证日志",
            f"the public part of the event is too large for the log ({len(data)} bytes)",
            status=422,
        )
    return data


def stage(uow: UnitOfWork, event: m.Event) -> None:
    """Write an event's leaf in the caller's transaction (the outbox the integrator reads).

    The unit of work writes it when it commits, after the event has its id; a leaf that
    cannot be made (too large, a private field that is not a commitment) fails the commit,
    so the change is rolled back with it."""
    uow.ledger.stage_later(event, event_leaf)


def stage_missing(env: Env, *, batch_size: int = 1000) -> int:
    """Stage a leaf for every event that has none (events recorded before the log existed).

    Each gets a current-version leaf: an event whose public part the schema refuses (written
    by older code, with free text in it) stops the run with a DomainError naming the event,
    rather than publish it forever; move its free text to a commitment first."""
    staged, after = 0, 0
    while True:
        with env.uow() as uow:
            events = uow.ledger.events_without_leaf(after_id=after, limit=batch_size)
            if not events:
                return staged
            uow.ledger.stage([(event.id, _leaf_of_stored(event)) for event in events])
            uow.commit()
        staged += len(events)
        after = events[-1].id


def _leaf_of_stored(event: m.Event) -> bytes:
    try:
        return event_leaf(event)
    except DomainError as e:
        e.details["event_id"] = event.id
        raise


# --- integrator -----------------------------------------------------------------------------


@dataclass
class IntegrateReport:
    size_before: int = 0
    size_after: int = 0
    checkpoints: int = 0
    skipped_lease: bool = False

    @property
    def appended(self) -> int:
        return self.size_after - self.size_before


class _UowReader:
    """A merkle.TreeReader over the stored full-subtree hashes."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def hash_at(self, level: int, index: int) -> bytes:
        value: bytes | None = self._uow.ledger.hash_at(level, index)
        if value is None:
            raise LedgerCorrupt(f"stored tree lacks the hash at level {level}, index {index}")
        return value


class _PrefetchedReader:
    """A merkle.TreeReader answering from one batched read of the nodes a proof needs."""

    def __init__(self, uow: UnitOfWork, ranges: list[tuple[int, int]]) -> None:
        wanted = [(n.level, n.index) for b, e in ranges for n in merkle.subtree_nodes(b, e)]
        self._hashes: dict[tuple[int, int], bytes] = uow.ledger.hashes(wanted)

    def hash_at(self, level: int, index: int) -> bytes:
        try:
            return self._hashes[(level, index)]
        except KeyError:
            raise LedgerCorrupt(
                f"stored tree lacks the hash at level {level}, index {index}"
            ) from None


class LedgerCorrupt(Exception):
    """Stored tree state contradicts itself; `dataip log audit` says where."""


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


# --- reads ----------------------------------------------------------------------------------


def _not_found(what_zh: str, what_en: str, **details: Any) -> DomainError:
    return DomainError(
        "log_not_found", f"{what_zh}不存在", f"{what_en} not found", status=404, details=details
    )


def _bad(code: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=422, details=details)


def checkpoint_note(env: Env) -> tuple[int, str]:
    """(size, signed note) of the latest checkpoint."""
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise _not_found("检查点", "checkpoint")
    return latest[0], latest[2]


def tile(env: Env, path: str) -> tuple[bytes, bool]:
    """The contents of a C2SP tlog-tiles resource under /log/tile/, and whether it is full.

    Only tiles covered by the latest checkpoint are served; a partial tile is served only at
    the width the checkpoint has (other widths are not part of any published tree).
    """
    try:
        wanted = tiles.parse_tile_path("tile/" + path)
    except FormatError as exc:
        raise _not_found("瓦片", "tile", reason=str(exc)) from None
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        size = latest[0] if latest else 0
        level = wanted.level * tiles.TILE_HEIGHT
        start = wanted.index * tiles.TILE_WIDTH
        # Any prefix of a tile is the same bytes whatever the tree size, so a width is
        # served whenever the published tree covers it.
        if (size >> level) - start < wanted.width:
            raise _not_found("瓦片", "tile", path=path, tree_size=size)
        end = start + wanted.width
        if wanted.data:
            rows = uow.ledger.entries(start, end)
            data = tiles.encode_entry_bundle([leaf for _, _, leaf in rows])
            count = len(rows)
        else:
            hashes = uow.ledger.level_range(level, start, end)
            data = tiles.encode_hash_tile([h for _, h in hashes])
            count = len(hashes)
    if count != wanted.width:
        raise LedgerCorrupt(f"tile {path}: {count} of {wanted.width} stored entries")
    return data, wanted.is_full


def _published_size(uow: UnitOfWork) -> tuple[int, bytes, str]:
    latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise _not_found("检查点", "checkpoint")
    return latest


def inclusion(env: Env, index: int, size: int | None = None) -> dict[str, Any]:
    """An RFC 6962 inclusion proof of leaf `index` in the tree of `size` (default: latest)."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        size = latest_size if size is None else size
        if not 0 < size <= latest_size:
            raise _bad(
                "log_size_out_of_range",
                "树大小超出已发布范围",
                "size must be between 1 and the latest checkpoint's size",
                size=size,
                latest=latest_size,
            )
        if not 0 <= index < size:
            raise _bad(
                "log_index_out_of_range",
                "叶子序号超出树大小",
                "index must be below size",
                index=index,
                size=size,
            )
        ranges = merkle.inclusion_ranges(index, size)
        reader = _PrefetchedReader(uow, [*ranges, (index, index + 1), *_root_ranges(size)])
        proof = merkle.inclusion_proof_from_reader(reader, index, size)
        root = merkle.root_from_reader(reader, size)
        leaf = reader.hash_at(0, index)
    return {"index": index, "size": size, "leaf_hash": leaf, "root_hash": root, "proof": proof}


def _root_ranges(size: int) -> list[tuple[int, int]]:
    return [(n.begin, n.end) for n in merkle.subtree_nodes(0, size)] if size else []


def consistency(env: Env, first: int, second: int | None = None) -> dict[str, Any]:
    """An RFC 6962 consistency proof between two published tree sizes."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        second = latest_size if second is None else second
        if not 0 < first <= second <= latest_size:
            raise _bad(
                "log_size_out_of_range",
                "树大小超出已发布范围",
                "need 0 < first <= second <= the latest checkpoint's size",
                first=first,
                second=second,
                latest=latest_size,
            )
        ranges = merkle.consistency_ranges(first, second) if first < second else []
        reader = _PrefetchedReader(uow, [*ranges, *_root_ranges(first), *_root_ranges(second)])
        proof = merkle.consistency_proof_from_reader(reader, first, second)
        return {
            "first": first,
            "second": second,
            "first_root": merkle.root_from_reader(reader, first),
            "second_root": merkle.root_from_reader(reader, second),
            "proof": proof,
        }


def entry(env: Env, index: int) -> dict[str, Any]:
    """One sequenced leaf: its bytes and hash."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        if not 0 <= index < latest_size:
            raise _not_found("日志条目", "log entry", index=index, size=latest_size)
        rows = uow.ledger.entries(index, index + 1)
    if not rows:
        raise LedgerCorrupt(f"no stored leaf at index {index}")
    _, event_id, leaf = rows[0]
    return {"index": index, "event_id": event_id, "leaf": leaf, "leaf_hash": merkle.leaf_hash(leaf)}


def receipt(env: Env, index: int) -> str:
    """A C2SP tlog-proof for leaf `index` against the latest checkpoint, carrying the leaf as
    its extra data (offline-verifiable with the log's key alone)."""
    with env.read() as uow:
        size, _, note = _published_size(uow)
        if not 0 <= index < size:
            raise _not_found("日志条目", "log entry", index=index, size=size)
        reader = _PrefetchedReader(uow, merkle.inclusion_ranges(index, size))
        proof = merkle.inclusion_proof_from_reader(reader, index, size)
        rows = uow.ledger.entries(index, index + 1)
    if not rows:
        raise LedgerCorrupt(f"no stored leaf at index {index}")
    # The leaf rides along as the proof's extra data, so the receipt is self-contained: the
    # verifier hashes it itself, so the inclusion proof is what authenticates it.
    return format_proof(index, proof, note, extra=rows[0][2])


def status(env: Env) -> dict[str, int]:
    """Leaf counts for monitoring: integrated, published (latest checkpoint), pending leaves."""
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        return {
            "size": uow.ledger.size(),
            "published": latest[0] if latest else 0,
            "pending": uow.ledger.pending_count(),
        }


def index_of_event(env: Env, event_id: int) -> int | None:
    with env.read() as uow:
        return uow.ledger.index_of_event(event_id)


# --- audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    index: int | None = None
    event_id: int | None = None


@dataclass
class AuditReport:
    size: int = 0
    checkpoints: int = 0
    pending: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def audit(
    env: Env,
    verifier: Verifier,
    *,
    origin: str | None = None,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> AuditReport:
    """Rebuild the tree from the stored leaves and check everything against it:

    * each leaf against its stored hash and every stored full-subtree hash;
    * each leaf against the event row it commits to (a hand-edited row is found), rebuilt at
      the leaf's own version;
    * each leaf's public part through the screening detectors (``personal_data``: an
      identifier the log published — by a leaf older than the schema, or written by hand);
    * every stored checkpoint: signature, origin, root at its size;
    * every application's state against the last event that set it;
    * every event has a leaf, and indices run without gaps.
    """
    report = AuditReport()
    with env.uow() as uow:
        size = uow.ledger.size()
        report.pending = uow.ledger.pending_count()
        edges = uow.ledger.checkpoints(upto=0) + uow.ledger.checkpoints(above=size)
    report.size = size
    verify = functools.partial(
        _audit_checkpoint, verifier=verifier, origin=origin, size=size, report=report
    )
    for cp in edges:  # the empty tree's checkpoint, and any claiming more than is stored
        verify(*cp, roots_at={0: merkle.EMPTY_ROOT})
    report.checkpoints += len(edges)
    frontier = merkle.CompactRange()
    # Streamed batch by batch (leaves and the checkpoints inside them), so memory stays flat
    # however long the log and however many checkpoints it has published.
    for start in range(0, size, batch_size):
        end = min(size, start + batch_size)
        with env.uow() as uow:
            inside = uow.ledger.checkpoints(above=start, upto=end)
        roots_at: dict[int, bytes] = {}
        _audit_batch(env, start, end, frontier, {cp[0] for cp in inside}, roots_at, report)
        for cp in inside:
            verify(*cp, roots_at=roots_at)
        report.checkpoints += len(inside)
        if progress:
            progress(end, size)
        if frontier.size != end:
            break  # a gap (reported): the tree cannot be rebuilt past it
    report.findings.extend(unlogged_changes(env))
    return report


def unlogged_changes(env: Env) -> list[Finding]:
    """Changes the log does not account for: events without a leaf, and applications whose
    state is not the one their last logged event left them in (or that left draft without
    any logged state change). Cheap enough to run after every test."""
    findings: list[Finding] = []
    with env.uow() as uow:
        after = 0
        while True:
            missing = uow.ledger.events_without_leaf(after_id=after, limit=1000)
            for ev in missing:
                findings.append(
                    Finding("event_without_leaf", "event has no leaf in the log", event_id=ev.id)
                )
            if len(missing) < 1000:
                break
            after = missing[-1].id
        # A registration starts `valid` (its approval is the application's event); every
        # later change of its state is logged on the registration.
        for subject, states, initial in (
            ("application", uow.ledger.application_states(), "draft"),
            ("registration", uow.ledger.registration_states(), "valid"),
        ):
            logged = {sid: (eid, st) for sid, eid, st in uow.ledger.latest_states(subject)}
            for sid, actual in states.items():
                event_id, state = logged.get(sid, (None, initial))
                if actual != state:
                    where = f"its last logged event ({event_id})" if event_id else "no logged event"
                    findings.append(
                        Finding(
                            "state_mismatch",
                            f"{subject} {sid} is {actual!r} in the database but {where}"
                            f" left it {state!r}",
                            index=uow.ledger.index_of_event(event_id) if event_id else None,
                            event_id=event_id,
                        )
                    )
    return findings


def _audit_batch(
    env: Env,
    start: int,
    end: int,
    frontier: merkle.CompactRange,
    want_roots: set[int],
    roots_at: dict[int, bytes],
    report: AuditReport,
) -> None:
    with env.uow() as uow:
        rows = uow.ledger.entries(start, end)
        events = uow.ledger.events([event_id for _, event_id, _ in rows])
        stored_leaves = dict(uow.ledger.level_range(0, start, end))
        computed: dict[int, list[tuple[int, bytes]]] = {}
        expected = start
        for idx, event_id, leaf in rows:
            if idx != expected:
                report.findings.append(
                    Finding("gap", f"no leaf at indices {expected}..{idx - 1}", index=expected)
                )
                return  # the tree cannot be rebuilt past a gap
            expected += 1
            lh = merkle.leaf_hash(leaf)
            if stored_leaves.get(idx) != lh:
                report.findings.append(
                    Finding(
                        "leaf_hash_mismatch",
                        "the stored leaf does not hash to the tree's leaf hash",
                        index=idx,
                        event_id=event_id,
                    )
                )
            event = events.get(event_id)
            if not _audit_leaf_against_event(idx, event_id, leaf, event, report):
                # a version-2 leaf its row rebuilds passed the detectors in the rebuild
                _audit_leaf_screening(idx, event_id, leaf, report)
            for node, h in frontier.append(stored_leaves.get(idx, lh)):
                if node.level:
                    computed.setdefault(node.level, []).append((node.index, h))
            if frontier.size in want_roots:
                roots_at[frontier.size] = frontier.root()
        if expected != end:
            report.findings.append(
                Finding("gap", f"no leaf at indices {expected}..{end - 1}", index=expected)
            )
            return
        for level, nodes in computed.items():
            stored = dict(uow.ledger.level_range(level, nodes[0][0], nodes[-1][0] + 1))
            for node_index, h in nodes:
                if stored.get(node_index) != h:
                    report.findings.append(
                        Finding(
                            "node_mismatch",
                            f"stored hash at level {level}, index {node_index} is wrong",
                            index=node_index << level,
                        )
                    )


def _audit_leaf_against_event(
    idx: int, event_id: int, leaf: bytes, event: m.Event | None, report: AuditReport
) -> bool:
    """Rebuild the leaf from its event row at the leaf's version; True when it is a
    current-version leaf that the row rebuilds exactly (so it passed the schema and the
    detectors just now)."""
    if event is None:
        report.findings.append(
            Finding("event_missing", "the leaf's event row is gone", index=idx, event_id=event_id)
        )
        return False
    version = _version_of(leaf)
    try:
        recomputed = event_leaf(event, version=version)
    except (ValueError, DomainError) as exc:
        recomputed, problem = None, str(exc)
    if recomputed == leaf:
        return version >= 2
    detail = problem if recomputed is None else _first_difference(leaf, recomputed)
    report.findings.append(
        Finding(
            "event_mismatch",
            f"event row {event_id} no longer matches its leaf: {detail}",
            index=idx,
            event_id=event_id,
        )
    )
    return False


def _version_of(leaf: bytes) -> int:
    """The version a stored leaf says it is (the current one if it cannot say). RFC 8785
    sorts the keys, so a leaf the registry wrote ends with its version."""
    for v in LEAF_VERSIONS:
        if leaf.endswith(b',"v":%d}' % v):
            return v
    try:
        doc = json.loads(leaf)
    except ValueError:
        return LEAF_VERSION
    said = doc.get("v") if isinstance(doc, dict) else None
    return said if type(said) is int and said in LEAF_VERSIONS else LEAF_VERSION


def _audit_leaf_screening(idx: int, event_id: int, leaf: bytes, report: AuditReport) -> None:
    """The screening detectors over the stored leaf's public part: a leaf written before the
    schema and the leaf-time screening (version 1), or by hand, may publish an identifier.
    The log cannot be changed; the finding tells the registry what it published."""
    hits = public_screening.hits_in_leaf(leaf)
    if hits:
        where = ", ".join(sorted({f"{h.kind} in {h.field}" for h in hits}))
        report.findings.append(
            Finding(
                "personal_data",
                f"the leaf publishes what the screening detectors find: {where}",
                index=idx,
                event_id=event_id,
            )
        )


def _first_difference(leaf: bytes, recomputed: bytes) -> str:
    try:
        a, b = json.loads(leaf), json.loads(recomputed)
    except ValueError:
        return "leaf is not JSON"
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "differs in " + ", ".join(keys) if keys else "differs in encoding"


def _audit_checkpoint(
    cp_size: int,
    root: bytes,
    note: str,
    *,
    verifier: Verifier,
    origin: str | None,
    roots_at: dict[int, bytes],
    size: int,
    report: AuditReport,
) -> None:
    try:
        checkpoint, _ = open_checkpoint(note, [verifier], origin=origin)
    except VerificationError as exc:
        report.findings.append(
            Finding("checkpoint_signature", f"checkpoint at size {cp_size}: {exc}", index=cp_size)
        )
        return
    if checkpoint.size != cp_size or checkpoint.root_hash != root:
        report.findings.append(
            Finding(
                "checkpoint_row", f"checkpoint row {cp_size} disagrees with its note", index=cp_size
            )
        )
    if cp_size > size:
        report.findings.append(
            Finding("checkpoint_ahead", f"checkpoint at {cp_size} beyond the tree", index=cp_size)
        )
    elif cp_size in roots_at and roots_at[cp_size] != checkpoint.root_hash:
        report.findings.append(
            Finding(
                "checkpoint_root",
                f"checkpoint at size {cp_size} does not match the rebuilt tree",
                index=cp_size,
            )
        )


def iter_leaves(env: Env, *, batch_size: int = 5000) -> Iterator[tuple[int, int, bytes]]:
    """Every sequenced leaf in index order."""
    with env.uow() as uow:
        size = uow.ledger.size()
    for start in range(0, size, batch_size):
        with env.uow() as uow:
            yield from uow.ledger.entries(start, min(size, start + batch_size))


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


def await_receipt(
    env: Env, keys: LogKeys, event_id: int, *, publisher_interval: float, timeout: float = 3.0
) -> tuple[int | None, str | None]:
    """The log index and receipt of an event, waiting briefly for its checkpoint.

    With a running publisher (`publisher_interval` > 0) this only waits, so checkpoints stay
    at most one per interval; without one (tests, a CLI-run integrator) it integrates itself.
    Returns (index, None) or (None, None) when the checkpoint has not come in time: the
    receipt is then available later from /api/v1/log/entries/{index}/receipt.
    """
    deadline = time.monotonic() + timeout
    while True:
        with env.uow() as uow:
            index = uow.ledger.index_of_event(event_id)
            latest = uow.ledger.latest_checkpoint()
        if index is not None and latest is not None and latest[0] > index:
            return index, receipt(env, index)
        if time.monotonic() >= deadline:
            return index, None
        if publisher_interval <= 0:
            if integrate(env, keys).skipped_lease:
                time.sleep(0.05)
            continue
        time.sleep(min(0.05, publisher_interval / 4))
