"""What a sample column holds (GB/T 36344-2018's measures need a type per column): its kind,
inferred from its non-blank values, and for each value whether it is written as the kind
expects (*shaped*), whether it is a real value of the kind (*valid*: a date that exists, a
check character that checks, a code in its code table, a number in its plausible range) and
in which written format (for the consistency of one column).

Kinds: ``blank`` (no value at all), ``integer``, ``decimal``, ``date``, ``datetime``,
``uscc`` (统一社会信用代码, GB 32100 check character), ``resident_id`` (居民身份证号码,
GB 11643 check character, birth date), ``region`` (GB/T 2260 six-digit division),
``industry`` (GB/T 4754-2017 code: a section letter, a division, group or class), ``text``.

Inference (over the non-blank values, ``n`` of them): a kind is taken when at least 80% of
the values have its shape. Codes first — 18 characters: ``resident_id`` or ``uscc``,
whichever has more valid values (a tie: ``resident_id``); six digits: ``region`` when the
header names a region or at least half of the values are divisions; ``industry`` only when
the header names an industry (two to four digits are too common to guess) — then
``datetime`` / ``date``, ``integer``, ``decimal`` (integers count as decimals), else
``text``. A text column has no format to conform to.

Blank: empty, only white space, or a null marker (``NULL``, ``None``, ``NaN``, ``N/A``,
``#N/A``, ``\\N``, any case). A cell is measured on its first :data:`CELL_CHARS` characters.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Final

from dataip.domain import identifiers, regions
from dataip.domain.errors import DomainError

__all__ = [
    "CELL_CHARS",
    "KINDS",
    "ColumnProfile",
    "is_blank",
    "profile_column",
]

CELL_CHARS: Final = 1_000
SHAPE_SHARE_PCT: Final = 80  # a kind is taken when this share of values has its shape
KINDS: Final[dict[str, tuple[str, str]]] = {
    "blank": ("空列", "empty"),
    "integer": ("整数", "integer"),
    "decimal": ("小数", "decimal"),
    "date": ("日期", "date"),
    "datetime": ("日期时间", "date and time"),
    "uscc": ("统一社会信用代码", "credit code"),
    "resident_id": ("居民身份证号码", "resident ID"),
    "region": ("行政区划代码", "region code"),
    "industry": ("国民经济行业代码", "industry code"),
    "text": ("文本", "text"),
}
TYPED: Final = frozenset(KINDS) - {"blank", "text"}
CODES: Final = frozenset({"uscc", "resident_id", "region", "industry"})
TEMPORAL: Final = frozenset({"date", "datetime"})
NUMERIC: Final = frozenset({"integer", "decimal"})
EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2100, 12, 31)

_NULLS: Final = frozenset({"null", "none", "nan", "n/a", "#n/a", "\\n", "nil"})
_DATE_FORMATS: Final = (
    ("YYYY-MM-DD", re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")),
    ("YYYY/MM/DD", re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")),
    ("YYYY.MM.DD", re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})")),
    ("YYYY年M月D日", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
    ("YYYYMMDD", re.compile(r"(\d{4})(\d{2})(\d{2})")),
)
_TIME: Final = re.compile(r"[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_INTEGER: Final = re.compile(r"[+-]?\d+")
_DECIMALS: Final = (
    ("plain", re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")),
    ("grouped", re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")),
    ("percent", re.compile(r"[+-]?\d+(?:\.\d+)?%")),
)
_EIGHTEEN: Final = re.compile(r"[0-9A-Za-z]{18}")
_SIX_DIGITS: Final = re.compile(r"\d{6}")
_INDUSTRY: Final = re.compile(r"([A-Ta-t])?(\d{2,4})?")

_HINTS: Final = {
    "region": re.compile(r"区划|地区代码|地区编码|行政区|region|adcode|area_?code", re.I),
    "industry": re.compile(r"行业|industry", re.I),
    "date8": re.compile(r"日期|时间|生日|date|day|time", re.I),
}
# Plausible ranges by header (a value outside is a content error): non-negative amounts and
# counts, ages, percentages.
_RANGES: Final = (
    (re.compile(r"年龄|age", re.I), Decimal(0), Decimal(150)),
    (re.compile(r"百分比|占比|比例|率|percent|ratio|rate", re.I), Decimal(-100), Decimal(100)),
    (
        re.compile(r"金额|数量|价格|单价|面积|人数|次数|count|amount|price|qty|quantity", re.I),
        Decimal(0),
        None,
    ),
)


def is_blank(value: str) -> bool:
    s = value.strip()
    return not s or s.lower() in _NULLS


@functools.cache
def industry_sections() -> dict[str, str]:
    """Every code of GB/T 4754-2017 (sections, divisions, groups, classes) → its section."""
    text = resources.files("dataip.data").joinpath("gbt4754-2017.csv").read_text("utf-8")
    rows = (line.split(",") for line in text.splitlines()[1:] if line)
    return {r[0]: r[-1] for r in rows}


# --- one value ---------------------------------------------------------------------------------


def _date_of(s: str, *, eight: bool) -> tuple[str, date | None] | None:
    """(format, the date or None when it does not exist) for a date-shaped value."""
    for fmt, pattern in _DATE_FORMATS:
        if fmt == "YYYYMMDD" and not eight:
            continue
        m = pattern.fullmatch(s)
        if m is not None:
            try:
                return fmt, date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return fmt, None
    return None


def _temporal(s: str, *, eight: bool) -> tuple[str, str, date | None] | None:
    """(kind, format, date or None) for a date or date-time shaped value."""
    found = _date_of(s, eight=eight)
    if found is not None:
        return "date", found[0], found[1]
    for fmt, pattern in _DATE_FORMATS[:4]:
        m = pattern.match(s)
        if m is None:
            continue
        t = _TIME.fullmatch(s, m.end())
        if t is None:
            return None
        try:
            d: date | None = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            d = None
        ok = int(t[1]) < 24 and int(t[2]) < 60 and (t[3] is None or int(t[3]) < 60)
        sep = "T" if s[m.end()] == "T" else " "
        return "datetime", f"{fmt}{sep}hh:mm", d if ok else None
    return None


def _decimal(s: str) -> tuple[str, Decimal] | None:
    if _INTEGER.fullmatch(s):
        return "integer", Decimal(s)
    for fmt, pattern in _DECIMALS:
        if pattern.fullmatch(s):
            try:
                return fmt, Decimal(s.replace(",", "").rstrip("%"))
            except InvalidOperation:  # pragma: no cover - the patterns are decimals
                return None
    return None


def _uscc_ok(s: str) -> bool:
    try:
        identifiers.check_uscc(s)
    except DomainError:
        return False
    return True


def _ric_ok(s: str, today: date) -> bool:
    try:
        identifiers.check_resident_id(s, today=today)
    except DomainError:
        return False
    return True


def _industry_ok(s: str) -> bool:
    m = _INDUSTRY.fullmatch(s.upper())
    if m is None or (m[1] is None and m[2] is None):
        return False
    letter, digits = m[1], m[2]
    table = industry_sections()
    if digits is None:
        return letter.upper() in table
    if digits not in table:
        return False
    return letter is None or table[digits] == letter.upper()


# --- one column ----------------------------------------------------------------------------


@dataclass
class ColumnProfile:
    """A column's kind and counts; ``parsed`` holds per row the value read for the kind (a
    date, a Decimal, a normalised code) or None (blank, unshaped or invalid)."""

    name: str
    kind: str
    cells: int
    blank: int
    shaped: int = 0  # written as the kind expects
    valid: int = 0  # and a real value of the kind
    out_of_range: int = 0  # shaped numbers outside the header's plausible range
    formats: Counter[str] = field(default_factory=Counter)
    parsed: list[object | None] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return self.cells - self.blank

    @property
    def dominant(self) -> int:
        """Values written in the column's most common format."""
        return max(self.formats.values(), default=0)


