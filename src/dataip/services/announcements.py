"""Public announcements (公告, G§16, G§19–G§24) and their search service (G§26, R23).

Every approval, renewal, change, transfer, filing, abandonment, cancellation, revocation and
re-examination decision publishes one numbered announcement in the same transaction as its
event. Announcements carry only what is public: the G§14 fields and the action's public facts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import region_of
from dataip.domain.after_registration_codes import ANNOUNCEMENT_KINDS
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import province_code
from dataip.domain.search import SearchQuery, announcement_terms, highlight_html, query_tokens
from dataip.services import catalogue, industry_names
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

MAX_TEXT_QUERY = 100
GBT4754_SECTIONS = "ABCDEFGHIJKLMNOPQRST"  # GB/T 4754-2017 门类


def announcement_number(registry_code: str, year: int, serial: int) -> str:
    """GG + year(4) + registry code(4) + serial(7), e.g. GG202652000000012."""
    return f"GG{year:04d}{registry_code}{serial:07d}"


def publish(
    uow: UnitOfWork,
    env: Env,
    reg: m.Registration,
    *,
    kind: str,
    at: datetime,
    body: dict[str, Any],
) -> m.Announcement:
    """Publish one announcement about `reg` in the caller's transaction."""
    zh, en = ANNOUNCEMENT_KINDS[kind]
    day = at.astimezone(env.now().tzinfo).date()
    serial = uow.next_value(f"announcement:{env.profile.registry_code}:{day.year}")
    section = None
    if reg.industry_code:
        industry = uow.industries.get(reg.industry_code)
        section = industry.section if industry is not None else None
    region = next(
        (r for r in (region_of(h.get("credit_code")) for h in reg.holders) if r is not None), None
    )
    a = uow.announcements.add(
        m.Announcement(
            number=announcement_number(env.profile.registry_code, day.year, serial),
            kind=kind,
            registration_id=reg.id,
            registration_number=reg.registration_number,
            name=reg.name,
            published_at=at,
            published_on=day,
            title_zh=f"{zh}：{reg.name}"[:200],
            title_en=f"{en}: {reg.registration_number}",
            body={
                "registration_number": reg.registration_number,
                "certificate_number": reg.certificate_number,
                "name": reg.name,
                "industry_code": reg.industry_code,
                "holders": [public_holder(h) for h in reg.holders],
                "state": reg.state,
                "valid_from": reg.valid_from.isoformat(),
                "valid_until": reg.valid_until.isoformat(),
                **body,
            },
            industry_code=reg.industry_code,
            industry_section=section,
            region_code=region,
        )
    )
    uow.flush()  # its id, the index's key
    index_for_search(uow, a)
    catalogue.refresh(uow, reg, at=at)  # R32: identifiers and the DCAT change log (issue 24)
    return a


def index_for_search(uow: UnitOfWork, a: m.Announcement) -> None:
    """R23: index a new announcement for the public text search, in its own transaction."""
    name, other = announcement_terms(a.name, a.title_zh, a.number, a.registration_number)
    uow.search.index_announcement(a.id, name=name, other=other)


def public_holder(h: dict[str, Any]) -> dict[str, Any]:
    """What the public sees of a holder: kind, name (masked for natural persons), credit
    code and share; never a resident ID number."""
    return {k: h[k] for k in ("kind", "name", "credit_code", "share_bp") if k in h}


@dataclass(frozen=True)
class AnnouncementQuery:
    kinds: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    industry: str | None = None
    region: str | None = None
    text: str | None = None
    registration_number: str | None = None
    cursor: int | None = None
    limit: int = 50


def _bad(code: str, zh: str, en: str, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=422, details=dict(details))


def validate(q: AnnouncementQuery) -> AnnouncementQuery:
    unknown = [k for k in q.kinds if k not in ANNOUNCEMENT_KINDS]
    if unknown:
        raise _bad(
            "invalid_announcement_type",
            f"未知的公告类型：{'、'.join(unknown)}",
            f"unknown announcement type: {', '.join(unknown)}",
            valid=list(ANNOUNCEMENT_KINDS),
        )
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise _bad("invalid_date_range", "起始日期晚于结束日期", "`from` is after `to`")
    ind = q.industry
    if ind is not None and not (
        (len(ind) == 1 and ind.upper() in GBT4754_SECTIONS)
        or (2 <= len(ind) <= 4 and ind.isascii() and ind.isdigit())
    ):
        raise _bad(
            "invalid_industry",
            "行业须为门类字母（如 I）或 2–4 位行业代码",
            "industry is a section letter (e.g. I) or a 2–4 digit code",
        )
    reg = q.region
    if reg is not None and not (reg.isascii() and reg.isdigit() and 2 <= len(reg) <= 6):
        raise _bad(
            "invalid_region",
            "地区须为 2–6 位行政区划代码",
            "region is a 2–6 digit administrative division code",
        )
    if q.text is not None and len(q.text) > MAX_TEXT_QUERY:
        raise _bad(
            "query_too_long",
            f"检索词不得超过{MAX_TEXT_QUERY}字",
            f"the search text is at most {MAX_TEXT_QUERY} characters",
        )
    return q


