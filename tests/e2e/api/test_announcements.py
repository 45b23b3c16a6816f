"""R23 / G§26: anyone searches the announcements — by type, publication date, industry
(GB/T 4754 section or code), the holder's region (from its credit code), free text and
numbers — newest first with cursor paging; announcements never show a natural person's ID
number or full name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.support.api import Api, World, complete_form, make_resident_id, make_uscc, problem

PERSON_ID = make_resident_id(region="330106", birth="19850412", order=77)


@dataclass
class Corpus:
    examiner: str
    worlds: dict[str, World]
    numbers: dict[str, str]  # registration numbers by key
    licensee: str  # the natural-person licensee's full name


def _file(api: Api, w: World, name: str, industry: str, hash_byte: str) -> int:
    evidence = {**complete_form(sample="x")["evidence"], "hash_value": hash_byte * 32}
    return w.publicised(name=name, industry_code=industry, evidence=evidence)


def _corpus(api: Api) -> Corpus:
    """Four registrations in different sections, divisions and regions, approved on four
    consecutive days, and a licence filing (natural-person licensee) a few days later:
      zj     6450 (I/64) 330106 杭州西湖区  approved 2026-10-13, licence filed 2026-10-20
      sz     5411 (G/54) 440305 深圳南山区  approved 2026-10-14
      nb     6513 (I/65) 330203 宁波海曙区  approved 2026-10-15
      person 0111 (A/01) natural person 张三 approved 2026-10-16
    """
    examiner = api.user("examiner")

    def world(region: str | None, n: int) -> World:
        who = api.user("applicant")
        if region is None:
            pid = api.party(
                who, kind="natural_person", name="张三", id_number=PERSON_ID, verify_by=examiner
            )
        else:
            pid = api.party(who, id_number=make_uscc(n, region=region), verify_by=examiner)
        return World(api, examiner, who, pid)

    worlds = {
        "zj": world("330106", 501),
        "sz": world("440305", 502),
        "nb": world("330203", 503),
        "person": world(None, 504),
    }
    api.at("2026-09-28 10:00")
    apps = {
        "zj": _file(api, worlds["zj"], "杭州互联网数据服务数据集", "6450", "a1"),
        "sz": _file(api, worlds["sz"], "深圳公交客流数据集", "5411", "b2"),
        "nb": _file(api, worlds["nb"], "宁波港口应用软件数据集", "6513", "c3"),
        "person": _file(api, worlds["person"], "水稻种植观测数据集", "0111", "d4"),
    }
    numbers = {}
    for key, day in (("zj", 13), ("sz", 14), ("nb", 15), ("person", 16)):
        api.at(f"2026-10-{day} 09:00")
        reg = api.ok(examiner, apps[key], "approve")["registration"]
        numbers[key] = str(reg["registration_number"])
    api.at("2026-10-20 10:00")
    api.reg_ok(
        worlds["zj"].applicant,
        numbers["zj"],
        "file_licence",
        contract_date="2026-10-19",
        licence_type="exclusive",
        licensee={"kind": "natural_person", "name": "李四光"},
        scope="学术研究",
        territory="浙江省",
        term_end="2027-10-18",
        fee_fen=0,
    )
    return Corpus(examiner, worlds, numbers, "李四光")


def _search(api: Api, **params: Any) -> list[dict[str, Any]]:
    """All pages of one search (the default page holds everything here)."""
    r = api.c.get("/api/v1/announcements", params=params)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["next_cursor"] is None, page
    items: list[dict[str, Any]] = page["items"]
    return items


def _keys(c: Corpus, items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(registration key, kind) per item, in the order served."""
    by_number = {v: k for k, v in c.numbers.items()}
    return [(by_number[a["registration_number"]], a["kind"]) for a in items]


ALL = [
    ("zj", "licence"),
    ("person", "registration"),
    ("nb", "registration"),
    ("sz", "registration"),
    ("zj", "registration"),
]


