"""What the registry answers about its certificates: the signed version, its PDF and QR
text, its current status (STATUS_LABELS) and the signed status lists banks cache.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dataip.certs import pdf as pdf_render
from dataip.certs import qr, status_list, vc
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.certificates.keys import CertificateKeys, _signing_key
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

# What a certificate's status says (the W3C status list will carry the same).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "valid": ("有效", "valid"),
    "superseded": ("已被新版本取代", "superseded by a newer version"),
    "under_re_examination": ("复审中", "under re-examination"),
    "cancelled": ("已注销", "cancelled"),
    "abandoned": ("已放弃", "abandoned"),
    "revoked": ("已撤销", "revoked"),
}


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
