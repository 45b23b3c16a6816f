"""R23 / G§26 / DESIGN §8: the public announcement search finds Chinese words — two-character
words like 交通 and 医疗 included — single characters, longer words and latin terms, through
the index written with each announcement; hits are ranked by relevance, then newest first, and
highlighted with everything else escaped. Runs on the backend DATAIP_DATABASE_URL selects."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.db.migrate import upgrade
from dataip.db.search import AnnouncementIndex
from dataip.domain.search import query_tokens
from tests.support.api import Api, complete_form
from tests.support.db import count

# Approved in this order (oldest first), one registration announcement each.
NAMES = {
    "traffic_jam": "贵阳城市交通拥堵预测数据集",  # 交通拥堵 is one word here
    "property": "不动产登记交易数据集",  # 登记 in the name, not only in the title
    "medical": "贵州省医疗诊疗记录数据库",
    "weather": "遵义气象降水观测数据产品",
    "transit": "上海公共交通客流数据集",
    "traffic_events": "深圳交通出行与拥堵事件数据集",  # 交通 … 拥堵, apart
    "5g": "5G基站能耗监测数据集",
    "html": "<b>电力</b>负荷&调度数据集",
}
NEWEST_FIRST = list(reversed(NAMES))


@dataclass
class Corpus:
    api: Api
    numbers: dict[str, str]  # registration numbers by key
    announcements: dict[str, str]  # announcement numbers by key

    def search(self, **params: Any) -> dict[str, Any]:
        r = self.api.c.get("/api/v1/announcements", params=params)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def keys(self, **params: Any) -> list[str]:
        by_number = {v: k for k, v in self.numbers.items()}
        page = self.search(**params)
        assert page["next_cursor"] is None, page
        return [by_number[a["registration_number"]] for a in page["items"]]


@pytest.fixture
def corpus(api: Api) -> Corpus:
    w = api.world()
    api.at("2026-09-28 10:00")
    apps = {
        key: w.publicised(
            name=name,
            evidence={**complete_form(sample="x")["evidence"], "hash_value": f"{i:02x}" * 32},
        )
        for i, (key, name) in enumerate(NAMES.items(), start=1)
    }
    numbers, announcements = {}, {}
    for i, key in enumerate(NAMES):
        api.at(f"2026-10-{13 + i // 2} {9 + i % 2:02d}:00")  # two a day, 13th to 16th
        reg = api.ok(w.examiner, apps[key], "approve")["registration"]
        numbers[key] = str(reg["registration_number"])
        listed = api.c.get(
            "/api/v1/announcements", params={"registration_number": numbers[key]}
        ).json()
        announcements[key] = listed["items"][0]["number"]
    return Corpus(api, numbers, announcements)


def test_r23_two_character_words_match(corpus: Corpus) -> None:
    assert corpus.keys(q="交通") == ["traffic_events", "transit", "traffic_jam"]
    assert corpus.keys(q="医疗") == ["medical"]
    assert corpus.keys(q="气象") == ["weather"]
    assert corpus.keys(q="拥堵") == ["traffic_events", "traffic_jam"]
    assert corpus.keys(q="数据") == NEWEST_FIRST  # 数据集, 数据库 and 数据产品 alike
    assert corpus.keys(q="电力") == ["html"]
    assert corpus.keys(q="不存在") == []


def test_r23_single_character_queries_match_every_text_with_it(corpus: Corpus) -> None:
    assert corpus.keys(q="疗") == ["medical"]
    assert corpus.keys(q="象") == ["weather"]
    assert corpus.keys(q="堵") == ["traffic_events", "traffic_jam"]
    assert corpus.keys(q="数") == NEWEST_FIRST
    assert corpus.keys(q="鑫") == []


def test_r23_longer_queries_need_every_word(corpus: Corpus) -> None:
    assert corpus.keys(q="降水观测") == ["weather"]
    assert corpus.keys(q="诊疗记录") == ["medical"]
    assert corpus.keys(q="数据库") == ["medical"]
    # 城市交通 alone is one jieba word; in 贵阳城市交通拥堵… jieba cuts 城市 / 交通拥堵
    assert corpus.keys(q="城市交通") == ["traffic_jam"]
    assert corpus.keys(q="公共交通") == ["transit"]
    assert corpus.keys(q="医疗 气象") == []  # every word, not any
    assert corpus.keys(q="贵州 医疗") == ["medical"]


def test_r23_ranked_by_relevance_then_date(corpus: Corpus) -> None:
    # 交通拥堵 as a word of the name outranks 交通 and 拥堵 apart, though that one is newer
    assert corpus.keys(q="交通拥堵") == ["traffic_jam", "traffic_events"]
    # 登记 in the name outranks 登记 only in the title (登记公告：…); then newest first
    ranked = corpus.keys(q="登记")
    assert ranked == ["property", *(k for k in NEWEST_FIRST if k != "property")]
    # the same ranking page by page, with the filters kept
    seen: list[str] = []
    params: dict[str, Any] = {"q": "登记", "limit": 3}
    while True:
        page = corpus.search(**params)
        seen += [a["registration_number"] for a in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [corpus.numbers[k] for k in ranked]
    assert corpus.keys(q="登记", **{"from": "2026-10-15"}) == [
        "html",
        "5g",
        "traffic_events",
        "transit",
    ]
    assert corpus.keys(q="交通", **{"to": "2026-10-14"}) == ["traffic_jam"]
    assert corpus.keys(q="交通", type="licence") == []
    # a cursor that is no hit of the query ends the listing
    assert corpus.search(q="医疗", cursor="1")["items"] == []


def _pages(corpus: Corpus, **params: Any) -> list[str]:
    seen: list[str] = []
    params = {"limit": 2, **params}
    while True:
        page = corpus.search(**params)
        seen += [a["registration_number"] for a in page["items"]]
        if page["next_cursor"] is None:
            return seen
        params["cursor"] = page["next_cursor"]


def test_i25_probing_and_walking_the_newest_rows_first_ranks_as_the_whole_index(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL walks the newest PG_PROBE rows first, then — when their hits promise the
    # rest of the page within PG_WALK probes' worth of older ids — those too, then asks the
    # GIN index for the rest (db/search.py `_tier`, `_newest`; issue 25 §4): with probes of a
    # few rows every part and seam is crossed on every page here — no walk, a walk the GIN
    # index must finish, a walk to the first id — and the pages are those of the index alone
    asks = [
        {"q": q}
        for q in ("登记", "交通", "交通拥堵", "数据", "拥堵", "数", "城市交通", "贵州 医疗")
    ]
    asks += [{"q": "登记", "from": "2026-10-15"}, {"q": "交通", "type": "registration"}]
    whole = [_pages(corpus, **a) for a in asks]
    for probe, walk in ((2, 0), (2, 1), (3, 2), (2, 1_000)):
        monkeypatch.setattr("dataip.db.search.PG_PROBE", probe)
        monkeypatch.setattr("dataip.db.search.PG_WALK", walk)
        assert [_pages(corpus, **a) for a in asks] == whole, (probe, walk)
    assert whole[0] == [corpus.numbers[k] for k in corpus.keys(q="登记")]


# Where the term 甲 is, among 120 announcements (id 1 oldest): a dense run of the newest, a
# gap, then a sparse tail — so that a page's search probes, walks on, stops short and asks
# the index, or walks to the first id, depending on the probe's size and the page's.
DENSE = {*range(101, 121, 2)}  # 10 among the newest 20
SPARSE = {90, 60, 31, 30, 12, 3, 1}


def test_i25_the_walk_after_the_probe_finds_what_the_index_finds(
    registry: Registry, env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's `_tier` (issue 25 §4): every page of every size, from every cursor, is
    the same whether the older rows are walked or asked of the GIN index, and each of the
    three ways a tier's search can go is taken."""
    if registry.engine.dialect.name != "postgresql":
        pytest.skip("the probe and the walk are PostgreSQL's (FTS5 streams its hits in order)")
    when = datetime(2026, 10, 1, tzinfo=UTC)
    with registry.engine.begin() as c:  # announcements alone: no registrations behind them
        c.exec_driver_sql("SET LOCAL session_replication_role = replica")
        c.execute(
            sa.insert(t.announcements),
            [
                dict(
                    id=i,
                    number=f"A{i:05d}",
                    kind="registration",
                    registration_id=i,
                    registration_number=f"R{i:05d}",
                    name=f"n{i}",
                    published_at=when,
                    published_on=when.date(),
                    title_zh=f"t{i}",
                    title_en=f"t{i}",
                    body={},
                )
                for i in range(1, 121)
            ],
        )
    with env.uow() as uow:
        uow.search.index_many(
            (i, ["甲", "乙"] if i in DENSE | SPARSE else ["乙"], []) for i in range(1, 121)
        )
        uow.commit()
    steps: list[list[str]] = []  # each tier's search: the probe, walks, the index
    tier, newest, hits = AnnouncementIndex._tier, AnnouncementIndex._newest, AnnouncementIndex._hits

    def spy_tier(self: AnnouncementIndex, *args: Any, **kwargs: Any) -> list[int]:
        steps.append([])
        return tier(self, *args, **kwargs)

    def spy_newest(self: AnnouncementIndex, *args: Any) -> list[int]:
        steps[-1].append("walk to the first id" if args[-1] == 0 else "walk")
        return newest(self, *args)

    def spy_hits(self: AnnouncementIndex, *args: Any, **kwargs: Any) -> list[int]:
        if kwargs.get("unordered"):
            steps[-1].append("index")
        return hits(self, *args, **kwargs)

    monkeypatch.setattr(AnnouncementIndex, "_tier", spy_tier)
    monkeypatch.setattr(AnnouncementIndex, "_newest", spy_newest)
    monkeypatch.setattr(AnnouncementIndex, "_hits", spy_hits)
    expected = sorted(DENSE | SPARSE, reverse=True)
    for probe in (4, 8):
        for walk in (1, 2, 1_000):
            monkeypatch.setattr("dataip.db.search.PG_PROBE", probe)
            monkeypatch.setattr("dataip.db.search.PG_WALK", walk)
            for limit in (1, 3, 5):
                for below in (None, *expected):
                    with env.read() as uow:
                        got = uow.search.search(query_tokens("甲"), after_id=below, limit=limit)
                    rest = [i for i in expected if below is None or i < below]
                    assert got == rest[:limit], (probe, walk, limit, below)
    seen = {tuple(s) for s in steps}  # the first walk is the probe
    for path in (
        ("walk",),  # the probe fills the page
        ("walk", "index"),  # too few in the probe: the index for the rest
        ("walk", "walk"),  # the walk fills it
        ("walk", "walk", "index"),  # the walk stops short: the index below it
        ("walk", "walk to the first id"),  # the walk reaches the oldest
    ):
        assert path in seen, (path, seen)


