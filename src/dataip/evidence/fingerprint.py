"""Fingerprint a file or folder into a manifest (DESIGN §5): the data never leaves its holder.

Manifest (JSON)::

    {"format": "dataip-manifest", "version": 1, "hash": "sha256", "root": <hex>,
     "files": [{"path": "a/b.csv", "size": 123, "sha256": <hex>, "chunk_root": <hex>,
                "row_root": <hex>, "rows": 10}, ...]}

* ``files`` are sorted by ``path`` (relative, ``/``-separated, compared as UTF-8 bytes so the
  order is the same on every machine);
* ``<hash>`` (``sha256`` or ``sm3``) is the whole file's digest — what ``sha256sum`` or
  ``openssl dgst -sm3`` print;
* ``chunk_root`` is the RFC 6962 root over the file's 1 MiB chunks (empty file: H(""));
* ``row_root`` / ``rows`` (CSV, TSV, JSON Lines only) is the root over canonical rows
  (``evidence.rows``), which lets a holder prove later that sample rows come from this file;
* ``root`` is the RFC 6962 root over the files' leaves, each leaf the RFC 8785 JSON of the
  file's entry. Everything uses the manifest's hash.

Hashing streams each file once: the whole-file digest runs in the file's worker while the
chunk leaves are hashed by a second pool, so the two hashes of every byte overlap across
cores (``hashlib`` releases the GIL on large updates). A file whose size or modification time
changes while it is read is an error, as are symlinks and unreadable files: never a silently
wrong root. A run can be resumed: finished files are appended to a ``.partial`` journal and
reused when their size and modification time are unchanged.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataip.evidence import rows as rowlib
from dataip.evidence.hashing import Hasher, hasher
from dataip.ledger.canonical import canonicalize

CHUNK_SIZE = 1 << 20
FORMAT = "dataip-manifest"
VERSION = 1


class FingerprintError(Exception):
    """Input that cannot be fingerprinted honestly; the message says which file and why."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    digest: str
    chunk_root: str
    row_root: str | None = None
    rows: int | None = None

    def to_dict(self, hash_name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            hash_name: self.digest,
            "chunk_root": self.chunk_root,
        }
        if self.row_root is not None:
            out["row_root"] = self.row_root
            out["rows"] = self.rows
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any], hash_name: str) -> FileEntry:
        try:
            entry = cls(
                path=str(raw["path"]),
                size=int(raw["size"]),
                digest=str(raw[hash_name]),
                chunk_root=str(raw["chunk_root"]),
                row_root=None if raw.get("row_root") is None else str(raw["row_root"]),
                rows=None if raw.get("rows") is None else int(raw["rows"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FingerprintError(f"malformed file entry: {exc}") from None
        for name in ("digest", "chunk_root", "row_root"):
            value = getattr(entry, name)
            if value is not None and not _is_hex32(value):
                raise FingerprintError(f"{entry.path}: {name} is not a 32-byte hex digest")
        return entry

    def leaf(self, hash_name: str) -> bytes:
        """The bytes this file contributes to the data-set root (RFC 8785 JSON)."""
        return canonicalize(self.to_dict(hash_name))


def _is_hex32(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True)
class Manifest:
    hash: str
    root: str
    files: tuple[FileEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "hash": self.hash,
            "root": self.root,
            "files": [f.to_dict(self.hash) for f in self.files],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        """Parse and check a manifest: its root must be the root of its own files."""
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise FingerprintError(f"manifest is not JSON: {exc}") from None
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: Any) -> Manifest:
        """Check a decoded manifest (e.g. from a JSON request body); see :meth:`from_json`."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise FingerprintError(f'not a manifest (no "format": "{FORMAT}")')
        if raw.get("version") != VERSION:
            raise FingerprintError(f"manifest version {raw.get('version')!r} is not {VERSION}")
        name = raw.get("hash")
        if name not in ("sha256", "sm3"):
            raise FingerprintError(f"manifest hash {name!r} is not sha256 or sm3")
        files = raw.get("files")
        if not isinstance(files, list) or not files:
            raise FingerprintError("manifest lists no files")
        entries = tuple(FileEntry.from_dict(f, name) for f in files)
        manifest = cls(name, str(raw.get("root")), entries)
        if [f.path for f in entries] != sorted_paths([f.path for f in entries]):
            raise FingerprintError("manifest files are not sorted by path")
        if manifest_root(name, entries) != manifest.root:
            raise FingerprintError("manifest root does not match its files")
        return manifest

    def file(self, path: str) -> tuple[int, FileEntry]:
        for i, entry in enumerate(self.files):
            if entry.path == path:
                return i, entry
        raise FingerprintError(f"{path!r} is not in the manifest")


def sorted_paths(paths: Sequence[str]) -> list[str]:
    return sorted(paths, key=lambda p: p.encode("utf-8"))


def manifest_root(hash_name: str, files: Sequence[FileEntry]) -> str:
    h = hasher(hash_name)
    return h.root(h.leaf(f.leaf(hash_name)) for f in files).hex()


# --- walking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    path: str  # relative, "/"-separated
    full: Path
    size: int
    mtime_ns: int


def _collect(root: Path) -> list[_Source]:
    try:
        st = root.lstat()
    except OSError as exc:
        raise FingerprintError(f"{root}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise FingerprintError(f"{root} is a symbolic link; give its target instead")
    if stat.S_ISREG(st.st_mode):
        if st.st_size == 0:
            raise FingerprintError(f"{root} is empty (0 bytes): there is nothing to evidence")
        return [_Source(root.name, root, st.st_size, st.st_mtime_ns)]
    if not stat.S_ISDIR(st.st_mode):
        raise FingerprintError(f"{root} is neither a regular file nor a folder")
    found: list[_Source] = []
    problems: list[str] = []

    def walk_error(exc: OSError) -> None:
        problems.append(f"{exc.filename}: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=walk_error):
        base = Path(dirpath)
        for name in list(dirnames):
            if (base / name).is_symlink():
                problems.append(f"{base / name}: symbolic link to a folder (not followed)")
                dirnames.remove(name)
        for name in filenames:
            full = base / name
            try:
                fst = full.lstat()
            except OSError as exc:
                problems.append(f"{full}: {exc.strerror or exc}")
                continue
            rel = full.relative_to(root).as_posix()
            if stat.S_ISLNK(fst.st_mode):
                problems.append(f"{full}: symbolic link (not followed; copy the target in)")
            elif not stat.S_ISREG(fst.st_mode):
                problems.append(f"{full}: not a regular file")
            elif not os.access(full, os.R_OK):
                problems.append(f"{full}: not readable")
            else:
                found.append(_Source(rel, full, fst.st_size, fst.st_mtime_ns))
    if problems:
        listed = "\n  ".join(problems[:20]) + ("\n  …" if len(problems) > 20 else "")
        raise FingerprintError(f"{len(problems)} file(s) cannot be fingerprinted:\n  {listed}")
    if not found:
        raise FingerprintError(f"{root} holds no files")
    order = {p: i for i, p in enumerate(sorted_paths([s.path for s in found]))}
    return sorted(found, key=lambda s: order[s.path])


# --- hashing ----------------------------------------------------------------------------------


@dataclass
class Progress:
    """Byte counts for a progress bar; `advance` is called from worker threads."""

    total: int
    done: int = 0
    callback: Callable[[int, int], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, n: int) -> None:
        with self._lock:
            self.done += n
            if self.callback:
                self.callback(self.done, self.total)


def _hash_file(
    src: _Source, h: Hasher, chunk_pool: ThreadPoolExecutor | None, progress: Progress
) -> FileEntry:
    """Whole-file digest here; chunk leaves in `chunk_pool` (overlapping the two hashes of
    every byte across cores), or here too when there is no pool (small files, where the
    hand-off costs more than it saves and other files keep the cores busy)."""
    whole = h.new()
    leaves: list[Future[bytes] | bytes] = []
    in_flight = threading.BoundedSemaphore(8)
    read = 0
    try:
        with src.full.open("rb") as f:  # buffered: read(n) is short only at the end
            before = os.fstat(f.fileno())
            while chunk := f.read(CHUNK_SIZE):
                read += len(chunk)
                if chunk_pool is None:
                    leaves.append(h.leaf(chunk))
                else:
                    in_flight.acquire()
                    fut = chunk_pool.submit(h.leaf, chunk)
                    fut.add_done_callback(lambda _: in_flight.release())
                    leaves.append(fut)
                whole.update(chunk)
                progress.advance(len(chunk))
            after = os.fstat(f.fileno())
    except OSError as exc:
        raise FingerprintError(f"{src.full}: {exc.strerror or exc}") from None
    changed = (
        read != before.st_size
        or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns)
        or (before.st_size, before.st_mtime_ns) != (src.size, src.mtime_ns)
    )
    if changed:
        raise FingerprintError(
            f"{src.full} changed while it was being fingerprinted (size or modification time);"
            " fingerprint a copy that nobody writes to"
        )
    chunk_root = h.root(x if isinstance(x, bytes) else x.result() for x in leaves)
    row_root, count = None, None
    fmt = rowlib.row_format(src.path)
    if fmt is not None:
        try:
            row_root, count = rows_root(src.full, fmt, h)
        except rowlib.RowError as exc:
            raise FingerprintError(f"{src.full}: {exc}") from None
        if os.stat(src.full).st_mtime_ns != src.mtime_ns:
            raise FingerprintError(f"{src.full} changed while its rows were being read")
    return FileEntry(src.path, src.size, whole.digest().hex(), chunk_root.hex(), row_root, count)


def rows_root(path: Path, fmt: str, h: Hasher) -> tuple[str, int]:
    """The row root (hex) and row count of a CSV/TSV/JSONL file; raises rows.RowError."""
    frontier = h.frontier()
    push, leaf = frontier.push, h.leaf
    for row in rowlib.iter_rows(path, fmt):
        push(leaf(row))
    return (frontier.root() if frontier.size else h.empty_root).hex(), frontier.size


class _Journal:
    """Finished files of an interrupted run (JSON lines), reused when unchanged."""

    def __init__(self, path: Path | None, hash_name: str) -> None:
        self.path = path
        self.hash_name = hash_name
        self.done: dict[str, tuple[int, int, FileEntry]] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            for line in path.read_text("utf-8").splitlines():
                try:
                    raw = json.loads(line)
                    if raw.get("hash") != hash_name:
                        continue
                    entry = FileEntry.from_dict(raw["entry"], hash_name)
                    self.done[entry.path] = (int(raw["size"]), int(raw["mtime_ns"]), entry)
                except (ValueError, KeyError, TypeError, FingerprintError):
                    continue  # a torn last line from the interruption: hash that file again

    def reuse(self, src: _Source) -> FileEntry | None:
        hit = self.done.get(src.path)
        if hit and hit[0] == src.size and hit[1] == src.mtime_ns:
            return hit[2]
        return None

    def record(self, src: _Source, entry: FileEntry) -> None:
        if self.path is None:
            return
        line = json.dumps(
            {
                "hash": self.hash_name,
                "size": src.size,
                "mtime_ns": src.mtime_ns,
                "entry": entry.to_dict(self.hash_name),
            },
            ensure_ascii=False,
        )
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


@dataclass
class Report:
    manifest: Manifest
    reused: int = 0
    bytes_hashed: int = 0


def fingerprint(
    path: Path,
    *,
    hash_name: str = "sha256",
    workers: int | None = None,
    journal: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Fingerprint `path` (a file or a folder). Raises :class:`FingerprintError`."""
    h = hasher(hash_name)
    sources = _collect(path)
    workers = max(1, workers or os.cpu_count() or 1)
    log = _Journal(journal, hash_name)
    todo = [s for s in sources if log.reuse(s) is None]
    progress = Progress(sum(s.size for s in todo), callback=on_progress)
    entries: dict[str, FileEntry] = {}
    for s in sources:
        reused = log.reuse(s)
        if reused is not None:
            entries[s.path] = reused
    with (
        ThreadPoolExecutor(workers, thread_name_prefix="fp-file") as files,
        ThreadPoolExecutor(workers, thread_name_prefix="fp-chunk") as chunks,
    ):

        def one(src: _Source) -> FileEntry:
            small = workers > 1 and src.size <= CHUNK_SIZE
            entry = _hash_file(src, h, None if small else chunks, progress)
            log.record(src, entry)
            return entry

        for src, entry in zip(todo, files.map(one, todo), strict=True):
            entries[src.path] = entry
    ordered = tuple(entries[s.path] for s in sources)
    manifest = Manifest(hash_name, manifest_root(hash_name, ordered), ordered)
    return Report(manifest, reused=len(sources) - len(todo), bytes_hashed=progress.done)


def iter_file_leaves(manifest: Manifest) -> Iterator[bytes]:
    h = hasher(manifest.hash)
    for entry in manifest.files:
        yield h.leaf(entry.leaf(manifest.hash))
