"""Issuing certificates: one signed VC-JWT per certificate version, in the transaction that
makes the version, logged; signed again with its log proof once a checkpoint covers it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from dataip.certs import status_list, tlog, vc
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.registers import CERTIFICATE_TYPES
from dataip.domain.registration import current_term
from dataip.services import ledger
from dataip.services.certificates.keys import CertificateKeys, _signing_key
from dataip.services.certificates.reads import status_list_url
from dataip.services.context import Env
from dataip.services.one_window.links import reference, sibling_registration
from dataip.services.ports import UnitOfWork
from dataip.services.recording import record_event


def _evidence(form: Mapping[str, Any]) -> dict[str, Any]:
    ev = form.get("evidence") or {}
    out = {
        "platform": ev.get("platform"),
        "certificateNumber": ev.get("certificate_number") or ev.get("deposit_number"),
        "hash": ev.get("hash_value"),
        "evidencedOn": ev.get("evidenced_on"),
    }
    return {k: v for k, v in out.items() if v}


def _holders(reg: m.Registration) -> list[dict[str, Any]]:
    out = []
    for h in reg.holders:
        item: dict[str, Any] = {"name": h.get("name"), "kind": h.get("kind")}
        if h.get("credit_code"):
            item["creditCode"] = h["credit_code"]
        item["shareBasisPoints"] = h.get("share_bp", 10_000)
        if h.get("rights_bounds"):
            item["rightsBounds"] = h["rights_bounds"]
        out.append(item)
    return out


def issue(uow: UnitOfWork, env: Env, reg: m.Registration, form: Mapping[str, Any]) -> m.Certificate:
    """Sign the registration's current certificate version and log its issuance."""
    keys: CertificateKeys = env.certificate_keys
    now = env.now()
    industry = None
    if reg.industry_code:
        row = uow.industries.get(reg.industry_code)
        industry = {"code": reg.industry_code, "name": row.name if row else None}
        industry["standard"] = "GB/T 4754-2017"
    versions = uow.registration_versions.for_registration(reg.id)
    term = current_term(
        reg.valid_from, ((v.reason, v.valid_until) for v in versions), reg.valid_until
    )
    index = uow.next_value("certificate-status-index") - 1  # 0-based, never reused
    list_no, _ = status_list.locate(index)
    profile = env.profile_for(reg.register)
    credential = vc.credential(
        issuer_id=keys.issuer_id,
        issuer_name=keys.issuer_name,
        registry_code=profile.registry_code,
        record_url=f"{keys.issuer_id}/api/v1/registrations/{reg.registration_number}",
        registration_number=reg.registration_number,
        certificate_number=reg.certificate_number,
        certificate_version=reg.certificate_version,
        name=reg.name,
        industry=industry,
        holders=_holders(reg),
        evidence=_evidence(form),
        registration_date=reg.registration_date,
        valid_from=reg.valid_from,
        valid_until=reg.valid_until,
        issued_at=now,
        term_start=term.start,  # R16: a renewed certificate states its term's start
        renewals=term.renewals,
        status=None,
        subject_extra=_register_claims(uow, env, reg, form),
        extra={
            "credentialStatus": [
                status_list.entry(status_list_url(keys.issuer_id, list_no), index),
                {
                    "id": f"{keys.issuer_id}/api/v1/certificates/{reg.certificate_number}/status"
                    f"?version={reg.certificate_version}",
                    "type": "DataIPCertificateStatus",
                },
            ]
        },
    )
    subject = credential["credentialSubject"]
    token = vc.sign(credential, keys.active)
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    cosigned = _cosign(keys, token) if profile.sm2_cosign else None
    cert = uow.certificates.add(
        m.Certificate(
            registration_id=reg.id,
            version=reg.certificate_version,
            kid=keys.active.kid,
            token=token,
            sha256=digest,
            issued_at=now,
            status_index=index,
            cosigned=cosigned,
        )
    )
    record_event(
        uow,
        subject_type="certificate",
        subject_id=reg.id,
        type="CertificateIssued",
        at=now,
        actor_user_id=None,
        public={
            "registration_number": reg.registration_number,
            "certificate_number": reg.certificate_number,
            "certificate_version": reg.certificate_version,
            "kid": keys.active.kid,
            # the content, not the token: the token is signed again with the log proof of
            # this very leaf once it is integrated (attach_proofs; certs.tlog)
            "credential_sha256": tlog.content_digest(credential),
            "sm2_kid": keys.sm2.kid if cosigned and keys.sm2 else None,
            **_register_facts(reg, subject),
        },
    )
    return cert


