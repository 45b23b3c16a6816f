"""The trust list (信任列表): the operator-signed list of the registries that recognise and
witness each other (issue 21 §1, R25; decision 0012).

Wire form: a C2SP signed note (c2sp.org/signed-note, Ed25519) whose text is two lines::

    dataip.dev/trust-list/v1
    <the list as RFC 8785 canonical JSON, on one line>

signed by the list operator's key. The JSON (snake_case members)::

    {"operator": "<the operator key's name>", "sequence": 7,
     "issued": "2026-12-07T00:00:00Z", "expires": "2027-01-07T00:00:00Z",
     "registries": [{
        "agency_code": "5200",                # the 4 digits in the 17-digit certificate number
        "name": "贵州省数据知识产权登记中心",
        "issuer": "https://dataip.gz.example.cn",           # the certificates' `iss`
        "jwks": {"keys": [...]},                            # certificate keys, inline
        "log": {"origin": "dataip.gz.example.cn/log", "key": "<vkey, type 0x01>"},
        "feed": "https://dataip.gz.example.cn/api/v1/events",
        "witness": {"key": "<vkey, type 0x04>", "url": "https://dataip.gz.example.cn/witness"}
     }]}

:func:`open_trust_list` is the one way in: it checks, in order, the note's syntax, the
operator's signature, the body, the validity period and that the sequence number does not go
back. Every refusal is a :class:`~dataip.domain.errors.DomainError` with a stable code.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from dataip.domain.errors import DomainError
from dataip.domain.numbering import parse_certificate_number
from dataip.ledger.canonical import canonicalize
from dataip.ledger.cosignature import CosignatureVerifier
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Signer, Verifier, check_signatures, parse_note, sign_note

__all__ = [
    "HEADER",
    "MAX_REGISTRIES",
    "MEDIA_TYPE",
    "SKEW",
    "RegistryEntry",
    "TrustList",
    "format_time",
    "open_trust_list",
    "parse_time",
]

HEADER = "dataip.dev/trust-list/v1"
MEDIA_TYPE = "text/plain; charset=utf-8"
MAX_REGISTRIES = 1000
# Clocks differ: a list issued a little "in the future" by the operator's clock is accepted.
SKEW = timedelta(minutes=5)

_AGENCY = re.compile(r"[0-9]{4}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _malformed(en: str, zh: str = "信任列表格式错误") -> DomainError:
    return DomainError("trust_list_malformed", zh, f"malformed trust list: {en}", status=422)


def format_time(at: datetime) -> str:
    """RFC 3339 in UTC, whole seconds, ``Z`` (one text form per instant)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object, what: str) -> datetime:
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise _malformed(f"{what} must be a UTC time like 2026-12-07T00:00:00Z")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _malformed(f"{what} is not a valid time") from None


def _text(doc: Mapping[str, Any], key: str, what: str, *, limit: int = 500) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _malformed(f"{what} `{key}` must be a non-empty string of at most {limit} chars")
    return value


def _url(doc: Mapping[str, Any], key: str, what: str) -> str:
    value = _text(doc, key, what, limit=2000)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise _malformed(f"{what} `{key}` must be an http(s) URL: {value[:80]!r}")
    return value.rstrip("/")


def _object(doc: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any]:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise _malformed(f"{what} `{key}` must be an object")
    return value


def _jwks(doc: Mapping[str, Any], what: str) -> dict[str, Any]:
    jwks = _object(doc, "jwks", what)
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise _malformed(f"{what} `jwks` must be a JWK Set with a non-empty `keys` array")
    for jwk in keys:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
            raise _malformed(f"{what} `jwks` holds a key without `kty`")
        if any(k in jwk for k in ("d", "p", "q", "dp", "dq", "qi", "k")):
            raise _malformed(f"{what} `jwks` holds private key material")
    return dict(jwks)


