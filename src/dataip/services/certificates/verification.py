"""Verifying a certificate — its vc+jwt, the co-signed JSON or the QR credential — against
this registry's keys and the issuers it trusts, with its status and witness quorum.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataip.certs import intake, qr, tlog, vc
from dataip.domain.errors import DomainError
from dataip.services.certificates.keys import CertificateKeys
from dataip.services.certificates.reads import STATUS_LABELS, _find, _status_dict
from dataip.services.context import Env
from dataip.services.federation import foreign, quorum


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
