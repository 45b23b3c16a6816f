"""Copying every object from one store to another and verifying what a store holds
(`dataip blobs copy`, `dataip blobs verify`; issue 25 §2).

Every object read is checked: a content key's bytes must hash to its digest, and a store
that records a hash (the database) checks its own. A copy is resumable: an object already
in the target, intact and equal to the source's, is skipped; a corrupted one is written
again; one with other intact bytes is reported (objects are immutable). Nothing corrupted is
ever copied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dataip.services.blobstore.content import verified
from dataip.services.blobstore.port import (
    ObjectConflict,
    ObjectCorrupted,
    ObjectMissing,
    ObjectStore,
)


@dataclass
class Outcome:
    """What a copy or a verification did, object by object."""

    checked: int = 0
    copied: int = 0
    skipped: int = 0  # already in the target, intact and equal
    repaired: int = 0  # in the target but corrupted: written again from the source
    problems: list[tuple[str, str]] = field(default_factory=list)  # (key, what is wrong)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "copied": self.copied,
            "skipped": self.skipped,
            "repaired": self.repaired,
            "problems": [{"key": k, "problem": p} for k, p in self.problems],
            "ok": self.ok,
        }


def read_checked(store: ObjectStore, key: str) -> bytes:
    """The object's bytes, checked (ObjectCorrupted, ObjectMissing otherwise)."""
    return verified(key, store.get(key))


def verify(
    store: ObjectStore, *, prefix: str = "", progress: Callable[[str], None] | None = None
) -> Outcome:
    """Read every object back and check it."""
    out = Outcome()
    for key in store.keys(prefix):
        out.checked += 1
        try:
            read_checked(store, key)
        except ObjectCorrupted as e:
            out.problems.append((key, e.detail or "corrupted"))
        except ObjectMissing:
            out.problems.append((key, "listed but unreadable"))
        if progress is not None:
            progress(key)
    return out


def copy(
    source: ObjectStore,
    target: ObjectStore,
    *,
    prefix: str = "",
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Copy every object of `source` under `prefix` into `target`, verifying each in both."""
    out = Outcome()
    for key in source.keys(prefix):
        out.checked += 1
        try:
            data = read_checked(source, key)
        except (ObjectCorrupted, ObjectMissing) as e:
            detail = e.detail if isinstance(e, ObjectCorrupted) else "listed but unreadable"
            out.problems.append((key, f"source: {detail or 'corrupted'}"))
            continue
        try:
            _copy_one(target, key, data, out)
        except (ObjectCorrupted, ObjectConflict, ObjectMissing) as e:
            out.problems.append((key, f"target: {type(e).__name__}"))
        if progress is not None:
            progress(key)
    return out


def _copy_one(target: ObjectStore, key: str, data: bytes, out: Outcome) -> None:
    if target.exists(key):
        try:
            held = read_checked(target, key)
        except ObjectCorrupted:
            target.put(key, data, replace=True)  # corrupted in the target: written again
            out.repaired += 1
        else:
            if held != data:  # an immutable object with other bytes: not ours to overwrite
                raise ObjectConflict(key)
            out.skipped += 1
            return
    else:
        target.put(key, data)
        out.copied += 1
    if read_checked(target, key) != data:  # read back what was written
        raise ObjectCorrupted(key, "read back differs")
