"""Uploads: sample data, proof documents, powers of attorney (size-capped, private)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, UploadFile
from pydantic import BaseModel

from dataip.domain import model as m
from dataip.services import blobs
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["files"])


class BlobRead(BaseModel):
    sha256: str
    size: int
    media_type: str
    filename: str
    created_at: datetime

    @classmethod
    def of(cls, b: m.Blob) -> BlobRead:
        return cls(
            sha256=b.sha256,
            size=b.size,
            media_type=b.media_type,
            filename=b.filename,
            created_at=b.created_at,
        )


@router.post("/blobs", status_code=201, response_model=BlobRead)
async def upload(file: UploadFile, env: EnvDep, identity: IdentityDep) -> BlobRead:
    identity.require_login()
    data = await file.read(env.max_blob_bytes + 1)
    b = blobs.upload(
        identity,
        env=env,
        data=data,
        filename=file.filename or "upload",
        media_type=file.content_type or "application/octet-stream",
    )
    return BlobRead.of(b)


@router.get(
    "/blobs/{sha256}",
    response_class=Response,
    responses={
        200: {
            "content": {"*/*": {}},
            "description": "the file as uploaded, with the media type it was uploaded as",
        }
    },
)
def download(sha256: str, env: EnvDep, identity: IdentityDep) -> Response:
    b, data = blobs.download(identity, env=env, sha256=sha256)
    return Response(
        data,
        media_type=b.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{b.sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
