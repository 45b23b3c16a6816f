"""Evidence deposits (存证): a data set's fingerprint root in, an evidence number and a
receipt (C2SP tlog-proof) out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from dataip.services import evidence as svc
from dataip.services import ledger
from dataip.web.api.application_schemas import _Strict
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["evidence"])

Number = Annotated[str, Path(pattern=r"^[A-Za-z]{2}[0-9]{4,18}$", max_length=24)]


class DepositIn(_Strict):
    root: str = Field(
        max_length=80, description="data-set root from `dataip fingerprint` (hex, or sha256:/sm3:)"
    )
    hash: str = Field(default="sha256", pattern=r"^(sha256|sm3)$")
    manifest: dict[str, Any] | None = Field(
        default=None, description="the manifest itself (file names, sizes, digests; no data)"
    )
    title: str | None = Field(default=None, max_length=200)


class DepositRead(BaseModel):
    number: str
    hash: str
    root: str
    deposited_at: datetime
    files: int | None
    bytes: int | None
    title: str | None = None
    manifest: dict[str, Any] | None = None
    log_index: int | None = Field(description="the deposit's leaf in the transparency log")
    receipt: str | None = Field(
        description="C2SP tlog-proof (leaf as extra data); null until the next checkpoint"
    )


def _read(dep: Any, *, own: bool, index: int | None, receipt: str | None) -> DepositRead:
    return DepositRead(
        number=dep.number,
        hash=dep.hash,
        root=dep.root,
        deposited_at=dep.deposited_at,
        files=dep.files,
        bytes=dep.bytes,
        title=dep.title if own else None,
        manifest=dep.manifest if own else None,
        log_index=index,
        receipt=receipt,
    )


def _receipt(
    request: Request, env: Any, event_id: int | None, wait: float
) -> tuple[int | None, str | None]:
    if event_id is None:
        return None, None
    registry = request.app.state.registry
    return ledger.await_receipt(
        env,
        registry.log_keys,
        event_id,
        publisher_interval=registry.settings.log_interval_seconds,
        timeout=wait,
    )


@router.post("/evidence", response_model=DepositRead, status_code=201)
def deposit(body: DepositIn, request: Request, env: EnvDep, identity: IdentityDep) -> DepositRead:
    """Deposit a data set's root. Waits up to ~3 s for the checkpoint so the answer usually
    carries the receipt; otherwise fetch it with GET /evidence/{number}."""
    dep = svc.deposit(
        identity, env=env, root=body.root, hash_name=body.hash, manifest=body.manifest,
        title=body.title,
    )  # fmt: skip
    index, receipt = _receipt(request, env, dep.event_id, wait=3.0)
    return _read(dep, own=True, index=index, receipt=receipt)


@router.get("/evidence", response_model=list[DepositRead])
def mine(env: EnvDep, identity: IdentityDep) -> list[DepositRead]:
    """The caller's deposits, newest first (receipts: ask for each deposit)."""
    return [_read(d, own=True, index=None, receipt=None) for d in svc.mine(identity, env=env)]


@router.get("/evidence/{number}", response_model=DepositRead)
def get(number: Number, request: Request, env: EnvDep, identity: IdentityDep) -> DepositRead:
    """A deposit, public: number, root, time and a fresh receipt. The depositor also sees the
    title and manifest."""
    dep, own = svc.get(identity, env=env, number=number)
    index, receipt = _receipt(request, env, dep.event_id, wait=0.0)
    return _read(dep, own=own, index=index, receipt=receipt)
