"""The account of institutional reads (机构查阅记录, R25): one record per read of private
fields or an archive, chained so that it cannot be edited silently.

Each record's `hash` is SHA-256 over the previous record's hash (32 bytes; the first record
follows 32 zero bytes) and the record's own canonical content (RFC 8785 JSON of the fields in
`content`). `verify_chain` recomputes the chain: an edited record breaks its own hash, a
deleted one breaks the next record's `prev_hash` and leaves a gap in `seq`, and a deleted last
record is caught against the number of records written (a counter kept beside the chain).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import rfc8785

__all__ = [
    "GENESIS",
    "RESOURCES",
    "ChainFinding",
    "ReadRecord",
    "chain_hash",
    "content",
    "verify_chain",
]

GENESIS: Final = "0" * 64
# what was read -> (zh, en)
RESOURCES: Final[dict[str, tuple[str, str]]] = {
    "record": ("完整登记信息", "the full record"),
    "archive": ("登记档案", "the registration archive"),
    "evidence_package": ("证据包（含登记档案）", "the evidence package (with the archive)"),
    "encumbrances": ("权利负担（尽职调查）", "encumbrances (due diligence)"),
    "valuation": ("估值报告", "a valuation"),  # issue 22 §2
}


@dataclass(frozen=True)
class ReadRecord:
    """One read: who (client, institution), what (registration, resource), when, under
    which scope and for what stated purpose."""

    seq: int
    institution_id: int
    client_id: str
    institution_name: str
    kind: str
    token_id: str
    scope: str
    registration_number: str
    resource: str  # a key of RESOURCES
    purpose: str
    read_at: datetime
    prev_hash: str
    hash: str


def content(r: ReadRecord) -> dict[str, Any]:
    """The fields a record's hash covers (everything but the hashes themselves)."""
    return {
        "seq": r.seq,
        "institution_id": r.institution_id,
        "client_id": r.client_id,
        "institution_name": r.institution_name,
        "kind": r.kind,
        "token_id": r.token_id,
        "scope": r.scope,
        "registration_number": r.registration_number,
        "resource": r.resource,
        "purpose": r.purpose,
        # whole seconds in UTC: what every backend stores and gives back alike
        "read_at": r.read_at.astimezone(UTC).replace(microsecond=0).isoformat(),
    }


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + rfc8785.dumps(fields)).hexdigest()


@dataclass(frozen=True)
class ChainFinding:
    seq: int
    problem: str  # "edited" | "broken_link" | "missing" | "truncated"


def verify_chain(records: Iterable[ReadRecord], *, written: int) -> list[ChainFinding]:
    """Every break in the chain (empty: intact). `records` in `seq` order; `written` is how
    many records were ever appended."""
    findings: list[ChainFinding] = []
    prev, expected = GENESIS, 1
    for r in records:
        if r.seq != expected:
            findings.extend(ChainFinding(s, "missing") for s in range(expected, r.seq))
        if r.prev_hash != prev:
            findings.append(ChainFinding(r.seq, "broken_link"))
        if chain_hash(r.prev_hash, content(r)) != r.hash:
            findings.append(ChainFinding(r.seq, "edited"))
        prev, expected = r.hash, r.seq + 1
    if written >= expected:
        findings.extend(ChainFinding(s, "truncated") for s in range(expected, written + 1))
    return findings
