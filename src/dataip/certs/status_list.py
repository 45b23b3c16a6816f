"""Certificate status as a W3C Bitstring Status List (v1.0), for verifiers that cache it.

One list holds `LIST_SIZE` certificates; each has `STATUS_SIZE` bits whose value is an index
into `MESSAGES` (statusPurpose "message": a registration can leave `revoked` again on
re-examination, which a one-bit "revocation" list must never do). The bitstring is GZIP'd and
multibase base64url-encoded ("u" prefix), as the specification says; index 0 is the left-most
bit of the first byte.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataip.domain.errors import DomainError

STATUS_SIZE = 3
LIST_SIZE = 131_072  # the specification's minimum list length, for herd privacy
MESSAGES = (
    "valid",
    "superseded",
    "under_re_examination",
    "cancelled",
    "abandoned",
    "revoked",
)
CODES = {m: i for i, m in enumerate(MESSAGES)}
STATUS_MESSAGES = [{"status": hex(i), "message": m} for i, m in enumerate(MESSAGES)]


def _bad(en: str) -> DomainError:
    return DomainError("invalid_status_list", "状态列表无效", en, status=422)


def encode(statuses: Mapping[int, str]) -> str:
    """`statuses`: position in the list → status name (absent positions are 0, valid)."""
    bits = bytearray(LIST_SIZE * STATUS_SIZE // 8)
    for pos, status in statuses.items():
        if not 0 <= pos < LIST_SIZE:
            raise ValueError(f"position {pos} outside the list")
        value = CODES[status]
        for b in range(STATUS_SIZE):  # most significant bit first
            if value >> (STATUS_SIZE - 1 - b) & 1:
                bit = pos * STATUS_SIZE + b
                bits[bit // 8] |= 0x80 >> (bit % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise _bad("encodedList is not multibase base64url")
    try:
        raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-(len(encoded) - 1) % 4))
        bits = gzip.decompress(raw)
    except (ValueError, OSError, EOFError) as e:
        raise _bad(f"encodedList cannot be decoded: {e}") from None
    if len(bits) * 8 < LIST_SIZE * STATUS_SIZE:
        raise _bad("the bitstring is shorter than the list")
    return bits


def status_at(bits: bytes, pos: int) -> str:
    value = 0
    for b in range(STATUS_SIZE):
        bit = pos * STATUS_SIZE + b
        value = value << 1 | (bits[bit // 8] >> (7 - bit % 8) & 1)
    return MESSAGES[value] if value < len(MESSAGES) else f"unknown:{value}"


def locate(index: int) -> tuple[int, int]:
    """A certificate's global status index → (list number, position in it)."""
    return divmod(index, LIST_SIZE)


def entry(list_url: str, index: int) -> dict[str, Any]:
    """The certificate's `credentialStatus` (BitstringStatusListEntry)."""
    _, pos = locate(index)
    return {
        "id": f"{list_url}#{pos}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(pos),
        "statusListCredential": list_url,
        "statusSize": STATUS_SIZE,
        "statusMessage": STATUS_MESSAGES,
    }


def list_credential(
    *, issuer_id: str, list_url: str, encoded: str, valid_from: datetime, valid_until: datetime
) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id},
        "iss": issuer_id,
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "encodedList": encoded,
        },
    }


@dataclass(frozen=True)
class CachedStatus:
    status: str
    as_of: str  # the list's validFrom
    freshness: str  # within_validity | expired | not_yet_valid


def list_url(issuer_id: str, list_no: int) -> str:
    """Where an issuer (this software) publishes status list `list_no`."""
    return f"{issuer_id}/api/v1/certificates/status-lists/{list_no}"


def status_from_list(
    certificate: Mapping[str, Any], issuer: str, status_list: Any, now: datetime
) -> CachedStatus:
    """A certificate's status read from a verified status-list credential (`vc.Verified`):
    the list must come from the certificate's issuer and be the one its entry names."""
    from dataip.certs.vc import status_entries

    entry = next(
        (e for e in status_entries(certificate) if e.get("type") == "BitstringStatusListEntry"),
        None,
    )
    if entry is None:
        raise _bad("the certificate names no status list")
    return _read(
        issuer,
        str(entry.get("statusListCredential")),
        int(entry["statusListIndex"]),
        status_list,
        now,
    )


def status_at_index(index: int, issuer: str, status_list: Any, now: datetime) -> CachedStatus:
    """The status of the certificate at global position `index` (what the QR credential
    carries) from a verified status-list credential of its issuer (`vc.Verified`)."""
    list_no, pos = locate(index)
    return _read(issuer, list_url(issuer, list_no), pos, status_list, now)


def _read(issuer: str, url: str, pos: int, status_list: Any, now: datetime) -> CachedStatus:
    from dataip.certs.vc import validity_now

    if status_list.issuer != issuer or status_list.credential.get("id") != url:
        raise DomainError(
            "wrong_status_list",
            "状态列表不是该证书所指的列表",
            "the status list is not the one the certificate names",
            status=422,
        )
    bits = decode(str(status_list.credential["credentialSubject"]["encodedList"]))
    return CachedStatus(
        status=status_at(bits, pos),
        as_of=str(status_list.credential.get("validFrom")),
        freshness=validity_now(status_list.credential, now),
    )
