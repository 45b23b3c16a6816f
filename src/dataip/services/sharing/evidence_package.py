"""The evidence package (证据包) of a registration (issue 20 §7): its record (and, for a caller
who may read it, its archive), every certificate version as issued, each event's leaf with an
inclusion proof, and the signed checkpoint they are proven against — one JSON document a
court verifies offline (`sharing.evidence_package.verify_package`, `dataip verify-package`).

Who gets what: anyone the public package (the record as the public sees it, the leaves, the
certificates — all public already); the holders and the registry's staff, and an institution
holding ``registrations:read-full`` with a stated purpose, the full package with the archive
(G§25). Every full package is a read of private material and is access-logged with the
purpose.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.ledger import merkle
from dataip.services import after_registration as actions
from dataip.services import registrations
from dataip.services.after_registration.preservation import freeze_dict
from dataip.services.announcements import public_holder
from dataip.services.context import ANONYMOUS, Env, Identity
from dataip.services.ledger.tree import LedgerCorrupt, _PrefetchedReader
from dataip.services.ports import UnitOfWork
from dataip.services.sharing import reads
from dataip.services.sharing.preservation import Caller, acting_identity
from dataip.sharing.evidence_package import FORMAT, VERSION
from dataip.sharing.scopes import REGISTRATIONS_READ_FULL, Principal

MAX_PURPOSE = 200


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bad(code: str, zh: str, en: str, status: int = 422) -> DomainError:
    return DomainError(code, zh, en, status=status)


def _purpose(purpose: str | None, *, required: bool) -> str | None:
    text = (purpose or "").strip()
    if not text:
        if required:
            raise _bad(
                "purpose_required",
                "读取完整登记信息须说明用途（法院为案号，银行为贷款编号）",
                "a full read needs a purpose (a case number for a court, a loan reference "
                "for a bank)",
            )
        return None
    if len(text) > MAX_PURPOSE:
        raise _bad(
            "text_too_long", f"用途不得超过{MAX_PURPOSE}字", f"purpose: at most {MAX_PURPOSE}"
        )
    return text


def _record(uow: UnitOfWork, env: Env, reg: m.Registration, *, full: bool) -> dict[str, Any]:
    """The registration's record as the API shows it (public, or in full)."""
    today = env.today()
    return {
        "registration_number": reg.registration_number,
        "certificate_number": reg.certificate_number,
        "certificate_version": reg.certificate_version,
        "name": reg.name,
        "industry_code": reg.industry_code,
        "registration_date": reg.registration_date.isoformat(),
        "announcement_date": reg.announcement_date.isoformat(),
        "valid_from": reg.valid_from.isoformat(),
        "valid_until": reg.valid_until.isoformat(),
        "state": reg.state,
        "ended_on": reg.ended_on.isoformat() if reg.ended_on else None,
        "holders": [dict(h) if full else public_holder(h) for h in reg.holders],
        "filings": [
            registrations.filing_dict(f, full=full, today=today)
            for f in uow.filings.for_registration(reg.id)
        ],
        "freezes": [
            freeze_dict(f, full=full, today=env.today())
            for f in uow.freezes.for_registration(reg.id)
        ],
        "announcements": [
            registrations.announcement_dict(a) for a in uow.announcements.for_registration(reg.id)
        ],
    }


def _proven_events(uow: UnitOfWork, reg: m.Registration) -> dict[str, Any]:
    """Each event of the registration (its application, itself, its certificates) with its
    leaf and an inclusion proof against the latest checkpoint; those it does not cover yet
    are listed as unproven."""
    latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise DomainError(
            "log_not_found", "检查点不存在", "the log has no checkpoint yet", status=404
        )
    size, _, note = latest
    events = sorted(
        [
            *uow.events.for_subject("application", reg.application_id),
            *uow.events.for_subject("registration", reg.id),
            *uow.events.for_subject("certificate", reg.id),
        ],
        key=lambda e: e.id,
    )
    indices = uow.ledger.indices_of_events([e.id for e in events])
    covered = {e.id: indices[e.id] for e in events if indices.get(e.id, size) < size}
    ranges = [r for i in covered.values() for r in merkle.inclusion_ranges(i, size)]
    reader = _PrefetchedReader(uow, ranges)
    proven, unproven = [], []
    for e in events:
        index = covered.get(e.id)
        if index is None:
            unproven.append({"event_id": e.id, "type": e.type})
            continue
        rows = uow.ledger.entries(index, index + 1)
        if not rows or rows[0][1] != e.id:
            raise LedgerCorrupt(f"no stored leaf of event {e.id} at index {index}")
        proof = merkle.inclusion_proof_from_reader(reader, index, size)
        proven.append(
            {
                "index": index,
                "event_id": e.id,
                "type": e.type,
                "subject": e.subject_type,
                "at": e.occurred_at.isoformat(),
                "public": e.public,
                "leaf": _b64(rows[0][2]),
                "proof": [_b64(h) for h in proof],
            }
        )
    return {"checkpoint": note, "events": proven, "unproven": unproven}