def _register_claims(
    uow: UnitOfWork, env: Env, reg: m.Registration, form: Mapping[str, Any]
) -> dict[str, Any]:
    """Issue 24 §1–§2: a data property certificate's type, the right(s) it registers and the
    body that registers them; for a one-window filing, the sibling registration's numbers once
    it is registered too."""
    out: dict[str, Any] = {}
    if reg.register != "data_ip":
        profile = env.profile_for(reg.register)
        out["type"] = CERTIFICATE_TYPES[reg.register][0]
        out["register"] = reg.register
        out["rights"] = list((form.get("property") or {}).get("rights") or [])
        out["registeringBody"] = {
            "name": profile.registry_name_zh,
            "code": profile.registry_code,
            "decidedBy": profile.authority,
        }
    sib = sibling_registration(uow, reg)
    if sib is not None:
        out["sibling"] = reference(sib)
    return out


def _register_facts(reg: m.Registration, subject: Mapping[str, Any]) -> dict[str, Any]:
    """The log's part of `_register_claims`: codes and numbers only."""
    out: dict[str, Any] = {}
    if reg.register != "data_ip":
        out["register"] = reg.register
    if subject.get("sibling"):
        out["sibling_certificate_number"] = subject["sibling"]["certificateNumber"]
    return out


def _cosign(keys: CertificateKeys, token: str) -> str:
    if keys.sm2 is None:
        raise DomainError(
            "sm2_key_missing", "未配置 SM2 签名密钥", "no SM2 key to co-sign with", status=500
        )
    return json.dumps(vc.cosign(token, keys.sm2), separators=(",", ":"))


def attach_proofs(env: Env, *, limit: int = 200, ids: tuple[int, int] | None = None) -> int:
    """Sign again, with the tlog-proof of their issuance leaf added, the certificates whose
    leaf a published checkpoint now covers (the integrator runs this after each round; a bulk
    load, over `ids`, lo <= id < hi). Returns how many got their proof. Idempotent; a
    certificate whose leaf is not yet covered waits for the next round.

    In batches: one read for the batch's issuance leaves and one for their proofs, one
    transaction for the new tokens. One certificate at a time cost about 5 ms of CPU each, and
    a registry catching up (after an outage or an import) spent a server's core on it."""
    keys: CertificateKeys = env.certificate_keys
    if keys.log is None:
        return 0
    with env.read() as uow:
        pending = uow.certificates.without_proof(limit, ids=ids)
        found = _issuance_indices(uow, pending)
    if not found:
        return 0
    receipts = ledger.receipts(env, found.values())
    ready = {cert_id: index for cert_id, index in found.items() if index in receipts}
    if not ready:
        return 0
    done = 0
    with env.uow() as uow:
        for row in uow.certificates.with_ids(list(ready)):
            if row.log_index is not None:  # another process's round was first
                continue
            index = ready[row.id]
            credential = vc.peek(row.token)[1]
            credential[tlog.CLAIM] = tlog.claim(receipts[index], origin=keys.log.name, index=index)
            key = _signing_key(keys, row.kid)
            row.token = vc.sign(credential, key)
            row.kid = key.kid
            row.sha256 = hashlib.sha256(row.token.encode("ascii")).hexdigest()
            if row.cosigned is not None:
                row.cosigned = _cosign(keys, row.token)
            row.log_index = index
            done += 1
        uow.commit()
    return done


def _issuance_indices(uow: UnitOfWork, certs: list[m.Certificate]) -> dict[int, int]:
    """Certificate id → the log index of its issuance leaf, for those whose leaf is
    sequenced (only leaves that commit to the content can carry a proof: certificates issued
    before that have none)."""
    if not certs:
        return {}
    wanted = {(c.registration_id, c.version): c.id for c in certs}
    events = uow.events.of_type(
        "certificate", sorted({c.registration_id for c in certs}), tlog.LEAF_TYPE
    )
    leaf_of: dict[int, int] = {}  # event id → certificate id, the first leaf of each
    for event in events:
        key = (event.subject_id, event.public.get("certificate_version"))
        if key in wanted and "credential_sha256" in event.public:
            leaf_of[event.id] = wanted.pop(key)
    indices = uow.ledger.indices_of_events(list(leaf_of))
    return {leaf_of[event_id]: index for event_id, index in indices.items()}
