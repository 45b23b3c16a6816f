"""This registry's certificate keys and the issuers it trusts: `CertificateKeys` (built by
the composition root), and the trusted-issuers file read into `TrustedIssuers`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dataip.certs import sm2
from dataip.certs.keys import IssuerKey, jwks, keys_from_jwks
from dataip.certs.sm2 import Sm2Key
from dataip.domain.errors import DomainError
from dataip.ledger.note import Verifier


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


def _signing_key(keys: CertificateKeys, kid: str) -> IssuerKey:
    """The key that signed a certificate (to sign it again with its proof); the active key
    if that one's private half is not here."""
    key = keys.own.get(kid)
    return key if key is not None and key.private is not None else keys.active
