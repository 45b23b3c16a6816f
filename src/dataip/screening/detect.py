"""Value detectors: find personal identifiers in text and keep only those that validate.

General-purpose tools miss Chinese data (issue 7): ``\\b`` never fires between a Chinese
character and a digit (both are word characters), so ``\\b``-anchored patterns find nothing in
``手机13812345678``; card patterns stop at 16 digits, missing 19-digit UnionPay numbers;
full-width digits (``１３８…``) are not digits to an ASCII pattern. Here:

* text is first mapped from full-width forms to ASCII (U+FF01–U+FF5E, and U+3000 to a space)
  with ``str.translate``, one character for one, so match positions stay valid; NFKC would do
  more than needed and change lengths; ``\\uXXXX`` escapes of JSON written with
  ``ensure_ascii`` are decoded before, six characters for six (see ``_UESCAPE``);
* every pattern is anchored with look-arounds on digits (``(?<![0-9])…(?![0-9])``), or on
  ASCII letters and digits for alphanumeric codes, never ``\\b``; what running text puts
  next to an identifier is a boundary too (issue 19): a label's ``:`` or ``.`` (``IP:``,
  ``No.`` — a full-width ``：`` is a ``:`` once normalised, so a ``:`` is refused beside an
  IPv4 address only inside an IPv6-like run), a glued ``IP`` label, an escape written out
  in JSON (``\\n``, ``\\t``), the seconds of a time before a grouped number; the
  adversarial corpus (tests/unit/screening/adversarial.py) holds every kind in each such
  context and decoys beside them;
* a match counts only when it validates:

  ========================  ==============================================================
  ``resident_id``           GB 11643: ISO 7064 MOD 11-2 check character, a birth date from
                            1900-01-01 to today, a province code (first two digits). The
                            county code is NOT checked: county tables (python-stdnum's
                            included) reject real numbers whose county code is younger
                            than the holder, e.g. 450327.
  ``uscc``                  GB 32100: the MOD 31 check character, a known registration
                            authority and a province (or national) division code.
  ``bank_card``             16–19 digits, Luhn, a card prefix (62/60/65 UnionPay and
                            domestic, 4, 5, 2, 35, 9). An 18-digit number shaped like a
                            resident ID (province + birth date) that fails the ID check is
                            a mistyped ID, not a card.
  ``mobile``                11 digits in an allocated 1[3-9]x segment; +86 / 0086 prefix.
  ``landline``              010 / 02x + 8 digits, or 0[3-9]xx + 7–8 digits; the local
                            number does not start with 0 or 1.
  ``email``                 dot-atom local part, host labels, an alphabetic TLD.
  ``ipv4`` / ``ipv6``       :mod:`ipaddress`.
  ``passport``              E/G + 8 digits, E + letter + 7 digits (no public check digit).
  ``hk_macau_permit``       C/W + 8 digits or C + letter + 7 digits (往来港澳通行证);
                            H/M + 8 or 10 digits (港澳居民来往内地通行证).
  ``plate``                 province + letter + 5 (≤ 2 letters) or, new-energy, 6
                            (D/F first or last) characters; 挂/学/警/港/澳 plates.
  ========================  ==============================================================

Speed: Python's ``re`` tries every alternative at every position unless the pattern starts
with a literal or a character class, so each pass starts with one (``[0-9]`` then a
look-behind, ``@`` for e-mail, the province characters for plates) and the few passes run over
a whole column at once (its values joined by ``\\n``), not cell by cell. Validation is
per match; the checks are string and ``int(…, 13)`` tricks, not digit loops. Where the C
extension ``_scan`` is built (the usual case), one walk over the text in C does the same
passes with the same results (see ``_scan.c``); the patterns here stay the rules.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from operator import add

from dataip.screening import mask, native
from dataip.screening.validate import (
    CARD_PREFIXES,
    MOBILE_SEGMENTS,
    id_shaped,
    landline_ok,
    luhn_ok,
    resident_id_ok,
    today_str,
    uscc_ok,
)

__all__ = [
    "CHECKSUMMED_KINDS",
    "VALUE_KINDS",
    "Entity",
    "KindTally",
    "find_entities",
    "normalise",
    "scan_text",
]

VALUE_KINDS = (
    "resident_id",
    "uscc",
    "mobile",
    "landline",
    "bank_card",
    "email",
    "ipv4",
    "ipv6",
    "passport",
    "hk_macau_permit",
    "plate",
)
CHECKSUMMED_KINDS = frozenset({"resident_id", "uscc", "bank_card"})
CARD_CANDIDATE = "_card_candidate"  # a 16-19 digit number with a card prefix failing Luhn

# --- normalisation ---------------------------------------------------------------------------

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Chinese text is full of full-width punctuation (，（）：); only digits, letters and @ matter.
_HAS_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20]")


_FULLWIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def _ascii(m: re.Match[str]) -> str:
    return m.group().translate(_FULLWIDTH)


# JSON written with ensure_ascii (Python's default) escapes every non-ASCII character:
# ``{"note": "\\u53f713812345678"}`` glues the escape's hex digits to the number. Each such
# escape becomes five zero-width spaces (U+200B: no pattern's character, no separator, and
# unlike NUL storable anywhere) and its character, six for six: the character keeps its
# place before what follows (``号13812345678``, ``京A12345``). Surrogates stay escaped.
_UESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")
_UNESCAPED_PAD = "\u200b" * 5


def _unescape(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    if code < 0x80 or 0xD800 <= code <= 0xDFFF:
        return m.group()
    return _UNESCAPED_PAD + chr(code)


def _normalise(text: str) -> str:
    """``\\uXXXX`` escapes of non-ASCII characters decoded (see ``_UESCAPE``), then
    full-width ASCII forms to ASCII, one character for one: positions are kept. Only the
    runs of full-width characters are translated, and only if a digit, letter or @ is among
    them somewhere. (The reference for ``_scan.normalise``.)"""
    if "\\u" in text:
        text = _UESCAPE.sub(_unescape, text)
    return _FULLWIDTH_RUN.sub(_ascii, text) if _HAS_FULLWIDTH.search(text) else text


def normalise(text: str) -> str:
    """Full-width ASCII forms to ASCII (see ``_normalise``), in C when it is built."""
    return _normalise(text) if native.module is None else native.module.normalise(text)


def _lengths(values: Sequence[str]) -> tuple[int, int]:
    """The longest value's length and the number of empty values (the reference for
    ``_scan.lengths``)."""
    return max(map(len, values), default=0), values.count("")


def lengths(values: Sequence[str]) -> tuple[int, int]:
    """The longest value's length and the number of empty values, in C when it is built."""
    return _lengths(values) if native.module is None else native.module.lengths(values)


