"""The log's static face in a blob store (issue 25 §3: "the integrator can also write them to
the blob store"): each resource is a named object under a prefix (``log/checkpoint``,
``log/tile/0/x001/234``) of any :class:`~dataip.services.blobstore.ObjectStore` — the
registry's database, a database of its own, or a folder.

The store's own rules carry the log's: tiles, partial tiles and entry bundles are written
immutable (``replace=False``: the same bytes again are a no-op, other bytes are refused,
:class:`StaticConflict`, exactly as the folder's publisher refuses them), the checkpoint and
the key with ``replace=True``. The database store keeps each object's SHA-256 and checks it
on every read: an object whose bytes no longer match (a lost or altered chunk) is never
handed back as the log's — :class:`StaticConflict` again, naming it.
"""

from __future__ import annotations

import logging

from dataip.services.blobstore import ObjectConflict, ObjectCorrupted, ObjectMissing, ObjectStore
from dataip.services.log_static.store import StaticConflict, check_partials, check_path

PREFIX = "log/"
_MUTABLE = frozenset({"checkpoint", "key"})  # replaced each round; everything else immutable
_log = logging.getLogger("dataip.ledger")


class BlobStaticStore:
    """A :class:`~.store.StaticStore` over an object store, under ``prefix`` (``log/``)."""

    def __init__(self, objects: ObjectStore, prefix: str = PREFIX) -> None:
        if prefix and not prefix.endswith("/"):
            raise ValueError(f"a prefix ends with '/': {prefix!r}")
        self.objects = objects
        self.prefix = prefix

    @property
    def location(self) -> str:
        return f"{self.objects.describe()} ({self.prefix or '/'})"

    def key(self, path: str) -> str:
        return self.prefix + check_path(path)

    def write(self, path: str, data: bytes) -> None:
        key = self.key(path)
        try:
            self.objects.put(key, data, replace=path in _MUTABLE)
        except ObjectConflict:
            message = f"{path} is already there with other bytes; a tile is not overwritten"
            _log.error("static log copy at %s refused: %s", self.location, message)
            raise StaticConflict(f"{self.location}: {message}") from None

    def read(self, path: str) -> bytes | None:
        key = self.key(path)
        try:
            return self.objects.get(key)
        except ObjectMissing:
            return None
        except ObjectCorrupted as exc:
            message = f"{path} is corrupted in the store ({exc.detail or 'hash check failed'})"
            _log.error("static log copy at %s: %s", self.location, message)
            raise StaticConflict(f"{self.location}: {message}") from None

    def remove_partials(self, path: str) -> None:
        for key in list(self.objects.keys(self.prefix + check_partials(path) + "/")):
            self.objects.delete(key)
