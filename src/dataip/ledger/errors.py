"""Errors raised by the transparency-ledger package.

Parsing functions raise :class:`FormatError` for malformed input; every ``verify_*`` function
(and :func:`dataip.ledger.note.open_note`) raises :class:`VerificationError` and returns ``None``
on success, in the style of sigstore-python. Both are :class:`ValueError` subclasses.
"""

from __future__ import annotations

__all__ = ["FormatError", "VerificationError"]


class FormatError(ValueError):
    """Input does not follow the format of the spec named in the message."""


class VerificationError(ValueError):
    """A proof, signature or other cryptographic check failed."""
