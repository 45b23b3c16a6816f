"""Penetrating distributions (穿透式收益分配, issue 23 §2; R28, Z§4.3): an income recorded
against a registration — a licence filing's fee, a trade filing's price, or an amount the
holder enters — split over its holders and, through confirmed links, upstream to any depth
(`dataip.distribution.split`, the profile's retention rule), stored part by part and logged
as one `DistributionRecorded` leaf: proportions public, the income and every amount salted
commitments whose openings the beneficiaries' statements carry.

Who sees what: the shares and paths are public, like the log; amounts are shown to the
registration's holders and the registry (they pay and supervise), and each beneficiary here
sees its own statement. Links to a registration no longer in force take no part (what they
would have received stays downstream).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataip.distribution import Holder, Link, Node, SplitError, split
from dataip.distribution.statement import format_fraction, part_name
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.after_registration.roles import holder_users, is_holder
from dataip.services.context import Env, Identity
from dataip.services.distribution.records import DistributionRow, LinkRow, PartRow
from dataip.services.distribution.sources import (
    GRAPH_COUNTER,
    IN_FORCE,
    graph_links,
    node_key,
    registration,
    require_holder,
)
from dataip.services.parties import actable_party_ids
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment, record_event, serve_notice

MAX_INCOME_FEN = 10**15  # ten trillion yuan: what every JSON reader holds exactly
MAX_BENEFICIARIES = 200  # what one log leaf carries (leaves.MAX_LEAF_BYTES)
FILING_AMOUNTS = {"licence": "fee_fen", "trade": "price_fen"}


def _bad(code: str, zh: str, en: str, status: int = 422, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=status, details=details)


def _income(
    uow: UnitOfWork, reg: m.Registration, income_fen: int | None, filing_number: str | None
) -> tuple[int, m.Filing | None]:
    if (income_fen is None) == (filing_number is None):
        raise _bad(
            "income_source_required",
            "请填写收入金额，或指定许可、交易备案（二者选一）",
            "give either an amount or a licence or trade filing, not both",
        )
    if filing_number is not None:
        filing = uow.filings.by_number(filing_number.strip().upper())
        if filing is None or filing.registration_id != reg.id:
            raise _bad("filing_not_found", "备案不存在", "no such filing of this registration", 404)
        field = FILING_AMOUNTS.get(filing.kind)
        amount = filing.details.get(field) if field else None
        if not isinstance(amount, int) or amount <= 0:
            raise _bad(
                "filing_has_no_amount",
                "该备案没有许可使用费或交易价格，请直接填写收入金额",
                "this filing states no licence fee or trade price; enter the amount",
            )
        if uow.distribution.by_filing(filing.id) is not None:
            raise _bad(
                "income_already_distributed",
                "该备案的收入已经分配",
                "this filing's income was already distributed",
                409,
            )
        return amount, filing
    if type(income_fen) is not int or not 0 < income_fen <= MAX_INCOME_FEN:
        raise _bad(
            "invalid_amount",
            "金额须为正整数（单位：分）",
            "the amount must be a positive whole number of fen",
        )
    return income_fen, None


def _graph(
    uow: UnitOfWork, root: m.Registration
) -> tuple[dict[str, Node], list[Link], dict[str, m.Registration], dict[str, LinkRow]]:
    """The confirmed links reachable from `root` (to registrations still in force), their
    nodes with holders keyed `<number>-<position>`."""
    confirmed = [r for r in uow.distribution.live_links() if r.state == "confirmed"]
    by: dict[int, list[LinkRow]] = {}
    for r in confirmed:
        by.setdefault(r.downstream_registration_id, []).append(r)
    regs: dict[str, m.Registration] = {f"R{root.id}": root}
    rows: dict[str, LinkRow] = {}
    used: list[LinkRow] = []
    stack = [root.id]
    while stack:
        for r in by.get(stack.pop(), []):
            key = node_key(r)
            if r.upstream_kind == "registration":
                up = regs.get(key) or uow.registrations.get(r.upstream_registration_id)
                if up is None or up.state != IN_FORCE:
                    continue
                if key not in regs:
                    regs[key] = up
                    stack.append(up.id)
            rows[key] = r
            used.append(r)
    nodes: dict[str, Node] = {}
    for key, reg in regs.items():
        holders = tuple(
            Holder(f"{reg.registration_number}-{i}", int(h.get("share_bp") or 0) or 1)
            for i, h in enumerate(reg.holders, start=1)
        )
        nodes[key] = Node(key, "registration", holders)
    for key, r in rows.items():
        if r.upstream_kind != "registration":
            nodes[key] = Node(key, r.upstream_kind)  # type: ignore[arg-type]
    return nodes, graph_links(used), regs, rows


def _public_key(key: str, regs: Mapping[str, m.Registration]) -> str:
    """A node's key as published: the registration's number for R<id>."""
    reg = regs.get(key)
    return reg.registration_number if reg is not None else key


def record(
    identity: Identity,
    *,
    env: Env,
    number: str,
    income_fen: int | None = None,
    filing_number: str | None = None,
) -> DistributionRow:
    """The holder records an income and the registry computes, stores and logs its
    distribution; every beneficiary here is served a notice of its statement."""
    identity.require_login()
    now = env.now()
    retention = env.profile.distribution_retention_bp
    with env.uow() as uow:
        reg = registration(uow, number)
        uid = require_holder(uow, identity, reg)
        income, filing = _income(uow, reg, income_fen, filing_number)
        version = uow.next_value(GRAPH_COUNTER)  # the graph as of now, no declaration between
        nodes, links, regs, rows = _graph(uow, reg)
        try:
            result = split(
                nodes=nodes,
                links=links,
                root=f"R{reg.id}",
                income_fen=income,
                retention_bp=retention,
            )
        except SplitError as exc:  # the declaration rules make this unreachable
            raise _bad(
                "distribution_not_computable",
                "收益分配无法计算",
                f"the distribution cannot be computed: {exc}",
                409,
            ) from None
        if len(result.parts) > MAX_BENEFICIARIES:
            raise _bad(
                "distribution_too_large",
                f"受益方超过 {MAX_BENEFICIARIES} 个，无法记入一条日志",
                f"more than {MAX_BENEFICIARIES} beneficiaries do not fit one log entry",
                beneficiaries=len(result.parts),
            )
        income_c = commitment(income)
        used = sorted({r.id for r in rows.values()})
        dist_id = uow.distribution.add_distribution(
            registration_id=reg.id,
            income_fen=income,
            source="filing" if filing else "entered",
            filing_id=filing.id if filing else None,
            retention_bp=retention,
            graph_version=version,
            links=[
                {"id": r.id, "weight_bp": r.weight_bp, "stage": r.stage}
                for r in sorted(rows.values(), key=lambda r: r.id)
            ],
            recorded_by=uid,
            recorded_at=now,
            income_salt=income_c["salt"],
        )
        parts, private = [], {"income": income_c}
        for position, part in enumerate(result.parts):
            key = _public_key(part.beneficiary, regs)
            c = commitment({"beneficiary": key, "amount_fen": part.amount_fen})
            private[part_name(position)] = c
            party_id = None
            if part.kind == "holder":
                reg_of = regs[part.node]
                index = int(part.beneficiary.rsplit("-", 1)[1]) - 1
                party_id = reg_of.holders[index].get("party_id")
            link = rows.get(part.node) if part.kind != "holder" else None
            parts.append(
                {
                    "distribution_id": dist_id,
                    "position": position,
                    "beneficiary": key,
                    "kind": part.kind,
                    "node": _public_key(part.node, regs),
                    "party_id": party_id,
                    "link_id": link.id if link else None,
                    "share": format_fraction(part.fraction),
                    "amount_fen": part.amount_fen,
                    "flows": [
                        {
                            "path": [_public_key(k, regs) for k in f.path],
                            "share": format_fraction(f.fraction),
                        }
                        for f in part.flows
                    ],
                    "paths_complete": part.paths_complete,
                    "salt": c["salt"],
                }
            )
        uow.distribution.add_parts(parts)
        public: dict[str, Any] = {
            "registration_number": reg.registration_number,
            "distribution_id": dist_id,
            "retention_bp": retention,
            "graph_version": version,
            "links": used,
            "beneficiaries": [p["beneficiary"] for p in parts],
            "shares": [p["share"] for p in parts],
        }
        if filing is not None:
            public["filing_number"] = filing.number
        event = record_event(
            uow,
            subject_type="registration",
            subject_id=reg.id,
            type="DistributionRecorded",  # statement.EVENT_TYPE
            at=now,
            actor_user_id=uid,
            public=public,
            private=private,
        )
        uow.flush()
        uow.distribution.set_event(dist_id, event.id)
        notified: set[int] = set()
        for r in regs.values():
            for user in holder_users(uow, r):
                if user in notified:
                    continue
                notified.add(user)
                serve_notice(
                    uow,
                    application_id=r.application_id,
                    kind="distribution_statement",
                    recipient_user_id=user,
                    at=now,
                    body={
                        "registration_number": reg.registration_number,
                        "distribution_id": dist_id,
                    },
                )
        uow.commit()
        row = uow.distribution.distribution(dist_id)
        assert row is not None
        return row


def _load(
    uow: UnitOfWork, number: str, distribution_id: int
) -> tuple[m.Registration, DistributionRow]:
    reg = registration(uow, number)
    dist = uow.distribution.distribution(distribution_id)
    if dist is None or dist.registration_id != reg.id:
        raise _bad("distribution_not_found", "收益分配记录不存在", "no such distribution", 404)
    return reg, dist


def _may_see_amounts(uow: UnitOfWork, identity: Identity, reg: m.Registration) -> bool:
    return identity.is_registry or is_holder(uow, identity, reg)


def _readable(uow: UnitOfWork, identity: Identity, reg: m.Registration, part: PartRow) -> bool:
    """A statement is the beneficiary's (a holder here: whoever acts for its party), and the
    paying registration's holders' and the registry's, who hand it to a source abroad."""
    if _may_see_amounts(uow, identity, reg):
        return True
    return part.party_id is not None and part.party_id in actable_party_ids(uow, identity)


