"""What a need and a registration are ranked by: their words.

A text's words are jieba's search-mode words (`dataip.domain.search.search_words`, the same
segmenter the announcement search uses, loaded lazily once per process), repeats kept so that
BM25 sees term frequencies, less a short stop list: function words and the words every
registration shares (数据, 数据集, 平台 …), which would otherwise make every pair look a little
alike and blur the push threshold. Single characters other than letters and digits are dropped
too: a need for 公交 data should not match 交 alone.

A registration's text is its public record only (R10, G§14): name (twice — the name says what
the data is, and BM25 rewards a field by repetition), industry name, scenarios and the
rule/algorithm description. Its coverage (贵阳市 …) is left out: place names are informative
words that say nothing of the topic, and where the data is from is the region filter's
business. A need's text is its title, data wanted, scenario and industry name.
"""

from __future__ import annotations

from collections.abc import Iterable

from dataip.domain.search import search_words, word_weight

__all__ = ["STOP_WORDS", "information", "need_text", "registration_text", "terms"]

STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "为",
        "对",
        "在",
        "用",
        "于",
        "以",
        "由",
        "其",
        "并",
        "将",
        "可",
        "是",
        "有",
        "中",
        "个",
        "各",
        "类",
        "之",
        "内",
        "后",
        "前",
        "数据",
        "数据集",
        "数据库",
        "数据资源",
        "信息",
        "资源",
        "平台",
        "系统",
        "相关",
        "用于",
        "需要",
        "希望",
        "我们",
        "我司",
        "本",
        "该",
        "一",
        "二",
        "三",
        "每",
        "年",
        "月",
        "日",
        "包括",
        "包含",
        "提供",
        "进行",
        "服务",
        "通过",
        "基于",
        "主要",
    ]
)


def terms(text: str) -> list[str]:
    """The words `text` is ranked by, in order, repeats kept."""
    return [w for w in search_words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isascii())]


def information(shared: Iterable[str]) -> float:
    """The information in the words two texts share: the sum of their weights (nats over
    jieba's dictionary counts, `domain.search.word_weight`), each word once."""
    return sum(word_weight(w) for w in set(shared))


def _join(parts: Iterable[str | None]) -> str:
    return " ".join(p for p in parts if p)


def registration_text(
    *,
    name: str,
    industry_name: str | None = None,
    scenarios: Iterable[str] = (),
    coverage: str | None = None,
    description: str | None = None,
) -> str:
    """A registration's ranked text from its public record (names given as shown: labels, not
    codes)."""
    del coverage  # where the data is from is the region filter's business, not a topic
    return _join([name, name, industry_name, *scenarios, description])


def need_text(
    *,
    title: str,
    data_wanted: str,
    scenario: str | None = None,
    industry_name: str | None = None,
) -> str:
    """A need's ranked text (labels, not codes)."""
    return _join([title, data_wanted, scenario, industry_name])
