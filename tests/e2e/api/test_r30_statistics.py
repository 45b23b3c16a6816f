"""R30 statistics: the processing times the page and the API publish equal a computation made
here, independently, from the events table; the CSV files parse; the daily (incremental)
refresh leaves the same aggregates as a rebuild from the raw rows; typical cases are screened."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import scheduler
from dataip.services.context import SHANGHAI, Env
from dataip.services.value import statistics
from tests.support import demo_world
from tests.support.api import Api, make_uscc, problem

SEGMENTS = {
    "accept": ("filed", "accepted"),
    "decide": ("accepted", "decided"),
    "certify": ("decided", "certified"),
    "overall": ("filed", "certified"),
}
STEP = {
    "ApplicationSubmitted": "filed",
    "ApplicationAccepted": "accepted",
    "ApplicationPublicised": "decided",
    "ApplicationRefused": "decided",
}


def _working_days(env: Env, a: date, b: date) -> int:
    """R0.1, counted one day at a time: the days after `a` up to `b` that are working days."""
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        n += env.calendar().is_working_day(d)
    return n


def _nearest_rank(values: list[int], p: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


def _expected(registry: Registry) -> dict[tuple[str, str], list[int]]:
    """(month, segment) -> durations, straight from the events and registrations tables."""
    firsts: dict[int, dict[str, date]] = defaultdict(dict)
    with registry.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT e.subject_type, e.subject_id, e.type, e.occurred_at, r.application_id "
                "FROM events e LEFT JOIN registrations r "
                "ON e.subject_type = 'certificate' AND r.id = e.subject_id"
            )
        ).all()
    for subject_type, subject_id, type_, at, reg_app in rows:
        if isinstance(at, str):  # SQLite: the stored UTC text
            at = datetime.fromisoformat(at)
        day = at.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
        if subject_type == "application" and type_ in STEP:
            key, app = STEP[type_], subject_id
        elif subject_type == "certificate" and type_ == "CertificateIssued":
            key, app = "certified", reg_app
        else:
            continue
        if key not in firsts[app] or day < firsts[app][key]:
            firsts[app][key] = day
    out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for steps in firsts.values():
        for seg, (a, b) in SEGMENTS.items():
            if a in steps and b in steps:
                month = steps[b].strftime("%Y-%m")
                out[(month, seg)].append(_working_days(registry.env, steps[a], steps[b]))
    return out


def test_r30_processing_times_on_the_page_and_api_equal_a_computation_from_the_events(
    client: TestClient, registry: Registry, env: Env
) -> None:
    demo_world.populate(env)
    expected = _expected(registry)
    assert sum(len(v) for (_, s), v in expected.items() if s == "overall") >= 8

    fig = client.get("/api/v1/statistics").json()
    monthly = {m["month"]: m for m in fig["processing"]["monthly"]}
    for (month, seg), values in expected.items():
        got = monthly[month][seg]
        assert got["count"] == len(values), (month, seg)
        assert got["median"] == _nearest_rank(values, 50), (month, seg, values)
        assert got["p90"] == _nearest_rank(values, 90), (month, seg, values)
    for m in fig["processing"]["monthly"]:  # nothing the events do not have
        for seg in SEGMENTS:
            assert m[seg]["count"] == len(expected.get((m["month"], seg), []))
    for s in fig["processing"]["segments"]:
        every = [v for (_, seg), vs in expected.items() if seg == s["segment"] for v in vs]
        assert (s["count"], s["median"], s["p90"]) == (
            len(every),
            _nearest_rank(every, 50),
            _nearest_rank(every, 90),
        )

    page = client.get("/statistics")
    assert page.status_code == 200
    cells = re.findall(r'data-segment="(\w+)" data-month="([\d-]+)">([^<]*)</td>', page.text)
    assert cells
    for seg, month, text in cells:
        values = expected.get((month, seg))
        if values:
            assert text.strip() == f"{_nearest_rank(values, 50)} / {_nearest_rank(values, 90)}"
        else:
            assert text.strip() == "—"
    assert "贵州省" in page.text and "交通运输、仓储和邮政业" in page.text

    # the same figures as CSV: UTF-8 with a BOM, one row a month
    r = client.get("/api/v1/statistics/processing-times.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head, body = rows[0], rows[1:]
    assert head[0] == "月份 month" and len(body) == len(fig["processing"]["monthly"])
    for row in body:
        cell = dict(zip(head, row, strict=True))
        values = expected.get((row[0], "overall"))
        assert cell["overall_median_wd"] == (str(_nearest_rank(values, 50)) if values else "")
    r = client.get("/api/v1/statistics/monthly", params={"format": "csv", "year": 2026})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [f"2026-{m:02d}" for m in range(1, 13)]

    # the annual report's page shows the typical case the demo picked, and the 热度榜 as the
    # ranking page publishes it (the year is in progress: as of the last closed day)
    report = client.get("/reports/annual/2026")
    assert report.status_code == 200
    assert demo_case_title() in report.text and "本年度暂无热度排行数据" not in report.text
    hot = client.get("/api/v1/rankings/hot").json()["items"][:10]
    assert hot
    shown = [report.text.index(f'href="/registrations/{i["registration_number"]}">') for i in hot]
    assert shown == sorted(shown)


def demo_case_title() -> str:
    from dataip.services.value import statistics_demo

    return statistics_demo.CASE_TITLE


def _later_licence(api: Api, w: Any, number: str) -> None:
    api.at("2026-11-20 10:00")
    api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-11-18",
        licence_type="non_exclusive",
        licensee={"name": "演示被许可单位有限公司", "credit_code": make_uscc(77)},
        scope="研究",
        territory="贵州省",
        term_end="2027-11-18",
        fee_fen=1_000_000,
    )


def test_r30_the_daily_refresh_equals_a_rebuild_from_the_raw_rows(
    api: Api, registry: Registry, env: Env
) -> None:
    w = api.world()
    number = w.registered()  # publicised in September, registered in October 2026
    first = scheduler.tick(env=env)  # `dataip tick` refreshes; never aggregated: every month
    assert first.statistics_months == 2 and not first.failures
    assert statistics.refresh(env=env).skipped  # once a day
    assert scheduler.tick(env=env).statistics_months == 0
    # a month later a licence is filed; the next day's refresh recomputes that month (and
    # the previous one, always), not September
    _later_licence(api, w, number)
    api.at("2026-11-21 03:00")
    report = statistics.refresh(env=env)
    assert report.months == ["2026-10", "2026-11"]
    with env.read() as uow:
        incremental = statistics.stored(uow)
    statistics.rebuild(env=env)
    with env.uow() as uow:  # not read(): aggregate streams rows (a server-side cursor on PG)
        rebuilt = statistics.stored(uow)
        fresh = statistics.aggregate(uow, env, None)
    assert incremental == rebuilt == fresh
    assert any(r[1] == "licence" for r in rebuilt.value)


def test_r30_period_and_table_refusals(client: TestClient, env: Env) -> None:
    problem(client.get("/api/v1/statistics", params={"from": "2026-13"}), 422, "invalid_period")
    problem(
        client.get("/api/v1/statistics", params={"from": "2026-10", "to": "2026-01"}),
        422,
        "invalid_period",
    )
    problem(client.get("/api/v1/statistics/nothing"), 404, "statistics_table_not_found")
    r = client.get("/api/v1/statistics/by-region", params={"year": 2026})
    assert r.status_code == 200 and r.json()["by-region"] == []


def test_r30_typical_cases_are_screened_for_personal_data(api: Api, env: Env) -> None:
    w = api.world()
    number = w.registered()
    body: dict[str, Any] = {
        "registration_number": number,
        "year": 2026,
        "title": "质押融资案例",
        "text": "持有人凭登记证书获得银行授信，联系电话13812345678。",
    }
    problem(
        api.c.post("/api/v1/typical-cases", json=body, headers=api.h(w.examiner)),
        422,
        "typical_case_personal_data",
    )
    assert api.c.get("/api/v1/typical-cases").json() == []  # nothing saved
    problem(
        api.c.post("/api/v1/typical-cases", json=body, headers=api.h(w.applicant)), 403, "forbidden"
    )
    body["text"] = "持有人凭登记证书获得银行授信。"
    r = api.c.post("/api/v1/typical-cases", json=body, headers=api.h(w.examiner))
    assert r.status_code == 201, r.text
    problem(
        api.c.post("/api/v1/typical-cases", json=body, headers=api.h(w.examiner)),
        409,
        "typical_case_exists",
    )
    listed = api.c.get("/api/v1/typical-cases", params={"year": 2026}).json()
    assert [c["title"] for c in listed] == ["质押融资案例"]
    r = api.c.delete(f"/api/v1/typical-cases/{listed[0]['id']}", headers=api.h(w.examiner))
    assert r.status_code == 204
    problem(
        api.c.delete(f"/api/v1/typical-cases/{listed[0]['id']}", headers=api.h(w.examiner)),
        404,
        "typical_case_not_found",
    )
