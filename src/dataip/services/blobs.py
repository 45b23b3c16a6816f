"""Uploaded files (sample data, proofs, powers of attorney): content-addressed, size-capped."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# DESIGN §9: every read of private material is access-logged (who, what, role).
private_reads = logging.getLogger("dataip.private_access")


class FileBlobStore:
    """Blobs on disk at `<root>/sha256/ab/cd/<digest>`; written atomically (temp + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        return self.root / "sha256" / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return digest

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


def upload(identity: Identity, *, env: Env, data: bytes, filename: str, media_type: str) -> m.Blob:
    uid = identity.require_login()
    if not data:
        raise DomainError("empty_file", "文件为空", "the file is empty", status=422)
    if len(data) > env.max_blob_bytes:
        raise DomainError(
            "file_too_large",
            f"文件超过{env.max_blob_bytes // (1024 * 1024)}MB上限",
            "the file exceeds the size limit",
            status=413,
            details={"max_bytes": env.max_blob_bytes},
        )
    # Name and type come from the client's multipart headers: keep them printable (no NUL,
    # which no database stores in text) and encodable.
    filename = "".join(ch for ch in Path(filename or "upload").name if ch >= " " and ch != "\x7f")
    filename = filename.encode("utf-8", "ignore").decode()[:255] or "upload"
    if not (media_type.isascii() and media_type.isprintable()):
        media_type = ""
    digest = env.blobs.put(data)
    with env.uow() as uow:
        blob = uow.blobs.get(digest)
        if blob is None:
            blob = uow.blobs.add(
                m.Blob(
                    sha256=digest,
                    size=len(data),
                    media_type=(media_type or "application/octet-stream")[:127],
                    filename=filename,
                    uploaded_by=uid,
                    created_at=env.now(),
                )
            )
            uow.commit()
        return blob


def download(identity: Identity, *, env: Env, sha256: str) -> tuple[m.Blob, bytes]:
    """Only the uploader or the registry reads a blob (sample data and proofs are private)."""
    uid = identity.require_login()
    if not SHA256_RE.fullmatch(sha256):
        raise DomainError("blob_not_found", "文件不存在", "file not found", status=404)
    with env.uow() as uow:
        blob = uow.blobs.get(sha256)
        if blob is None or (blob.uploaded_by != uid and not identity.is_registry):
            raise DomainError("blob_not_found", "文件不存在", "file not found", status=404)
    private_reads.info(
        "blob read",
        extra={"user_id": uid, "role": identity.role, "blob": sha256, "at": env.now().isoformat()},
    )
    return blob, env.blobs.get(sha256)
