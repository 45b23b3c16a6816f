"""Administrative divisions of the PRC (行政区划代码, GB/T 2260): 6-digit codes, their province
(2 digits), prefecture (4 digits) and county.

The table is python-stdnum's ``cn/loc`` (``stdnum/cn/loc.dat``, the one it checks resident ID
numbers' address codes against; compiled from the Ministry of Civil Affairs' published codes
since 1980, with each code's years of use). It is maintained with the package (updated by
its releases), so no copy is shipped here. A code that was abolished (``[-2010]崇文区``) is
still a division — people and enterprises carry old codes — but :attr:`Division.current` is
False for it.

Pure: stdlib and python-stdnum only. Reused by the quality measures (a region-code column's
conformance) and by the statistics (a holder's region from the credit code's chars 3–8).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from stdnum import numdb

__all__ = ["Division", "division", "prefecture_name", "province_name"]

_YEARS: Final = re.compile(r"^\[(\d{4})?-(\d{4})?\]")
_SIX_DIGITS: Final = re.compile(r"^[0-9]{6}$")
# a municipality's (直辖市) districts and counties are listed under these, not a prefecture
_MUNICIPAL: Final = ("市辖区", "县")


@dataclass(frozen=True)
class Division:
    """One GB/T 2260 code: the names at each level that the code names (``prefecture`` is
    None for a province's own code, ``county`` None for a prefecture's)."""

    code: str
    province: str
    prefecture: str | None
    county: str | None
    current: bool  # False: abolished (the table marks its last year)


def _name(raw: str) -> tuple[str, bool]:
    """A table name without its years, and whether it is still in use."""
    m = _YEARS.match(raw)
    if m is None:
        return raw, True
    return raw[m.end() :], m.group(2) is None


@functools.cache
def _db() -> numdb.NumDB:
    return numdb.get("cn/loc")


@functools.cache
def _lookup(code: str) -> tuple[str, str, bool] | None:
    """(province, the name the table gives the code, in use) or None for no such code."""
    found = _db().info(code)
    if len(found) < 2 or not found[0][1] or not found[1][1]:
        return None
    province = found[0][1].get("province")
    county = found[1][1].get("county")
    if province is None or county is None:
        return None
    name, current = _name(county)
    return province, name, current


def division(code: str) -> Division | None:
    """The division a 6-digit code names, or None (not six digits, or not in the table)."""
    if not _SIX_DIGITS.match(code):
        return None
    own = _lookup(code)
    if own is None:
        return None
    province, name, current = own
    if code[2:] == "0000":
        return Division(code, province, None, None, current)
    if code[4:] == "00":
        return Division(code, province, prefecture_name(code), None, current)
    return Division(code, province, prefecture_name(code), name, current)


def province_name(code: str) -> str | None:
    """The province of a code's first two digits (``52`` → 贵州省), or None."""
    if len(code) < 2 or not code[:2].isdigit():
        return None
    found = _lookup(code[:2] + "0000")
    return found[0] if found is not None else None


def prefecture_name(code: str) -> str | None:
    """The prefecture of a code's first four digits (``5201`` → 贵阳市), or None (a
    municipality's ``市辖区`` is its own name: ``1101`` → 北京市)."""
    if len(code) < 4 or not code[:4].isdigit() or code[2:4] == "00":
        return None
    found = _lookup(code[:4] + "00")
    if found is None:
        return None
    province, name, _ = found
    return province if name in _MUNICIPAL else name
