"""Uploaded files (sample data, proofs, powers of attorney): content-addressed, size-capped,
and owned: every upload is one user's, and every form names only its author's own uploads."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dataip.domain import model as m
from dataip.domain.application import blob_references
from dataip.domain.errors import DomainError
from dataip.services.blobstore import SHA256_RE as SHA256_RE
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict, UnitOfWork

# DESIGN §9: every read of private material is access-logged (who, what, role).
private_reads = logging.getLogger("dataip.private_access")


def upload(identity: Identity, *, env: Env, data: bytes, filename: str, media_type: str) -> m.Blob:
    """Store the bytes (once, by content) and record the caller's upload of them: its own name
    and time. The same bytes uploaded by another user are that user's upload, and nothing of
    it — name, time, that it exists — shows here (issue 18). Uploading one's own bytes again
    returns the first upload."""
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
        blob = uow.blobs.owned(digest, uid)
        if blob is not None:
            return blob
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
        try:
            uow.commit()
            return blob
        except ConcurrencyConflict:
            pass  # the same user sent the same bytes twice at once: the first one's record
    with env.uow() as uow:
        first = uow.blobs.owned(digest, uid)
        assert first is not None
        return first


def not_found(field: str | None = None) -> DomainError:
    """The one answer for a file the caller cannot use: not uploaded at all, or not by the
    caller — the two are indistinguishable (someone else's upload stays unseen)."""
    return DomainError(
        "blob_not_found",
        f"文件不存在或不是您上传的，请先上传{f'（{field}）' if field else ''}",
        f"no such upload of yours{f' ({field})' if field else ''}: upload the file first",
        status=422 if field else 404,
        details={"field": field} if field else None,
    )


def require_own(uow: UnitOfWork, user_id: int | None, sha256: object, *, field: str) -> str:
    """A file a form or request names (`field`): it must be the caller's own upload — as
    objection evidence always had to be. Returns the digest."""
    if (
        not isinstance(sha256, str)
        or not SHA256_RE.fullmatch(sha256)
        or uow.blobs.owned(sha256, user_id) is None
    ):
        raise not_found(field)
    return sha256


def require_own_in_form(
    uow: UnitOfWork, user_id: int | None, form: Mapping[str, Any], *, keep: Mapping[str, Any]
) -> None:
    """Every file an application form names is the caller's upload, except files already
    named by `keep` (the form as it stands: a change request keeps the registered files)."""
    kept = {sha for _, sha in blob_references(keep)}
    for field, sha in blob_references(form):
        if sha not in kept:
            require_own(uow, user_id, sha, field=field)


def download(identity: Identity, *, env: Env, sha256: str) -> tuple[m.Blob, bytes]:
    """Only the uploader or the registry reads a blob (sample data and proofs are private)."""
    uid = identity.require_login()
    if not SHA256_RE.fullmatch(sha256):
        raise not_found()
    with env.uow() as uow:
        blob = uow.blobs.owned(sha256, uid)
        if blob is None and identity.is_registry:
            blob = uow.blobs.earliest(sha256)
        if blob is None:
            raise not_found()
    private_reads.info(
        "blob read",
        extra={"user_id": uid, "role": identity.role, "blob": sha256, "at": env.now().isoformat()},
    )
    return blob, env.blobs.get(sha256)
