"""Chinese full-text search terms for the public announcement search (公告检索, R23, G§26;
DESIGN §8): what is indexed for a text, what a query asks for, and how hits are marked.

Segmentation is jieba's search mode (``cut_for_search``) without its HMM, so a word's tokens
depend only on the dictionary, never on guessed new words: the same text yields the same
tokens when it is indexed and when it is queried.

* A document's terms (:func:`tokens`) are its search-mode words — a long word also yields
  its dictionary sub-words, so 城市交通拥堵 gives 城市 / 交通 / 拥堵 / 交通拥堵 — plus every
  CJK character on its own, so that a one-character query finds every text containing it.
* A query (:func:`query_tokens`) asks for all of its *terms* (AND). jieba may cut the
  document differently from the query (城市交通 alone is one word, but 城市交通拥堵 is cut
  城市 / 交通拥堵), so a query word longer than two characters is asked for as the pieces
  any cut of it yields: its dictionary two-character sub-words, left to right, and single
  characters where none fits (城市交通 → 城市 + 交通, 数据库 → 数据 + 库). The whole word is
  kept among the query's *words*: a hit that has it as a word ranks first.
* Latin letters are lower-cased and full-width forms folded (NFKC); punctuation and spaces
  separate terms and are never terms themselves.

Pure: stdlib and jieba. jieba loads its dictionary (about a second) the first time a text is
segmented, once per process, under a lock.
"""

from __future__ import annotations

import html
import logging
import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SearchQuery",
    "announcement_terms",
    "highlight",
    "highlight_html",
    "query_tokens",
    "search_words",
    "tokens",
    "word_weight",
]

# Letters and digits of any script; `_` and everything else separate terms. FTS5's `ascii`
# tokenizer and PostgreSQL's tsvector input see the terms exactly as produced here.
_TERM = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

_lock = threading.Lock()
_segmenter: Any = None


def _jieba() -> Any:
    """The process's jieba tokenizer, its dictionary loaded once (thread-safe)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                # imported here: jieba (and the pkg_resources it loads) costs every `dataip`
                # process a few hundred milliseconds that most commands never use
                import jieba

                jieba.setLogLevel(logging.WARNING)  # its first load chats on stderr
                seg = jieba.Tokenizer()
                seg.initialize()
                _segmenter = seg
    return _segmenter


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _terms(pieces: Iterable[str]) -> Iterable[str]:
    for piece in pieces:
        yield from _TERM.findall(piece)


def tokens(text: str) -> list[str]:
    """The terms a text is indexed under: search-mode words and every CJK character, each
    once, in first-seen order."""
    norm = _normalise(text)
    seen: dict[str, None] = {}
    for term in _terms(_jieba().cut_for_search(norm, HMM=False)):
        seen.setdefault(term)
    for ch in _CJK.findall(norm):
        seen.setdefault(ch)
    return list(seen)


def search_words(text: str) -> list[str]:
    """A text's search-mode words in order, repeats kept (term frequencies, for ranking such
    as BM25 in `dataip.matching`); no single-character additions."""
    return list(_terms(_jieba().cut_for_search(_normalise(text), HMM=False)))


def word_weight(word: str, cap: float = 16.0) -> float:
    """How informative a word is, independent of any collection: ln(total / frequency) over
    jieba's dictionary counts (a word it does not know, a code or a number: `cap`)."""
    seg = _jieba()
    freq = seg.FREQ.get(word, 0)
    return min(math.log(seg.total / freq), cap) if freq > 0 else cap


def announcement_terms(
    name: str, title: str, number: str, registration_number: str
) -> tuple[list[str], list[str]]:
    """An announcement's indexed terms: those of its name (ranked first), and the other terms
    of its title and its two numbers (the title repeats the name: 登记公告：<name>)."""
    named = tokens(name)
    seen = set(named)
    return named, [x for x in tokens(f"{title} {number} {registration_number}") if x not in seen]


@dataclass(frozen=True)
class SearchQuery:
    """What a search text asks for: every one of `terms` (AND); `words` are the query's longer
    words, which a hit preferably contains as words (they rank it first)."""

    terms: tuple[str, ...]
    words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def marks(self) -> tuple[str, ...]:
        """The strings to mark in a hit: the words, then the terms."""
        return tuple(dict.fromkeys((*self.words, *self.terms)))


def _pieces(word: str, freq: dict[str, int]) -> list[str]:
    """A long word as pieces every search-mode cut of it contains: dictionary two-character
    sub-words left to right, single characters where none fits."""
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if len(pair) == 2 and freq.get(pair):
            out.append(pair)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def query_tokens(q: str) -> SearchQuery:
    """The terms (all required) and words (preferred) of a search text; empty when the text
    has no letters or digits (then it matches nothing)."""
    seg = _jieba()
    terms: dict[str, None] = {}
    words: dict[str, None] = {}
    for word in _terms(seg.cut(_normalise(q), HMM=False)):
        if len(word) > 2 and _CJK.fullmatch(word[0]) and all(_CJK.fullmatch(c) for c in word):
            words.setdefault(word)
            for piece in _pieces(word, seg.FREQ):
                terms.setdefault(piece)
        else:
            terms.setdefault(word)
    return SearchQuery(tuple(terms), tuple(w for w in words if w not in terms))


def highlight(text: str, marks: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (segment, is_hit) runs, the hits being every occurrence of a mark
    (compared as indexed: NFKC, lower case). Latin and digit marks only match whole runs of
    letters and digits (5g in 5G基站, not in 15g). Joining the segments gives back `text`."""
    # Normalise character by character, remembering where each normalised one came from.
    norm: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for n in _normalise(ch):
            norm.append(n)
            origin.append(i)
    flat = "".join(norm)
    hit = [False] * len(text)
    for mark in {m for m in marks if m}:
        ascii_edges = mark[0].isascii(), mark[-1].isascii()
        start = flat.find(mark)
        while start >= 0:
            end = start + len(mark)
            before = flat[start - 1] if start > 0 else ""
            after = flat[end] if end < len(flat) else ""
            whole = not (ascii_edges[0] and before.isascii() and before.isalnum()) and not (
                ascii_edges[1] and after.isascii() and after.isalnum()
            )
            if whole:
                for k in range(origin[start], origin[end - 1] + 1):
                    hit[k] = True
            start = flat.find(mark, start + 1)
    runs: list[tuple[str, bool]] = []
    for ch, h in zip(text, hit, strict=True):
        if runs and runs[-1][1] == h:
            runs[-1] = (runs[-1][0] + ch, h)
        else:
            runs.append((ch, h))
    return runs


def highlight_html(text: str, marks: Iterable[str]) -> str:
    """`text` HTML-escaped, its hits in ``<mark>…</mark>``: safe to put into a page as is."""
    return "".join(
        f"<mark>{html.escape(seg)}</mark>" if is_hit else html.escape(seg)
        for seg, is_hit in highlight(text, marks)
    )
