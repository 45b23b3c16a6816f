"""The object-store port: key → bytes, and how a store says it cannot serve a key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from dataip.domain.errors import DomainError

# A key is a relative path of safe segments: no empty segment, no `.` or `..`, no
# backslash, nothing a file system or an object store would read differently.
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
MAX_KEY = 512


class ObjectMissing(KeyError):
    """No object under this key."""


class ObjectConflict(Exception):
    """An immutable key already holds other bytes (write with `replace=True` to replace)."""


class ObjectCorrupted(Exception):
    """The store holds bytes under this key that are not the bytes written (a hash check
    failed): the store never serves them."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(key, detail)
        self.key = key
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.key}: corrupted{f' ({self.detail})' if self.detail else ''}"


class BlobUnavailable(DomainError):
    """What a caller of the registry sees when a stored file cannot be read intact: a
    problem with a stable code, never bytes that fail their hash, never a 500."""

    def __init__(self, digest: str) -> None:
        super().__init__(
            "blob_unavailable",
            "文件暂时无法读取（存储校验未通过），登记机构已记录，请稍后再试或联系登记机构",
            "the file cannot be read intact from storage; the registry has logged it",
            status=503,
            details={"sha256": digest},
        )


def check_key(key: str) -> str:
    """The key, if it is a safe relative path; ValueError otherwise."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY:
        raise ValueError(f"invalid object key: {key!r}")
    if not all(_SEGMENT.fullmatch(s) for s in key.split("/")):
        raise ValueError(f"invalid object key: {key!r}")
    return key


class ObjectStore(Protocol):
    """Key → bytes. Every adapter passes `tests/integration/test_i25_blob_store.py`."""

    def put(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        """Store `data` under `key`, atomically (a reader sees the old bytes or the new ones,
        never a part). Without `replace` the object is immutable: the same bytes again are a
        no-op, other bytes raise ObjectConflict. Returns True when it wrote."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under `key`; ObjectMissing if none, ObjectCorrupted when the store can
        tell they are not what was written."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object (no error when there is none)."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with `prefix`, in ascending order."""
        ...

    def describe(self) -> str:
        """Where the store is, for messages (no secrets)."""
        ...
