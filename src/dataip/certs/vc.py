"""The certificate as a W3C Verifiable Credential 2.0 secured with JOSE (`vc+jwt`, VC-JOSE-COSE
§3.1.1): the JWT claims set *is* the credential (no `vc` claim), `iss` equals `issuer.id`, the
protected header carries `typ: vc+jwt` and the signing key's `kid`.

Verification here is offline: signature, header and the credential's shape against the keys
the caller trusts. Whether the registration is still valid is a separate, online question —
a good signature alone means "authentic; status not checked", never "valid".
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry

from dataip.certs import sm2
from dataip.certs.keys import ALG, IssuerKey
from dataip.domain.errors import DomainError

VC_V2 = "https://www.w3.org/ns/credentials/v2"
DATAIP_CONTEXT = "https://dataip.dev/credentials/v1"
CREDENTIAL_TYPE = "DataIntellectualPropertyCertificate"
TYP = "vc+jwt"
SHANGHAI = timezone(timedelta(hours=8))

# RFC 9864 deprecates the polymorphic "EdDSA" in favour of "Ed25519"; every deployed verifier
# (npm jose, OpenSSL-based stacks, wallets) still knows "EdDSA", so certificates are signed
# with it and both names verify (decision 0005).
_REGISTRY = JWSRegistry(algorithms=[ALG, "Ed25519"])
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module=r"joserfc\.")


def _bad(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


def _start(day: date) -> str:
    return datetime.combine(day, time(0, 0), SHANGHAI).isoformat()


def _end(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), SHANGHAI).isoformat()


def credential(
    *,
    issuer_id: str,
    issuer_name: str,
    registry_code: str,
    record_url: str,
    registration_number: str,
    certificate_number: str,
    certificate_version: int,
    name: str,
    industry: Mapping[str, Any] | None,
    holders: Sequence[Mapping[str, Any]],
    evidence: Mapping[str, Any],
    registration_date: date,
    valid_from: date,
    valid_until: date,
    issued_at: datetime,
    status: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    term_start: date | None = None,
    renewals: int = 0,
    subject_extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The national certificate layout's content as a VC 2.0 (G§17: holders with credit
    codes and shares, the data IP's name and industry, registration and certificate numbers,
    the evidence, registration date, validity, issuing registry). `validityTerm` is the term
    the certificate is in: once renewed (G§19) it starts the day after the previous expiry,
    while `validFrom` stays the first term's start (the right has held since then)."""
    vc: dict[str, Any] = {
        "@context": [VC_V2, DATAIP_CONTEXT],
        "id": f"urn:dataip:certificate:{certificate_number}:{certificate_version}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": issuer_id, "name": issuer_name, "registryCode": registry_code},
        "validFrom": _start(valid_from),
        "validUntil": _end(valid_until),
        "credentialSubject": {
            "id": record_url,
            "type": "DataIntellectualProperty",
            "name": name,
            "industry": dict(industry) if industry else None,
            "registrationNumber": registration_number,
            "certificateNumber": certificate_number,
            "certificateVersion": certificate_version,
            "registrationDate": registration_date.isoformat(),
            "validityTerm": {
                "start": (term_start or valid_from).isoformat(),
                "end": valid_until.isoformat(),
                "renewals": renewals,
            },
            "holders": [dict(h) for h in holders],
            "evidence": dict(evidence),
        },
        # JWT claims beside the credential (VC-JOSE-COSE allows them): iss = issuer.id
        "iss": issuer_id,
        "iat": int(issued_at.timestamp()),
    }
    if subject_extra:  # another register's type and rights, a one-window sibling (issue 24)
        vc["credentialSubject"].update(subject_extra)
    if status is not None:
        vc["credentialStatus"] = dict(status)
    if extra:
        vc.update(extra)
    return vc


def sign(vc: Mapping[str, Any], key: IssuerKey) -> str:
    if key.private is None:
        raise ValueError("signing needs the private key")
    payload = json.dumps(vc, ensure_ascii=False, separators=(",", ":")).encode()
    header = {"alg": ALG, "typ": TYP, "kid": key.kid}
    return str(jws.serialize_compact(header, payload, key.jose, registry=_REGISTRY))


@dataclass(frozen=True)
class Verified:
    """An authentic credential: signed by `kid`, which the caller trusts for `issuer`
    (and co-signed with SM2 by `sm2_kid`, when it was checked)."""

    credential: dict[str, Any]
    kid: str
    issuer: str
    header: dict[str, Any]
    sm2_kid: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def cosign(token: str, key: sm2.Sm2Key) -> dict[str, Any]:
    """The compact vc+jwt as a JWS General JSON Serialization (RFC 7515 §7.2.1) carrying a
    second, SM2/SM3 signature over the same payload."""
    header, payload, signature = token.split(".")
    protected = _b64(
        json.dumps({"alg": sm2.ALG, "typ": TYP, "kid": key.kid}, separators=(",", ":")).encode()
    )
    sm2_signature = key.sign(f"{protected}.{payload}".encode("ascii"))
    return {
        "payload": payload,
        "signatures": [
            {"protected": header, "signature": signature},
            {"protected": protected, "signature": _b64(sm2_signature)},
        ],
    }


