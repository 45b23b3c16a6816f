"""A bank's pledge on a data IP (issue 20 §6): what the registry checks of its external
reference and its enforcement. Pure: no storage.

* **The 中登网 reference.** Since 1 January 2021 security interests in movables and rights are
  registered nationally at the People's Bank of China Credit Reference Center's 动产融资统一登记
  公示系统 (中登网, zhongdengwang.org.cn; State Council 国发〔2020〕18号). A registration there is
  identified by its 登记证明编号, printed on the registration certificate (登记证明) and cited
  in court judgments: 20 decimal digits (e.g. ``04093727000235578371``). The registry checks
  the syntax only (中登网 publishes no check digit and offers no public API to look a number
  up); the bank is responsible for it, as the 填表人 is for its registration there. Full-width
  digits and spaces, as typed from a printed certificate, are normalised.

  The number is public in the transparency log: it names a registration that is itself public
  (anyone may search 中登网), it is digits only (it cannot carry a name or free text), and it
  lets a due-diligence reader cross-check the two registries.
* **Enforcement** (质权实现, Civil Code Art. 436 and 446): the pledgee takes the right at an
  agreed value (折价) or is paid from the proceeds of its auction (拍卖) or sale (变卖). The
  registry records it; the right passes to the buyer by a separate transfer (G§21).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from dataip.domain.errors import DomainError

ENFORCEMENT_METHODS: Final[dict[str, tuple[str, str]]] = {
    "discount": ("折价", "taken at an agreed value"),
    "auction": ("拍卖", "auction"),
    "sale": ("变卖", "sale"),
}

ZDW_REFERENCE: Final = re.compile(r"[0-9]{20}", re.ASCII)


def normalise_zdw_reference(raw: str) -> str:
    """NFKC (full-width digits) without spaces or hyphens, as printed and typed."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"[\s-]", "", text)


def zdw_reference(raw: object) -> str:
    """A 中登网 登记证明编号 (20 digits), normalised; 422 `invalid_zdw_reference` otherwise."""
    number = normalise_zdw_reference(raw) if isinstance(raw, str) else ""
    if not ZDW_REFERENCE.fullmatch(number):
        raise DomainError(
            "invalid_zdw_reference",
            "中登网登记证明编号应为20位数字，如 04093727000235578371",
            "a 中登网 registration number is 20 digits, e.g. 04093727000235578371",
            status=422,
            details={"field": "zdw_reference"},
        )
    return number