# --- the passes ------------------------------------------------------------------------------

# Exclusions live in the look-arounds, not in Python: a digit run must not follow a digit, "@"
# (an e-mail host) or a decimal point (a "." after a digit: ``3.1415…``, ``1.2.3.4.5``; after
# a letter it ends a label, ``No.13812345678``) nor precede a digit or "@".
# A USCC may start with digits and go on with letters, so it is tried before a digit run
# (which would stop at the first letter); an 18-digit match of it is classified as a number.
_DIGITS = re.compile(
    r"[0-9](?<![0-9@][0-9])(?<![0-9]\.[0-9])(?:"
    r"(?P<usc>[0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Za-z@]))"
    r"|(?P<run>[0-9]{9,18}[Xx]?(?![0-9@]))"
    r"|(?P<grp>[0-9]{1,5}(?:[ -][0-9]{3,8}){1,4}(?:[ -][0-9]{1,2}|[Xx])?(?![0-9@]))"
    r"|(?P<ip4>[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![0-9]|\.[0-9]))"
    r")"
)
# A JSON or C escape (``\\n``, ``\\t``…) written out in text ends a token like a line break:
# ``"…\\nE12345678"`` holds a passport, not the token ``nE12345678``.
_ESCAPES = "nrtbf"
_LETTERS = re.compile(
    r"[A-Z](?:(?<![0-9A-Za-z][A-Z])|(?<=\\[nrtbf][A-Z]))(?:"
    r"(?P<doc>[A-HJ-NP-Z0-9]?[0-9]{7,10})"
    r"|(?P<usc>[0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10})"
    r")(?![0-9A-Za-z])"
)
_PAREN_LANDLINE = re.compile(r"[(（](0[0-9]{2,3})[)）][ -]?([2-9][0-9]{6,7})(?![0-9])")
# tried only where a local-part character starts a run of them (the look-behind), so each
# ASCII token is scanned once; a run starting with an escape (``\\nzhang@…``) starts after it
_EMAIL = re.compile(
    r"(?:[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-][A-Za-z0-9._%+-])(?<!\\[nrtbf])"
    r"|(?<=\\[nrtbf])[A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{0,63})"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)