def _kind_of(name: str, values: Sequence[str], today: date) -> str:
    n = len(values)
    if n == 0:
        return "blank"

    def enough(k: int) -> bool:
        return 100 * k >= SHAPE_SHARE_PCT * n

    eighteen = [v for v in values if _EIGHTEEN.fullmatch(v)]
    if enough(len(eighteen)):
        ric = sum(_ric_ok(v, today) for v in eighteen)
        uscc = sum(_uscc_ok(v.upper()) for v in eighteen)
        if ric or uscc:
            return "resident_id" if ric >= uscc else "uscc"
    six = [v for v in values if _SIX_DIGITS.fullmatch(v)]
    if enough(len(six)) and (
        _HINTS["region"].search(name) or 2 * sum(regions.division(v) is not None for v in six) >= n
    ):
        return "region"
    if _HINTS["industry"].search(name) and enough(
        sum(bool(_INDUSTRY.fullmatch(v)) and v != "" for v in values)
    ):
        return "industry"
    eight = bool(_HINTS["date8"].search(name))
    temporal = [_temporal(v, eight=eight) for v in values]
    kinds = Counter(t[0] for t in temporal if t is not None)
    if enough(sum(kinds.values())):
        return "datetime" if kinds["datetime"] > kinds["date"] else "date"
    numbers = [_decimal(v) for v in values]
    integers = sum(1 for x in numbers if x is not None and x[0] == "integer")
    if enough(integers):
        return "integer"
    if enough(sum(x is not None for x in numbers)):
        return "decimal"
    return "text"