def test_r23_announcements_filter_by_type_date_industry_region_and_text(api: Api) -> None:
    c = _corpus(api)
    # everything, newest first, anonymously
    everything = _search(api)
    assert _keys(c, everything) == ALL
    assert [a["published_on"] for a in everything] == [
        "2026-10-20",
        "2026-10-16",
        "2026-10-15",
        "2026-10-14",
        "2026-10-13",
    ]
    zj = everything[-1]
    assert zj["industry_code"] == "6450" and zj["industry_section"] == "I"
    assert zj["region_code"] == "330106"
    assert zj["kind_label"] == {"zh": "登记公告", "en": "Registration"}
    assert zj["name"] == "杭州互联网数据服务数据集"
    assert everything[1]["region_code"] is None  # a natural person has no credit code

    # type, one or repeated
    assert _keys(c, _search(api, type="licence")) == [("zj", "licence")]
    assert _keys(c, _search(api, type="registration")) == ALL[1:]
    assert _keys(c, _search(api, type=["licence", "registration"])) == ALL
    assert _search(api, type="renewal") == []

    # from / to: publication dates, both ends inclusive
    assert _keys(c, _search(api, **{"from": "2026-10-14", "to": "2026-10-15"})) == ALL[2:4]
    assert _keys(c, _search(api, **{"from": "2026-10-16"})) == ALL[:2]
    assert _keys(c, _search(api, to="2026-10-13")) == ALL[4:]
    assert _keys(c, _search(api, **{"from": "2026-10-13", "to": "2026-10-13"})) == ALL[4:]
    assert _search(api, **{"from": "2026-10-17", "to": "2026-10-19"}) == []
    assert _keys(c, _search(api, type="registration", **{"from": "2026-10-16"})) == ALL[1:2]

    # industry: GB/T 4754 section letter, division (2 digits), class (4 digits)
    i_section = [("zj", "licence"), ("nb", "registration"), ("zj", "registration")]
    assert _keys(c, _search(api, industry="I")) == i_section
    assert _keys(c, _search(api, industry="i")) == i_section
    assert _keys(c, _search(api, industry="G")) == [("sz", "registration")]
    assert _keys(c, _search(api, industry="A")) == [("person", "registration")]
    assert _search(api, industry="C") == []
    assert _keys(c, _search(api, industry="64")) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, industry="65")) == [("nb", "registration")]
    assert _keys(c, _search(api, industry="54")) == [("sz", "registration")]
    assert _keys(c, _search(api, industry="645")) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, industry="6513")) == [("nb", "registration")]
    assert _search(api, industry="6451") == []

    # region: province (2 digits), prefecture (4), county (6) of the holder's credit code
    zhejiang = [("zj", "licence"), ("nb", "registration"), ("zj", "registration")]
    assert _keys(c, _search(api, region="33")) == zhejiang
    assert _keys(c, _search(api, region="3301")) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, region="330106")) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, region="330203")) == [("nb", "registration")]
    assert _keys(c, _search(api, region="44")) == [("sz", "registration")]
    assert _keys(c, _search(api, region="440305")) == [("sz", "registration")]
    assert _search(api, region="52") == []
    assert _search(api, region="330107") == []

    # names (issue 19): a GB/T 4754 name of any level, a province-level division's name
    assert _keys(c, _search(api, industry="信息传输、软件和信息技术服务业")) == i_section
    assert _keys(c, _search(api, industry="互联网和相关服务")) == [
        ("zj", "licence"),
        ("zj", "registration"),
    ]
    assert _keys(c, _search(api, industry="公共电汽车客运")) == [("sz", "registration")]
    assert _keys(c, _search(api, region="浙江省")) == zhejiang
    assert _keys(c, _search(api, region="浙江")) == zhejiang
    assert _keys(c, _search(api, region="广东省")) == [("sz", "registration")]
    assert _search(api, region="贵州省") == []

    # filters combine
    assert _keys(c, _search(api, industry="I", region="3302")) == [("nb", "registration")]
    assert _search(api, industry="G", region="33") == []
    assert _keys(c, _search(api, type="registration", industry="I", region="33")) == [
        ("nb", "registration"),
        ("zj", "registration"),
    ]

    # q: Chinese text in the name, an announcement number, a registration number
    assert _keys(c, _search(api, q="公交客流")) == [("sz", "registration")]
    assert _keys(c, _search(api, q="水稻")) == [("person", "registration")]
    assert _keys(c, _search(api, q="杭州")) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, q="数据集")) == ALL
    assert _keys(c, _search(api, q="  宁波  ")) == [("nb", "registration")]
    assert _search(api, q="不存在的名称") == []
    assert _search(api, q="%") == []  # LIKE wildcards are literal
    assert _search(api, q="_") == []
    licence = everything[0]
    assert licence["number"].startswith("GG2026")
    assert [a["number"] for a in _search(api, q=licence["number"])] == [licence["number"]]
    assert _keys(c, _search(api, q=c.numbers["zj"])) == [("zj", "licence"), ("zj", "registration")]
    assert _keys(c, _search(api, q=c.numbers["sz"])) == [("sz", "registration")]
    assert _keys(c, _search(api, registration_number=c.numbers["nb"])) == [("nb", "registration")]
    assert _keys(c, _search(api, q="杭州", type="licence")) == [("zj", "licence")]


