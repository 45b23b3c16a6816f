"""Validators of Chinese identifiers: check characters, dates, allocated segments.

Pure functions on canonical strings (digits, upper-case letters), used by :mod:`.detect` on
every candidate; see its docstring for what each kind requires and why the county part of a
resident ID is not checked. Each is written for speed: string slices, set look-ups and
C-level arithmetic (``int(s, 13)``, ``bytes.translate``) rather than per-digit loops.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "CARD_PREFIXES",
    "MOBILE_SEGMENTS",
    "PROVINCES",
    "birth_date_ok",
    "id_shaped",
    "landline_ok",
    "luhn_ok",
    "mobile_ok",
    "org_code_ok",
    "resident_id_ok",
    "today_str",
    "uscc_ok",
]

PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "  # noqa: SIM905
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_MMDD = frozenset(f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, 32)) - {
    "0230",
    "0231",
    "0431",
    "0631",
    "0931",
    "1131",
}


def today_str() -> str:
    return date.today().strftime("%Y%m%d")


def birth_date_ok(yyyymmdd: str, today: str | None = None) -> bool:
    """A real calendar date from 1900-01-01 to today (``YYYYMMDD``)."""
    if not ("19000101" <= yyyymmdd <= (today or today_str())) or yyyymmdd[4:] not in _MMDD:
        return False
    if yyyymmdd[4:] == "0229":
        y = int(yyyymmdd[:4])
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return True


def resident_id_ok(s: str, today: str | None = None) -> bool:
    """GB 11643 citizen identity number: 17 digits and a MOD 11-2 check character.

    The weights are 2^(18-i) mod 11 for the i-th character, and 13 ≡ 2 (mod 11), so the
    weighted sum is ``2 * int(first17, 13)`` mod 11 — one C call instead of a digit loop; the
    check value is (1 - sum) mod 11, 10 written X (python-stdnum's formula).
    """
    if len(s) != 18 or not s[:17].isdigit() or s[:2] not in PROVINCES:
        return False
    if not birth_date_ok(s[6:14], today):
        return False
    return s[17].upper() == "0123456789X"[(1 - 2 * int(s[:17], 13)) % 11]


def id_shaped(s: str, today: str) -> bool:
    """Province and birth date of a resident ID (whatever its check character)."""
    return s[:2] in PROVINCES and birth_date_ok(s[6:14], today)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_AUTHORITIES = frozenset("123456789ABCDEFGNY")


def uscc_ok(s: str) -> bool:
    """GB 32100 unified social credit code: MOD 31 check character (python-stdnum's
    ``cn.uscc`` computes the same, and uses no county table)."""
    if len(s) != 18 or s[0] not in _USCC_AUTHORITIES or not s[2:8].isdigit():
        return False
    if s[2:4] not in PROVINCES and s[2:4] != "10":
        return False
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(s, _USCC_WEIGHTS, strict=False))
    except KeyError:
        return False
    if s[17] != _USCC_ALPHABET[(31 - total % 31) % 31]:
        return False
    # An all-digit code could be an 18-digit card or account number passing MOD 31 by
    # chance (1 in 31); its embedded organisation code must then pass GB 11714 too.
    return not s.isdigit() or org_code_ok(s[8:17])


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_ok(s: str) -> bool:
    """GB 11714 organisation code (8 characters and a MOD 11 check character)."""
    if len(s) != 9:
        return False
    try:
        total = sum(int(c, 36) * w for c, w in zip(s, _ORG_WEIGHTS, strict=False))
    except ValueError:
        return False
    check = (11 - total % 11) % 11
    return s[8] == ("X" if check == 10 else str(check))


_LUHN_SINGLE = bytes.maketrans(b"0123456789", bytes(range(10)))
_LUHN_DOUBLE = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812 Luhn check (byte translations, no per-digit Python loop)."""
    b = digits.encode("ascii")
    return (sum(b[-1::-2].translate(_LUHN_SINGLE)) + sum(b[-2::-2].translate(_LUHN_DOUBLE))) % (
        10
    ) == 0


CARD_PREFIXES = ("62", "60", "65", "4", "5", "2", "35", "9")
MOBILE_SEGMENTS = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in range(9)]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
)


def mobile_ok(s: str) -> bool:
    return len(s) == 11 and s[:3] in MOBILE_SEGMENTS


def landline_ok(s: str) -> bool:
    """Area code (010, 02x; 0[3-9]xx) and a local number not starting with 0 or 1."""
    if len(s) < 10 or s[0] != "0":
        return False
    if s[1] in "12":
        if s[1] == "1" and s[2] != "0":
            return False
        local = s[3:]
        return len(local) == 8 and local[0] not in "01"
    local = s[4:]
    return len(local) in (7, 8) and local[0] not in "01"
