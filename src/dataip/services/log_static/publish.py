"""The integrator's static writer: after each round, the tiles, entry bundles and the
checkpoint it signed are copied to a :class:`~.store.StaticStore` (issue 25 §3).

What is written, in this order, so that a reader who fetched the checkpoint finds every
tile it needs:

1. every hash tile and entry bundle that is new or wider since the static copy's checkpoint
   (``tiles.tiles_changed``): full tiles once, and the partial tiles (``.p/<W>``) at the
   width of the checkpoint being published — the spec requires a log to serve the partial
   tiles of the checkpoints it produced;
2. the log's verifier key (``key``), when it differs;
3. the checkpoint;
4. then the partial widths of the tiles that became full are deleted, as the spec allows
   (clients fall back to the full tile), so they do not pile up.

Every tile is immutable: one that is already there with the same bytes is left alone (not
even rewritten), and one that is there with *different* bytes is never overwritten —
:class:`StaticConflict` is raised and logged as an error (the static copy was edited, or a
restored database disagrees with what was published: an operator must look). The same holds
for a static checkpoint ahead of the log's (publishing an older one would roll the log back
in the eyes of every client) and for one whose root is not this log's root at its size (the
database diverged from what was published: restored from an older backup).

One publisher at a time (a database lease, like the integrator's), so processes on several
machines writing one shared store never interleave an older checkpoint after a newer one.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dataip.ledger import merkle, tiles
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.errors import FormatError
from dataip.services.context import Env
from dataip.services.ledger.proofs import _root_ranges, tile_bytes
from dataip.services.ledger.tree import _PrefetchedReader
from dataip.services.log_static.store import StaticConflict, StaticStore

LEASE = "ledger-static-publisher"
LEASE_SECONDS = 60.0
CHECKPOINT = "checkpoint"
KEY = "key"
_CHUNK = 64  # tiles read in one transaction
_RENEW_EVERY = 4 * _CHUNK  # files written between lease renewals
_log = logging.getLogger("dataip.ledger")


@dataclass
class PublishReport:
    size_before: int = 0
    size_after: int = 0
    written: int = 0
    unchanged: int = 0
    skipped_lease: bool = False


def static_checkpoint(store: StaticStore) -> Checkpoint | None:
    """The checkpoint in the static copy, parsed (its signature is not checked here: it is
    only compared with the log's own tree), or None when none or unreadable."""
    note = store.read(CHECKPOINT)
    if note is None:
        return None
    try:
        return Checkpoint.parse(note.decode("utf-8").partition("\n\n")[0] + "\n")
    except (FormatError, UnicodeDecodeError):
        return None


def static_size(store: StaticStore) -> int:
    """The tree size of the checkpoint in the static copy (0 when none): `/metrics`'
    ``dataip_log_leaves{kind="static"}``."""
    checkpoint = static_checkpoint(store)
    return checkpoint.size if checkpoint else 0


def publish(
    env: Env,
    store: StaticStore,
    *,
    key_text: str | None = None,
    everything: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PublishReport:
    """Bring the static copy up to the latest checkpoint. With ``everything`` (the backfill,
    ``dataip log export-static``) every tile of the tree is written or compared, whatever the
    static checkpoint says. Raises :class:`StaticConflict` on a tile or checkpoint that
    differs from the log's."""
    report = PublishReport()
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
    if latest is None:
        return report
    size, _, note = latest
    if store.read(CHECKPOINT) == note.encode() and not everything:
        report.size_before = report.size_after = size
        return report  # idle: one file read (a signature is deterministic: same tree, same note)
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(report)}"
    if not _take_lease(env, holder):
        report.skipped_lease = True
        return report
    try:
        _publish(env, store, holder, size, note, key_text, everything, report, progress)
    finally:
        with env.uow() as uow:
            uow.release_lease(LEASE, holder)
            uow.commit()
    return report


def _take_lease(env: Env, holder: str) -> bool:
    now = datetime.now(UTC)  # real time, as the integrator's lease (a killed process's lapses)
    with env.uow() as uow:
        taken = bool(uow.try_lease(LEASE, holder, now, now + timedelta(seconds=LEASE_SECONDS)))
        uow.commit()
    return taken


def _publish(
    env: Env,
    store: StaticStore,
    holder: str,
    size: int,
    note: str,
    key_text: str | None,
    everything: bool,
    report: PublishReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    there = static_checkpoint(store)  # read under the lease
    before = there.size if there else 0
    report.size_before = before
    if before > size:
        _refuse(
            store,
            CHECKPOINT,
            f"the static checkpoint is at size {before}, ahead of the log's {size}: a "
            "database restored from an older backup? Publishing would roll the log back",
        )
    if there is not None and before:
        with env.read() as uow:
            root = merkle.root_from_reader(_PrefetchedReader(uow, _root_ranges(before)), before)
        if root != there.root_hash:
            _refuse(
                store,
                CHECKPOINT,
                f"the static checkpoint at size {before} has a root this log does not have at "
                "that size: the database diverged from what was published (restored from an "
                "older backup, or another log's copy?)",
            )
    start = 0 if everything else before
    changed = tiles.tiles_changed(start, size)
    todo = [t for tile in changed for t in ([tile, tile.bundle()] if tile.level == 0 else [tile])]
    for first in range(0, len(todo), _CHUNK):
        chunk = todo[first : first + _CHUNK]
        with env.read() as uow:  # one read transaction per chunk of tiles
            contents = [tile_bytes(uow, tile) for tile in chunk]
        for tile, data in zip(chunk, contents, strict=True):
            _write_once(store, tile.path, data, report)
        done = first + len(chunk)
        if done % _RENEW_EVERY == 0 and not _take_lease(env, holder):
            raise StaticConflict("the static publisher's lease passed to another process")
        if progress:
            progress(done, len(todo))
    if key_text is not None and store.read(KEY) != key_text.encode() + b"\n":
        store.write(KEY, key_text.encode() + b"\n")
    if store.read(CHECKPOINT) != note.encode():
        store.write(CHECKPOINT, note.encode())
        report.written += 1
    report.size_after = size
    # The partial widths of a tile that is now full are no longer needed by the latest
    # checkpoint: the spec lets a log delete them (a client of an older checkpoint falls
    # back to the full tile), and a checkpoint a second would otherwise leave a few files a
    # second behind, forever (Tessera's POSIX layout collects them the same way).
    for tile in todo:
        if tile.is_full:
            store.remove_partials(tile.path + ".p")


def _write_once(store: StaticStore, path: str, data: bytes, report: PublishReport) -> None:
    """Write an immutable resource unless it is there; refuse if it is there and differs."""
    there = store.read(path)
    if there is None:
        store.write(path, data)
        report.written += 1
    elif there == data:
        report.unchanged += 1
    else:
        _refuse(
            store,
            path,
            f"{path} differs from the log's ({len(there)} bytes there, {len(data)} in the "
            "log); a published tile is immutable and is not overwritten",
        )


def _refuse(store: StaticStore, path: str, message: str) -> None:
    _log.error("static log copy at %s refused: %s", store.location, message)
    raise StaticConflict(f"{store.location}: {message}")
