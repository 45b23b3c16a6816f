"""Transparency ledger, pure part: RFC 6962 Merkle trees and the C2SP log formats.

Modules: :mod:`~dataip.ledger.merkle` (RFC 6962/9162 hashing and proofs),
:mod:`~dataip.ledger.note` (C2SP signed-note, Ed25519), :mod:`~dataip.ledger.checkpoint`
(C2SP tlog-checkpoint), :mod:`~dataip.ledger.tiles` (C2SP tlog-tiles),
:mod:`~dataip.ledger.proof` (C2SP tlog-proof), :mod:`~dataip.ledger.cosignature`
(C2SP tlog-cosignature) and :mod:`~dataip.ledger.canonical` (RFC 8785 JCS). Only the standard
library, ``cryptography`` and ``rfc8785`` are imported.
"""

from dataip.ledger.errors import FormatError, VerificationError

__all__ = ["FormatError", "VerificationError"]
