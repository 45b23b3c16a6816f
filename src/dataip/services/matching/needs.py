"""Usage intentions (需求, issue 23 §3; R29, Z§4.1): a verified user publishes one, it is
screened for personal data before anything is stored, it is listed publicly until it is
withdrawn or expires, and its matches are computed on demand.

Who may publish: a signed-in user, under one of its own parties whose real name the registry
verified (R1) — as objections and revocation requests are made. What is screened: the title and
the data wanted, by the same detectors that read sample files and every log leaf
(`services/public_screening`): an ID, mobile or landline number, bank card, e-mail address …
refuses the need (422 `need_personal_data`, naming the kinds and fields, never the values) and
nothing is stored. Expiry is a date compared at every read (nothing has to run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.matching import Filters, Hit
from dataip.matching.needs import Need, NeedFields, validate_need
from dataip.services import public_screening
from dataip.services.announcements import public_holder
from dataip.services.context import Env, Identity
from dataip.services.matching import index
from dataip.services.ports import ConcurrencyConflict, UnitOfWork

MATCHES_SHOWN = 10
# a match is listed when it shares at least this much with the query (nats, about two
# specific words: `matching.text.information`, as the push rule asks; pushing also asks for
# half the best score and a place in the top 5)
SHOWN_MIN_INFORMATION = 20.0
ANONYMOUS = Identity(None)


def need_not_found() -> DomainError:
    return DomainError("need_not_found", "需求不存在", "no such need", status=404)


def _screen(fields: NeedFields) -> None:
    found = public_screening.hits([("title", fields.title), ("data_wanted", fields.data_wanted)])
    if found:
        kinds = sorted({h.kind for h in found})
        names = sorted({h.field for h in found})
        raise DomainError(
            "need_personal_data",
            f"需求内容含有个人信息（{'、'.join(kinds)}），不能公开发布，请删除后重试；需求未保存",
            f"the need holds personal data ({', '.join(kinds)}): it cannot be published; "
            "remove it and try again. Nothing was stored",
            status=422,
            details={"fields": names, "kinds": kinds},
        )


def _verified_own_party(uow: UnitOfWork, uid: int, party_id: int) -> m.Party:
    party = uow.parties.get(party_id)
    if party is None or party.owner_user_id != uid:
        raise DomainError(
            "party_not_found",
            "请选择您名下的登记主体作为需求发布人",
            "choose one of your own parties as the need's publisher",
            status=422,
        )
    if party.verification_status != "verified":
        raise DomainError(
            "party_not_verified",
            "需求须以通过实名核验的主体发布",
            "needs are published under a verified real name",
            status=422,
        )
    return party


def publish(identity: Identity, *, env: Env, party_id: int, fields: NeedFields) -> Need:
    """Publish a need and push it to the holders of its strong matches (`push.on_need`), in
    one transaction."""
    from dataip.services.matching import push

    uid = identity.require_login()
    validate_need(fields, today=env.today())
    _screen(fields)  # before anything is stored
    with env.uow() as uow:
        _verified_own_party(uow, uid, party_id)
        if fields.industry_code not in uow.matching.industries():
            raise DomainError(
                "invalid_industry",
                "行业代码不在《国民经济行业分类》（GB/T 4754-2017）中",
                "the industry code is not one of GB/T 4754-2017",
                status=422,
                details={"fields": ["industry_code"]},
            )
        need = uow.matching.add_need(
            author_user_id=uid,
            party_id=party_id,
            title=fields.title.strip(),
            scenario=fields.scenario,
            industry_code=fields.industry_code,
            data_wanted=fields.data_wanted.strip(),
            region_code=fields.region_code,
            period_from=fields.period_from,
            period_to=fields.period_to,
            budget_band=fields.budget_band,
            expires_on=fields.expires_on,
            state="open",
            created_at=env.now(),
            withdrawn_at=None,
            version=1,
        )
        push.on_need(uow, env, need)
        uow.commit()
    return need


def withdraw(identity: Identity, *, env: Env, need_id: int) -> Need:
    uid = identity.require_login()
    with env.uow() as uow:
        need = uow.matching.need(need_id)
        if need is None or (need.author_user_id != uid and not need.open_on(env.today())):
            raise need_not_found()
        if need.author_user_id != uid:
            raise DomainError(
                "not_need_author",
                "只有需求发布人可以撤回需求",
                "only the need's author may withdraw it",
                status=403,
            )
        if not need.open_on(env.today()):
            raise DomainError(
                "need_not_open",
                "该需求已撤回或已过期",
                "the need was withdrawn or has expired",
                status=409,
            )
        if not uow.matching.withdraw(need.id, need.version, env.now()):
            raise ConcurrencyConflict("need changed concurrently")
        uow.commit()
        got = uow.matching.need(need.id)
    assert got is not None
    return got


def get(identity: Identity, *, env: Env, need_id: int) -> Need:
    """An open need, to anyone; the author's own in any state."""
    with env.read() as uow:
        need = uow.matching.need(need_id)
    if need is None or (not need.open_on(env.today()) and need.author_user_id != identity.user_id):
        raise need_not_found()
    return need