def _holder_name(uow: UnitOfWork, part: PartRow) -> str | None:
    if part.kind != "holder":
        return None
    number, _, index = part.beneficiary.rpartition("-")
    reg = uow.registrations.by_number(number)
    if reg is None or not index.isdigit() or int(index) > len(reg.holders):
        return None
    name = reg.holders[int(index) - 1].get("name")
    return str(name) if name else None


def _part_view(uow: UnitOfWork, part: PartRow, *, amounts: bool, names: bool) -> dict[str, Any]:
    name = _holder_name(uow, part)
    if part.kind == "external" and names and part.link_id is not None:
        link = uow.distribution.link(part.link_id)
        name = link.external_name if link else None
    return {
        "position": part.position,
        "beneficiary": part.beneficiary,
        "kind": part.kind,
        "node": part.node,
        "name": name,
        "share": part.share,
        "amount_fen": part.amount_fen if amounts else None,
        "flows": part.flows,
        "paths_complete": part.paths_complete,
    }


def get(identity: Identity, *, env: Env, number: str, distribution_id: int) -> dict[str, Any]:
    with env.read() as uow:
        reg, dist = _load(uow, number, distribution_id)
        amounts = _may_see_amounts(uow, identity, reg)
        mine = actable_party_ids(uow, identity)
        parts = uow.distribution.parts(dist.id)
        filing = uow.filings.get(dist.filing_id) if dist.filing_id else None
        return {
            "id": dist.id,
            "registration_number": reg.registration_number,
            "registration_name": reg.name,
            "income_fen": dist.income_fen if amounts else None,
            "source": dist.source,
            "filing_number": filing.number if filing else None,
            "retention_bp": dist.retention_bp,
            "graph_version": dist.graph_version,
            "links": dist.links,
            "recorded_at": dist.recorded_at,
            "event_id": dist.event_id,
            "parts": [
                _part_view(uow, p, amounts=amounts, names=amounts)
                | {"readable": amounts or (p.party_id is not None and p.party_id in mine)}
                for p in parts
            ],
        }


