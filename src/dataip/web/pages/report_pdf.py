"""The annual report as a PDF (JS25§2): A4, Chinese, a cover, a contents list with page
numbers (WeasyPrint's `target-counter`), the charts the portal draws (charts.py; WeasyPrint
renders inline SVG) and the same figures in tables; the CJK font embedded, as for
certificates (certs/pdf.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from dataip.value import statistics as f
from dataip.web.pages.charts import bar_chart, month_label

# (anchor, title) of each section, in order: the contents list and the page's headings
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "一、年度概况"),
    ("trend", "二、登记月度趋势"),
    ("industries", "三、行业分布"),
    ("regions", "四、地区与持有人"),
    ("value", "五、价值实现"),
    ("processing", "六、办理用时"),
    ("rankings", "七、热度排行"),
    ("cases", "八、典型案例"),
    ("method", "附：统计口径"),
)


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataip.web.pages", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    return env.get_template("annual_report_pdf.html")


def render_html(report: dict[str, Any]) -> str:
    fig = report["figures"]
    charts = {
        "monthly": bar_chart(
            [(month_label(m["month"]), m["registrations"]) for m in fig["monthly"]],
            title="各月登记数量",
        ),
        "sections": bar_chart(
            [(d["name"], d["count"]) for d in fig["by_section"]],
            title="各行业门类登记数量",
            horizontal=True,
        ),
        "regions": bar_chart(
            [(d["name"], d["count"]) for d in fig["by_region"]],
            title="各地区登记数量",
            horizontal=True,
        ),
    }
    return _template().render(
        report=report,
        fig=fig,
        charts=charts,
        sections=SECTIONS,
        segments=f.SEGMENTS,
        month_label=month_label,
        percent=f.percent_text,
        wan=f.wan_yuan_text,
    )


def render_pdf(report: dict[str, Any]) -> bytes:
    # Imported here: WeasyPrint loads Pango and the fonts, which other pages need not pay.
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=render_html(report)).write_pdf()
    return pdf