def list_open(
    *,
    env: Env,
    scenario: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    cursor: int | None = None,
    limit: int = 50,
) -> list[Need]:
    with env.read() as uow:
        return uow.matching.open_needs(
            env.today(),
            scenario=scenario,
            industry=industry,
            region=region,
            before_id=cursor,
            limit=max(1, min(limit, 200)),
        )


def mine(identity: Identity, *, env: Env) -> list[Need]:
    uid = identity.require_login()
    with env.read() as uow:
        return uow.matching.by_author(uid)


@dataclass(frozen=True)
class Match:
    """A registration matched to a need, as the public sees it."""

    registration_number: str
    name: str
    industry_code: str | None
    holders: list[dict[str, Any]]
    valid_until: str
    rank: int
    strong: bool  # pushed to its holders (the push rule)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def registration_hits(env: Env, need: Need, *, k: int, filters: Filters | None = None) -> list[Hit]:
    """The need's best valid registrations (valid on the first day of the need's period),
    re-checked against the rows (an index served stale never shows an ended one)."""
    built = index.registrations(env)
    words = index.words_for_need(env, need)
    period = Filters(
        industry=filters.industry if filters else None,
        region=filters.region if filters else None,
        valid_on=need.period_from.toordinal(),
    )
    hits = built.index.search(words, k=k * 2, filters=period)
    with env.read() as uow:
        valid = uow.matching.valid_registration_ids([h.key for h in hits])
    return [h for h in hits if h.key in valid and h.information >= SHOWN_MIN_INFORMATION][:k]


def matches(
    identity: Identity,
    *,
    env: Env,
    need_id: int,
    industry: str | None = None,
    region: str | None = None,
) -> list[Match]:
    from dataip.matching import strong_hits

    need = get(identity, env=env, need_id=need_id)
    hits = registration_hits(
        env, need, k=MATCHES_SHOWN, filters=Filters(industry=industry, region=region)
    )
    strong = {h.key for h in strong_hits(hits)}
    with env.read() as uow:
        regs = {r.id: r for r in uow.registrations.many([h.key for h in hits])}
    return [
        Match(
            registration_number=regs[h.key].registration_number,
            name=regs[h.key].name,
            industry_code=regs[h.key].industry_code,
            holders=[public_holder(x) for x in regs[h.key].holders],
            valid_until=regs[h.key].valid_until.isoformat(),
            rank=i + 1,
            strong=h.key in strong,
        )
        for i, h in enumerate(hits)
        if h.key in regs
    ]


def need_hits(env: Env, reg: m.Registration, *, k: int, exclude_authors: set[int]) -> list[Hit]:
    """The open needs a registration matches best, not those of `exclude_authors` (its own
    holders), re-checked against the rows."""
    built = index.needs(env, env.today())
    if not built.docs:
        return []  # no open need: nothing to rank against
    with env.read() as uow:
        row = next(iter(uow.matching.corpus_rows(after_id=reg.id - 1, limit=1)), None)
    if row is None or int(row["id"]) != reg.id:
        return []
    doc = index.registration_doc(index._caches(env).registrations, row, index.industries(env))
    own = [key for key in built.docs if key in _authored_by(env, exclude_authors)]
    hits = built.index.search(doc.words, k=k * 2, exclude=own)
    with env.read() as uow:
        found = uow.matching.needs([h.key for h in hits])
    today = env.today()
    return [
        h
        for h in hits
        if h.key in found and found[h.key].open_on(today) and h.information >= SHOWN_MIN_INFORMATION
    ][:k]


def _authored_by(env: Env, authors: set[int]) -> set[int]:
    if not authors:
        return set()
    with env.read() as uow:
        return {n.id for a in authors for n in uow.matching.by_author(a, limit=10_000)}


def needs_for_registration(identity: Identity, *, env: Env, number: str) -> list[Need]:
    """The open needs matching a valid registration, best first (needs are public; the
    registration's own holders' needs are left out)."""
    from dataip.services.after_registration.roles import holder_users

    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise DomainError(
                "registration_not_found", "登记不存在", "registration not found", status=404
            )
        holders = set(holder_users(uow, reg))
    if reg.state != "valid":
        return []
    hits = need_hits(env, reg, k=MATCHES_SHOWN, exclude_authors=holders)
    with env.read() as uow:
        found = uow.matching.needs([h.key for h in hits])
    return [found[h.key] for h in hits]
