"""R23 / DESIGN §8: the terms a text is indexed under and the terms a query asks for (jieba
search mode), and how hits are marked. Whatever jieba makes of a longer text, a query word must
find the texts that contain it."""

from __future__ import annotations

import threading

import pytest

from dataip.domain.search import (
    SearchQuery,
    announcement_terms,
    highlight,
    highlight_html,
    query_tokens,
    tokens,
)

NAMES = [
    "贵阳城市交通拥堵预测数据集",
    "上海公共交通客流数据集",
    "深圳交通出行与拥堵事件数据集",
    "智慧交通运输调度数据库",
    "贵州省医疗诊疗记录数据库",
    "三甲医院医疗影像标注数据集",
    "遵义气象降水观测数据产品",
    "全国气象站风速观测数据集",
    "杭州互联网数据服务数据集",
    "大数据集团电力负荷预测数据集",
]


def finds(query: str, text: str) -> bool:
    """What the index answers: the text has every term of the query."""
    q = query_tokens(query)
    return bool(q) and set(q.terms) <= set(tokens(text))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("交通", {0, 1, 2, 3}),
        ("医疗", {4, 5}),
        ("气象", {6, 7}),
        ("数据", set(range(10))),
        ("观测", {6, 7}),
        ("拥堵", {0, 2}),
    ],
)
def test_r23_two_character_words_match_realistic_names(word: str, expected: set[int]) -> None:
    assert query_tokens(word) == SearchQuery((word,))
    assert {i for i, name in enumerate(NAMES) if finds(word, name)} == expected


def test_r23_every_cjk_character_is_a_term() -> None:
    terms = tokens("城市交通拥堵预测数据集")
    assert {"城市", "交通", "拥堵", "交通拥堵", "预测", "数据"} <= set(terms)
    assert set("城市交通拥堵预测数据集") <= set(terms)
    assert len(terms) == len(set(terms))  # each once
    assert query_tokens("堵") == SearchQuery(("堵",))
    assert [i for i, name in enumerate(NAMES) if finds("堵", name)] == [0, 2]


def test_r23_longer_query_words_are_asked_for_as_pieces_any_cut_contains() -> None:
    # alone, 城市交通 is one word; inside 城市交通拥堵 jieba cuts 城市 / 交通拥堵
    assert "城市交通" not in tokens(NAMES[0])
    assert query_tokens("城市交通") == SearchQuery(("城市", "交通"), ("城市交通",))
    assert finds("城市交通", NAMES[0])
    assert query_tokens("交通拥堵") == SearchQuery(("交通", "拥堵"), ("交通拥堵",))
    assert finds("交通拥堵", NAMES[0]) and finds("交通拥堵", NAMES[2])
    assert query_tokens("数据库") == SearchQuery(("数据", "库"), ("数据库",))
    assert [i for i, name in enumerate(NAMES) if finds("数据库", name)] == [3, 4]
    assert query_tokens("降水观测") == SearchQuery(("降水", "观测"))
    assert [i for i, name in enumerate(NAMES) if finds("降水观测", name)] == [6]
    assert [i for i, name in enumerate(NAMES) if finds("诊疗记录", name)] == [4]


def test_r23_words_are_words_not_substrings() -> None:
    # 外交 / 通报: no 交通 here; a one-character query still finds its characters
    assert not finds("交通", "外交通报数据集")
    assert finds("交", "外交通报数据集")


def test_r23_latin_digits_and_punctuation() -> None:
    assert query_tokens("5G 基站！") == SearchQuery(("5g", "基站"))
    assert query_tokens("５Ｇ") == SearchQuery(("5g",))  # full-width folded (NFKC)
    assert "5g" in tokens("5G基站能耗监测数据集")
    assert query_tokens("GG202652000000012") == SearchQuery(("gg202652000000012",))
    for q in ("%", "_", "——", "！？", "   ", ""):
        assert not query_tokens(q), q
    assert all(t.isalnum() for t in tokens("R&D<研发>、C++（v2.0）数据集"))


def test_r23_announcement_terms_split_the_name_from_the_rest() -> None:
    name, other = announcement_terms(
        "贵州省医疗诊疗记录数据库",
        "登记公告：贵州省医疗诊疗记录数据库",
        "GG202652000000012",
        "2026105200000001",
    )
    assert "医疗" in name and "登记" not in name
    assert {"登记", "公告", "gg202652000000012", "2026105200000001"} <= set(other)


def test_r23_highlight_marks_every_occurrence_and_gives_the_text_back() -> None:
    text = "交通数据：城市交通拥堵"
    runs = highlight(text, query_tokens("交通").marks)
    assert "".join(s for s, _ in runs) == text
    assert [s for s, hit in runs if hit] == ["交通", "交通"]
    assert highlight("5G基站 15g", ["5g"]) == [("5G", True), ("基站 15g", False)]
    assert highlight("ＡＢ数据", ["ab"]) == [("ＡＢ", True), ("数据", False)]
    assert highlight("数据", []) == [("数据", False)]


def test_r23_highlight_html_escapes_everything_but_the_marks() -> None:
    html = highlight_html('<b>电力</b>&"负荷"', query_tokens("电力 b").marks)
    assert html == (
        "&lt;<mark>b</mark>&gt;<mark>电力</mark>&lt;/<mark>b</mark>&gt;&amp;&quot;负荷&quot;"
    )
    assert highlight_html("<script>alert(1)</script>", ()) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_jieba_loads_once_across_threads() -> None:
    results: list[list[str]] = []

    def work() -> None:
        results.append(tokens("城市交通拥堵预测数据集"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 8 and all(r == results[0] for r in results)