def test_r23_hits_highlighted_and_escaped(corpus: Corpus) -> None:
    page = corpus.search(q="交通")
    marked = page["highlights"][corpus.announcements["traffic_jam"]]
    assert marked == {
        "name": "贵阳城市<mark>交通</mark>拥堵预测数据集",
        "title_zh": "登记公告：贵阳城市<mark>交通</mark>拥堵预测数据集",
    }
    assert set(page["highlights"]) == {a["number"] for a in page["items"]}
    # markup in a name is text, escaped; only <mark> is ours
    name = corpus.search(q="电力")["highlights"][corpus.announcements["html"]]["name"]
    assert name == "&lt;b&gt;<mark>电力</mark>&lt;/b&gt;负荷&amp;调度数据集"
    name = corpus.search(q="<b>电力")["highlights"][corpus.announcements["html"]]["name"]
    assert (
        name == "&lt;<mark>b</mark>&gt;<mark>电力</mark>&lt;/<mark>b</mark>&gt;负荷&amp;调度数据集"
    )
    # a single character is marked wherever it is
    name = corpus.search(q="数")["highlights"][corpus.announcements["medical"]]["name"]
    assert name == "贵州省医疗诊疗记录<mark>数</mark>据库"


def test_r23_html_and_script_queries_are_text(corpus: Corpus) -> None:
    for q in ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR 1=1 --"):
        page = corpus.search(q=q)
        assert page["items"] == [] and "highlights" not in page, page
    page = corpus.search(q="<script>电力</script>")
    assert page["items"] == []  # every term: `script` is in no announcement


