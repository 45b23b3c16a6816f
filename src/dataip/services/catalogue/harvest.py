"""The DCAT catalogue a harvester walks (issue 24 §4): `dcat:Catalog` pages of
`dcat:Dataset`s in the order their public record last changed.

A walk starts at the first page, which fixes its bound — the change log's last sequence
number then — and every `hydra:next` link carries it (`cursor` = after.bound). Each
registration appears once in a walk, at its latest change as of the bound
(`db/repositories/catalogue.walk`): one modified during the walk is not served twice, nor
skipped; its new state is what the page shows, and the next walk, started from the bound
(`cursor` = the bound alone: the last page's `dataip:resume` link; or `modified_since`),
serves it again. Paging is a `hydra:PartialCollectionView` (`hydra:first`, `hydra:next`), the
vocabulary ckanext-dcat and other DCAT-AP harvesters follow, with the same links in the HTTP
`Link` header (the web layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from dataip.domain.errors import DomainError
from dataip.services.catalogue.metadata import CONTEXT, base_url, dataset, publisher
from dataip.services.context import SHANGHAI, Env

__all__ = ["CataloguePage", "page"]

PATH = "/api/v1/catalogue"
MAX_LIMIT = 200


@dataclass(frozen=True)
class CataloguePage:
    document: dict[str, Any]
    next_url: str | None
    first_url: str
    resume_url: str  # where the next incremental harvest starts
    bound: int
    last_modified: datetime | None


def _cursor(text: str, last: int) -> tuple[int, int]:
    """`after.until` (a walk's next page) or `after` (a new walk resuming after a bound)."""
    try:
        parts = [int(x) for x in text.split(".")]
        after, until = (parts[0], last) if len(parts) == 1 else (parts[0], parts[1])
        if len(parts) > 2:
            raise ValueError(text)
    except ValueError:
        raise DomainError(
            "invalid_cursor",
            "分页游标无效",
            "the cursor is not one this catalogue gave",
            status=422,
        ) from None
    if after < 0 or until < after:
        raise DomainError(
            "invalid_cursor",
            "分页游标无效",
            "the cursor is not one this catalogue gave",
            status=422,
        )
    return after, until


def _instant(at: datetime) -> datetime:
    """`modified_since` as an aware UTC time: without an offset it is the registry's time
    (Asia/Shanghai); one beyond the calendar's ends is clamped to them."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=SHANGHAI)
    try:
        return at.astimezone(UTC)
    except OverflowError:
        edge = datetime.max if at.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)


def page(
    *,
    env: Env,
    cursor: str | None = None,
    modified_since: datetime | None = None,
    limit: int = 50,
) -> CataloguePage:
    limit = max(1, min(limit, MAX_LIMIT))
    base = base_url(env)
    url = base + PATH

    def link(after: int, until: int) -> str:
        return f"{url}?{urlencode({'cursor': f'{after}.{until}', 'limit': limit})}"

    with env.read() as uow:
        if cursor:
            after, until = _cursor(cursor, uow.catalogue.last_seq())
        else:
            until = uow.catalogue.last_seq()
            since = _instant(modified_since) if modified_since else None
            after = uow.catalogue.seq_before(since) if since else 0
        rows = uow.catalogue.walk(after=after, until=until, limit=limit)
        regs = uow.catalogue.registrations([rid for _, rid in rows])
        modified = uow.catalogue.modified([r.id for r in regs])
        items = [dataset(uow, env, r, modified=modified.get(r.id)) for r in regs]
    this = link(after, until) if cursor or modified_since else f"{url}?limit={limit}"
    nxt = link(rows[-1][0], until) if len(rows) == limit else None
    view: dict[str, Any] = {
        "@id": this,
        "@type": "hydra:PartialCollectionView",
        "hydra:first": {"@id": link(0, until)},
    }
    if nxt:
        view["hydra:next"] = {"@id": nxt}
    resume = f"{url}?{urlencode({'cursor': str(until), 'limit': limit})}"
    document = {
        "@context": {**CONTEXT, "dataip": base + "/ns#"},
        "@id": url,
        "@type": ["dcat:Catalog", "hydra:Collection"],
        "dct:title": [
            {"@value": f"{env.profile.registry_name_zh}数据知识产权登记目录", "@language": "zh"},
            {"@value": f"{env.profile.registry_name_en}: data IP registrations", "@language": "en"},
        ],
        "dct:publisher": publisher(env),
        "foaf:homepage": {"@id": base + "/"},
        "dcat:dataset": items,
        "hydra:view": view,
        "dataip:resume": {"@id": resume},
    }
    latest = max(modified.values(), default=None)
    return CataloguePage(document, nxt, link(0, until), resume, until, latest)
