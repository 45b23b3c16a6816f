"""The certificate's QR credential (二维码凭证): a compact signed copy of what a verifier at a
counter needs, made to be scanned from a printed page — the design of the EU Digital COVID
Certificate (HC1) and of ICAO visible digital seals, not a whole vc+jwt (decision 0006).

Layers, from the paper inwards::

    QR text     <registry>/verify?c=<BASE32>   URL in byte mode, BASE32 in alphanumeric mode
    BASE32      RFC 4648 base32, upper case, no padding (what a URL and QR alphanumeric mode
                both carry: Base45 has a space and '%', which a URL cannot)
    zlib        RFC 1950, as HC1
    COSE_Sign1  RFC 9052, tag 18; protected header {alg: EdDSA (-8), kid: 8 bytes}
    payload     a CWT claims set (RFC 8392): nbf, exp, iat and CLAIM → the certificate

The `kid` is the first 8 bytes of the signing key's RFC 7638 thumbprint — the JWKS's `kid`
(`/.well-known/jwks.json`) decoded from base64url — so the keys that verify a vc+jwt verify
this too, rotation included: every key the registry ever signed with stays in its JWKS.

The certificate map (integer keys, to stay small)::

    1 certificate number    2 certificate version    3 registration number
    4 data IP name          5 holders: [[kind, id, share in basis points], ...] with kind 1 =
                              organisation, id its unified social credit code; kind 2 = natural
                              person, id the masked name the public record shows
    6 registration date (RFC 8943 tag 100: days since 1970-01-01)
    7 position in the issuer's Bitstring Status List (for verifiers that cache the list)
    8 a renewed certificate's current term start (tag 100; absent before any renewal, G§19)

Validity is the CWT's `nbf`/`exp` (first and last second, Asia/Shanghai), `iat` the version's
issue; once renewed, the current term runs from key 8 to `exp`. The issuer is not written
out: it is whom the `kid` is trusted to speak for.

python-cwt does the COSE signing and verifying; cbor2 the CBOR. What is written here is only
the claims mapping and the outer layers (zlib and base32 are in the standard library).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cbor2
from cryptography.hazmat.primitives import serialization
from cwt import COSE, COSEKey
from cwt.cose_key_interface import COSEKeyInterface
from cwt.exceptions import CWTError

from dataip.certs.keys import IssuerKey
from dataip.domain.errors import DomainError

__all__ = [
    "CLAIM",
    "PATH",
    "QUERY",
    "Holder",
    "QrCertificate",
    "VerifiedQr",
    "extract",
    "from_credential",
    "holders_line",
    "kid_prefix",
    "qr_text",
    "sign",
    "split_for_symbol",
    "verify",
]

# RFC 8392 §9.1: claim keys below -65536 are for private use; this one holds the certificate.
CLAIM = -65537
PATH = "/verify"
QUERY = "c"
KID_BYTES = 8  # as HC1: a prefix of the key's hash names it; verifiers try every match
_EDDSA, _ED25519 = -8, -19  # COSE algorithm ids (RFC 9053; RFC 9864 names Ed25519 -19)
_COSE_SIGN1 = 18
_DAYS = 100  # RFC 8943: full-date as days since 1970-01-01
_EPOCH = date(1970, 1, 1)
_MAX_INFLATED = 16 * 1024  # a credential is under 1 KB: refuse to inflate a bomb
_MIN_BARE = 100  # a bare base32 credential is at least this long (the signature alone is 104)
_B32 = re.compile(r"[A-Za-z2-7]+")
SHANGHAI = timezone(timedelta(hours=8))
ORGANISATION, NATURAL_PERSON = 1, 2


def _bad(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


def _malformed(en: str) -> DomainError:
    return _bad("malformed_token", "二维码凭证无法解读", f"the QR credential cannot be read: {en}")


@dataclass(frozen=True)
class Holder:
    """A holder as the QR carries it: an organisation by its credit code, a natural person by
    the masked name the public record shows (never an ID number)."""

    share_bp: int
    credit_code: str | None = None
    masked_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        who = (
            {"credit_code": self.credit_code}
            if self.credit_code is not None
            else {"masked_name": self.masked_name}
        )
        return {**who, "share_bp": self.share_bp}


@dataclass(frozen=True)
class QrCertificate:
    """What a verifier at a counter compares with the paper (G§17's layout, shortened)."""

    certificate_number: str
    certificate_version: int
    registration_number: str
    name: str
    holders: tuple[Holder, ...]
    registration_date: date
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    status_index: int | None = None
    term_start: date | None = None  # a renewed certificate's term (G§19); None: the first

    def to_dict(self) -> dict[str, Any]:
        return {
            "certificate_number": self.certificate_number,
            "certificate_version": self.certificate_version,
            "registration_number": self.registration_number,
            "name": self.name,
            "holders": [h.to_dict() for h in self.holders],
            "registration_date": self.registration_date.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "issued_at": self.issued_at.isoformat(),
            "status_index": self.status_index,
            "term_start": self.term_start.isoformat() if self.term_start else None,
        }

    def validity_at(self, now: datetime) -> str:
        """`not_yet_valid`, `expired` or `within_validity`, as `vc.validity_now` says."""
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        if now < self.valid_from:
            return "not_yet_valid"
        if now > self.valid_until:
            return "expired"
        return "within_validity"


@dataclass(frozen=True)
class VerifiedQr:
    """An authentic QR credential: signed by `kid` (the JWKS's), trusted for `issuer`."""

    certificate: QrCertificate
    kid: str
    issuer: str


# ------------------------------------------------------------------------------ issuing


def from_credential(credential: Mapping[str, Any], *, status_index: int | None) -> QrCertificate:
    """The QR's share of a certificate's VC (`certs.vc.credential`'s shape): the same
    numbers, name, holders, dates — nothing the VC does not say."""
    s = credential["credentialSubject"]
    holders = []
    for h in s["holders"]:
        share = int(h.get("shareBasisPoints", 10_000))
        if h.get("creditCode"):
            holders.append(Holder(share, credit_code=str(h["creditCode"])))
        else:  # a natural person: the VC carries the masked name (as the public record)
            holders.append(Holder(share, masked_name=str(h.get("name") or "")))
    return QrCertificate(
        certificate_number=str(s["certificateNumber"]),
        certificate_version=int(s["certificateVersion"]),
        registration_number=str(s["registrationNumber"]),
        name=str(s["name"]),
        holders=tuple(holders),
        registration_date=date.fromisoformat(str(s["registrationDate"])),
        valid_from=datetime.fromisoformat(str(credential["validFrom"])),
        valid_until=datetime.fromisoformat(str(credential["validUntil"])),
        issued_at=datetime.fromtimestamp(int(credential["iat"]), SHANGHAI),
        status_index=status_index,
        term_start=_renewed_term_start(s),
    )


def _renewed_term_start(subject: Mapping[str, Any]) -> date | None:
    """The renewed term's start the VC states (`validityTerm`); None before any renewal."""
    term = subject.get("validityTerm") or {}
    if not term.get("renewals"):
        return None
    return date.fromisoformat(str(term["start"]))


def _claims(cert: QrCertificate) -> dict[int, Any]:
    body: dict[int, Any] = {
        1: cert.certificate_number,
        2: cert.certificate_version,
        3: cert.registration_number,
        4: cert.name,
        5: [
            [ORGANISATION, h.credit_code, h.share_bp]
            if h.credit_code is not None
            else [NATURAL_PERSON, h.masked_name or "", h.share_bp]
            for h in cert.holders
        ],
        6: cbor2.CBORTag(_DAYS, (cert.registration_date - _EPOCH).days),
    }
    if cert.status_index is not None:
        body[7] = cert.status_index
    if cert.term_start is not None:  # renewed: the term's start as well as its end (exp)
        body[8] = cbor2.CBORTag(_DAYS, (cert.term_start - _EPOCH).days)
    return {
        4: int(cert.valid_until.timestamp()),  # exp
        5: int(cert.valid_from.timestamp()),  # nbf
        6: int(cert.issued_at.timestamp()),  # iat
        CLAIM: body,
    }


def kid_prefix(kid: str) -> bytes:
    """The COSE `kid` of a JWKS key: its RFC 7638 thumbprint's first 8 bytes."""
    return base64.urlsafe_b64decode(kid + "=" * (-len(kid) % 4))[:KID_BYTES]


def _cose_key(key: IssuerKey) -> COSEKeyInterface:
    params: dict[int, Any] = {
        1: 1,  # kty OKP
        -1: 6,  # crv Ed25519
        -2: key.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        2: kid_prefix(key.kid),
        3: _EDDSA,
    }
    if key.private is not None:
        params[-4] = key.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    return COSEKey.new(params)


def sign(cert: QrCertificate, key: IssuerKey) -> bytes:
    """The signed, compressed credential. Deterministic (canonical CBOR, Ed25519, zlib), so
    the same certificate signed by the same key always prints the same QR code."""
    if key.private is None:
        raise ValueError("signing needs the private key")
    payload = cbor2.dumps(_claims(cert), canonical=True)
    signed: bytes = COSE.new().encode_and_sign(
        payload, _cose_key(key), protected={1: _EDDSA, 4: kid_prefix(key.kid)}
    )
    return zlib.compress(signed, 9)


def qr_text(base_url: str, signed: bytes) -> str:
    """What the QR code holds: a link to the registry's /verify page carrying the credential.
    A phone camera opens the page (the online check); a verifier app reads `c` offline."""
    return f"{base_url.rstrip('/')}{PATH}?{QUERY}={_b32(signed)}"


def split_for_symbol(text: str) -> tuple[str, str]:
    """The QR text as two segments: the URL up to `c=` (byte mode) and the base32
    (alphanumeric mode: 5.5 bits a character rather than 8)."""
    head, sep, tail = text.rpartition(f"?{QUERY}=")
    if not sep or not _B32.fullmatch(tail) or tail != tail.upper():
        return text, ""
    return head + sep, tail


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


# ------------------------------------------------------------------------------ reading


def extract(text: str) -> bytes | None:
    """The signed credential in `text` — the QR code's URL, or its base32 alone — or None
    when `text` is not a QR credential (a vc+jwt, say). DomainError `malformed_token` when
    it is one but is not base32."""
    t = text.strip()
    if "://" in t or t.startswith(PATH):
        values = parse_qs(urlsplit(t).query).get(QUERY)
        if not values:
            return None
        t = values[0].strip()
    elif len(t) < _MIN_BARE:
        return None
    if not _B32.fullmatch(t):
        if "://" in text:
            raise _malformed("the c parameter is not base32")
        return None
    try:
        return base64.b32decode(t.upper() + "=" * (-len(t) % 8))
    except binascii.Error:
        raise _malformed("not base32") from None


def _inflate(data: bytes) -> bytes:
    if data[:1] != b"\x78":  # not zlib: HC1 readers take an uncompressed COSE too
        return data
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, _MAX_INFLATED)
    except zlib.error as e:
        raise _malformed(f"zlib: {e}") from None
    if d.unconsumed_tail or d.unused_data or not d.eof:
        raise _malformed("the compressed data is truncated, too large or followed by more")
    return out