# two colons from the first character on (that may be one of them: ::1), at most 45
# characters (ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255). It starts after none of
# [0-9A-Za-z:.], or after a label: a ":" or "." that follows no address
# character (``ip:``, ``IP地址:`` — a full-width colon is a ":" once normalised — ``No.``),
# ``v6:`` (``IPv6:``), the letters ``IP`` glued to it (``登录IP2001:db8::1``), or after an
# escape.
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?:(?<![0-9A-Za-z:.][0-9A-Fa-f:])|(?<=[^0-9A-Fa-f:.][:.][0-9A-Fa-f:])"
    r"|(?<=[Vv]6:[0-9A-Fa-f:])|(?<=[Ii][Pp][0-9A-Fa-f:])|(?<=\\[nrtbf][0-9A-Fa-f:]))"
    r"(?!(?<=:)(?!:(?!:)))"  # a ":" starts it only as "::" (":1:…", ":::1" are none)
    r"(?:(?<=:)(?=[0-9A-Fa-f.]*:)|(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:))"
    r"[0-9A-Fa-f:.]{0,44}(?![0-9A-Za-z:.])"
)
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
if native.module is not None:  # the C plate pass starts at the same characters
    native.module.configure_plates(PLATE_PROVINCES)
_PLATE = re.compile(
    f"[{PLATE_PROVINCES}][A-HJ-NP-Z][-·• .]?"
    r"([A-HJ-NP-Z0-9]{4}[挂学警港澳]|[A-HJ-NP-Z0-9]{5,6})(?![0-9A-Za-z])"
)
_SEPARATOR = re.compile("[ -]")
_PLATE_NEW_ENERGY = re.compile(r"[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _number(s: str, today: str) -> str | None:
    """The kind of a run of digits (separators removed), or None. An X check character
    belongs to an 18-character resident ID and to nothing else."""
    n = len(s)
    if s[-1] in "Xx" and n != 18:
        return None
    if n == 18:
        if resident_id_ok(s, today):
            return "resident_id"
        if s[17] in "Xx":
            return None
        if uscc_ok(s):
            return "uscc"
        if id_shaped(s, today):
            return None  # a mistyped resident ID, not a card
    elif n == 11:
        if s[0] == "1":
            return "mobile" if s[:3] in MOBILE_SEGMENTS else None
        return "landline" if landline_ok(s) else None
    elif n == 12:
        return "landline" if landline_ok(s) else None
    elif n == 13 and s.startswith("86"):
        return "mobile" if s[2:5] in MOBILE_SEGMENTS else None
    elif n == 15 and s.startswith("0086"):
        return "mobile" if s[4:7] in MOBILE_SEGMENTS else None
    if 16 <= n <= 19 and s.startswith(CARD_PREFIXES) and s.isdigit():
        return "bank_card" if luhn_ok(s) else CARD_CANDIDATE
    return None


def _grouped(s: str, today: str) -> tuple[int, str, str] | None:
    """A number written in groups (``138 1234 5678``, ``010-12345678``). The pattern may run
    on into a following number (``138-1234-5678 2023``), so shorter prefixes are tried."""
    parts = _SEPARATOR.split(s)
    for k in range(len(parts), 1, -1):
        digits = "".join(parts[:k])
        if len(digits) < 10:
            return None
        kind = _number(digits, today)
        if kind == CARD_CANDIDATE and k == len(parts):
            return len(s), kind, digits
        if kind is not None and kind != CARD_CANDIDATE:
            return sum(map(len, parts[:k])) + k - 1, kind, digits
    return None


def _give_back(s: str) -> int | None:
    """Where to look again in a number written in groups that is no identifier (nor a card
    failing Luhn): at its second group, if the first looks like another token — at most two
    digits (the seconds of ``10:30:45 138 1234 5678``, a count: ``3 138 1234 5678``) or a
    separator unlike the next one (``1201 138-1234-5678``). None: the groups are one number.
    """
    i = _SEPARATOR.search(s).start()  # type: ignore[union-attr]
    after = _SEPARATOR.search(s, i + 1)
    return i + 1 if i <= 2 or (after is not None and s[after.start()] != s[i]) else None


def _document_kind(s: str) -> str | None:
    """Passport (E/G + 8 digits, E + letter + 7) or HK/Macau permit (C/W + 8 digits, C +
    letter + 7; H/M + 8 or 10 digits)."""
    first, n = s[0], len(s)
    digits = s[1:].isdigit()
    lettered = s[2:].isdigit()  # second character a letter (checked by the pattern)
    if n == 9 and first in "EG" and (digits or (first == "E" and lettered)):
        return "passport"
    if n == 9 and first in "CW" and (digits or (first == "C" and lettered)):
        return "hk_macau_permit"
    if n in (9, 11) and first in "HM" and digits:
        return "hk_macau_permit"
    return None


# kind -> (starts, ends, values, lines): a hit's line is the number of line breaks before it
Hits = dict[str, tuple[list[int], list[int], list[str], list[int]]]


def _digit_hit(m: re.Match[str], text: str, today: str) -> tuple[str, int, int, str] | None:
    """The validated identifier of one ``_DIGITS`` match: (kind, start, end, canonical value),
    or None. Canonical: digits only, mobile numbers without +86, upper case."""
    group = m.lastgroup
    s = m.group()
    if group == "run" or (group == "usc" and s[:17].isdigit()):
        # the commonest shapes (mobile, resident ID) first
        n = len(s)
        if n == 11 and s[0] == "1" and s[10] not in "Xx":
            return ("mobile", *m.span(), s) if s[:3] in MOBILE_SEGMENTS else None
        if n == 18 and resident_id_ok(s, today):
            return ("resident_id", *m.span(), s.upper())
        kind = _number(s, today)
        if kind is None:
            return None
        return (kind, *m.span(), s[-11:] if kind == "mobile" else s.upper())
    if group == "grp":
        grouped = _grouped(s, today)
        if grouped is None or (grouped[1] == CARD_CANDIDATE and _give_back(s) is not None):
            return None
        length, kind, digits = grouped
        start = m.start()
        return kind, start, start + length, digits[-11:] if kind == "mobile" else digits
    if group == "ip4":
        start, end = m.span()
        if not _ipv4_bounded(text, start, end):
            return None
        try:
            ipaddress.IPv4Address(s)
        except ValueError:
            return None
        return "ipv4", start, end, s
    start = m.start()
    if (not start or text[start - 1] not in _ASCII_ALNUM or _escaped(text, start)) and uscc_ok(s):
        return "uscc", start, m.end(), s
    return None


def _escaped(text: str, i: int) -> bool:
    """Whether ``text[i]`` follows an escape written out (``\\n``, ``\\t``…): a token
    boundary, as the line break it stands for."""
    return i >= 2 and text[i - 2] == "\\" and text[i - 1] in _ESCAPES


_V6_CHARS = frozenset("0123456789ABCDEFabcdef:")


def _ipv4_bounded(text: str, start: int, end: int) -> bool:
    """Whether the IPv4-shaped ``text[start:end]`` stands alone: no ASCII letter or digit
    before it (but a glued ``IP`` label, ``登录IP10.0.0.1``, or an escape), and not inside an
    IPv6 address — the run of hex digits and colons touching it on either side holds at
    most one colon (``IP:10.0.0.1``, ``10.0.0.1:8080``, but not ``::ffff:10.0.0.1``)."""
    glued = start and text[start - 1] in _ASCII_ALNUM
    if glued and text[max(0, start - 2) : start].upper() != "IP" and not _escaped(text, start):
        return False
    colons, i = 0, start - 1
    while i >= 0 and text[i] in _V6_CHARS and colons < 2:
        colons += text[i] == ":"
        i -= 1
    if colons >= 2:
        return False
    colons, i = 0, end
    while i < len(text) and text[i] in _V6_CHARS and colons < 2:
        colons += text[i] == ":"
        i += 1
    return colons < 2


# the order of _scan.c's output triples
_NATIVE_KINDS = (
    "resident_id",
    "uscc",
    "mobile",
    "landline",
    "bank_card",
    CARD_CANDIDATE,
    "passport",
    "hk_macau_permit",
    "plate",
    "email",
    "ipv4",
    "ipv6",
)


def _ipv6_value(s: str) -> str | None:
    """The canonical form of an ``_IPV6`` match (without its trailing dots, a full stop, or
    a single trailing colon) that is an address, or None."""
    if "::" not in s and s.count(":") != 7 and "." not in s:
        return None
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return None
    return s.lower()


def _hits(text: str, today: str) -> Hits:
    """Every validated identifier of ``text`` (already normalised), by kind.

    The digit, letter, plate, e-mail and IPv6 passes run in C (``_scan.c``) when it is
    built, here otherwise: both give the same hits in the same order
    (tests/unit/screening/test_scan_native.py). Values are canonical: digits only, mobile
    numbers without +86, upper case (e-mail and IPv6 lower case).
    """
    out: Hits = {kind: ([], [], [], []) for kind in (*VALUE_KINDS, CARD_CANDIDATE)}
    at = [0, 0]  # a position and the number of line breaks before it

    def add(kind: str, start: int, end: int, value: str) -> None:
        # each pass adds in order of position: count the line breaks since the last hit
        pos, line = at if start >= at[0] else (0, 0)
        at[:] = start, line + text.count("\n", pos, start)
        got = out[kind]
        got[0].append(start)
        got[1].append(end)
        got[2].append(value)
        got[3].append(at[1])

    if native.module is None:
        _python_passes(text, today, add)
    else:
        native.module.scan(text, today, tuple(out[kind] for kind in _NATIVE_KINDS))
    # after the digit pass's landlines in both
    if "(" in text or "（" in text:
        for m in _PAREN_LANDLINE.finditer(text):
            s = m.group(1) + m.group(2)
            if landline_ok(s):
                add("landline", m.start(), m.end(), s)
    return {kind: got for kind, got in out.items() if got[0]}


def _python_passes(text: str, today: str, add: Callable[[str, int, int, str], None]) -> None:
    """The digit, letter, plate, e-mail and IPv6 passes in Python: the reference for
    ``_scan.c``."""
    search, pos = _DIGITS.search, 0
    while (m := search(text, pos)) is not None:
        hit = _digit_hit(m, text, today)
        if hit is not None:
            add(*hit)
            pos = m.end()
        elif m.lastgroup == "grp" and (back := _give_back(m.group())) is not None:
            pos = m.start() + back
        else:
            pos = m.end()
    for m in _LETTERS.finditer(text):
        s = m.group()
        if m.lastgroup == "usc":
            if uscc_ok(s):
                add("uscc", m.start(), m.end(), s)
        else:
            doc = _document_kind(s)
            if doc is not None:
                add(doc, m.start(), m.end(), s)
    for m in _PLATE.finditer(text):
        body = m.group(1)
        if len(body) == 6:
            if not _PLATE_NEW_ENERGY.fullmatch(body):
                continue
        elif len(body) == 5 and sum(c.isalpha() for c in body) > 2:
            continue
        add("plate", m.start(), m.end(), m.group()[:2] + body)
    if "@" in text:
        for m in _EMAIL.finditer(text):
            s = m.group()
            name = s[: s.index("@")]
            if name[0] != "." and name[-1] != "." and ".." not in name:
                add("email", m.start(), m.end(), s.lower())
    if ":" in text:
        for m in _IPV6.finditer(text):
            s = m.group().rstrip(".")
            if s[-1:] == ":" and s[-2:] != "::":
                s = s[:-1]  # a colon after it: ``地址2001:db8::1：…`` once normalised
            value = _ipv6_value(s)
            if value is not None:
                add("ipv6", m.start(), m.start() + len(s), value)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """One validated identifier: where it is and its canonical form (raw: never reported)."""

    kind: str
    value: str
    row: int
    start: int
    end: int


@dataclass
class KindTally:
    """Counts of one kind in one column; merged across chunks by :meth:`merge`."""

    count: int = 0  # occurrences
    values: int = 0  # values (cells) with at least one
    candidates: int = 0  # bank_card only: card-shaped numbers, valid or not
    examples: list[str] = field(default_factory=list)  # masked, distinct

    def merge(self, other: KindTally, max_examples: int = 3) -> None:
        self.count += other.count
        self.values += other.values
        self.candidates += other.candidates
        for e in other.examples:
            if len(self.examples) < max_examples and e not in self.examples:
                self.examples.append(e)


def find_entities(text: str) -> list[Entity]:
    """Every validated identifier in one text (row 0), in order of position."""
    found = [
        Entity(kind, value, 0, start, end)
        for kind, (starts, ends, values, _lines) in _hits(normalise(text), today_str()).items()
        if kind != CARD_CANDIDATE
        for start, end, value in zip(starts, ends, values, strict=True)
    ]
    return sorted(found, key=lambda e: (e.start, e.end))


def scan_text(
    values: Sequence[str],
    *,
    keep: list[Entity] | None = None,
    max_examples: int = 3,
) -> tuple[dict[str, KindTally], str]:
    """Tally the value kinds of a column (``values`` in row order); return the tallies and
    the normalised joined text (for the column-level statistics).

    With ``keep``, every entity is appended to it (row = index in ``values``, offsets
    within the value).
    """
    text = normalise("\n".join(values))
    hits = _hits(text, today_str())
    tallies: dict[str, KindTally] = {}
    if not hits:
        return tallies, text
    # a hit's row is its line unless a value holds a line break; then, as for the offsets
    # within a value, from the end offset (past the separator) of each value
    one_line_each = text.count("\n") == len(values) - 1
    ends: list[int] = []
    if keep is not None or not one_line_each:
        ends = list(map(add, accumulate(map(len, values)), range(1, len(values) + 1)))
    row_of = partial(bisect_right, ends)
    invalid = hits.pop(CARD_CANDIDATE, None)
    for kind, (starts, stops, found, lines) in hits.items():
        rows = lines if one_line_each else list(map(row_of, starts))
        tally = tallies[kind] = KindTally(count=len(starts), values=len(set(rows)))
        for value in found:
            shown = mask.mask_value(kind, value)
            if shown not in tally.examples:
                tally.examples.append(shown)
                if len(tally.examples) == max_examples:
                    break
        if keep is not None:
            for row, start, stop, value in zip(rows, starts, stops, found, strict=True):
                offset = ends[row - 1] if row else 0
                keep.append(Entity(kind, value, row, start - offset, stop - offset))
    if invalid is not None or "bank_card" in tallies:
        card = tallies.setdefault("bank_card", KindTally())
        card.candidates = card.count + (len(invalid[0]) if invalid else 0)
    return tallies, text
