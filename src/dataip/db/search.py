"""The announcement search index (R23, G§26; DESIGN §8), `uow.search`.

Each announcement's terms (`dataip.domain.search.announcement_terms`) are written in the
announcement's own transaction into `announcement_search`: `name_tokens` (of its name) and
`other_tokens` (the rest of its title, and its two numbers), space-joined. Over that table
each backend keeps its native full-text structure (migration 0008):

* SQLite — the FTS5 table `announcement_fts` (external content = `announcement_search`,
  rowid = announcement id, the `ascii` tokenizer, which splits on spaces only since terms are
  letters and digits), kept in step by triggers on `announcement_search`.
* PostgreSQL — the `document` column, a tsvector with the name's terms weighted A and the
  others B, under a GIN index. It is written as a tsvector literal, not parsed again by
  `to_tsvector`, so both backends index exactly the terms the tokenizer produced.

Ranking, the same on both backends — relevance tiers, then newest first:

  0. the query's number exactly (announcement or registration number);
  1. all terms and the query's longer words are words of the name (交通拥堵 in 交通拥堵预测);
  2. all terms are in the name (交通 … 拥堵);
  3. all terms are somewhere (a term only in the title's action, e.g. 许可, or a number).

Within a tier the newest comes first by id: announcements are numbered and inserted as they
are published, so id order is publication order (the listing without text relies on this too),
and it lets FTS5 (and PostgreSQL's primary key, see `_tier`) yield hits newest first and stop
at the page's end instead of scoring every hit. bm25() and ts_rank() are not used: they score
every match before the first page can be served (up to about a second for a one-character
query over a million announcements, bench/search.py), bm25 ranks a name down for being long,
and the two disagree, so the backends would rank differently.

Paging is keyset, like the listing: the cursor is the last id served; its tier is found again
by testing that one row against each tier, and the next page continues that tier below the id,
then the following tiers. A cursor that is no hit of the query ends the listing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.domain import model as m
from dataip.domain.search import SearchQuery

__all__ = ["SQLITE_FTS_TABLES", "AnnouncementIndex", "announcement_filters", "tsvector_literal"]

FTS = "announcement_fts"
#: What the FTS5 virtual table keeps in the SQLite file besides `tables.metadata`: itself and
#: its shadow tables (SQLAlchemy cannot declare a virtual table).
SQLITE_FTS_TABLES = frozenset({FTS, *(f"{FTS}_{s}" for s in ("config", "data", "docsize", "idx"))})

PG_PROBE = 4_000  # rows searched newest first before PostgreSQL's GIN index is asked
PG_WALK = 2  # how many probes' worth of older ids may be walked on for the rest (`_tier`)

_fts = sa.table(FTS, sa.column("rowid", sa.Integer))
_a = t.announcements.c
_s = t.announcement_search.c


def tsvector_literal(name: Sequence[str], other: Sequence[str]) -> str:
    """The PostgreSQL tsvector of an announcement: name terms at weight A, the rest at B."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, terms in (("A", name), ("B", other)):
        for term in terms:
            pos += 1
            positions.setdefault(term, []).append(f"{min(pos, 16383)}{weight}")
    return " ".join(f"{_quote(term)}:{','.join(p)}" for term, p in positions.items())