def test_r23_punctuation_and_latin_letters(corpus: Corpus) -> None:
    for q in ("5g", "5G", "５Ｇ", "5G基站！", "基站，能耗", "《基站》"):
        assert corpus.keys(q=q) == ["5g"], q
    assert corpus.keys(q="15g") == []
    for q in ("%", "_", "——", "！？", "*"):
        assert corpus.keys(q=q) == [], q  # no letters or digits: nothing matches


def test_r23_empty_query_filters_nothing(corpus: Corpus) -> None:
    everything = corpus.search()
    assert [a["registration_number"] for a in everything["items"]] == [
        corpus.numbers[k] for k in NEWEST_FIRST
    ]
    for q in ("", "   ", "\u3000"):
        assert corpus.search(q=q) == everything


def test_r23_numbers_still_match_exactly(corpus: Corpus) -> None:
    assert corpus.keys(q=corpus.numbers["weather"]) == ["weather"]
    assert corpus.keys(q=corpus.announcements["medical"]) == ["medical"]
    assert corpus.keys(q=corpus.numbers["weather"], type="licence") == []


def test_r23_each_announcement_is_indexed_in_its_transaction(
    corpus: Corpus, registry: Registry
) -> None:
    assert count(registry, "announcement_search") == count(registry, "announcements") == 8


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind the session runs on, dropped afterwards."""
    admin = os.environ.get("DATAIP_DATABASE_URL", "")
    if not admin.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    from tests.conftest import _pg_database

    url, name = _pg_database(admin)
    try:
        yield url
    finally:
        eng = sa.create_engine(sa.engine.make_url(admin), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        eng.dispose()


def test_r23_the_migration_indexes_the_announcements_already_published(fresh_url: str) -> None:
    upgrade(fresh_url, "0007")
    engine = sa.create_engine(fresh_url)
    try:
        with engine.begin() as c:
            if engine.dialect.name == "postgresql":  # no registrations behind them here
                c.exec_driver_sql("SET LOCAL session_replication_role = replica")
            c.execute(
                sa.insert(t.announcements),
                [
                    {
                        "id": i,
                        "number": f"GG2026520000000{i:02d}",
                        "kind": "registration",
                        "registration_id": i,
                        "registration_number": f"20261052000000{i:02d}",
                        "name": name,
                        "published_at": datetime(2026, 10, i, 1, tzinfo=UTC),
                        "published_on": date(2026, 10, i),
                        "title_zh": f"登记公告：{name}",
                        "title_en": f"Registration: 20261052000000{i:02d}",
                        "body": {},
                    }
                    for i, name in enumerate(NAMES.values(), start=1)
                ],
            )
        upgrade(fresh_url)
        with Session(engine) as s:
            index = AnnouncementIndex(s)
            assert index.search(query_tokens("交通")) == [6, 5, 1]
            assert index.search(query_tokens("交通拥堵")) == [1, 6]
            assert index.search(query_tokens("医")) == [3]
    finally:
        engine.dispose()