MAX_ID = 2**31 - 1


def resolve_names(*, env: Env, query: AnnouncementQuery) -> AnnouncementQuery:
    """The filters as codes: an industry given by its GB/T 4754 name (any level: 交通运输、
    仓储和邮政业, 道路运输业, 公共电汽车客运) becomes its code (a section its letter), a
    province-level division given by its name (贵州省 or 贵州) its 2-digit GB/T 2260 code.
    Codes pass as they are; a name that is neither is refused, saying what is accepted."""
    industry, region = query.industry, query.region
    if industry is not None and not _is_code(industry):
        row = industry_names.find_industry(env=env, text=industry)
        if row is None:
            raise _bad(
                "invalid_industry",
                f"“{industry[:50]}”不是《国民经济行业分类》中的门类、大类、中类或小类名称，"
                "也不是行业代码",
                f"“{industry[:50]}” is neither a GB/T 4754 name (section, division, group or "
                "class) nor an industry code",
            )
        industry = row.code
    if region is not None and not (region.isascii() and region.isdigit()):
        code = province_code(region)
        if code is None:
            raise _bad(
                "invalid_region",
                f"“{region[:50]}”不是省级行政区划名称（如 贵州省）或 2–6 位行政区划代码",
                f"“{region[:50]}” is neither a province-level division name (e.g. 贵州省) "
                "nor a 2–6 digit division code",
            )
        region = code
    if (industry, region) == (query.industry, query.region):
        return query
    return replace(query, industry=industry, region=region)


def _is_code(text: str) -> bool:
    return text.isascii() and (text.isdigit() or (len(text) == 1 and text.isalpha()))


def search(*, env: Env, query: AnnouncementQuery) -> list[m.Announcement]:
    """G§26: anyone may search the announcements. Without text: newest first, the cursor the
    last id seen. With text (R23): the announcements having every term of it (jieba search
    mode, `domain.search`) or numbered exactly so, ranked by relevance, then newest first
    (`db.search`); the cursor is again the last id seen."""
    q = validate(resolve_names(env=env, query=query))
    filters: dict[str, Any] = {
        "kinds": q.kinds,
        "date_from": q.date_from,
        "date_to": q.date_to,
        "industry": q.industry,
        "region": q.region,
        "registration_number": q.registration_number,
    }
    limit = max(1, min(q.limit, 200))
    text = (q.text or "").strip()
    # Ids are 32-bit: a larger cursor selects what the largest does (PostgreSQL refuses it)
    cursor = None if q.cursor is None else min(q.cursor, MAX_ID)
    with env.read() as uow:
        if not text:
            return list(uow.announcements.search(**filters, before_id=cursor, limit=limit))
        # R32 (issue 24 §5): an identifier is looked up exactly, and only that; other text
        # also finds a legal person's registrations by its full name
        match = catalogue.find(uow, text)
        ids = uow.search.search(
            query_tokens(text) if match.text_search else SearchQuery(()),
            exact=text if match.kind != "announcement_number" else match.key,
            registrations=match.registration_ids,
            after_id=cursor,
            limit=limit,
            **filters,
        )
        return list(uow.search.announcements(ids))


def highlights(text: str | None, hits: list[m.Announcement]) -> dict[str, dict[str, str]]:
    """R23: each hit's name and Chinese title as HTML, escaped, the query's terms in
    ``<mark>``; keyed by announcement number. Empty without text."""
    marks = query_tokens(text).marks if text and text.strip() else ()
    if not marks:
        return {}
    return {
        a.number: {
            "name": highlight_html(a.name, marks),
            "title_zh": highlight_html(a.title_zh, marks),
        }
        for a in hits
    }


def get(*, env: Env, number: str) -> m.Announcement:
    with env.read() as uow:
        a = uow.announcements.by_number(number)
        if a is None:
            raise DomainError(
                "announcement_not_found", "公告不存在", "announcement not found", status=404
            )
        return a