def _institutional_archive(
    principal: Principal, *, env: Env, number: str, purpose: str, accounted: bool
) -> dict[str, Any]:
    """The archive for an institution's full package, its read accounted for: a court's
    purpose must be its case number, and the read joins the chained account the holder sees
    (services/sharing/reads, issue 20 §3) — once per package, also when it is built again."""
    if accounted:
        return registrations.archive(ANONYMOUS, env=env, number=number, institutional=True)
    return reads.archive(
        principal, env=env, number=number, purpose=purpose, resource="evidence_package"
    )


def build(
    caller: Caller,
    *,
    env: Env,
    number: str,
    full: bool = False,
    purpose: str | None = None,
    before_proofs: Callable[[], None] | None = None,
    _again: bool = True,
) -> dict[str, Any]:
    """The evidence package of registration `number` (by registration or certificate number).

    ``full``: with the archive and private fields — the holders and the registry's staff
    (401 / 403 as for the archive), or an institution with ``registrations:read-full`` and
    a purpose (422 `purpose_required`).

    ``before_proofs`` runs once the request is known to succeed (caller, purpose and
    registration checked, the read accounted) and before the proofs are read: the one-process
    server covers the latest events with a checkpoint there, so a refused request publishes
    nothing.
    """
    keys = env.certificate_keys
    if keys is None or keys.log is None:
        raise DomainError(
            "log_key_missing", "未配置透明日志密钥", "no log key is configured", status=503
        )
    archive: dict[str, Any] | None = None
    stated = None
    if full and isinstance(caller, Principal):
        acting_identity(caller, REGISTRATIONS_READ_FULL)  # 403 without the scope
        stated = _purpose(purpose, required=True)
        archive = _institutional_archive(
            caller, env=env, number=number, purpose=stated or "", accounted=not _again
        )
    elif full and isinstance(caller, Identity):
        stated = _purpose(purpose, required=False)
        archive = registrations.archive(caller, env=env, number=number)  # 401 / 403, logged
    if before_proofs is not None:
        if archive is None:
            with env.read() as uow:
                if uow.registrations.by_number(number) is None:
                    raise actions.not_found()
        before_proofs()
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise actions.not_found()
        proven = _proven_events(uow, reg)
        certificates = [
            {
                "version": c.version,
                "kid": c.kid,
                "issued_at": c.issued_at.isoformat(),
                "token": c.token,
                "cosigned": c.cosigned,
            }
            for c in uow.certificates.for_registration(reg.id)
        ]
        record = _record(uow, env, reg, full=full)
    if _again and archive is not None and archive["events"] != _archive_events(archive, proven):
        # the archive was read a moment before the proofs and an event came between: once more
        return build(
            caller,
            env=env,
            number=number,
            full=full,
            purpose=purpose,
            before_proofs=before_proofs,
            _again=False,
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": env.now().isoformat(),
        "scope": "full" if full else "public",
        "purpose": {"text": stated} if stated else None,
        "registry": {
            "issuer_id": keys.issuer_id,
            "name": keys.issuer_name,
            "code": env.profile.registry_code,
        },
        "log": {"origin": keys.log.name, "vkey": keys.log.to_text()},
        "issuer_jwks": {"keys": [k.public_jwk() for k in keys.own.values()]},
        "checkpoint": proven["checkpoint"],
        "registration": record,
        "archive": archive,
        "events": proven["events"],
        "unproven": proven["unproven"],
        "certificates": certificates,
    }


def _archive_events(archive: dict[str, Any], proven: dict[str, Any]) -> list[dict[str, Any]]:
    """The archive's events, if they are exactly the package's (else a sentinel that differs)."""
    listed = {(e["id"], e["type"]) for e in archive["events"]}
    packaged = {(e["event_id"], e["type"]) for e in [*proven["events"], *proven["unproven"]]}
    return list(archive["events"]) if listed == packaged else []