@dataclass(frozen=True)
class RegistryEntry:
    """One registry of the federation, as the operator lists it."""

    agency_code: str  # 登记机构代码: digits 7–10 of its 17-digit certificate numbers
    name: str
    issuer: str  # the `iss` of its certificates: its public base URL
    jwks: dict[str, Any] = field(hash=False, compare=True)
    log_origin: str
    log_key: str  # C2SP vkey, Ed25519 note signature (type 0x01); its name is the origin
    feed_url: str  # the CloudEvents event feed (issue 20 §4)
    witness_key: str  # C2SP vkey, Ed25519 cosignature/v1 (type 0x04)
    witness_url: str  # tlog-witness submission prefix: POST <url>/add-checkpoint

    def __post_init__(self) -> None:
        # The entry is a value: it owns its copy of the JWKS, and hands out copies.
        object.__setattr__(self, "jwks", copy.deepcopy(self.jwks))
        if not _AGENCY.fullmatch(self.agency_code):
            raise _malformed(f"agency code {self.agency_code[:10]!r} is not 4 digits")
        try:
            log = self.log_verifier()
            self.witness_verifier()
        except (FormatError, ValueError) as exc:
            raise _malformed(f"registry {self.agency_code}: bad key: {exc}") from None
        if log.name != self.log_origin:
            raise _malformed(
                f"registry {self.agency_code}: the log key is named {log.name!r}, not its "
                f"origin {self.log_origin!r} (C2SP tlog-checkpoint)"
            )

    def log_verifier(self) -> Verifier:
        return Verifier.from_text(self.log_key)

    def witness_verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_text(self.witness_key)

    @property
    def witness_name(self) -> str:
        return self.witness_verifier().name

    def to_json(self) -> dict[str, Any]:
        return {
            "agency_code": self.agency_code,
            "name": self.name,
            "issuer": self.issuer,
            "jwks": copy.deepcopy(self.jwks),
            "log": {"origin": self.log_origin, "key": self.log_key},
            "feed": self.feed_url,
            "witness": {"key": self.witness_key, "url": self.witness_url},
        }

    @classmethod
    def from_json(cls, doc: object) -> RegistryEntry:
        if not isinstance(doc, dict):
            raise _malformed("each registry is an object")
        code = doc.get("agency_code")
        what = f"registry {code!r}"
        log = _object(doc, "log", what)
        witness = _object(doc, "witness", what)
        return cls(
            agency_code=_text(doc, "agency_code", what, limit=4),
            name=_text(doc, "name", what, limit=200),
            issuer=_url(doc, "issuer", what),
            jwks=_jwks(doc, what),
            log_origin=_text(log, "origin", f"{what} log"),
            log_key=_text(log, "key", f"{what} log"),
            feed_url=_url(doc, "feed", what),
            witness_key=_text(witness, "key", f"{what} witness"),
            witness_url=_url(witness, "url", f"{what} witness"),
        )


@dataclass(frozen=True)
class TrustList:
    """The list: who operates it, its sequence number, validity period and registries."""

    operator: str  # the name of the operator's note key
    sequence: int  # strictly increases with each list the operator issues
    issued: datetime
    expires: datetime
    registries: tuple[RegistryEntry, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.sequence <= 2**53 - 1:
            raise _malformed("sequence must be an integer in 0..2**53-1")
        if self.expires <= self.issued:
            raise _malformed("expires must be after issued")
        if len(self.registries) > MAX_REGISTRIES:
            raise _malformed(f"more than {MAX_REGISTRIES} registries")
        for attr, what in [
            ("agency_code", "agency code"),
            ("issuer", "issuer"),
            ("log_origin", "log origin"),
            ("witness_key", "witness key"),
        ]:
            values = [getattr(r, attr) for r in self.registries]
            if len(set(values)) != len(values):
                raise _malformed(f"two registries share a {what}")

    # --- lookups ----------------------------------------------------------------------------
    def by_origin(self, origin: str) -> RegistryEntry | None:
        return next((r for r in self.registries if r.log_origin == origin), None)

    def by_agency(self, code: str) -> RegistryEntry | None:
        return next((r for r in self.registries if r.agency_code == code), None)

    def by_certificate_number(self, number: str) -> RegistryEntry | None:
        """The registry whose agency code a 17-digit certificate number carries (digits
        7–10: year, month, registry code, serial). Raises ``invalid_certificate_number``."""
        return self.by_agency(parse_certificate_number(number).registry_code)

    def by_issuer(self, issuer: str) -> RegistryEntry | None:
        issuer = issuer.rstrip("/")
        return next((r for r in self.registries if r.issuer == issuer), None)

    def check_valid_at(self, now: datetime) -> None:
        """Raise ``trust_list_expired`` / ``trust_list_not_yet_valid`` outside the period."""
        if now >= self.expires:
            raise DomainError(
                "trust_list_expired",
                f"信任列表（序号 {self.sequence}）已于 {format_time(self.expires)} 过期",
                f"the trust list (sequence {self.sequence}) expired at {format_time(self.expires)}",
                status=422,
                details={"sequence": self.sequence, "expires": format_time(self.expires)},
            )
        if now + SKEW < self.issued:
            raise DomainError(
                "trust_list_not_yet_valid",
                "信任列表的签发时间晚于当前时间",
                f"the trust list is issued at {format_time(self.issued)}, in the future",
                status=422,
                details={"issued": format_time(self.issued)},
            )

    # --- codec ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "sequence": self.sequence,
            "issued": format_time(self.issued),
            "expires": format_time(self.expires),
            "registries": [r.to_json() for r in self.registries],
        }

    def to_text(self) -> str:
        """The note text: header line and canonical JSON line."""
        return f"{HEADER}\n{canonicalize(self.to_json()).decode('utf-8')}\n"

    def sign(self, signer: Signer) -> str:
        """The list as a signed note; the operator field must name the signing key."""
        if signer.name != self.operator:
            raise ValueError(f"the list names operator {self.operator!r}, the key {signer.name!r}")
        return sign_note(self.to_text(), [signer])

    @classmethod
    def from_json(cls, doc: object) -> TrustList:
        if not isinstance(doc, dict):
            raise _malformed("the body is not a JSON object")
        unknown = set(doc) - {"operator", "sequence", "issued", "expires", "registries"}
        if unknown:
            raise _malformed(f"unknown members {sorted(unknown)}")
        sequence = doc.get("sequence")
        if not isinstance(sequence, int) or isinstance(sequence, bool):
            raise _malformed("sequence must be an integer")
        registries = doc.get("registries")
        if not isinstance(registries, list):
            raise _malformed("registries must be an array")
        return cls(
            operator=_text(doc, "operator", "the list"),
            sequence=sequence,
            issued=parse_time(doc.get("issued"), "issued"),
            expires=parse_time(doc.get("expires"), "expires"),
            registries=tuple(RegistryEntry.from_json(r) for r in registries),
        )

    @classmethod
    def parse(cls, text: str) -> TrustList:
        """Parse note text strictly: the header, then exactly the canonical JSON."""
        header, sep, rest = text.partition("\n")
        if header != HEADER or not sep:
            raise _malformed(f"the first line must be {HEADER!r}")
        if not rest.endswith("\n") or "\n" in rest[:-1]:
            raise _malformed("the body must be one line of JSON")
        line = rest[:-1]
        try:
            doc = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise _malformed("the body is not JSON") from None
        listed = cls.from_json(doc)
        if canonicalize(doc) != line.encode("utf-8") or listed.to_text() != text:
            raise _malformed("the body is not in RFC 8785 canonical form")
        return listed