def verify_cosigned(
    doc: Mapping[str, Any] | str,
    keys: Mapping[str, IssuerKey],
    sm2_keys: Mapping[str, sm2.Sm2Key],
    *,
    issuers: Mapping[str, str],
) -> Verified:
    """Both signatures of a co-signed certificate: the EdDSA one as `verify` does, and an SM2
    one by a key trusted for the same issuer. Either missing or wrong → refused."""
    try:
        if isinstance(doc, str):
            doc = json.loads(doc)
        assert isinstance(doc, Mapping)
        payload = str(doc["payload"])
        entries = [
            (str(e["protected"]), str(e["signature"]), json.loads(_unb64(str(e["protected"]))))
            for e in doc["signatures"]
        ]
    except (AssertionError, KeyError, TypeError, ValueError, UnicodeError):
        raise _bad("malformed_token", "证书格式无效", "not a JWS JSON serialization") from None
    ed = [(p, s) for p, s, h in entries if isinstance(h, dict) and h.get("alg") != sm2.ALG]
    gm = [(p, s, h) for p, s, h in entries if isinstance(h, dict) and h.get("alg") == sm2.ALG]
    if len(ed) != 1 or not gm:
        raise _bad(
            "cosignature_missing",
            "证书须同时带有 EdDSA 与 SM2 签名",
            "a co-signed certificate carries one EdDSA and an SM2 signature",
        )
    verified = verify(f"{ed[0][0]}.{payload}.{ed[0][1]}", keys, issuers=issuers)
    for protected, signature, header in gm:
        key = sm2_keys.get(str(header.get("kid")))
        if key is None or issuers.get(key.kid) != verified.issuer:
            continue
        try:
            raw = _unb64(signature)
        except ValueError:
            raw = b""
        if key.verify(f"{protected}.{payload}".encode("ascii"), raw):
            return Verified(
                credential=verified.credential,
                kid=verified.kid,
                issuer=verified.issuer,
                header=verified.header,
                sm2_kid=key.kid,
            )
        raise _bad("bad_sm2_signature", "SM2 签名无效", "the SM2 signature does not verify")
    raise _bad(
        "unknown_issuer_key",
        "SM2 签发密钥不在信任列表中",
        "the SM2 signing key is not among the trusted issuers' keys",
    )


def unb64(text: str) -> bytes:
    """base64url without padding, as JOSE writes it."""
    return _unb64(text)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _extract(token: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise _bad("malformed_token", "证书令牌格式无效", "the token is not a compact JWS")
    try:
        obj = jws.extract_compact(token.strip().encode("ascii"))
        header = dict(obj.headers())
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as e:
        raise _bad(
            "malformed_token", "证书令牌格式无效", f"the token cannot be read: {e}"
        ) from None
    if not isinstance(claims, dict):
        raise _bad("malformed_token", "证书内容不是 JSON 对象", "the payload is not a JSON object")
    return obj, header, claims


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, unverified (to find the key and the issuer)."""
    _, header, claims = _extract(token)
    return header, claims


def verify(token: str, keys: Mapping[str, IssuerKey], *, issuers: Mapping[str, str]) -> Verified:
    """Verify offline: `keys` by kid, `issuers` maps each trusted kid to the issuer id it may
    sign for. Raises DomainError with a stable code saying what is wrong."""
    obj, header, vc = _extract(token)
    if header.get("typ") != TYP:
        raise _bad("wrong_token_type", "令牌类型不是 vc+jwt", "the token's typ is not vc+jwt")
    if header.get("alg") not in (ALG, "Ed25519"):
        raise _bad(
            "unsupported_algorithm",
            "不支持的签名算法",
            f"unsupported algorithm {header.get('alg')!r}",
        )
    kid = header.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise _bad(
            "unknown_issuer_key",
            "签发密钥不在信任列表中",
            f"the signing key {kid!r} is not among the trusted issuers' keys",
        )
    try:
        good = jws.validate_compact(obj, key.jose_public, registry=_REGISTRY)  # a bool
    except JoseError:
        good = False
    if not good:
        raise _bad("bad_signature", "签名无效：证书被篡改或伪造", "the signature does not verify")
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or vc.get("iss") != issuer_id:
        raise _bad(
            "issuer_mismatch", "iss 与 issuer 不一致", "`iss` does not equal the issuer's id"
        )
    if issuers.get(key.kid) != issuer_id:
        raise _bad(
            "issuer_mismatch",
            "该密钥不代表此签发机构",
            f"key {key.kid} is not trusted to sign for {issuer_id}",
        )
    context = vc.get("@context")
    types = vc.get("type")
    if not (
        isinstance(context, list)
        and context[:1] == [VC_V2]
        and isinstance(types, list)
        and "VerifiableCredential" in types
        and "vc" not in vc
    ):
        raise _bad("not_a_credential", "不是 VC 2.0 凭证", "the payload is not a VC 2.0 credential")
    return Verified(credential=vc, kid=key.kid, issuer=issuer_id, header=header)


def validity_now(vc: Mapping[str, Any], now: datetime) -> str:
    """`not_yet_valid`, `expired` or `within_validity` by validFrom/validUntil."""
    try:
        start = datetime.fromisoformat(str(vc["validFrom"]))
        end = datetime.fromisoformat(str(vc["validUntil"]))
    except (KeyError, ValueError):
        return "unknown"
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    if now < start:
        return "not_yet_valid"
    if now > end:
        return "expired"
    return "within_validity"


def status_entries(credential: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The credential's `credentialStatus` entries (one object or a list of them)."""
    raw = credential.get("credentialStatus")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    return [dict(e) for e in items if isinstance(e, Mapping)]
