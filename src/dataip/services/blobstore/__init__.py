"""Blob storage (issue 25 §2): one port, several stores.

Two levels, so that everything the registry keeps as bytes can share one store:

- `ObjectStore` — the port the adapters implement: generic **key → bytes** (put, get,
  exists, delete, keys). A key is a slash-separated path (`sha256/ab/cd/<digest>`,
  `log/tile/0/x001/234`); an object is immutable unless written with `replace=True`.
- `ContentStore` — content-addressed blobs on any object store: `put(data)` returns the
  SHA-256 digest, and `get(digest)` hands back bytes only if they hash to it. Uploads
  (sample data, proofs, evidence, powers of attorney) live here, under `sha256/`.

Adapters: `LocalFolderStore` (the embedded default, a folder on this machine) and the
database store in `dataip.db.blobstore` (the registry's own database, or another one: on
PostgreSQL every server process and machine shares it). `bootstrap.open_blob_store` picks
one from `DATAIP_BLOB_STORE`; `transfer` copies and verifies between any two.
"""

from __future__ import annotations

from dataip.services.blobstore import transfer
from dataip.services.blobstore.content import SHA256_RE, ContentStore, content_key, digest_of
from dataip.services.blobstore.local import LocalFolderStore
from dataip.services.blobstore.port import (
    BlobUnavailable,
    ObjectConflict,
    ObjectCorrupted,
    ObjectMissing,
    ObjectStore,
    check_key,
)

__all__ = [
    "SHA256_RE",
    "BlobUnavailable",
    "ContentStore",
    "LocalFolderStore",
    "ObjectConflict",
    "ObjectCorrupted",
    "ObjectMissing",
    "ObjectStore",
    "check_key",
    "content_key",
    "digest_of",
    "transfer",
]
