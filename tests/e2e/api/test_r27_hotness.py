"""R27 / Z§4.2, issue 22 §3–§4 over HTTP: the public's signals are counted once per visitor,
registration and day — the holder's own views, repeated views and bots' views are not —; the
filings are counted when the day closes; the published ranking is recomputed here, from the
published daily counts only, by a separate implementation (decimal arithmetic for the decay,
its own sums, caps and ordering), and matches the API and the page exactly."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Any

from dataip.services.context import Env
from dataip.services.value import hotness, signals
from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support.api import Api, World, make_uscc

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _ua(ua: str) -> dict[str, str]:
    return {"User-Agent": ua}


# --- the independent recomputation ----------------------------------------------------------


def _decay(age: int, half_life: int, scale: int) -> int:
    with localcontext() as ctx:
        ctx.prec = 80
        v = Decimal(scale) * Decimal(2) ** (Decimal(-age) / Decimal(half_life))
        return int(v.to_integral_value(rounding=ROUND_FLOOR))


def _all_daily_counts(api: Api, **params: str) -> list[dict[str, Any]]:
    """Every published row, page by page (a small page, so the cursor is exercised)."""
    rows, cursor = [], None
    while True:
        q = {**params, "limit": "3", **({"cursor": cursor} if cursor else {})}
        r = api.c.get("/api/v1/rankings/daily-counts", params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        rows += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def _recompute(
    rows: list[dict[str, Any]], formula: dict[str, Any], as_of: date, eligible: set[str]
) -> list[tuple[int, str, str]]:
    """(rank, registration number, score as "points.thousandths") from the published rows."""
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        age = (as_of - date.fromisoformat(row["day"])).days
        if not 0 <= age < formula["window_days"]:
            continue
        cap = formula["daily_caps"][row["kind"]]
        n = min(row["count"], cap) if cap else row["count"]
        f = _decay(age, formula["half_life_days"], formula["scale"])
        total[row["registration_number"]] += formula["weights"][row["kind"]] * n * f
    ordered = sorted(
        ((s, num) for num, s in total.items() if s > 0 and num in eligible),
        key=lambda x: (-x[0], x[1]),
    )
    scale = formula["scale"]
    return [
        (i, num, f"{s // scale}.{s % scale:03d}") for i, (s, num) in enumerate(ordered, start=1)
    ]


def _page_rows(html: str) -> list[tuple[int, str, str]]:
    rows = re.findall(
        r'<tr data-number="([0-9X]{16})"><td class="num"[^>]*>(\d+)</td>.*?'
        r'<td class="num score"[^>]*>([0-9.]+)</td>',
        html,
        flags=re.S,
    )
    return [(int(rank), number, score) for number, rank, score in rows]


# --- the story -------------------------------------------------------------------------------


def _two_registrations(api: Api) -> tuple[World, str, str]:
    """A Guizhou holder's transport data (G 5411) and a Zhejiang holder's medical data
    (Q 8411)."""
    w = api.world()
    a = w.registered()
    applicant = api.user("applicant")
    party = api.party(applicant, id_number=make_uscc(4242, "330106"), verify_by=w.examiner)
    api.at("2026-09-28 10:00")
    other = World(api, w.examiner, applicant, party)
    b = other.registered(name="医疗影像辅助诊断数据集", industry_code="8411")
    return w, a, b


def test_r27_signals_counted_once_and_the_ranking_recomputed_from_the_published_counts(
    api: Api, env: Env
) -> None:
    w, a, b = _two_registrations(api)
    # Day 1, 2026-10-14: three browsers, a bot, the holder
    api.at("2026-10-14 09:00")
    for _ in range(3):  # one visitor, three views: one counted
        assert api.c.get(f"/registrations/{a}", headers=_ua(CHROME)).status_code == 200
    api.c.get(f"/registrations/{a}", headers=_ua(FIREFOX))
    api.c.get(f"/registrations/{b}", headers=_ua(CHROME))
    for _ in range(5):  # a crawler: nothing
        api.c.get(f"/registrations/{a}", headers=_ua(GOOGLEBOT))
    api.c.get(f"/registrations/{a}", headers={"User-Agent": ""})
    # a text search that returns both, twice by the same visitor: once each
    for _ in range(2):
        r = api.c.get("/api/v1/announcements", params={"q": "数据集"}, headers=_ua(SAFARI))
        assert {x["registration_number"] for x in r.json()["items"]} >= {a, b}
    api.c.get("/announcements", params={"q": "交通"}, headers=_ua(FIREFOX))  # the page: a only
    # certificate downloads and a verification of one of ours
    token = api.c.get(f"/api/v1/registrations/{b}/certificate", headers=_ua(SAFARI)).text
    api.c.get(f"/registrations/{b}/certificate.pdf", headers=_ua(FIREFOX))
    r = api.c.post("/api/v1/certificates/verify", json={"token": token}, headers=_ua(CHROME))
    assert r.json()["authentic"] is True
    api.c.post("/api/v1/certificates/verify", json={"token": token}, headers=_ua(CHROME))
    # a licence filed on a (with its fee)
    api.reg_ok(
        w.applicant,
        a,
        "file_licence",
        contract_date="2026-10-13",
        licence_type="non_exclusive",
        licensee={
            "kind": "legal_person",
            "name": "被许可数据有限公司",
            "credit_code": make_uscc(901),
        },
        scope="数据分析",
        territory="中国境内",
        term_start="2026-10-14",
        term_end="2027-10-13",
        fee_fen=5_000_000,
    )
    # the holder's own views, signed in: not counted
    sign_in(api, w.applicant)
    for _ in range(4):
        assert api.c.get(f"/registrations/{a}", headers=_ua(SAFARI)).status_code == 200
    api.c.cookies.clear()

    # Day 2: the same visitor again counts again (a new day, a new pseudonym)
    api.at("2026-10-15 11:00")
    api.c.get(f"/registrations/{a}", headers=_ua(CHROME))
    # Nothing is published for an open day
    assert api.c.get("/api/v1/rankings/hot").json()["items"] == []

    # Day 3: tick closes days 1 and 2 and builds the ranking
    api.at("2026-10-16 08:00")
    from dataip.services import scheduler

    assert scheduler.tick(env=env).signal_days_closed > 0
    with env.read() as uow:  # the salts and de-duplication rows are gone
        from dataip.db import tables as t

        for table in (t.signal_salts, t.signal_seen, t.signal_visitors):
            assert uow.signals.s.execute(table.select()).first() is None

    counts = _all_daily_counts(api, **{"from": "2026-10-14", "to": "2026-10-15"})
    got = {(r["day"], r["registration_number"], r["kind"]): r["count"] for r in counts}
    d1, d2 = "2026-10-14", "2026-10-15"
    assert got == {
        (d1, a, "view"): 2,  # Chrome once, Firefox once; no bot, no holder, no repeat
        (d1, b, "view"): 1,
        (d1, a, "search"): 2,  # Safari's query (twice: once), Firefox's page search
        (d1, b, "search"): 1,
        (d1, b, "certificate_download"): 2,  # Safari's credential, Firefox's PDF
        (d1, b, "verification"): 1,  # Chrome verified twice: once
        (d1, a, "licence"): 1,
        (d2, a, "view"): 1,
    }
    assert "amount_fen" not in counts[0]  # filed amounts are not published per registration

    ranking = api.c.get("/api/v1/rankings/hot").json()
    assert ranking["as_of"] == "2026-10-15"
    eligible = {
        n for n in (a, b) if api.reg(None, n).json()["state"] == "valid"
    }  # only registrations in force are ranked
    window = _all_daily_counts(api)  # the default: the ranking's window
    expected = _recompute(window, ranking["formula"], date(2026, 10, 15), eligible)
    assert [(i["rank"], i["registration_number"], i["score"]) for i in ranking["items"]] == (
        expected
    )
    # by hand, as a last check (F(0) = 1000, F(1) = 977): a = views 2·977 + 1000, searches
    # 2·977, the licence 20·977 = 24.448; b = view 977, search 977, downloads 2·2·977,
    # the verification 3·977 = 8.793
    assert {n: s for _, n, s in expected} == {a: "24.448", b: "8.793"}
    assert [i["counts"]["view"] for i in ranking["items"]] == [3, 1]
    page = api.c.get("/rankings/hot").text
    assert _page_rows(page) == expected

    # per section and per province: the same scores, ranked within
    industries = {
        r["code"]: r["section"]
        for r in api.c.get("/api/v1/industries", params={"q": "8411"}).json()
        + api.c.get("/api/v1/industries", params={"q": "5411"}).json()
    }
    assert industries["8411"] == "Q" and industries["5411"] == "G"
    q = api.c.get("/api/v1/rankings/hot", params={"section": "Q"}).json()["items"]
    assert [(i["rank"], i["registration_number"]) for i in q] == [(1, b)]
    zj = api.c.get("/api/v1/rankings/hot", params={"region": "33"}).json()["items"]
    assert [(i["rank"], i["registration_number"], i["score"]) for i in zj] == [(1, b, "8.793")]
    gz = api.c.get("/api/v1/rankings/hot", params={"region": "52"}).json()["items"]
    assert [i["registration_number"] for i in gz] == [a]
    assert _page_rows(api.c.get("/rankings/hot", params={"section": "Q"}).text) == [(1, b, "8.793")]

    # the CSV is the same numbers
    csv = api.c.get("/api/v1/rankings/daily-counts.csv").text.splitlines()
    assert csv[0] == "registration_number,day,kind,count"
    assert sorted(csv[1:]) == sorted(
        f"{r['registration_number']},{r['day']},{r['kind']},{r['count']}" for r in window
    )


def test_r27_holder_repeated_and_bot_views_do_not_move_the_ranking(api: Api, env: Env) -> None:
    w, a, b = _two_registrations(api)
    api.at("2026-10-14 09:00")
    api.c.get(f"/registrations/{b}", headers=_ua(CHROME))
    api.at("2026-10-15 09:00")
    hotness.refresh(env)
    before = api.c.get("/api/v1/rankings/hot").json()["items"]
    assert [i["registration_number"] for i in before] == [b]
    # on 10-15: the holder of a, signed in, twenty times; then crawlers
    sign_in(api, w.applicant)
    for _ in range(20):
        api.c.get(f"/registrations/{a}", headers=_ua(CHROME))
    api.c.cookies.clear()
    for ua in (GOOGLEBOT, "curl/8.5.0", "python-requests/2.32", ""):
        for _ in range(10):
            api.c.get(f"/registrations/{a}", headers={"User-Agent": ua})
    api.at("2026-10-16 09:00")
    hotness.refresh(env)
    rows = _all_daily_counts(api, **{"from": "2026-10-15", "to": "2026-10-15"})
    assert rows == []  # nothing of it was counted
    after = api.c.get("/api/v1/rankings/hot").json()["items"]
    assert [i["registration_number"] for i in after] == [b]
    assert after[0]["counts"] == before[0]["counts"]
    # the score moved only by a day's decay: 1 view, one day older
    assert (before[0]["score"], after[0]["score"]) == ("1.000", "0.977")


def test_r27_one_visitor_adds_at_most_the_daily_cap(api: Api, env: Env) -> None:
    w = api.world()
    numbers = [
        w.registered(
            name=name,
            evidence={
                "platform": "贵州数据知识产权存证平台",
                "certificate_number": f"GZ-00{i}",
                "hash_value": f"{i}c" * 32,
                "evidenced_on": "2026-09-01",
            },
        )
        for i, name in enumerate(
            ("城市交通拥堵预测数据集", "城市公交客流分析数据集", "城市停车泊位预测数据集")
        )
    ]
    capped = dataclasses.replace(
        env, profile=dataclasses.replace(env.profile, hotness={"visitor_daily_cap": 2})
    )
    visit = signals.Visit("198.51.100.4", CHROME)
    assert signals.record(capped, visit, "view", numbers=numbers) == 2  # the cap
    assert signals.record(capped, visit, "search", numbers=numbers) == 0  # spent for today
    other = signals.Visit("198.51.100.5", CHROME)
    assert signals.record(capped, other, "view", numbers=numbers[2:]) == 1
    bot = signals.Visit("198.51.100.6", GOOGLEBOT)
    assert signals.record(capped, bot, "view", numbers=numbers) == 0
    api.later(days=1)
    signals.close_days(capped)
    day = (api.clock.now() - timedelta(days=1)).date().isoformat()
    got = {
        (r["registration_number"], r["kind"]): r["count"]
        for r in _all_daily_counts(api, **{"from": day, "to": day})
    }
    assert got == {(numbers[0], "view"): 1, (numbers[1], "view"): 1, (numbers[2], "view"): 1}


def test_r27_bad_filters_are_refused(api: Api) -> None:
    for params, code in (
        ({"section": "Z"}, "invalid_request"),
        ({"region": "5"}, "invalid_request"),
        ({"region": "99"}, "unknown_region"),
        ({"section": "G", "region": "52"}, "ranking_filter_conflict"),
    ):
        r = api.c.get("/api/v1/rankings/hot", params=params)
        assert r.status_code == 422 and r.json()["code"] == code, (params, r.text)
    r = api.c.get("/api/v1/rankings/daily-counts", params={"cursor": "nonsense"})
    assert r.status_code in (200, 422)  # nothing closed yet: no page to page through
    r = api.c.get("/rankings/hot", params={"region": "99"})
    assert r.status_code == 422 and "省级行政区划" in r.text


def test_r27_a_confirmed_upstream_link_counts_as_a_citation(api: Api, env: Env) -> None:
    """Issue 23 §1 feeds the `citation` signal: a derivation link naming a registration as
    its source counts on the day its holder confirms it, not while it is only declared."""
    w, a, _ = _two_registrations(api)
    holder_b = api.user("applicant")
    other = World(api, w.examiner, holder_b, api.party(holder_b, verify_by=w.examiner))
    derived = other.registered(name="衍生的交通数据集")
    api.at("2026-10-14 09:00")
    r = api.c.post(
        f"/api/v1/registrations/{derived}/sources",
        headers=api.h(holder_b),
        json={"kind": "registration", "number": a, "weight_bp": 2000, "stage": "processing"},
    )
    assert r.status_code == 201, r.text
    api.at("2026-10-15 09:00")
    hotness.refresh(env)
    assert [x for x in _all_daily_counts(api) if x["kind"] == "citation"] == []
    link = r.json()["id"]
    r = api.c.post(
        f"/api/v1/registrations/{derived}/sources/{link}/confirm", headers=api.h(w.applicant)
    )
    assert r.status_code == 200, r.text
    api.at("2026-10-16 09:00")
    hotness.refresh(env)
    cited = [x for x in _all_daily_counts(api) if x["kind"] == "citation"]
    assert [(x["registration_number"], x["day"], x["count"]) for x in cited] == [
        (a, "2026-10-15", 1)
    ]
