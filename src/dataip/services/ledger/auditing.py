"""The audit (日志审计, ``dataip log audit``): the log checked against itself and against the
registry's records — the monitoring of the registration archive (R22/G§25; DESIGN §4).

It rebuilds the tree from the stored leaves, checks every stored hash and checkpoint, each
leaf against the event row it commits to (at the leaf's own version), each leaf's public part
through the screening detectors, each application's and registration's state against its
last logged event, and that no event lacks a leaf.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.ledger import merkle
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.errors import VerificationError
from dataip.ledger.note import Verifier
from dataip.services import public_screening
from dataip.services.context import Env
from dataip.services.ledger.leaves import LEAF_VERSION, LEAF_VERSIONS, event_leaf


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
