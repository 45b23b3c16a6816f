"""Certificates (登记证书, G§17, R13, R24): one signed VC-JWT per certificate version, issued
in the transaction that makes the version (approval, change, renewal, transfer) and logged;
their current status; verification against this registry's keys and the issuers it trusts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from dataip.certs import pdf as pdf_render
from dataip.certs import sm2, status_list, vc
from dataip.certs.keys import IssuerKey, jwks, keys_from_jwks
from dataip.certs.sm2 import Sm2Key
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork
from dataip.services.recording import record_event

# What a certificate's status says (the W3C status list will carry the same).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "valid": ("有效", "valid"),
    "superseded": ("已被新版本取代", "superseded by a newer version"),
    "under_re_examination": ("复审中", "under re-examination"),
    "cancelled": ("已注销", "cancelled"),
    "abandoned": ("已放弃", "abandoned"),
    "revoked": ("已撤销", "revoked"),
}


@dataclass
class CertificateKeys:
    """This registry's issuer identity and keys, and the other registries it trusts."""

    issuer_id: str
    issuer_name: str
    active: IssuerKey
    own: dict[str, IssuerKey]
    trusted: dict[str, tuple[str, IssuerKey]] = field(default_factory=dict)
    sm2: Sm2Key | None = None  # the active SM2 key, for co-signatures
    sm2_own: dict[str, Sm2Key] = field(default_factory=dict)
    sm2_trusted: dict[str, tuple[str, Sm2Key]] = field(default_factory=dict)

    def jwks(self) -> dict[str, Any]:
        doc = jwks(self.own.values())
        doc["keys"] += [k.public_jwk() for k in self.sm2_own.values()]
        return doc

    def verifiers(self) -> tuple[dict[str, IssuerKey], dict[str, str]]:
        keys = {kid: k for kid, k in self.own.items()}
        issuers = {kid: self.issuer_id for kid in self.own}
        for kid, (issuer, key) in self.trusted.items():
            keys[kid], issuers[kid] = key, issuer
        return keys, issuers

    def sm2_verifiers(self) -> tuple[dict[str, Sm2Key], dict[str, str]]:
        keys = dict(self.sm2_own)
        issuers = {kid: self.issuer_id for kid in self.sm2_own}
        for kid, (issuer, key) in self.sm2_trusted.items():
            keys[kid], issuers[kid] = key, issuer
        return keys, issuers


Trusted = dict[str, tuple[str, IssuerKey]]
TrustedSm2 = dict[str, tuple[str, Sm2Key]]


def load_trusted(path: Path | None) -> tuple[Trusted, TrustedSm2]:
    """Other registries' keys (mutual recognition, R25): {"issuers": [{"id", "name",
    "jwks"}]}. Each key is trusted for the one issuer it is listed under."""
    return trusted_from_json(path.read_text("utf-8")) if path is not None else ({}, {})


def trusted_from_json(text: str) -> tuple[Trusted, TrustedSm2]:
    """The Ed25519 and the SM2 keys of a trusted-issuers file, each bound to its issuer."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DomainError(
            "invalid_trusted_issuers", "信任列表不是 JSON", f"not JSON: {e}", status=422
        ) from None
    ed: Trusted = {}
    gm: TrustedSm2 = {}
    for entry in doc.get("issuers", []) if isinstance(doc, dict) else []:
        issuer = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(issuer, str) or not issuer:
            raise DomainError(
                "invalid_trusted_issuers",
                "信任列表中的签发机构缺少 id",
                "each trusted issuer has an `id`",
                status=422,
            )
        issuer = issuer.rstrip("/")
        jwks_doc = entry.get("jwks") or {}
        for kid, key in keys_from_jwks(jwks_doc).items():
            ed[kid] = (issuer, key)
        for jwk in jwks_doc.get("keys", []) if isinstance(jwks_doc, dict) else []:
            try:
                sm2_key = sm2.key_from_jwk(jwk) if isinstance(jwk, dict) else None
            except ValueError as e:
                raise DomainError(
                    "invalid_jwks", "JWKS 中的 SM2 密钥无效", str(e), status=422
                ) from None
            if sm2_key is not None:
                gm[sm2_key.kid] = (issuer, sm2_key)
    return ed, gm


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
    index = uow.next_value("certificate-status-index") - 1  # 0-based, never reused
    list_no, _ = status_list.locate(index)
    credential = vc.credential(
        issuer_id=keys.issuer_id,
        issuer_name=keys.issuer_name,
        registry_code=env.profile.registry_code,
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
        status=None,
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
    token = vc.sign(credential, keys.active)
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    cosigned = None
    if env.profile.sm2_cosign:
        if keys.sm2 is None:
            raise DomainError(
                "sm2_key_missing", "未配置 SM2 签名密钥", "no SM2 key to co-sign with", status=500
            )
        cosigned = json.dumps(vc.cosign(token, keys.sm2), separators=(",", ":"))
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
            "sha256": digest,
            "sm2_kid": keys.sm2.kid if cosigned and keys.sm2 else None,
        },
    )
    return cert


def status_list_url(issuer_id: str, list_no: int) -> str:
    return f"{issuer_id}/api/v1/certificates/status-lists/{list_no}"


STATUS_LIST_TTL = timedelta(hours=24)


def signed_status_list(*, env: Env, list_no: int) -> str:
    """The W3C Bitstring Status List credential for one list of certificates, signed as a
    vc+jwt, valid for a day: what a bank caches to check status without asking each time."""
    keys: CertificateKeys = env.certificate_keys
    lo = list_no * status_list.LIST_SIZE
    with env.read() as uow:
        rows = uow.certificates.in_status_range(lo, lo + status_list.LIST_SIZE)
    if not rows:
        raise DomainError(
            "status_list_not_found", "状态列表不存在", "no such status list", status=404
        )
    statuses = {}
    for index, state, version, current_version in rows:
        reg_status = _status_name(state, version, current_version)
        if reg_status != "valid":
            statuses[index - lo] = reg_status
    now = env.now()
    credential = status_list.list_credential(
        issuer_id=keys.issuer_id,
        list_url=status_list_url(keys.issuer_id, list_no),
        encoded=status_list.encode(statuses),
        valid_from=now,
        valid_until=now + STATUS_LIST_TTL,
    )
    return vc.sign(credential, keys.active)


def _not_found() -> DomainError:
    return DomainError("certificate_not_found", "证书不存在", "certificate not found", status=404)


def status_of(reg: m.Registration, version: int) -> str:
    return _status_name(reg.state, version, reg.certificate_version)


def _status_name(state: str, version: int, current_version: int) -> str:
    if state in ("cancelled", "abandoned", "revoked"):
        return state
    if version < current_version:
        return "superseded"
    if state == "re_examination":
        return "under_re_examination"
    return "valid"


def _status_dict(reg: m.Registration, cert: m.Certificate) -> dict[str, Any]:
    status = status_of(reg, cert.version)
    zh, en = STATUS_LABELS[status]
    return {
        "certificate_number": reg.certificate_number,
        "registration_number": reg.registration_number,
        "version": cert.version,
        "current_version": reg.certificate_version,
        "status": status,
        "status_label": {"zh": zh, "en": en},
        "registration_state": reg.state,
        "valid_until": reg.valid_until.isoformat(),
        "issued_at": cert.issued_at.isoformat(),
        "sha256": cert.sha256,
    }


def _find(
    uow: UnitOfWork, number: str, version: int | None
) -> tuple[m.Registration, m.Certificate]:
    reg = uow.registrations.by_number(number)
    if reg is None:
        raise _not_found()
    certs = uow.certificates.for_registration(reg.id)
    want = version if version is not None else reg.certificate_version
    cert = next((c for c in certs if c.version == want), None)
    if cert is None:
        raise _not_found()
    return reg, cert


def current(*, env: Env, number: str, version: int | None = None) -> m.Certificate:
    """The signed certificate (the latest version unless `version` is given): public, as the
    paper certificate's QR code is."""
    with env.read() as uow:
        return _find(uow, number, version)[1]


