"""R29 (issue 23 §4): the per-process index is rebuilt when the corpus's signature changes —
at once for a small corpus, beside the previous index (which answers meanwhile) for a large
one — and a text's words are segmented once."""

from __future__ import annotations

import threading
import time

import pytest

from dataip.matching import Doc
from dataip.services.matching import index


def _docs(words: str, n: int) -> list[Doc]:
    return [Doc(i + 1, tuple(words.split())) for i in range(n)]


def test_r29_small_corpus_is_rebuilt_before_the_query() -> None:
    corpus = index._Corpus()
    first = corpus.current("a", lambda c: _docs("公交 客流", 3))
    assert corpus.current("a", lambda c: pytest.fail("rebuilt without a change")) is first
    second = corpus.current("b", lambda c: _docs("医疗 影像", 2))
    assert second is not first and len(second.docs) == 2


def test_r29_large_corpus_is_rebuilt_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "STALE_MIN_DOCS", 2)
    corpus = index._Corpus()
    old = corpus.current("a", lambda c: _docs("公交 客流", 3))
    release = threading.Event()

    def slow(c: index._Corpus) -> list[Doc]:
        release.wait(10)
        return _docs("医疗 影像", 4)

    assert corpus.current("b", slow) is old  # served while the rebuild runs
    assert corpus.current("b", lambda c: pytest.fail("a second rebuild at once")) is old
    release.set()
    for _ in range(200):
        if corpus.built is not old:
            break
        time.sleep(0.01)
    assert corpus.built is not None and len(corpus.built.docs) == 4
    assert not corpus.rebuilding


def test_r29_words_are_cached_per_text() -> None:
    corpus = index._Corpus()
    assert corpus.words_of("城市公交客流数据") is corpus.words_of("城市公交客流数据")