def _range_of(name: str) -> tuple[Decimal | None, Decimal | None] | None:
    for pattern, low, high in _RANGES:
        if pattern.search(name):
            return low, high
    return None


def profile_column(name: str, cells: Sequence[str], *, today: date) -> ColumnProfile:
    """Infer the column's kind and count its values (``cells``: one per row, as read)."""
    values = [c[:CELL_CHARS].strip() for c in cells]
    blank = [is_blank(v) for v in values]
    filled = [v for v, b in zip(values, blank, strict=True) if not b]
    kind = _kind_of(name, filled, today)
    p = ColumnProfile(name=name, kind=kind, cells=len(values), blank=sum(blank))
    eight = bool(_HINTS["date8"].search(name))
    bounds = _range_of(name) if kind in NUMERIC else None
    for v, b in zip(values, blank, strict=True):
        if b or kind in ("blank", "text"):
            p.parsed.append(None)
            continue
        parsed: object | None = None
        if kind in TEMPORAL:
            t = _temporal(v, eight=eight)
            if t is not None:
                p.shaped += 1
                p.formats[t[1]] += 1
                if t[2] is not None and EARLIEST <= t[2] <= LATEST:
                    parsed = t[2]
        elif kind in NUMERIC:
            x = _decimal(v)
            if x is not None and (kind == "decimal" or x[0] == "integer"):
                p.shaped += 1
                p.formats[x[0]] += 1
                low, high = bounds if bounds is not None else (None, None)
                if (low is not None and x[1] < low) or (high is not None and x[1] > high):
                    p.out_of_range += 1
                else:
                    parsed = x[1]
        elif kind == "uscc":
            if _EIGHTEEN.fullmatch(v):
                p.shaped += 1
                p.formats["upper" if v == v.upper() else "mixed case"] += 1
                parsed = v.upper() if _uscc_ok(v.upper()) else None
        elif kind == "resident_id":
            if _EIGHTEEN.fullmatch(v) and v[:17].isdigit():
                p.shaped += 1
                p.formats["x" if v.endswith("x") else "X/digit"] += 1
                parsed = v.upper() if _ric_ok(v, today) else None
        elif kind == "region":
            if _SIX_DIGITS.fullmatch(v):
                p.shaped += 1
                p.formats["6 digits"] += 1
                parsed = v if regions.division(v) is not None else None
        elif kind == "industry" and _INDUSTRY.fullmatch(v):
            p.shaped += 1
            p.formats["letter+digits" if v[:1].isalpha() and len(v) > 1 else "code"] += 1
            parsed = v.upper() if _industry_ok(v) else None
        if parsed is not None:
            p.valid += 1
        p.parsed.append(parsed)
    return p