def of_registration(*, env: Env, number: str) -> list[dict[str, Any]]:
    """The registration's distributions, newest first: public facts only."""
    with env.read() as uow:
        reg = registration(uow, number)
        return [
            {"id": d.id, "recorded_at": d.recorded_at, "source": d.source, "links": len(d.links)}
            for d in reversed(uow.distribution.distributions_of(reg.id))
        ]


def statement(
    identity: Identity, *, env: Env, number: str, distribution_id: int, beneficiary: str
) -> dict[str, Any]:
    """A beneficiary's statement: its amount and share, the paths the money took, and the
    opening of its commitment (salt and value) to check against the log's leaf
    (`dataip.distribution.statement.verify_statement`). The receipt is added by the caller
    once a checkpoint covers the leaf."""
    identity.require_login()
    with env.read() as uow:
        reg, dist = _load(uow, number, distribution_id)
        part = next(
            (p for p in uow.distribution.parts(dist.id) if p.beneficiary == beneficiary), None
        )
        if part is None or not _readable(uow, identity, reg, part):
            # the same answer whether it does not exist or is not the caller's
            raise _bad("statement_not_found", "对账单不存在", "no such statement", 404)
        view = _part_view(uow, part, amounts=True, names=_may_see_amounts(uow, identity, reg))
        return view | {
            "registration_number": reg.registration_number,
            "registration_name": reg.name,
            "distribution_id": dist.id,
            "income_fen": dist.income_fen,
            "retention_bp": dist.retention_bp,
            "recorded_at": dist.recorded_at,
            "event_id": dist.event_id,
            "opening": {
                "salt": part.salt,
                "value": {"beneficiary": part.beneficiary, "amount_fen": part.amount_fen},
            },
        }