def test_r23_announcements_page_newest_first_by_cursor_without_duplicates(api: Api) -> None:
    c = _corpus(api)
    everything = _search(api)
    seen: list[str] = []
    pages = 0
    params: dict[str, Any] = {"limit": 2}
    while True:
        r = api.c.get("/api/v1/announcements", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [a["number"] for a in page["items"]]
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == 2
        params = {"limit": 2, "cursor": page["next_cursor"]}
        assert pages < 10, "paging does not end"
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    assert seen == [a["number"] for a in everything]
    times = [a["published_at"] for a in everything]
    assert times == sorted(times, reverse=True)

    # paging keeps the filters
    page = api.c.get("/api/v1/announcements", params={"limit": 1, "region": "33"}).json()
    assert _keys(c, page["items"]) == [("zj", "licence")]
    nxt = api.c.get(
        "/api/v1/announcements",
        params={"limit": 1, "region": "33", "cursor": page["next_cursor"]},
    ).json()
    assert _keys(c, nxt["items"]) == [("nb", "registration")]

    # one announcement by its number, the same as in the list
    for a in everything:
        r = api.c.get(f"/api/v1/announcements/{a['number']}")
        assert r.status_code == 200, r.text
        assert r.json() == a
    missing = "GG2026" + everything[0]["number"][6:10] + "9999999"
    problem(api.c.get(f"/api/v1/announcements/{missing}"), 404, "announcement_not_found")


def test_r23_announcements_never_show_a_natural_persons_id_number_or_full_name(
    api: Api,
) -> None:
    c = _corpus(api)
    person = c.worlds["person"]
    number = c.numbers["person"]
    # a change of the holder's name (G§21) is announced too
    api.at("2026-10-21 10:00")
    out = api.reg_ok(
        person.applicant,
        number,
        "request_change",
        subject=[{"party_id": person.party, "name": "张三丰"}],
        reason="姓名变更",
    )
    req = next(r for r in out["requests"] if r["kind"] == "change")
    api.reg_ok(
        c.examiner,
        number,
        "decide_request",
        request_id=req["id"],
        outcome="approve",
        reason="符合要求",
    )
    items = _search(api)
    assert {a["kind"] for a in items} == {"registration", "licence", "change"}
    mine = [a for a in items if a["registration_number"] == number]
    assert [a["kind"] for a in mine] == ["change", "registration"]
    for a in mine:
        holders = a["body"]["holders"]
        assert holders == [
            {"kind": "natural_person", "name": holders[0]["name"], "share_bp": 10000}
        ]
        assert holders[0]["name"].startswith("张") and set(holders[0]["name"][1:]) == {"*"}
    licence = next(a for a in items if a["kind"] == "licence")
    assert licence["body"]["licensee"] == {"kind": "natural_person", "name": "李**"}
    # nothing anywhere in any announcement, listed or fetched one by one
    fetched = [api.c.get(f"/api/v1/announcements/{a['number']}").json() for a in items]
    served = json.dumps([items, fetched], ensure_ascii=False)
    for secret in (PERSON_ID, PERSON_ID[6:14], "张三", "张三丰", c.licensee, "李四"):
        assert secret not in served, secret
    # nor does the public record of the registration show them
    public = api.reg(None, number).text + api.reg(None, c.numbers["zj"]).text
    for secret in (PERSON_ID, "张三", c.licensee):
        assert secret not in public, secret
    # searching for the person finds nothing
    assert _search(api, q="张三") == []
    assert _search(api, q=PERSON_ID) == []


def test_r23_bad_announcement_filters_are_refused_with_stable_codes(api: Api) -> None:
    def bad(params: dict[str, Any], code: str) -> None:
        problem(api.c.get("/api/v1/announcements", params=params), 422, code)

    bad({"type": "bogus"}, "invalid_announcement_type")
    bad({"type": ["registration", "Registration"]}, "invalid_announcement_type")
    bad({"from": "2026-10-16", "to": "2026-10-15"}, "invalid_date_range")
    for industry in ("6", "I6", "64-", "12345", "１２", "IJ", "*"):
        bad({"industry": industry}, "invalid_industry")
    for region in ("3", "3301061", "33010x", "３３", "-33", "33 ", "火星", "杭州省"):
        bad({"region": region}, "invalid_region")
    for industry in ("公交车", "互联网"):  # a name must be exact (issue 19)
        bad({"industry": industry}, "invalid_industry")
    bad({"q": "数" * 101}, "query_too_long")
    # a range of one day, a bare section and a province are fine
    for params in (
        {"from": "2026-10-16", "to": "2026-10-16"},
        {"industry": "I"},
        {"region": "52"},
    ):
        r = api.c.get("/api/v1/announcements", params=params)
        assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}, r.text
