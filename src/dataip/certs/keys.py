"""Issuer keys: Ed25519, named by their RFC 7638 JWK thumbprint (`kid`), published as a JWKS.

Keys rotate by `kid`: a registry signs with its active key and keeps every earlier public key
in its JWKS, so what an old key signed keeps verifying. joserfc does the JWK encoding and the
thumbprint; this module only names and stores them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey

from dataip.domain.errors import DomainError

ALG = "EdDSA"  # JWS alg of Ed25519 signatures (RFC 8037); see decision 0005


def _bad(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


@dataclass(frozen=True)
class IssuerKey:
    """One Ed25519 key of an issuer; `private` is None for a key known only from a JWKS."""

    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None

    @classmethod
    def generate(cls) -> IssuerKey:
        return cls.from_private(Ed25519PrivateKey.generate())

    @classmethod
    def from_private(cls, private: Ed25519PrivateKey) -> IssuerKey:
        public = private.public_key()
        return cls(kid=thumbprint(public), public=public, private=private)

    @classmethod
    def from_pem(cls, data: bytes) -> IssuerKey:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise _bad("not_an_ed25519_key", "不是 Ed25519 私钥", "not an Ed25519 private key")
        return cls.from_private(key)

    def private_pem(self) -> bytes:
        if self.private is None:
            raise ValueError("a public key has no private PEM")
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @functools.cached_property
    def jose(self) -> OKPKey:
        """The key as joserfc sees it (private when we hold it); made once."""
        return OKPKey.import_key(self.private if self.private is not None else self.public)

    @functools.cached_property
    def jose_public(self) -> OKPKey:
        """The public key alone, for verifying (cheaper for joserfc to check)."""
        return OKPKey.import_key(self.public)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = OKPKey.import_key(self.public).as_dict(private=False)
        return {**jwk, "kid": self.kid, "alg": ALG, "use": "sig"}


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint of the public JWK, base64url."""
    return str(OKPKey.import_key(public).thumbprint())


def jwks(keys: Iterable[IssuerKey]) -> dict[str, Any]:
    return {"keys": [k.public_jwk() for k in keys]}


def keys_from_jwks(doc: Mapping[str, Any] | str) -> dict[str, IssuerKey]:
    """The Ed25519 keys of a JWKS by `kid`; a key whose `kid` is not its thumbprint is
    refused (a JWKS could otherwise make one key answer for another's `kid`)."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as e:
            raise _bad("invalid_jwks", "JWKS 不是 JSON", f"the JWKS is not JSON: {e}") from None
    raw = doc.get("keys") if isinstance(doc, Mapping) else None
    if not isinstance(raw, list):
        raise _bad("invalid_jwks", "JWKS 须含 keys 数组", "a JWKS has a `keys` array")
    out: dict[str, IssuerKey] = {}
    for jwk in raw:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue  # other key types are not ours to judge
        try:
            public = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}).get_op_key(
                "verify"
            )
        except (KeyError, ValueError, TypeError) as e:
            raise _bad(
                "invalid_jwks", "JWKS 中的密钥无效", f"a key in the JWKS is invalid: {e}"
            ) from None
        if not isinstance(public, Ed25519PublicKey):
            continue
        key = IssuerKey(kid=thumbprint(public), public=public)
        if jwk.get("kid") not in (None, key.kid):
            raise _bad(
                "invalid_jwks",
                "JWKS 中密钥的 kid 与其指纹不符",
                f"kid {jwk.get('kid')!r} is not the key's RFC 7638 thumbprint {key.kid}",
            )
        out[key.kid] = key
    return out
