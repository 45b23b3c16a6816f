"""The valuation report as an A4 PDF in Chinese (估值报告): every input, factor and formula,
the four dimensions, the legal defects, the sensitivity table and — for an agency's report —
its signature, rendered from a Jinja2 template by WeasyPrint with the CJK font the
certificates use (embedded; no font from outside)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import jinja2

__all__ = ["cn_date", "render", "yuan"]


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with thousands separators: `¥1,234,567.89 元`."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d} 元"


def cn_date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataip.value", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = yuan
    env.filters["cn_date"] = cn_date
    return env.get_template("valuation_report.html")


def html(view: Mapping[str, Any]) -> str:
    return _template().render(v=view, r=view["report"])


def render(view: Mapping[str, Any]) -> bytes:
    """The PDF of a valuation as `services.value.valuation.get` returns it."""
    import weasyprint  # here: WeasyPrint loads Pango and the fonts (about a second)

    pdf: bytes = weasyprint.HTML(string=html(view)).write_pdf()
    return pdf
