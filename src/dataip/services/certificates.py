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
from typing import Any

from dataip.certs import intake, qr, sm2, status_list, tlog, vc
from dataip.certs import pdf as pdf_render
from dataip.certs.keys import IssuerKey, jwks, keys_from_jwks
from dataip.certs.sm2 import Sm2Key
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.registers import CERTIFICATE_TYPES
from dataip.domain.registration import current_term
from dataip.ledger.note import Verifier
from dataip.services import ledger
from dataip.services.context import Env
from dataip.services.federation import foreign, quorum
from dataip.services.one_window.links import reference, sibling_registration
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
    log: Verifier | None = None  # this registry's log key (certificates carry its proofs)
    trusted_logs: dict[str, list[Verifier]] = field(default_factory=dict)  # by issuer id

    def jwks(self) -> dict[str, Any]:
        doc = jwks(self.own.values())
        doc["keys"] += [k.public_jwk() for k in self.sm2_own.values()]
        if self.log is not None:
            # RFC 7517 §5: members a JWK Set consumer does not know are ignored. This one
            # gives verifiers the key of the log whose proofs the certificates carry.
            doc[LOG_MEMBER] = {"origin": self.log.name, "vkey": self.log.to_text()}
        return doc

    def log_verifiers(self, issuer: str) -> list[Verifier]:
        if issuer == self.issuer_id:
            return [self.log] if self.log is not None else []
        return self.trusted_logs.get(issuer, [])

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
TrustedLogs = dict[str, list[Verifier]]
LOG_MEMBER = "dataip_log"


@dataclass(frozen=True)
class TrustedIssuers:
    """A trusted-issuers file read: Ed25519 and SM2 keys by kid, each bound to its issuer,
    and each issuer's log keys (from its JWKS's `dataip_log` member)."""

    ed25519: Trusted = field(default_factory=dict)
    sm2: TrustedSm2 = field(default_factory=dict)
    logs: TrustedLogs = field(default_factory=dict)


def trusted_from_json(text: str) -> TrustedIssuers:
    """The Ed25519, SM2 and log keys of a trusted-issuers file, each bound to its issuer."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DomainError(
            "invalid_trusted_issuers", "信任列表不是 JSON", f"not JSON: {e}", status=422
        ) from None
    return trusted_from_doc(doc)


def trusted_from_doc(doc: Any) -> TrustedIssuers:
    """As `trusted_from_json`, from the parsed document."""
    out = TrustedIssuers()
    ed, gm = out.ed25519, out.sm2
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
        log = jwks_doc.get(LOG_MEMBER) if isinstance(jwks_doc, dict) else None
        if log is not None:
            try:
                out.logs.setdefault(issuer, []).append(Verifier.from_text(str(log["vkey"])))
            except (KeyError, TypeError, ValueError) as e:
                raise DomainError(
                    "invalid_jwks", "JWKS 中的透明日志密钥无效", f"bad log key: {e}", status=422
                ) from None
    return out


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


def _signing_key(keys: CertificateKeys, kid: str) -> IssuerKey:
    """The key that signed a certificate (to sign it again with its proof); the active key
    if that one's private half is not here."""
    key = keys.own.get(kid)
    return key if key is not None and key.private is not None else keys.active


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


def status_list_url(issuer_id: str, list_no: int) -> str:
    return status_list.list_url(issuer_id, list_no)


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


def qr_credential(env: Env, cert: m.Certificate) -> str:
    """The QR code's text for a certificate version (certs.qr, decision 0006): its compact
    credential, signed on request by the key that signed the version (Ed25519, canonical CBOR
    and zlib are deterministic: the same code every time), as a link to /verify."""
    keys: CertificateKeys = env.certificate_keys
    credential = vc.peek(cert.token)[1]
    signed = qr.sign(
        qr.from_credential(credential, status_index=cert.status_index),
        _signing_key(keys, cert.kid),
    )
    return qr.qr_text(keys.issuer_id, signed)


def pdf(*, env: Env, number: str, version: int | None = None) -> bytes:
    """The certificate as one A4 page (national layout), rendered from the signed token: what
    is printed is what was signed. The QR code carries the compact QR credential; the full
    token (with its log proof, once attached) is attached to the PDF."""
    cert = current(env=env, number=number, version=version)
    credential = vc.peek(cert.token)[1]
    keys: CertificateKeys = env.certificate_keys
    return pdf_render.render(
        credential,
        cert.token,
        qr_content=qr_credential(env, cert),
        issuer_name=str(credential["issuer"].get("name") or keys.issuer_name),
    )


def status(*, env: Env, number: str, version: int | None = None) -> dict[str, Any]:
    with env.read() as uow:
        reg, cert = _find(uow, number, version)
        return _status_dict(reg, cert)


def _not_authentic(e: DomainError, fmt: str) -> dict[str, Any]:
    return {
        "authentic": False,
        "format": fmt,
        "code": e.code,
        "message_zh": e.message_zh,
        "message_en": e.message_en,
        "status": None,
    }


def _add_status(env: Env, out: dict[str, Any], subject: Mapping[str, Any]) -> None:
    """The current status, looked up by the (signed) numbers: a certificate signed by this
    registry names its own registration. Says when it was checked."""
    number, version = subject.get("registration_number"), subject.get("certificate_version")
    with env.read() as uow:
        try:
            reg, cert = _find(uow, str(number), version if isinstance(version, int) else -1)
        except DomainError:
            return
        if reg.certificate_number != subject.get("certificate_number"):
            return
        out["status"] = _status_dict(reg, cert)
    zh, en = STATUS_LABELS[out["status"]["status"]]
    out["status_checked_at"] = env.now().isoformat()
    out["summary_zh"] = f"证书真实；当前状态：{zh}"
    out["summary_en"] = f"authentic; current status: {en}"


