"""SM2/SM3 co-signature (GB/T 32918, GB/T 35276) for certificates, with gmalglib.

gmalglib is C-backed and draws its signing nonces from its own generator, not Python's
`random` (as gmssl's do). The signature is over the same JWS signing input as the Ed25519
one (BASE64URL(protected) "." BASE64URL(payload)), hashed with SM3 after the signer's Z value
with the standard signer ID 1234567812345678 — what `openssl pkeyutl -verify -rawin -digest
sm3 -pkeyopt distid:1234567812345678` checks. In the JWS the signature is r‖s (64 bytes), as
JWS writes ECDSA signatures; OpenSSL wants DER, which `der_signature` gives.

No JOSE registry names SM2: the header says `alg: "SM2"` (SM2 with SM3 and the default
signer ID) and the JWK `{"kty": "EC", "crv": "SM2", "x", "y"}`, as Chinese JOSE stacks do.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import gmalglib
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALG = "SM2"
SIGNER_ID = b"1234567812345678"
# SubjectPublicKeyInfo DER up to the point: id-ecPublicKey with the SM2 curve 1.2.156.10197.1.301
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Sm2Key:
    """An SM2 key: `public` is the uncompressed point (65 bytes, 04‖x‖y)."""

    kid: str
    public: bytes
    private: bytes | None = None

    @classmethod
    def generate(cls) -> Sm2Key:
        sk, pk = gmalglib.sm2_generate_keypair()
        return cls(kid=thumbprint(pk), public=pk, private=sk)

    @classmethod
    def from_private_hex(cls, text: str) -> Sm2Key:
        sk = bytes.fromhex(text.strip())
        if not gmalglib.sm2_is_sk_valid(sk):
            raise ValueError("not an SM2 private key")
        pk = gmalglib.sm2_get_pk(sk)
        return cls(kid=thumbprint(pk), public=pk, private=sk)

    def private_hex(self) -> str:
        if self.private is None:
            raise ValueError("a public key has no private part")
        return self.private.hex()

    def public_pem(self) -> str:
        body = base64.encodebytes(SPKI_PREFIX + self.public).decode("ascii")
        return f"-----BEGIN PUBLIC KEY-----\n{body}-----END PUBLIC KEY-----\n"

    def public_jwk(self) -> dict[str, Any]:
        return {**_jwk(self.public), "kid": self.kid, "alg": ALG, "use": "sig"}

    def sign(self, message: bytes) -> bytes:
        """r‖s over SM3(Z‖message), Z from the default signer ID."""
        if self.private is None:
            raise ValueError("signing needs the private key")
        sig: bytes = gmalglib.sm2_sign(self.private, message, SIGNER_ID)
        return sig

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        return bool(gmalglib.sm2.SM2(pk=self.public, uid=SIGNER_ID).verify(message, signature))


def _jwk(public: bytes) -> dict[str, str]:
    return {"kty": "EC", "crv": "SM2", "x": _b64(public[1:33]), "y": _b64(public[33:65])}


def thumbprint(public: bytes) -> str:
    """RFC 7638 over the required members, as for any EC key."""
    canonical = json.dumps(_jwk(public), sort_keys=True, separators=(",", ":")).encode()
    return _b64(hashlib.sha256(canonical).digest())


def key_from_jwk(jwk: dict[str, Any]) -> Sm2Key | None:
    """The SM2 key of a JWK, or None if it is not one; refuses a kid that is not its
    thumbprint."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "SM2":
        return None
    try:
        public = b"\x04" + _unb64(str(jwk["x"])) + _unb64(str(jwk["y"]))
    except (KeyError, ValueError) as e:
        raise ValueError(f"invalid SM2 JWK: {e}") from None
    if len(public) != 65 or not gmalglib.sm2_is_pk_valid(public):
        raise ValueError("invalid SM2 JWK: not a point on the curve")
    key = Sm2Key(kid=thumbprint(public), public=public)
    if jwk.get("kid") not in (None, key.kid):
        raise ValueError(f"kid {jwk.get('kid')!r} is not the key's thumbprint {key.kid}")
    return key


def der_signature(signature: bytes) -> bytes:
    """r‖s as the DER ECDSA-Sig-Value OpenSSL reads."""
    return encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