def _quote(term: str) -> str:
    # Terms are letters and digits only; quoting is belt and braces.
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def announcement_filters(
    *,
    kinds: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    industry: str | None = None,
    region: str | None = None,
    registration_number: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The listing's filters on `announcements`: `industry` is a section letter or a code
    prefix (division, group, class); `region` a prefix of the 6-digit division code from the
    holder's credit code."""
    where: list[sa.ColumnElement[bool]] = []
    if kinds:
        where.append(_a.kind.in_(list(kinds)))
    if date_from is not None:
        where.append(_a.published_on >= date_from)
    if date_to is not None:
        where.append(_a.published_on <= date_to)
    if industry:
        if industry.isalpha():
            where.append(_a.industry_section == industry.upper())
        else:
            where.append(_a.industry_code.startswith(industry, autoescape=True))
    if region:
        where.append(_a.region_code.startswith(region, autoescape=True))
    if registration_number:
        where.append(_a.registration_number == registration_number)
    return where


class AnnouncementIndex:
    """`uow.search`: writes an announcement's terms and answers ranked text searches."""

    def __init__(self, session: Session) -> None:
        self.s = session

    @property
    def _pg(self) -> bool:
        return self.s.get_bind().dialect.name == "postgresql"

    # --- writing ----------------------------------------------------------------------------

    def index_announcement(
        self, announcement_id: int, *, name: Sequence[str], other: Sequence[str]
    ) -> None:
        """Index one announcement (in the caller's transaction; announcements never change)."""
        self.index_many([(announcement_id, name, other)])

    def index_many(self, rows: Iterable[tuple[int, Sequence[str], Sequence[str]]]) -> None:
        """Index several announcements in one statement (bulk loads: bench/search.py)."""
        pg = self._pg
        values = [
            {
                "announcement_id": aid,
                "name_tokens": " ".join(name),
                "other_tokens": " ".join(other),
                "document": tsvector_literal(name, other) if pg else None,
            }
            for aid, name, other in rows
        ]
        if values:
            self.s.execute(sa.insert(t.announcement_search), values)

    # --- searching --------------------------------------------------------------------------

    def search(
        self,
        query: SearchQuery,
        *,
        exact: str | None = None,
        registrations: Sequence[int] = (),
        after_id: int | None = None,
        limit: int = 20,
        **filters: Any,
    ) -> list[int]:
        """Ids of the announcements that have every term of `query`, or are numbered `exact`
        (announcement or registration number), or are about one of `registrations` (what an
        identifier named, issue 24 §5), and pass `filters` (`announcement_filters`), ranked
        (module docstring; `registrations` rank with the exact numbers): the page after the
        hit `after_id`."""
        where = announcement_filters(**filters)
        exact_ids = self._exact(exact, where, registrations) if exact or registrations else []
        tiers = self._tiers(query) if query else []
        start, below = 0, None
        if after_id is not None:
            if after_id in exact_ids:
                start = 0
            else:
                found = next((i for i, q in enumerate(tiers) if self._holds(q, after_id)), None)
                if found is None:
                    return []
                start = found + 1
            below = after_id
        out: list[int] = []
        for i in range(start, len(tiers) + 1):
            need = limit - len(out)
            if need <= 0:
                break
            b = below if i == start else None
            if i == 0:
                out += [x for x in exact_ids if b is None or x < b][:need]
            else:
                out += self._tier(tiers[i - 1], where, b, exact_ids, need)
        return out

    def announcements(self, ids: Sequence[int]) -> list[m.Announcement]:
        """The announcements `ids`, in that order."""
        if not ids:
            return []
        found = {a.id: a for a in self.s.scalars(sa.select(m.Announcement).where(_a.id.in_(ids)))}
        return [found[i] for i in ids if i in found]

    def _exact(
        self,
        text: str | None,
        where: Sequence[sa.ColumnElement[bool]],
        registrations: Sequence[int] = (),
    ) -> list[int]:
        named: list[sa.ColumnElement[bool]] = []
        if text:
            named += [_a.number == text, _a.registration_number == text]
        if registrations:
            named.append(_a.registration_id.in_(list(registrations)))
        stmt = sa.select(_a.id).where(sa.or_(*named), *where).order_by(_a.id.desc())
        return list(self.s.scalars(stmt))

    def _tiers(self, q: SearchQuery) -> list[str]:
        """The text tiers as FTS5 MATCH expressions or tsquery texts, best first."""
        if self._pg:
            anywhere = " & ".join(_quote(x) for x in q.terms)
            in_name = " & ".join(f"{_quote(x)}:A" for x in q.terms)
            words = " & ".join(f"{_quote(x)}:A" for x in (*q.words, *q.terms))
            t2 = f"({in_name}) & !({words})" if q.words else in_name
            t3 = f"({anywhere}) & !({in_name})"
        else:
            anywhere = " AND ".join(_phrase(x) for x in q.terms)
            in_name = f"name_tokens : ({anywhere})"
            words = "name_tokens : ({})".format(
                " AND ".join(_phrase(x) for x in (*q.words, *q.terms))
            )
            t2 = f"({in_name}) NOT ({words})" if q.words else in_name
            t3 = f"({anywhere}) NOT ({in_name})"
        return [words, t2, t3] if q.words else [t2, t3]

    def _match(self, tier: str, document: Any = None) -> sa.ColumnElement[bool]:
        if self._pg:
            # Inlined, not bound: a prepared statement's generic plan cannot see how common
            # the terms are.
            q = sa.bindparam("tsquery", tier, type_=sa.Text, literal_execute=True)
            return (_s.document if document is None else document).op("@@")(sa.cast(q, TSQUERY))
        return sa.literal_column(FTS).op("MATCH")(sa.literal(tier))

    def _holds(self, tier: str, announcement_id: int) -> bool:
        if self._pg:
            stmt = sa.select(_s.announcement_id).where(
                _s.announcement_id == announcement_id, self._match(tier)
            )
        else:
            stmt = sa.select(_fts.c.rowid).where(_fts.c.rowid == announcement_id, self._match(tier))
        return self.s.execute(stmt).first() is not None

    def _tier(
        self,
        tier: str,
        where: Sequence[sa.ColumnElement[bool]],
        below: int | None,
        exclude: Sequence[int],
        limit: int,
    ) -> list[int]:
        """The newest `limit` hits of one tier below the id `below`."""
        if not self._pg:  # FTS5 streams its hits newest first: stop at the page's end
            return self._hits(tier, where, below, exclude, limit)
        # PostgreSQL's GIN index gives its hits unordered: collecting and sorting them is quick
        # when they are few, slow when they are many; walking the primary key newest first,
        # filtering, is the reverse. The planner cannot tell which a query is (a word missing
        # from its statistics looks common enough to walk for, and then every row is read), so
        # the newest PG_PROBE rows are searched first and, if they do not fill the page (the
        # terms are rare), the index is asked for the rest.
        key = _s.announcement_id
        edge = sa.select(key).order_by(key.desc()).offset(PG_PROBE - 1).limit(1)
        if below is not None:
            edge = edge.where(key < below)
        bound = self.s.scalar(edge)
        if bound is None:  # fewer rows than that
            return self._hits(tier, where, below, exclude, limit)
        newest = self._hits(tier, where, below, exclude, limit, at_least=bound)
        if len(newest) == limit:
            return newest
        if newest:
            # The probe's hits say how dense the tier is among the newest rows. When the rest
            # of the page should lie within the next PG_WALK × PG_PROBE ids (counting twice
            # the ids that density asks, for luck), walking those is cheaper than the GIN
            # index: a common pair of terms (贵阳 & 旅, a few thousand hits at a million)
            # intersects two long posting lists and rechecks every candidate's weights, about
            # 9 ms, where 2,000 more rows walked take under 1 ms. Ids are walked, not rows: a
            # gap only shortens the walk.
            need = limit - len(newest)
            span = math.ceil(2 * need * PG_PROBE / len(newest))
            if span <= PG_WALK * PG_PROBE:
                lower = max(bound - span, 0)
                newest += self._newest(tier, where, bound, exclude, need, lower)
                if len(newest) == limit or lower == 0:
                    return newest
                bound = lower
        rest = self._hits(tier, where, bound, exclude, limit - len(newest), unordered=True)
        return newest + rest

    def _hits(
        self,
        tier: str,
        where: Sequence[sa.ColumnElement[bool]],
        below: int | None,
        exclude: Sequence[int],
        limit: int,
        *,
        at_least: int | None = None,
        unordered: bool = False,
    ) -> list[int]:
        if at_least is not None and self._pg:
            return self._newest(tier, where, below, exclude, limit, at_least)
        key: Any = _s.announcement_id if self._pg else _fts.c.rowid
        source = t.announcement_search if self._pg else _fts
        stmt = sa.select(key).where(self._match(tier))
        if where:
            stmt = stmt.select_from(source.join(t.announcements, _a.id == key)).where(*where)
        if below is not None:
            stmt = stmt.where(key < below)
        if at_least is not None:
            stmt = stmt.where(key >= at_least)
        if exclude:
            stmt = stmt.where(key.not_in(list(exclude)))
        # `+ 0`: an expression, so that PostgreSQL does not walk the primary key for the order
        order = key + 0 if unordered else key
        return list(self.s.scalars(stmt.order_by(order.desc()).limit(limit)))

    def _newest(
        self,
        tier: str,
        where: Sequence[sa.ColumnElement[bool]],
        below: int | None,
        exclude: Sequence[int],
        limit: int,
        at_least: int,
    ) -> list[int]:
        """PostgreSQL's probe of the newest rows (`_tier`): the primary key walked newest
        first from `below` down to `at_least`, each row's document tested, until the page is
        full — at most PG_PROBE rows read whatever the terms. `OFFSET 0` keeps the planner
        from folding the walk into the outer query: left to itself it estimates a conjunction
        of common terms (交通 & 拥) as rare and intersects their whole GIN posting lists
        instead — tens of milliseconds at a million announcements, most of a 3- or
        4-character query's time under load (issue 25 §4, bench/load.py)."""
        key = _s.announcement_id
        walk = sa.select(key, _s.document).where(key >= at_least)
        if below is not None:
            walk = walk.where(key < below)
        newest = walk.order_by(key.desc()).offset(0).subquery("newest")
        stmt = sa.select(newest.c.announcement_id).where(self._match(tier, newest.c.document))
        if where:
            stmt = stmt.join(t.announcements, _a.id == newest.c.announcement_id).where(*where)
        if exclude:
            stmt = stmt.where(newest.c.announcement_id.not_in(list(exclude)))
        # the walk's order (the planner keeps it: no sort when no filter joins announcements)
        order = newest.c.announcement_id.desc()
        return list(self.s.scalars(stmt.order_by(order).limit(limit)))
