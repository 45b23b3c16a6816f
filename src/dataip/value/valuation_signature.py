"""An appraisal agency's signature over its valuation (评估报告的电子签名): a compact JWS
(RFC 7515) whose payload is the RFC 8785 canonical JSON of what the agency concluded — the
registration, the valuation date, its inputs and, if it states one, its figure — signed by a
key the registry holds for the agency's institutional client (its JWKS, by `kid`).

Only such a signed valuation is called 评估报告; anything the registry computes for a holder
is a 价值参考. :func:`verify` is the registry's check and anyone's: it raises one
``DomainError`` (422 `invalid_valuation_signature`) with the step that failed.
Pure: joserfc and the ledger's canonical JSON.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any, Final

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from dataip.domain.errors import DomainError
from dataip.ledger.canonical import canonicalize, is_canonical

__all__ = ["ALGORITHMS", "TYP", "header_of", "sign", "verify"]

TYP: Final = "dataip-valuation+jws"
ALGORITHMS: Final = ("ES256", "EdDSA", "Ed25519", "RS256")
_REGISTRY = JWSRegistry(algorithms=list(ALGORITHMS))
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module=r"joserfc\.")


def _refused(step: str, zh: str, en: str) -> DomainError:
    return DomainError(
        "invalid_valuation_signature",
        f"评估报告签名无效：{zh}",
        f"the valuation's signature does not verify: {en}",
        status=422,
        details={"step": step},
    )


def sign(payload: Mapping[str, Any], key: Any, *, kid: str, alg: str) -> str:
    """What an agency's software does: sign the canonical JSON of `payload`."""
    header = {"alg": alg, "kid": kid, "typ": TYP}
    body = canonicalize(dict(payload))
    return str(jws.serialize_compact(header, body, key, registry=_REGISTRY))


def header_of(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, unverified ({} if unreadable): which key to
    look up before verifying."""
    try:
        return dict(jws.extract_compact(token.strip().encode("ascii")).headers())
    except (ValueError, JoseError, UnicodeError):
        return {}


def verify(token: str, jwks: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(payload, header) of a valid signature by a key of `jwks`; else 422."""
    # 1. a compact JWS at all
    try:
        obj = jws.extract_compact(token.strip().encode("ascii"))
        header = dict(obj.headers())
    except (ValueError, JoseError, UnicodeError):
        raise _refused("format", "不是紧凑格式的 JWS", "not a compact JWS") from None
    # 2. the header: our type, an algorithm we accept, a key the agency registered
    if header.get("typ") != TYP:
        raise _refused("typ", f"typ 须为 {TYP}", f"typ must be {TYP}")
    if header.get("alg") not in ALGORITHMS:
        raise _refused("alg", "不接受的签名算法", "an algorithm not accepted")
    try:
        keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        key = keys.get_by_kid(str(header.get("kid")))
    except (ValueError, JoseError, KeyError):
        raise _refused(
            "kid", "签名密钥不是该机构登记的密钥", "the key is not the agency's"
        ) from None
    # 3. the signature
    try:
        good = bool(jws.validate_compact(obj, key, registry=_REGISTRY))
    except (JoseError, ValueError):
        good = False
    if not good:
        raise _refused(
            "signature", "签名与内容不符（内容被篡改或密钥不符）", "tampered or wrong key"
        )
    # 4. the payload: canonical JSON of an object, so its bytes are the only form of it
    if not is_canonical(obj.payload):
        raise _refused("payload", "签名内容不是 RFC 8785 规范 JSON", "the payload is not RFC 8785")
    payload = json.loads(obj.payload)
    if not isinstance(payload, dict):
        raise _refused("payload", "签名内容须为 JSON 对象", "the payload must be a JSON object")
    return payload, header
