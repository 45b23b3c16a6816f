"""A beneficiary's statement (收益分配对账单) and its check against the transparency log.

A distribution is one log leaf (`DistributionRecorded`): public are the registration's
number, the retention rule and, per beneficiary, its key and its exact share of the income
(a fraction ``n/d``); the income and every amount are salted commitments — ``income`` and
``part_<i>`` for the i-th beneficiary of the public list — so the log proves the amounts
without showing them. A statement hands its beneficiary the opening of its own commitment
(the salt and the committed value: ``{"beneficiary", "amount_fen"}``) and the receipt (a
C2SP tlog-proof carrying the leaf), and :func:`verify_statement` checks, offline with the
log's key alone:

1. the receipt's signature and the leaf's inclusion (``ledger.proof.verify_proof``);
2. that the leaf is a distribution of this registration, naming this beneficiary at the
   position given, with the share stated;
3. that SHA-256(salt ‖ canonical value) is the commitment at that position, and the value
   is this beneficiary's amount.

The commitment is the one ``services.recording.commitment`` makes: the salt's text followed
by ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import NoteVerifier
from dataip.ledger.proof import parse_proof, verify_proof

__all__ = [
    "EVENT_TYPE",
    "VerifiedStatement",
    "commitment_digest",
    "format_fraction",
    "part_name",
    "verify_statement",
]

EVENT_TYPE = "DistributionRecorded"


def part_name(index: int) -> str:
    """The commitment's name of the `index`-th beneficiary in the leaf's public list."""
    return f"part_{index}"


def format_fraction(value: Fraction) -> str:
    """``n/d`` in lowest terms (``1/1`` for the whole)."""
    return f"{value.numerator}/{value.denominator}"


def commitment_digest(salt: str, value: Any) -> str:
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(salt.encode() + blob).hexdigest()


@dataclass(frozen=True)
class VerifiedStatement:
    registration_number: str
    beneficiary: str
    amount_fen: int
    share: Fraction
    log_index: int
    tree_size: int


def _fail(why: str) -> VerificationError:
    return VerificationError(f"statement does not verify: {why}")


def verify_statement(
    statement: Mapping[str, Any], verifiers: Iterable[NoteVerifier], *, origin: str | None = None
) -> VerifiedStatement:
    """Check a statement (the JSON the registry serves) against the log; raise
    :class:`VerificationError` naming the first step that fails."""
    try:
        receipt = str(statement["receipt"])
        opening = statement["opening"]
        salt, value = str(opening["salt"]), opening["value"]
        position = int(statement["position"])
        beneficiary = str(statement["beneficiary"])
        amount = int(statement["amount_fen"])
        number = str(statement["registration_number"])
        parsed = parse_proof(receipt)
        leaf: dict[str, Any] = json.loads(parsed.extra)
    except (KeyError, TypeError, ValueError, FormatError) as exc:
        raise _fail(f"malformed ({exc})") from None
    # 1. the log signed a tree that includes the leaf
    checkpoint = verify_proof(receipt, list(verifiers), leaf_data=parsed.extra, origin=origin)
    # 2. the leaf is this registration's distribution and names this beneficiary here
    public = leaf.get("public") or {}
    if leaf.get("type") != EVENT_TYPE or public.get("registration_number") != number:
        raise _fail("the leaf is not a distribution of this registration")
    keys, shares = public.get("beneficiaries") or [], public.get("shares") or []
    if not (0 <= position < len(keys) == len(shares)) or keys[position] != beneficiary:
        raise _fail("the leaf does not name this beneficiary at this position")
    # 3. the opening is the commitment the leaf holds, and says this amount
    committed = (leaf.get("commitments") or {}).get(part_name(position))
    if committed is None or commitment_digest(salt, value) != committed:
        raise _fail("the opening does not match the leaf's commitment")
    if value != {"beneficiary": beneficiary, "amount_fen": amount}:
        raise _fail("the committed value is not this beneficiary's amount")
    try:
        share = Fraction(shares[position])
    except (ValueError, ZeroDivisionError):
        raise _fail("the leaf's share is malformed") from None
    return VerifiedStatement(number, beneficiary, amount, share, parsed.index, checkpoint.size)