def _one_item(data: bytes) -> Any:
    """One CBOR data item that is the whole of `data` (cbor2.loads ignores what follows)."""
    fp = io.BytesIO(data)
    item = cbor2.CBORDecoder(fp).decode()
    if fp.tell() != len(data):
        raise ValueError("data after the CBOR item")
    return item


def _parts(cose: bytes) -> tuple[dict[Any, Any], bytes]:
    """(header, payload) of a COSE_Sign1, shape checked; signature unchecked."""
    try:
        msg = _one_item(cose)
        ok = (
            isinstance(msg, cbor2.CBORTag)
            and msg.tag == _COSE_SIGN1
            and isinstance(msg.value, list)
            and len(msg.value) == 4
        )
        protected_raw, unprotected, payload, signature = msg.value if ok else (None,) * 4
        protected = _one_item(protected_raw) if isinstance(protected_raw, bytes) else None
    except (cbor2.CBORDecodeError, ValueError, TypeError, KeyError, OverflowError):
        raise _malformed("not a COSE_Sign1 message") from None
    if not (
        isinstance(protected, dict)
        and isinstance(unprotected, dict)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise _malformed("not a COSE_Sign1 message")
    # the algorithm only from the protected header (RFC 9052 §3.1: it must be signed); the kid
    # from either (it only picks a key to try)
    return {4: unprotected.get(4), **protected}, payload


def verify(data: bytes, keys: Mapping[str, IssuerKey], *, issuers: Mapping[str, str]) -> VerifiedQr:
    """Verify offline: `keys` by their JWKS kid, `issuers` maps each trusted kid to the
    issuer id it may sign for. Raises DomainError with a stable code saying what is wrong
    (`malformed_token`, `unsupported_algorithm`, `unknown_issuer_key`, `bad_signature`,
    `not_a_credential`)."""
    # 1. the layers: zlib, COSE_Sign1, its header
    cose = _inflate(data)
    header, payload = _parts(cose)
    alg = header.get(1)
    if alg not in (_EDDSA, _ED25519):
        raise _bad("unsupported_algorithm", "不支持的签名算法", f"unsupported algorithm {alg!r}")
    # 2. the key: every trusted key whose thumbprint begins with the kid (rotation keeps the
    # old ones here; two keys sharing 8 bytes would both be tried)
    kid = header.get(4)
    candidates = [k for k in keys.values() if isinstance(kid, bytes) and kid_prefix(k.kid) == kid]
    if not candidates:
        raise _bad(
            "unknown_issuer_key",
            "签发密钥不在信任列表中",
            f"no trusted key has the kid {kid.hex() if isinstance(kid, bytes) else kid!r}",
        )
    # 3. the signature (python-cwt: Sig_structure, Ed25519)
    signer = None
    for key in candidates:
        try:
            COSE.new().decode(cose, _cose_key_public(key))
        except CWTError:
            continue
        except (ValueError, TypeError, KeyError):
            raise _malformed("not a COSE_Sign1 message") from None
        signer = key
        break
    if signer is None:
        raise _bad("bad_signature", "签名无效：证书被篡改或伪造", "the signature does not verify")
    issuer = issuers.get(signer.kid)
    if issuer is None:
        raise _bad(
            "unknown_issuer_key",
            "签发密钥不在信任列表中",
            f"the key {signer.kid} is not trusted for any issuer",
        )
    # 4. the claims
    return VerifiedQr(certificate=_certificate(payload), kid=signer.kid, issuer=issuer)


def _cose_key_public(key: IssuerKey) -> COSEKeyInterface:
    return _cose_key(IssuerKey(kid=key.kid, public=key.public))


def _not_a_credential() -> DomainError:
    return _bad(
        "not_a_credential",
        "二维码凭证内容不是登记证书",
        "the QR credential does not carry a certificate",
    )


def _text(body: Mapping[int, Any], k: int) -> str:
    v = body.get(k)
    if not isinstance(v, str):
        raise _not_a_credential()
    return v


def _int(m: Mapping[int, Any], k: int) -> int:
    v = m.get(k)
    if not isinstance(v, int) or isinstance(v, bool):
        raise _not_a_credential()
    return v


def _holders(raw: Any) -> tuple[Holder, ...]:
    if not isinstance(raw, list) or not raw:
        raise _not_a_credential()
    out = []
    for item in raw:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and item[0] in (ORGANISATION, NATURAL_PERSON)
            and isinstance(item[1], str)
            and isinstance(item[2], int)
        ):
            raise _not_a_credential()
        kind, who, share = item
        out.append(
            Holder(share, credit_code=who)
            if kind == ORGANISATION
            else Holder(share, masked_name=who)
        )
    return tuple(out)


