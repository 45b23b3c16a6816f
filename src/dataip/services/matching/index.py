"""The matching indexes a server process keeps (issue 23 §4): one over the valid registrations
(a need's matches), one over the open needs (a registration's matching needs).

Built once, then kept fresh by a cheap check: every query first reads the corpus's
*signature* — one aggregate over the rows (count, largest id, sum of versions, newest
creation, total name length) — and rebuilds the index when it changed. A rebuild segments
only texts it has not seen (the words of each text are cached by the text), so it costs the
bm25s indexing pass plus the new texts' segmentation: milliseconds for a few hundred
registrations, seconds at 100,000 (bench/matching.py: `index_build_s`). Below
`STALE_MIN_DOCS` documents the query waits for the rebuild; above, the rebuild runs in a
thread beside and the previous index answers meanwhile (one rebuild at a time; a change made
during one is picked up by the next), so a new registration or need is matched one rebuild
after it is written. Results are always re-checked against the rows, so an ended
registration or a withdrawn need never shows. Each process has its own indexes (no shared
state: any number of servers may run).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dataip.domain.after_registration import region_of
from dataip.domain.application import SCENARIOS
from dataip.matching import Doc, Index, need_text, registration_text, terms
from dataip.matching.needs import Need
from dataip.services.context import Env

STALE_MIN_DOCS = 10_000  # below this a rebuild is cheap enough to wait for
_WORDS_CACHED = 400_000  # texts whose words are kept (a text's words are recomputed after)


@dataclass
class Built:
    signature: Any
    index: Index
    docs: dict[int, Doc]
    at: float
    seconds: float


@dataclass
class _Corpus:
    lock: threading.Lock = field(default_factory=threading.Lock)
    built: Built | None = None
    rebuilding: bool = False
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words_of(self, text: str) -> tuple[str, ...]:
        got = self.words.get(text)
        if got is None:
            if len(self.words) >= _WORDS_CACHED:
                self.words.clear()
            got = self.words[text] = tuple(terms(text))
        return got

    def _build(self, signature: Any, build: Callable[[_Corpus], list[Doc]]) -> Built:
        start = time.monotonic()
        docs = build(self)
        index = Index(docs)
        done = time.monotonic()
        return Built(signature, index, {d.key: d for d in docs}, done, done - start)

    def _rebuild(self, signature: Any, build: Callable[[_Corpus], list[Doc]]) -> None:
        try:
            fresh = self._build(signature, build)
            with self.lock:
                self.built = fresh
        finally:
            with self.lock:
                self.rebuilding = False

    def current(self, signature: Any, build: Callable[[_Corpus], list[Doc]]) -> Built:
        with self.lock:
            b = self.built
            if b is not None and b.signature == signature:
                return b
            if b is not None and len(b.docs) >= STALE_MIN_DOCS:
                # a large corpus: rebuilt beside, the previous index served meanwhile
                if not self.rebuilding:
                    self.rebuilding = True
                    threading.Thread(
                        target=self._rebuild, args=(signature, build), daemon=True
                    ).start()
                return b
            self.built = self._build(signature, build)
            return self.built


@dataclass
class _Caches:
    registrations: _Corpus = field(default_factory=_Corpus)
    needs: _Corpus = field(default_factory=_Corpus)


_CACHES: dict[int, tuple[weakref.ref[Env], _Caches]] = {}
_CACHES_LOCK = threading.Lock()


def _caches(env: Env) -> _Caches:
    with _CACHES_LOCK:
        got = _CACHES.get(id(env))
        if got is not None and got[0]() is env:
            return got[1]
        for key in [k for k, (ref, _) in _CACHES.items() if ref() is None]:
            del _CACHES[key]
        caches = _Caches()
        _CACHES[id(env)] = (weakref.ref(env), caches)
        return caches


def scenario_labels(public_fields: dict[str, Any] | None) -> list[str]:
    values = ((public_fields or {}).get("scenarios") or {}).get("values") or []
    return [SCENARIOS[v][0] for v in values if v in SCENARIOS]


def registration_doc(
    corpus: _Corpus, row: dict[str, Any], industries: dict[str, tuple[str, str]]
) -> Doc:
    """A registration's document from its public facts (`Matching.corpus_rows`)."""
    public = row.get("public_fields") or {}
    code = row.get("industry_code") or ""
    name, section = industries.get(code, ("", ""))
    scope = public.get("scope") or {}
    text = registration_text(
        name=row["name"],
        industry_name=name or None,
        scenarios=scenario_labels(public),
        coverage=scope.get("coverage") if isinstance(scope, dict) else None,
        description=public.get("processing_rules")
        if isinstance(public.get("processing_rules"), str)
        else None,
    )
    region = next(
        (r for r in (region_of(h.get("credit_code")) for h in row.get("holders") or []) if r),
        "",
    )
    return Doc(
        int(row["id"]),
        corpus.words_of(text),
        industry_code=code,
        section=section,
        region=region,
        valid_until=row["valid_until"].toordinal(),
    )


def need_words(
    need: Need, industries: dict[str, tuple[str, str]], corpus: _Corpus
) -> tuple[str, ...]:
    name = industries.get(need.industry_code, ("", ""))[0]
    return corpus.words_of(
        need_text(
            title=need.title,
            data_wanted=need.data_wanted,
            scenario=SCENARIOS.get(need.scenario, ("", ""))[0] or None,
            industry_name=name or None,
        )
    )


def registrations(env: Env) -> Built:
    """The index over the valid registrations, fresh as the module says."""
    corpus = _caches(env).registrations
    with env.read() as uow:
        signature = uow.matching.corpus_signature()

    def build(c: _Corpus) -> list[Doc]:
        with env.read() as uow:
            industries = uow.matching.industries()
            rows = uow.matching.corpus_rows()
        return [registration_doc(c, row, industries) for row in rows]

    return corpus.current(signature, build)


def needs(env: Env, today: date) -> Built:
    """The index over the open, unexpired needs."""
    corpus = _caches(env).needs
    with env.read() as uow:
        signature = (today, uow.matching.needs_signature(today))

    def build(c: _Corpus) -> list[Doc]:
        with env.read() as uow:
            industries = uow.matching.industries()
            rows = uow.matching.open_need_rows(today)
        return [
            Doc(
                n.id,
                need_words(n, industries, c),
                industry_code=n.industry_code,
                section=industries.get(n.industry_code, ("", ""))[1],
                region=n.region_code or "",
                valid_until=n.expires_on.toordinal(),
            )
            for n in rows
        ]

    return corpus.current(signature, build)


INDUSTRIES_TTL = 300.0  # an administrator reloads the table rarely (PUT /industries)


def industries(env: Env) -> dict[str, tuple[str, str]]:
    """GB/T 4754 code → (name, section), kept for `INDUSTRIES_TTL` seconds (`Env.remembered`:
    loading a newer table forgets it at once in its process)."""

    def read() -> dict[str, tuple[str, str]]:
        with env.read() as uow:
            return dict(uow.matching.industries())

    return env.remembered("matching:industries", None, read, ttl=INDUSTRIES_TTL)


def words_for_need(env: Env, need: Need) -> tuple[str, ...]:
    """A need's query words (cached with the registrations' words)."""
    return need_words(need, industries(env), _caches(env).registrations)
