"""The transparency log over HTTP.

* ``/log/…`` is the C2SP tlog-tiles read path (checkpoint, hash tiles, entry bundles) plus the
  verifier key, exactly as any standard client expects: plain bytes, no JSON, cache headers
  that let a CDN serve full tiles forever.
* ``/api/v1/log/…`` is the convenience JSON API: proofs, decoded entries and receipts.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from dataip.domain.errors import DomainError
from dataip.services import ledger as svc
from dataip.services.federation import push as push_svc
from dataip.web.deps import EnvDep

MAX_INDEX = 2**63 - 1

public_router = APIRouter(prefix="/log", tags=["log (C2SP tlog-tiles)"])
router = APIRouter(prefix="/log", tags=["log"])

IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=3600"
CHECKPOINT = "public, max-age=1, must-revalidate"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@public_router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(env: EnvDep) -> Response:
    """The latest signed checkpoint (C2SP tlog-checkpoint)."""
    _, note = svc.checkpoint_note(env)
    return PlainTextResponse(note, headers={"Cache-Control": CHECKPOINT})


@public_router.get("/cosigned-checkpoint", response_class=PlainTextResponse)
def cosigned_checkpoint(env: EnvDep) -> Response:
    """The newest checkpoint that peers' witnesses cosigned, with the log's signature and
    their cosignatures (C2SP tlog-cosignature lines); it may lag `/log/checkpoint`, which is
    published before any witness has seen it. 404 before the first cosignature."""
    note = push_svc.cosigned_checkpoint(env)
    if note is None:
        raise DomainError(
            "cosigned_checkpoint_not_found",
            "尚无见证方副署的检查点",
            "no witness has cosigned a checkpoint of this log yet",
            status=404,
        )
    return PlainTextResponse(note, headers={"Cache-Control": CHECKPOINT})


@public_router.get("/key", response_class=PlainTextResponse)
def key(request: Request) -> Response:
    """The log's verifier key (C2SP signed-note `name+keyid+base64`)."""
    keys: svc.LogKeys = request.app.state.registry.log_keys
    return PlainTextResponse(keys.verifier_text + "\n", headers={"Cache-Control": PARTIAL})


@public_router.get("/tile/{path:path}")
def tile(path: str, env: EnvDep) -> Response:
    """A hash tile `<L>/<N>[.p/<W>]` or entry bundle `entries/<N>[.p/<W>]` (C2SP tlog-tiles)."""
    data, full = svc.tile(env, path)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Cache-Control": IMMUTABLE if full else PARTIAL},
    )


class InclusionProof(BaseModel):
    index: int
    size: int
    leaf_hash: str = Field(description="base64 RFC 6962 leaf hash")
    root_hash: str = Field(description="base64 root hash of the tree of `size`")
    proof: list[str] = Field(description="base64 hashes, the leaf's sibling first")


class ConsistencyProof(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class LogEntry(BaseModel):
    index: int
    event_id: int
    leaf_hash: str
    leaf_base64: str = Field(description="the exact leaf bytes (RFC 8785 JSON)")
    leaf: dict[str, Any] = Field(description="the leaf decoded")


Index = Annotated[int, Query(ge=0, le=MAX_INDEX)]
Size = Annotated[int, Query(ge=1, le=MAX_INDEX)]


@router.get("/proofs/inclusion", response_model=InclusionProof)
def inclusion(env: EnvDep, index: Index, size: Size | None = None) -> InclusionProof:
    """RFC 6962 inclusion proof of leaf `index` in the published tree of `size` (default:
    the latest checkpoint)."""
    p = svc.inclusion(env, index, size)
    return InclusionProof(
        index=p["index"],
        size=p["size"],
        leaf_hash=_b64(p["leaf_hash"]),
        root_hash=_b64(p["root_hash"]),
        proof=[_b64(h) for h in p["proof"]],
    )


@router.get("/proofs/consistency", response_model=ConsistencyProof)
def consistency(env: EnvDep, first: Size, second: Size | None = None) -> ConsistencyProof:
    """RFC 6962 consistency proof between two published tree sizes (default second: latest)."""
    p = svc.consistency(env, first, second)
    return ConsistencyProof(
        first=p["first"],
        second=p["second"],
        first_root=_b64(p["first_root"]),
        second_root=_b64(p["second_root"]),
        proof=[_b64(h) for h in p["proof"]],
    )


@router.get("/entries/{index}", response_model=LogEntry)
def entry(env: EnvDep, index: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> LogEntry:
    """One leaf of the log, decoded."""
    e = svc.entry(env, index)
    return LogEntry(
        index=e["index"],
        event_id=e["event_id"],
        leaf_hash=_b64(e["leaf_hash"]),
        leaf_base64=_b64(e["leaf"]),
        leaf=json.loads(e["leaf"]),
    )


@router.get("/entries/{index}/receipt", response_class=PlainTextResponse)
def receipt(env: EnvDep, index: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> Response:
    """A C2SP tlog-proof receipt for the leaf against the latest checkpoint: verify it offline
    with `dataip log verify-receipt` and the key at /log/key."""
    return PlainTextResponse(svc.receipt(env, index))
