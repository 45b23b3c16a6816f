"""Where the log's static face is written: a tiny port (``write`` and ``read`` of a path under
the log prefix, ``remove_partials`` of a full tile's partial widths) and its folder adapter.

Paths are exactly the tlog-tiles URL paths under ``/log/`` (``checkpoint``, ``key``,
``tile/0/x001/234``, ``tile/entries/000.p/17``), so a static web server or a CDN in front of
the folder serves ``/log/...`` byte for byte as the application does. Another store (the blob
store port, object storage) only has to map a path to a named object and keep these three
operations (``remove_partials``: delete the objects under that prefix).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

# checkpoint, key, or a tile path: lower-case letters, digits, "x", "/", ".p/"
_SAFE = re.compile(r"(?:checkpoint|key|tile(?:/[0-9a-z]+)+(?:\.p/[0-9]{1,3})?)")
_PARTIALS = re.compile(r"tile(?:/[0-9a-z]+)+\.p")  # the folder of one tile's partial widths


class StaticConflict(Exception):
    """The static copy holds something the log never published: refused, nothing overwritten."""


class StaticStore(Protocol):
    """A place the integrator writes the log's resources to, and the audit reads them from."""

    def write(self, path: str, data: bytes) -> None:
        """Store ``data`` at ``path``, atomically: a reader sees the old bytes or the new,
        never a part. The publisher never rewrites a tile with other bytes; a store that
        keeps tiles immutable itself (the blob store) raises :class:`StaticConflict` if
        asked to."""
        ...

    def read(self, path: str) -> bytes | None:
        """The bytes at ``path``, or None when there is nothing. A store that can tell the
        bytes are not those written (a hash it keeps) raises :class:`StaticConflict`."""
        ...

    def remove_partials(self, path: str) -> None:
        """Delete every partial width of one tile (``tile/0/000.p``: the ``.p/<W>`` files);
        nothing there is fine."""
        ...

    @property
    def location(self) -> str:
        """Where it is, for messages (a folder, a bucket and prefix)."""
        ...


def check_partials(path: str) -> str:
    if not _PARTIALS.fullmatch(path) or "//" in path:
        raise ValueError(f"not a partial-tile folder: {path[:80]!r}")
    return path


def check_path(path: str) -> str:
    """Only the log's own resource names: never ``..``, an absolute path or anything else."""
    if not _SAFE.fullmatch(path) or "//" in path:
        raise ValueError(f"not a log resource path: {path[:80]!r}")
    return path


class FolderStore:
    """The log's resources as files under ``root`` (the POSIX layout: file paths are the URL
    paths). Each write goes to a temporary file in the same directory, is flushed to disk and
    renamed into place, so a web server never serves half a tile. Files are world-readable
    (0644) so that a web server running as another user can serve them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def location(self) -> str:
        return str(self.root)

    def _file(self, path: str) -> Path:
        return self.root / check_path(path)

    def write(self, path: str, data: bytes) -> None:
        target = self._file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, path: str) -> bytes | None:
        try:
            return self._file(path).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def remove_partials(self, path: str) -> None:
        folder = self.root / check_partials(path)
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in names:
            (folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # a writer may be putting a file there right now
            folder.rmdir()
