"""The embedded default: objects as files under one folder (`<root>/<key>`)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dataip.services.blobstore.port import ObjectConflict, ObjectMissing, check_key

_TMP = ".tmp-"  # not a valid key segment: half-written files are never listed


class LocalFolderStore:
    """Objects on this machine's disk, each at `<root>/<key>` (so a folder of log tiles is
    what a static web server serves as it is). Written to a temporary file, synced, then linked
    into place (create-if-absent is atomic: two writers of one immutable key cannot both
    win) or renamed over the old file (`replace=True`)."""

    def __init__(self, root: Path, *, file_mode: int = 0o600) -> None:
        self.root = Path(root)
        # uploads are private (0600, the server's user alone); objects a static web server
        # serves from the folder (log tiles) are written with 0o644
        self.file_mode = file_mode

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        path = self._path(key)
        if not replace and path.exists():
            return self._same(key, path, data)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP)
        try:
            os.fchmod(fd, self.file_mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if replace:
                os.replace(tmp, path)
                return True
            try:
                os.link(tmp, path)
            except FileExistsError:
                return self._same(key, path, data)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    @staticmethod
    def _same(key: str, path: Path, data: bytes) -> bool:
        if path.read_bytes() != data:
            raise ObjectConflict(key)
        return False

    def get(self, key: str) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            raise ObjectMissing(key) from e
        return data

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Start at the deepest folder the prefix names; list in key order (a folder sorts
        # as its name + "/", as its keys do).
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root / folder if folder else self.root
        for key in self._walk(start, f"{folder}/" if folder else ""):
            if key.startswith(prefix):
                yield key

    def _walk(self, folder: Path, at: str) -> Iterator[str]:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        named = sorted(((e.name + "/" if e.is_dir() else e.name), e) for e in entries)
        for name, entry in named:
            if entry.is_dir():
                yield from self._walk(Path(entry.path), at + name)
            elif not name.startswith(_TMP):
                try:
                    yield check_key(at + name)
                except ValueError:
                    continue  # not an object this store wrote

    def describe(self) -> str:
        return f"local:{self.root}"
