"""What the registry decides on when it examines a request after registration (issue 19 §4):
for a change, each changed item as registered and as requested (the form patched as the
decision would patch it) and the reason; for a transfer, the parties on both sides (names,
credit codes, shares, who has confirmed), the basis and the instrument; for a revocation or
cancellation, who asks, the grounds and the evidence; for a re-examination, the decision
contested and the reasons. Files are described by name, size and screening result
(`files.describe`).

Holders and the registry only (the same visibility as the request's contents on the
registration's page); anyone else gets nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from dataip.domain import model as m
from dataip.domain.after_registration import OPEN_REQUEST_STATES, merge_patch
from dataip.services import after_registration as actions
from dataip.services import files
from dataip.services.context import Env, Identity
from dataip.services.files import FileInfo
from dataip.services.ports import UnitOfWork


@dataclass
class RequestFacts:
    id: int
    kind: str
    state: str
    filed_at: datetime
    reason: str | None = None  # the requester's reason or statement
    requester: dict[str, Any] | None = None  # a requester's party (None: the holder)
    changed: list[str] = field(default_factory=list)  # the form's items a change patches
    old_form: dict[str, Any] = field(default_factory=dict)
    new_form: dict[str, Any] = field(default_factory=dict)
    renames: list[dict[str, Any]] = field(default_factory=list)  # holder: old and new name
    transferors: list[dict[str, Any]] = field(default_factory=list)
    transferees: list[dict[str, Any]] = field(default_factory=list)
    basis: str | None = None
    instrument: FileInfo | None = None
    evidence: list[FileInfo] = field(default_factory=list)
    contested: dict[str, Any] | None = None  # a re-examination's revocation decision
    files: dict[str, FileInfo] = field(default_factory=dict)  # the changed form's files


def _party(p: m.Party | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"party_id": p.id, "name": p.name, "kind": p.kind, "id_number": p.id_number}


def _facts(
    uow: UnitOfWork, reg: m.Registration, r: m.RegistrationRequest, viewer: Identity
) -> RequestFacts:
    p = r.payload or {}
    # whose upload names a file: the registry reads every upload (the requester's name for
    # the file first); a holder sees the names of its own uploads only
    registry = viewer.is_registry
    owner = r.requester_user_id if registry else viewer.user_id
    out = RequestFacts(id=r.id, kind=r.kind, state=r.state, filed_at=r.filed_at)
    out.reason = p.get("reason") or p.get("statement") or None
    if r.requester_party_id is not None:
        out.requester = _party(uow.parties.get(r.requester_party_id))
    if r.kind == "change":
        current = uow.registration_versions.latest(reg.id)
        old = dict(current.form) if current is not None else {}
        changes = p.get("changes") or {}
        out.old_form = old
        out.new_form = cast(dict[str, Any], merge_patch(old, changes))
        out.changed = list(changes)
        names = {h.get("party_id"): h for h in reg.holders}
        out.renames = [
            {
                "old": (names.get(s.get("party_id")) or {}).get("name"),
                "new": s.get("name"),
                "credit_code": (names.get(s.get("party_id")) or {}).get("credit_code"),
            }
            for s in p.get("subject") or []
        ]
        shas = [
            sha
            for form in (old, out.new_form)
            for key in ("sample_blobs", "source_proof_blobs")
            for sha in form.get(key) or []
        ]
        samples = [*(old.get("sample_blobs") or []), *(out.new_form.get("sample_blobs") or [])]
        # the registered files are the applicant's uploads, the new ones the requester's
        out.files = {
            **files.describe(uow, shas, owner=None, samples=samples, registry=registry),
            **files.describe(uow, shas, owner=owner, samples=samples),
        }
    elif r.kind == "transfer":
        out.transferors = [dict(h) for h in reg.holders]
        confirmed = set((p.get("confirmations") or {}).keys())
        by_id = {x.id: x for x in uow.parties.many([t["party_id"] for t in p["transferees"]])}
        out.transferees = [
            {
                **(_party(by_id.get(t["party_id"])) or {}),
                "share_bp": t.get("share_bp"),
                "confirmed": str(t["party_id"]) in confirmed or r.state != "awaiting_consent",
            }
            for t in p.get("transferees") or []
        ]
        out.basis = p.get("basis")
    elif r.kind == "re_examination" and r.related_request_id is not None:
        decision = uow.requests.get(r.related_request_id)
        if decision is not None:
            out.contested = {
                "kind": decision.kind,
                "outcome": decision.outcome,
                "reason": decision.decision_reason,
                "decided_at": decision.decided_at,
                "ex_officio": bool((decision.payload or {}).get("ex_officio")),
                "grounds": (decision.payload or {}).get("grounds") or [],
            }
    if p.get("instrument"):
        info = files.describe(uow, [p["instrument"]], owner=owner, registry=registry)
        out.instrument = info.get(p["instrument"])
    if p.get("evidence_blobs"):
        info = files.describe(uow, p["evidence_blobs"], owner=owner, registry=registry)
        out.evidence = [info[s] for s in p["evidence_blobs"] if s in info]
    return out


def open_requests(identity: Identity, *, env: Env, number: str) -> list[RequestFacts]:
    """The registration's requests still open (awaiting consent or the registry's decision),
    oldest first, with what deciding them needs; nothing for a caller who is neither a holder
    nor the registry."""
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise actions.not_found()
        who = actions.caller(uow, env, identity, reg)
        if not who.actors & {"holder", "registry"}:
            return []
        reqs = [
            r
            for r in uow.requests.for_registration(reg.id, open_only=True)
            if r.state in OPEN_REQUEST_STATES
        ]
        return [
            _facts(uow, reg, r, identity) for r in sorted(reqs, key=lambda r: (r.filed_at, r.id))
        ]