def _day(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):  # cbor2 reads tag 100
        return raw
    raise _not_a_credential()


def _moment(claims: Mapping[int, Any], k: int) -> datetime:
    try:
        return datetime.fromtimestamp(_int(claims, k), SHANGHAI)
    except (OverflowError, OSError, ValueError):
        raise _not_a_credential() from None


def _certificate(payload: bytes) -> QrCertificate:
    try:
        claims = _one_item(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError):
        raise _not_a_credential() from None
    body = claims.get(CLAIM) if isinstance(claims, dict) else None
    if not isinstance(body, dict) or not isinstance(claims, dict):
        raise _not_a_credential()
    index = body.get(7)
    if index is not None and (not isinstance(index, int) or index < 0):
        raise _not_a_credential()
    return QrCertificate(
        certificate_number=_text(body, 1),
        certificate_version=_int(body, 2),
        registration_number=_text(body, 3),
        name=_text(body, 4),
        holders=_holders(body.get(5)),
        registration_date=_day(body.get(6)),
        valid_from=_moment(claims, 5),
        valid_until=_moment(claims, 4),
        issued_at=_moment(claims, 6),
        status_index=index,
        term_start=_day(body[8]) if 8 in body else None,
    )


def holders_line(holders: Sequence[Holder]) -> str:
    """The holders as one line of text (for a terminal)."""
    return "；".join(f"{h.credit_code or h.masked_name} {h.share_bp / 100:g}%" for h in holders)
