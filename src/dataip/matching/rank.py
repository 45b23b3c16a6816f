"""BM25 ranking with filters, on bm25s.

Why bm25s: a maintained BM25 implementation (Lucene's variant by default: k1 = 1.5, b = 0.75,
idf = ln(1 + (N − df + 0.5)/(df + 0.5)), never negative) that stores the corpus as a sparse
term × document matrix of precomputed scores, so scoring one query is a sum of a few sparse
columns (milliseconds at 100,000 documents) and building the index is one vectorised pass.
What of it is used: ``BM25.index`` over pre-tokenised documents (our words, `text.terms`; its own
tokenizer does not segment Chinese) and ``BM25.get_scores`` — a score per document — to which
the filters are applied as boolean masks before the top k is taken (``argpartition``). Its
``retrieve`` and stemming/stop-word machinery are not used.

An `Index` is immutable: bm25s has no incremental insert, so the services rebuild it from
cached words when the corpus changes (`services/matching/index.py` says how often).
Scores are floats used only to order and to select; nothing stores or publishes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dataip.matching.text import information

__all__ = ["PUSH", "Doc", "Filters", "Hit", "Index", "PushRule", "strong_hits"]


@dataclass(frozen=True)
class Doc:
    """A document: its key (a registration's or a need's id), its words, and what filters
    read: GB/T 4754 code and section, region (administrative division code), last valid day
    (a date's ordinal; 0 when it has none)."""

    key: int
    words: tuple[str, ...]
    industry_code: str = ""
    section: str = ""
    region: str = ""
    valid_until: int = 0


@dataclass(frozen=True)
class Filters:
    """`industry`: a section letter or a code prefix; `region`: a division-code prefix;
    `valid_on`: a date's ordinal the document must still be valid on."""

    industry: str | None = None
    region: str | None = None
    valid_on: int | None = None

    def __bool__(self) -> bool:
        return bool(self.industry or self.region or self.valid_on)


@dataclass(frozen=True)
class Hit:
    """A ranked document: its BM25 `score` (relative to this index) and the `information` the
    query shares with it (nats, independent of the index: `text.information`)."""

    key: int
    score: float
    information: float = 0.0


class Index:
    """A BM25 index over `docs`; `search` ranks them for a query's words."""

    def __init__(self, docs: Sequence[Doc], *, k1: float = 1.5, b: float = 0.75) -> None:
        import bm25s  # imported here: numpy and bm25s cost a process that never matches
        import numpy as np

        self._np: Any = np
        self.size = len(docs)
        self._keys = np.array([d.key for d in docs], dtype=np.int64)
        self._codes = np.array([d.industry_code for d in docs], dtype=str)
        self._sections = np.array([d.section for d in docs], dtype=str)
        self._regions = np.array([d.region for d in docs], dtype=str)
        self._valid = np.array([d.valid_until for d in docs], dtype=np.int64)
        self._words = [d.words for d in docs]
        self._bm25: Any = None
        if docs:
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index([list(d.words) for d in docs], show_progress=False)
        self._masks: dict[Filters, Any] = {}

    def _mask(self, f: Filters) -> Any:
        np = self._np
        if f in self._masks:
            return self._masks[f]
        mask = np.ones(self.size, dtype=bool)
        if f.industry:
            if len(f.industry) == 1 and f.industry.isalpha():
                mask &= self._sections == f.industry.upper()
            else:
                mask &= np.char.startswith(self._codes, f.industry)
        if f.region:
            mask &= np.char.startswith(self._regions, f.region)
        if f.valid_on:
            mask &= self._valid >= f.valid_on
        if len(self._masks) > 64:  # a few filters recur (a need's own); keep the cache small
            self._masks.clear()
        self._masks[f] = mask
        return mask

    def scores(self, words: Iterable[str]) -> Any:
        """Every document's score for the query (numpy array, in document order)."""
        query = list(dict.fromkeys(words))  # BM25 weighs a query term once
        if self._bm25 is None or not query:
            return self._np.zeros(self.size)
        return self._bm25.get_scores(query)

    def search(
        self,
        words: Iterable[str],
        *,
        k: int = 10,
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
    ) -> list[Hit]:
        """The `k` best documents with a positive score, best first (ties: lower key first),
        among those the filters let through and not in `exclude`."""
        np = self._np
        if self.size == 0 or k <= 0:
            return []
        scores = self.scores(words)
        if filters:
            scores = np.where(self._mask(filters), scores, 0.0)
        dropped = set(exclude)
        want = min(self.size, k + len(dropped))
        top = (
            np.argpartition(-scores, want - 1)[:want] if want < self.size else np.arange(self.size)
        )
        ranked = sorted(
            (i for i in top if scores[i] > 0 and int(self._keys[i]) not in dropped),
            key=lambda i: (-float(scores[i]), int(self._keys[i])),
        )[:k]
        query = set(words)
        return [
            Hit(int(self._keys[i]), float(scores[i]), information(query & set(self._words[i])))
            for i in ranked
        ]


@dataclass(frozen=True)
class PushRule:
    """Which hits are pushed: at most `k`, each scoring at least `ratio` of the best one (one
    strong match does not drag weak ones along) and sharing at least `min_information` nats
    with the query (`text.information`: about two specific words; unlike a BM25 score this
    does not depend on how many documents the index holds, so a registry with three
    registrations pushes as one with 100,000 does). Calibrated on the labelled set
    (docs/matching.md): off-topic queries share at most 10.6 nats with their best hit, every
    grade-3 match at least 29.9."""

    k: int = 5
    ratio: float = 0.5
    min_information: float = 20.0


PUSH = PushRule()


def strong_hits(hits: Sequence[Hit], rule: PushRule = PUSH) -> list[Hit]:
    """The hits `rule` pushes (`hits` best first, as `Index.search` returns them)."""
    if not hits:
        return []
    bar = rule.ratio * hits[0].score
    return [h for h in hits[: rule.k] if h.score >= bar and h.information >= rule.min_information]
