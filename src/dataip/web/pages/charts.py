"""Server-rendered SVG bar charts: no chart library, no script, nothing fetched from outside
(registries run on intranets). Each chart has a title for screen readers, and every page
that shows one shows the same numbers as a table too.

The text is set at FONT_PX and never scaled: a chart wider than its column scrolls sideways
in its own box (`.chart-scroll`) instead of shrinking its labels below legibility."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR = "#1f5fa8"  # 6.4:1 on white
FONT_PX = 13  # at least 11 px as shown (issue 19): the SVG is drawn at its own size


def month_label(key: str, lang: str = "zh-CN") -> str:
    """`2026-11` as the month axis says it: `2026年11月` (or `2026-11` in English)."""
    year, _, month = key.partition("-")
    if lang == "en" or not (year.isdigit() and month.isdigit()):
        return key
    return f"{int(year)}年{int(month)}月"


def _column_label(x: float, y: int, label: str) -> str:
    """A column's label, a `2026年11月` on two lines (year, then month) to fit the column."""
    head, sep, tail = label.partition("年")
    if not sep or not tail:
        return f'<text x="{x}" y="{y}" text-anchor="middle">{escape(label)}</text>'
    return (
        f'<text x="{x}" y="{y}" text-anchor="middle">'
        f'<tspan x="{x}">{escape(head + sep)}</tspan>'
        f'<tspan x="{x}" dy="{FONT_PX + 2}">{escape(tail)}</tspan></text>'
    )


def bar_chart(data: Sequence[tuple[str, int]], *, title: str, horizontal: bool = False) -> Markup:
    if not data:
        return Markup("")
    peak = max(v for _, v in data) or 1
    if horizontal:
        # each label on its own line above its bar: the chart fits a 300 px column whole
        row, bar_w, bar_h = 2 * FONT_PX + 14, 230, FONT_PX + 1
        height = row * len(data) + 6
        parts = []
        for i, (label, value) in enumerate(data):
            y = 4 + i * row
            w = max(1, round(bar_w * value / peak))
            parts.append(
                f'<text x="0" y="{y + FONT_PX}">{escape(label[:22])}</text>'
                f'<rect x="0" y="{y + FONT_PX + 4}" width="{w}" height="{bar_h}" fill="{BAR}"/>'
                f'<text x="{w + 6}" y="{y + 2 * FONT_PX + 3}">{value}</text>'
            )
        width = bar_w + 50
    else:
        col, chart_h = 60, 160
        height = chart_h + 60
        parts = []
        for i, (label, value) in enumerate(data):
            x = 10 + i * col
            h = max(1, round(chart_h * value / peak))
            parts.append(
                f'<rect x="{x + 8}" y="{20 + chart_h - h}" width="{col - 16}" height="{h}" '
                f'fill="{BAR}"/>'
                f'<text x="{x + col / 2}" y="{14 + chart_h - h}" text-anchor="middle">'
                f"{value}</text>" + _column_label(x + col / 2, chart_h + 38, label)
            )
        width = 20 + col * len(data)
    return Markup(
        f'<div class="chart-scroll"><svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT_PX}" fill="#1a1a1a">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg></div>"
    )
