"""The statistics page (R30, `/statistics`) and the annual report (JS25§2,
`/reports/annual/{year}` and its PDF): charts drawn on the server (charts.py) with the same
figures in tables beside them. The figures come from `services.value.statistics_view`; these
routes only read and render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from dataip.domain.errors import DomainError
from dataip.services.value import annual_report, statistics, statistics_view
from dataip.value import statistics as f
from dataip.web.deps import EnvDep
from dataip.web.pages import report_pdf
from dataip.web.pages.charts import bar_chart, month_label
from dataip.web.pages.render import gettext_for, lang_of, render

router = APIRouter(include_in_schema=False)

# each CSV download's name on the page (message ids; the file names stay as the API has them)
TABLE_LABELS = {
    "totals": "Overview",
    "by-industry": "Industry sections",
    "by-division": "Industry divisions",
    "by-region": "Regions",
    "by-holder-type": "Holder types",
    "by-source": "Data-source types",
    "monthly": "Monthly trend",
    "value-realised": "Value realised",
    "processing-times": "Processing times",
}


def charts(fig: dict[str, Any], lang: str, _: Any) -> dict[str, Any]:
    """The charts of a figure set, each titled; the page shows the same numbers in tables."""

    def name(d: dict[str, Any]) -> str:
        return str(d["name_en"] if lang == "en" else d["name"])

    processing = fig["processing"]["monthly"]
    return {
        "monthly": bar_chart(
            [(month_label(m["month"], lang), m["registrations"]) for m in fig["monthly"]],
            title=_("Registrations by month"),
        ),
        "sections": bar_chart(
            [(name(d), d["count"]) for d in fig["by_section"]],
            title=_("Registrations by industry section"),
            horizontal=True,
        ),
        "regions": bar_chart(
            [(name(d), d["count"]) for d in fig["by_region"]],
            title=_("Registrations by region"),
            horizontal=True,
        ),
        "overall_median": bar_chart(
            [
                (month_label(m["month"], lang), m["overall"]["median"])
                for m in processing
                if m["overall"]["count"]
            ],
            title=_("Filing to certificate, median working days by month"),
        ),
    }


def context(fig: dict[str, Any], lang: str, _: Any) -> dict[str, Any]:
    return {
        "fig": fig,
        "charts": charts(fig, lang, _),
        "segments": f.SEGMENTS,
        "value_kinds": statistics_view.VALUE_KINDS,
        "month_label": lambda key: month_label(key, lang),
        "percent": f.percent_text,
        "wan": f.wan_yuan_text,
        "name": lambda d: d["name_en"] if lang == "en" else d["name"],
    }


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request,
    env: EnvDep,
    year: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    error = None
    chosen = int(year) if year and year.isdigit() else None
    try:
        a, b = statistics.period(year=chosen)
    except DomainError as e:
        error, (a, b) = e, (None, None)
    fig = statistics_view.figures(env=env, first=a, last=b)
    lang = lang_of(request)
    _ = gettext_for(request)
    years = annual_report.years(env=env)
    query = f"?year={chosen}" if chosen and not error else ""
    return render(
        request,
        "statistics.html",
        {
            **context(fig, lang, _),
            "error": error,
            "year": chosen if not error else None,
            "years": years,
            "query": query,
            "tables": [(name, _(TABLE_LABELS[name])) for name in statistics_view.TABLES],
        },
    )


def _year(raw: str) -> int:
    if not (raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise DomainError("invalid_period", "年份无效", "not a valid year", status=404)
    return int(raw)


@router.get("/reports/annual/{year}", response_class=HTMLResponse)
def annual_page(
    request: Request, env: EnvDep, year: Annotated[str, Path(max_length=8)]
) -> Response:
    if year.endswith(".pdf"):
        return annual_pdf(env, _year(year.removesuffix(".pdf")))
    report = annual_report.contents(env=env, year=_year(year))
    lang = lang_of(request)
    _ = gettext_for(request)
    return render(
        request,
        "annual_report.html",
        {**context(report["figures"], lang, _), "report": report, "sections": report_pdf.SECTIONS},
    )


def annual_pdf(env: Any, year: int) -> Response:
    pdf = report_pdf.render_pdf(annual_report.contents(env=env, year=year))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="annual-report-{year}.pdf"'},
    )