def open_trust_list(
    note: str | bytes,
    operator_keys: Iterable[Verifier],
    *,
    now: datetime,
    newest_sequence: int | None = None,
) -> tuple[TrustList, str]:
    """Verify a signed trust list and return it with its note text.

    ``operator_keys`` are the operator's keys this registry is configured with;
    ``newest_sequence`` is the highest sequence number already accepted (None: none yet).
    Raises :class:`DomainError`: ``trust_list_malformed``, ``trust_list_unsigned``,
    ``trust_list_signature_invalid`` (tampered), ``trust_list_wrong_operator``,
    ``trust_list_expired``, ``trust_list_not_yet_valid``, ``trust_list_rolled_back``.
    """
    keys = list(operator_keys)
    # 1. Syntax: a signed note, with at least one signature line.
    try:
        parsed = parse_note(note)
    except FormatError as exc:
        text = note.decode("utf-8", "replace") if isinstance(note, bytes) else note
        if "\n— " not in text:
            raise DomainError(
                "trust_list_unsigned",
                "信任列表没有签名",
                "the trust list carries no signature",
                status=422,
            ) from None
        raise _malformed(str(exc)) from None
    # 2. The operator's signature: a signature by a configured key that fails means the text
    #    was changed after signing; none by a configured key means someone else signed it.
    try:
        verified = check_signatures(parsed, keys)
    except VerificationError:
        raise DomainError(
            "trust_list_signature_invalid",
            "信任列表的签名无效（内容被篡改）",
            "the operator's signature on the trust list does not verify (tampered)",
            status=422,
        ) from None
    if not verified:
        raise DomainError(
            "trust_list_wrong_operator",
            "信任列表不是由所配置的运营方密钥签名的",
            "the trust list is not signed by the configured operator key",
            status=422,
            details={"signed_by": sorted({s.name for s in parsed.signatures})},
        )
    # 3. The body.
    listed = TrustList.parse(parsed.text)
    if listed.operator not in {s.name for s in verified}:
        raise _malformed(f"the list names operator {listed.operator!r}, not its signer")
    # 4. The validity period.
    listed.check_valid_at(now)
    # 5. No roll-back: a list older than one already accepted is refused.
    if newest_sequence is not None and listed.sequence < newest_sequence:
        raise DomainError(
            "trust_list_rolled_back",
            f"信任列表的序号 {listed.sequence} 低于已接受的 {newest_sequence}（回滚）",
            f"the trust list's sequence {listed.sequence} is below the {newest_sequence} "
            "already accepted (rolled back)",
            status=409,
            details={"sequence": listed.sequence, "accepted": newest_sequence},
        )
    return listed, parsed.text