def verify(*, env: Env, token: str, online: bool = True) -> dict[str, Any]:
    """Verify a certificate — its vc+jwt, the co-signed JSON, or the QR credential (the QR
    code's text or its base32 alone) — against this registry's keys and its trusted issuers.
    Offline a good signature reads "authentic; status not checked"; online (this registry's
    own certificates) the current status is added, with the time it was checked."""
    if not isinstance(token, str) or len(token) > 64 * 1024:
        # the request itself is wrong (the API's schema answers this before it gets here)
        raise DomainError("malformed_token", "证书令牌格式无效", "the token is not a compact JWS")
    try:
        given = intake.classify(token)
    except DomainError as e:  # a QR link or base32 that does not decode
        return _not_authentic(e, "qr")
    if given.qr_signed is not None:
        return _verify_qr(env, given.qr_signed, online=online)
    rec = foreign.recognised(env)  # ours, and the registries on the trust list in force
    keys, issuers, sm2_keys, sm2_issuers = rec.keys, rec.issuers, rec.sm2_keys, rec.sm2_issuers
    fmt = given.format
    cosigned = fmt == "jose+json"
    # Whatever is presented as a certificate gets a verdict: an altered, truncated or
    # re-encoded one that no longer parses is not authentic (`malformed_token`), as a forged
    # one is (`bad_signature`) — 200 either way; 422 is for a request without a token.
    try:
        if cosigned:
            verified = vc.verify_cosigned(token, keys, sm2_keys, issuers={**issuers, **sm2_issuers})
        else:
            verified = vc.verify(token, keys, issuers=issuers)
        log_check = tlog.check(
            verified.credential,
            rec.logs.get(verified.issuer) or env.certificate_keys.log_verifiers(verified.issuer),
        )
        subject = verified.credential.get("credentialSubject") or {}
        listed = foreign.check_agency(env, rec, verified.issuer, subject)
    except DomainError as e:
        return _not_authentic(foreign.not_listed(env, rec, token, fmt, e), fmt)
    out: dict[str, Any] = {
        "authentic": True,
        "format": fmt,
        "issuer": verified.issuer,
        "kid": verified.kid,
        "sm2_kid": verified.sm2_kid,
        "credential": verified.credential,
        "validity": vc.validity_now(verified.credential, env.now()),
        "log": log_check.to_dict(),
        "status": None,
        "status_checked_at": None,
        "summary_zh": "证书真实；状态未核验",
        "summary_en": "authentic; status not checked",
    }
    if listed is not None:  # another registry's, on the trust list: its status list
        foreign.add_status(env, rec, listed, out, online=online)
    elif online and verified.issuer == env.certificate_keys.issuer_id:
        # signed by us, so the numbers are ours: look the version up by them (the token
        # itself changes when its log proof is attached)
        _add_status(
            env,
            out,
            {
                "registration_number": subject.get("registrationNumber"),
                "certificate_number": subject.get("certificateNumber"),
                "certificate_version": subject.get("certificateVersion"),
            },
        )
    _add_quorum(env, rec, out, online=online)
    return out


def _add_quorum(env: Env, rec: foreign.Recognised, out: dict[str, Any], *, online: bool) -> None:
    """Issue 21 §4: the witness quorum of the certificate's log proof under the registry's
    witness policy — met, not met, or not evaluated (and why); the summary says so."""
    found = quorum.evaluate(
        env,
        rec.listed,
        str(out["issuer"]),
        out.get("credential") or {},
        str(out["log"]["status"]),
        online=online,
    )
    out["witness_quorum"] = found
    zh, en = quorum.summary_suffix(found)
    out["summary_zh"] += zh
    out["summary_en"] += en


def _verify_qr(env: Env, signed: bytes, *, online: bool) -> dict[str, Any]:
    """The QR credential (certs.qr): what the registry signed for the counter — numbers,
    name, holders, validity — checked offline against the same keys as the vc+jwt. It carries
    no log proof (the PDF's attached vc+jwt does)."""
    ours: CertificateKeys = env.certificate_keys
    rec = foreign.recognised(env)
    try:
        verified = qr.verify(signed, rec.keys, issuers=rec.issuers)
    except DomainError as e:
        return _not_authentic(e, "qr")
    cert = verified.certificate.to_dict()
    out: dict[str, Any] = {
        "authentic": True,
        "format": "qr",
        "issuer": verified.issuer,
        # the QR names no issuer: its key does; this registry knows its own name
        "issuer_name": ours.issuer_name
        if verified.issuer == ours.issuer_id
        else (listed.name if (listed := rec.entry(verified.issuer)) is not None else None),
        "kid": verified.kid,
        "sm2_kid": None,
        "certificate": cert,
        "validity": verified.certificate.validity_at(env.now()),
        "log": tlog.LogCheck("not_carried").to_dict(),
        "status": None,
        "status_checked_at": None,
        "summary_zh": "证书真实；状态未核验",
        "summary_en": "authentic; status not checked",
    }
    try:
        entry = foreign.check_agency(
            env, rec, verified.issuer, {"certificateNumber": cert["certificate_number"]}
        )
    except DomainError as e:
        return _not_authentic(e, "qr")
    if entry is not None:  # another registry's, on the trust list: its status list
        foreign.add_status(env, rec, entry, out, online=online)
    elif online and verified.issuer == ours.issuer_id:
        _add_status(env, out, cert)
    _add_quorum(env, rec, out, online=online)
    return out
