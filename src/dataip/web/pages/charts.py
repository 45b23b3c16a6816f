"""Server-rendered SVG bar charts: no chart library, no script, nothing fetched from outside
(registries run on intranets). Each chart has a title for screen readers, and every page
that shows one shows the same numbers as a table too."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR = "#1f5fa8"  # 6.4:1 on white


def bar_chart(data: Sequence[tuple[str, int]], *, title: str, horizontal: bool = False) -> Markup:
    if not data:
        return Markup("")
    peak = max(v for _, v in data) or 1
    if horizontal:
        row, label_w, bar_w = 26, 230, 300
        height = row * len(data) + 10
        parts = []
        for i, (label, value) in enumerate(data):
            y = 5 + i * row
            w = max(1, round(bar_w * value / peak))
            parts.append(
                f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end">'
                f"{escape(label[:18])}</text>"
                f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 8}" fill="{BAR}"/>'
                f'<text x="{label_w + w + 6}" y="{y + 17}">{value}</text>'
            )
        width = label_w + bar_w + 60
    else:
        col, chart_h = 48, 160
        height = chart_h + 50
        parts = []
        for i, (label, value) in enumerate(data):
            x = 10 + i * col
            h = max(1, round(chart_h * value / peak))
            parts.append(
                f'<rect x="{x + 8}" y="{20 + chart_h - h}" width="{col - 16}" height="{h}" '
                f'fill="{BAR}"/>'
                f'<text x="{x + col / 2}" y="{14 + chart_h - h}" text-anchor="middle">'
                f"{value}</text>"
                f'<text x="{x + col / 2}" y="{chart_h + 38}" text-anchor="middle">'
                f"{escape(label[-5:])}</text>"
            )
        width = 20 + col * len(data)
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" fill="#1a1a1a">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
