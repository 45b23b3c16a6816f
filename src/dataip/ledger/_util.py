"""Private encoding helpers shared by the C2SP formats (strict base64 and decimals)."""

from __future__ import annotations

import base64
import binascii
import re

from dataip.ledger.errors import FormatError

__all__ = [
    "MAX_UINT63",
    "MAX_UINT64",
    "b64decode_strict",
    "b64encode",
    "check_text",
    "parse_decimal",
]

MAX_UINT64 = (1 << 64) - 1
MAX_UINT63 = (1 << 63) - 1

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def b64encode(data: bytes) -> str:
    """Standard base64 with padding (RFC 4648 §4)."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str = "base64") -> bytes:
    """Decode RFC 4648 §4 base64, rejecting anything but the one canonical encoding.

    Non-alphabet characters, missing padding, and non-zero trailing bits are all errors, so
    one byte string has exactly one accepted text form.
    """
    if not _B64.fullmatch(text) or len(text) % 4:
        raise FormatError(f"{what}: not canonical standard base64")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FormatError(f"{what}: invalid base64") from exc
    if base64.b64encode(data).decode("ascii") != text:
        raise FormatError(f"{what}: not canonical standard base64")
    return data


def parse_decimal(text: str, what: str, maximum: int = MAX_UINT64) -> int:
    """ASCII decimal without sign, spaces or leading zeroes (``0`` itself is allowed)."""
    if not _DECIMAL.fullmatch(text):
        raise FormatError(f"{what}: not a canonical decimal: {text[:40]!r}")
    value = int(text)
    if value > maximum:
        raise FormatError(f"{what}: {text[:40]} exceeds {maximum}")
    return value


def check_text(text: str, what: str) -> None:
    """Signed-note text rule: valid UTF-8 and no ASCII control characters but newline."""
    if _CONTROL.search(text):
        raise FormatError(f"{what}: contains an ASCII control character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FormatError(f"{what}: not valid UTF-8 (lone surrogate)") from exc
