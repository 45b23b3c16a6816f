"""Content-addressed blobs on any object store: the key is the SHA-256 of the bytes, and a
read hands back only bytes that hash to it."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator

from dataip.services.blobstore.port import (
    BlobUnavailable,
    ObjectCorrupted,
    ObjectMissing,
    ObjectStore,
)

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
PREFIX = "sha256/"
log = logging.getLogger("dataip.blobstore")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(digest: str) -> str:
    """`sha256/ab/cd/<digest>`: the layout the local folder has always had."""
    if not SHA256_RE.fullmatch(digest):
        raise ValueError(f"not a SHA-256 digest: {digest!r}")
    return f"{PREFIX}{digest[:2]}/{digest[2:4]}/{digest}"


def digest_of_key(key: str) -> str | None:
    """The digest a content key names (None for any other key)."""
    if not key.startswith(PREFIX):
        return None
    digest = key.rsplit("/", 1)[-1]
    return digest if SHA256_RE.fullmatch(digest) and content_key(digest) == key else None


def verified(key: str, data: bytes) -> bytes:
    """The bytes, if a content key's digest matches them; ObjectCorrupted otherwise."""
    digest = digest_of_key(key)
    if digest is not None and digest_of(data) != digest:
        raise ObjectCorrupted(key, "SHA-256 mismatch")
    return data


class ContentStore:
    """The registry's uploads (`Env.blobs`): put bytes, get them back by digest."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        key = content_key(digest)
        if not self.objects.exists(key):
            self.objects.put(key, data)
        return digest

    def get(self, sha256: str) -> bytes:
        """The bytes that hash to `sha256`. Bytes that do not (a flipped bit on disk, a
        truncated object) are never served: BlobUnavailable, and an error in the log.
        A digest with no stored bytes: KeyError (ObjectMissing), as before."""
        key = content_key(sha256)
        try:
            return verified(key, self.objects.get(key))
        except ObjectCorrupted as e:
            log.error("blob corrupted in store", extra={"blob": sha256, "store": self.describe()})
            raise BlobUnavailable(sha256) from e
        except ObjectMissing:
            raise
        except FileNotFoundError as e:
            raise ObjectMissing(key) from e

    def exists(self, sha256: str) -> bool:
        return self.objects.exists(content_key(sha256))

    def delete(self, sha256: str) -> None:
        self.objects.delete(content_key(sha256))

    def digests(self) -> Iterator[str]:
        for key in self.objects.keys(PREFIX):
            digest = digest_of_key(key)
            if digest is not None:
                yield digest

    def describe(self) -> str:
        return self.objects.describe()
