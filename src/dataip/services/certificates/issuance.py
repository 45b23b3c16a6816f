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


def attach_proofs(env: Env, *, limit: int = 200) -> int:
    """Sign again, with the tlog-proof of their issuance leaf added, the certificates whose
    leaf a published checkpoint now covers (the integrator runs this after each round).
    Returns how many got their proof. Idempotent; a certificate whose leaf is not yet
    covered waits for the next round."""
    keys: CertificateKeys = env.certificate_keys
    if keys.log is None:
        return 0
    with env.read() as uow:
        pending = uow.certificates.without_proof(limit)
        found = [(c, _issuance_index(uow, c)) for c in pending]
        size = (uow.ledger.latest_checkpoint() or (0,))[0]
    done = 0
    for cert, index in found:
        if index is None or index >= size:
            continue
        receipt = ledger.receipt(env, index)
        with env.uow() as uow:
            row = uow.certificates.get(cert.id)
            if row is None or row.log_index is not None:
                continue
            credential = vc.peek(row.token)[1]
            credential[tlog.CLAIM] = tlog.claim(receipt, origin=keys.log.name, index=index)
            key = _signing_key(keys, row.kid)
            row.token = vc.sign(credential, key)
            row.kid = key.kid
            row.sha256 = hashlib.sha256(row.token.encode("ascii")).hexdigest()
            if row.cosigned is not None:
                row.cosigned = _cosign(keys, row.token)
            row.log_index = index
            uow.commit()
        done += 1
    return done


def _issuance_index(uow: UnitOfWork, cert: m.Certificate) -> int | None:
    """The log index of the certificate's issuance leaf, if it has one yet (only leaves that
    commit to the content can carry a proof: certificates issued before that have none)."""
    for event in uow.events.for_subject("certificate", cert.registration_id):
        public = event.public
        if (
            event.type == tlog.LEAF_TYPE
            and public.get("certificate_version") == cert.version
            and "credential_sha256" in public
        ):
            index = uow.ledger.index_of_event(event.id)
            return int(index) if index is not None else None
    return None