def pdf(*, env: Env, number: str, version: int | None = None) -> bytes:
    """The certificate as one A4 page (national layout) with its QR code and the token
    attached, rendered from the signed token: what is printed is what was signed."""
    cert = current(env=env, number=number, version=version)
    credential = json.loads(vc.unb64(cert.token.split(".")[1]))
    keys: CertificateKeys = env.certificate_keys
    return pdf_render.render(
        credential,
        cert.token,
        record_url=str(credential["credentialSubject"]["id"]),
        issuer_name=str(credential["issuer"].get("name") or keys.issuer_name),
    )


def status(*, env: Env, number: str, version: int | None = None) -> dict[str, Any]:
    with env.read() as uow:
        reg, cert = _find(uow, number, version)
        return _status_dict(reg, cert)


def _compact_of(cosigned: str) -> str:
    """The EdDSA signature of a co-signed certificate as the compact token it was issued as
    (its SHA-256 finds the stored certificate)."""
    doc = json.loads(cosigned)
    for entry in doc["signatures"]:
        header = json.loads(vc.unb64(entry["protected"]))
        if header.get("alg") != sm2.ALG:
            return f"{entry['protected']}.{doc['payload']}.{entry['signature']}"
    raise ValueError("no EdDSA signature")


def verify(*, env: Env, token: str, online: bool = True) -> dict[str, Any]:
    """Verify a certificate against this registry's keys and its trusted issuers. Offline a
    good signature reads "authentic; status not checked"; online (this registry's own
    certificates) the current status is added."""
    if not isinstance(token, str) or len(token) > 64 * 1024:
        raise DomainError("malformed_token", "证书令牌格式无效", "the token is not a compact JWS")
    keys, issuers = env.certificate_keys.verifiers()
    sm2_keys, sm2_issuers = env.certificate_keys.sm2_verifiers()
    cosigned = token.lstrip().startswith("{")
    try:
        if cosigned:
            verified = vc.verify_cosigned(token, keys, sm2_keys, issuers={**issuers, **sm2_issuers})
            token = _compact_of(token)
        else:
            verified = vc.verify(token, keys, issuers=issuers)
    except DomainError as e:
        if e.code == "malformed_token":
            raise
        return {
            "authentic": False,
            "code": e.code,
            "message_zh": e.message_zh,
            "message_en": e.message_en,
            "status": None,
        }
    out: dict[str, Any] = {
        "authentic": True,
        "issuer": verified.issuer,
        "kid": verified.kid,
        "sm2_kid": verified.sm2_kid,
        "credential": verified.credential,
        "validity": vc.validity_now(verified.credential, env.now()),
        "status": None,
        "summary_zh": "证书真实；状态未核验",
        "summary_en": "authentic; status not checked",
    }
    if online and verified.issuer == env.certificate_keys.issuer_id:
        digest = hashlib.sha256(token.strip().encode("ascii")).hexdigest()
        with env.read() as uow:
            cert = uow.certificates.by_sha256(digest)
            reg = uow.registrations.get(cert.registration_id) if cert else None
            if cert is not None and reg is not None:
                out["status"] = _status_dict(reg, cert)
                zh, en = STATUS_LABELS[out["status"]["status"]]
                out["summary_zh"] = f"证书真实；当前状态：{zh}"
                out["summary_en"] = f"authentic; current status: {en}"
    return out
