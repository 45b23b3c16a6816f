"""R29 (issue 23 §4): BM25 over jieba search-mode words ranks the labelled set's registrations
for each need; filters narrow the candidates; the push rule picks strong matches only."""

from __future__ import annotations

from datetime import date

from dataip.matching import PUSH, Doc, Filters, Hit, Index, ndcg_at, strong_hits, terms
from tests.unit.matching import labelled


def test_r29_labelled_set_is_big_enough_and_consistent() -> None:
    regs = {int(r["id"]) for r in labelled.registrations()}
    needs = labelled.needs()
    assert len(needs) * len(regs) >= 200
    for n in needs:
        assert set(n.grades) <= regs, n.id
        assert 3 in n.grades.values(), n.id  # each need has an exact answer


def test_r29_bm25_ndcg_at_10_on_the_labelled_set() -> None:
    """The figure is reported in docs/matching.md (0.944 when measured); the assertion is a
    sanity floor, not the figure."""
    names = labelled.industry_names()
    index = labelled.bm25_index()
    scores = []
    for n in labelled.needs():
        hits = index.search(labelled.need_words(n, names), k=10)
        scores.append(ndcg_at([h.key for h in hits], n.grades, 10))
    mean = sum(scores) / len(scores)
    assert mean > 0.8, mean


def test_r29_push_rule_pushes_the_exact_answers_and_little_else() -> None:
    names = labelled.industry_names()
    index = labelled.bm25_index()
    pushed = good = 0
    for n in labelled.needs():
        hits = strong_hits(index.search(labelled.need_words(n, names), k=10))
        keys = {h.key for h in hits}
        assert {k for k, g in n.grades.items() if g == 3} <= keys, n.id
        pushed += len(hits)
        good += sum(n.grades.get(h.key, 0) >= 2 for h in hits)
    assert good / pushed > 0.85


def test_r29_off_topic_need_pushes_nothing() -> None:
    index = labelled.bm25_index()
    for text in (
        "海洋渔业捕捞量与渔船作业数据，用于渔业资源评估",
        "钢铁冶炼高炉温度数据用于工艺优化",
    ):
        assert strong_hits(index.search(terms(text), k=10)) == []


def test_r29_stop_words_and_single_characters_are_not_terms() -> None:
    words = terms("需要公交的数据集和数据")
    assert "公交" in words
    assert not {"的", "和", "数据", "数据集", "需要"} & set(words)


def _doc(key: int, words: str, code: str = "5411", region: str = "520100", until: int = 0) -> Doc:
    return Doc(key, tuple(words.split()), code, "G" if code[:2] < "61" else "I", region, until)


def test_r29_filters_industry_region_and_period() -> None:
    day = date(2027, 1, 1).toordinal()
    index = Index(
        [
            _doc(1, "公交 客流", "5411", "520100", day + 10),
            _doc(2, "公交 客流 刷卡", "6450", "520100", day + 10),
            _doc(3, "公交 客流", "5411", "110100", day + 10),
            _doc(4, "公交 客流", "5411", "520100", day - 1),
        ]
    )
    words = ["公交", "客流"]
    assert {h.key for h in index.search(words)} == {1, 2, 3, 4}
    assert {h.key for h in index.search(words, filters=Filters(industry="G"))} == {1, 3, 4}
    assert {h.key for h in index.search(words, filters=Filters(industry="54"))} == {1, 3, 4}
    assert {h.key for h in index.search(words, filters=Filters(region="52"))} == {1, 2, 4}
    assert {h.key for h in index.search(words, filters=Filters(valid_on=day))} == {1, 2, 3}
    both = Filters(industry="5411", region="5201", valid_on=day)
    assert [h.key for h in index.search(words, filters=both)] == [1]
    assert {h.key for h in index.search(words, exclude=[1, 2])} == {3, 4}


def test_r29_search_orders_best_first_and_ties_by_key() -> None:
    index = Index([_doc(5, "医疗 影像"), _doc(2, "医疗 影像"), _doc(9, "交通")])
    hits = index.search(["医疗"], k=10)
    assert [h.key for h in hits] == [2, 5]
    assert index.search(["航天"]) == []
    assert Index([]).search(["医疗"]) == []


def test_r29_strong_hits_keeps_the_strong_only() -> None:
    hits = [Hit(1, 20.0, 40.0), Hit(2, 12.0, 30.0), Hit(3, 9.0, 40.0), Hit(4, 11.0, 10.0)]
    assert [h.key for h in strong_hits(hits)] == [1, 2]
    assert strong_hits([Hit(1, 30.0, PUSH.min_information - 0.1)]) == []
    assert strong_hits([]) == []


def test_r29_ndcg() -> None:
    assert ndcg_at([1, 2], {1: 3, 2: 1}) == 1.0
    assert ndcg_at([2, 1], {1: 3, 2: 1}) < 1.0
    assert ndcg_at([5], {}) == 0.0
