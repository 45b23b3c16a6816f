"""Derivation (数据来源, issue 23 §1; R28, Z§4.3, JS23§14): a registration's holder declares
its upstream sources — a registration here (by number), one at a listed registry (agency
code and number, from the trust list in force) or an external source (a name) — each with a
contribution weight and a stage; the upstream holder confirms or disputes it. A registration
at another registry or an external source has no holder here to answer: the registry
(an examiner) confirms or disputes it on the holder's evidence. Only confirmed links take part
in distributions.

Rules, checked in the declaring transaction after taking the `derivation_graph` counter (its
row lock on PostgreSQL, the write lock on SQLite), so two declarations at once are checked
one after the other and cannot together close a cycle:

* no cycle among the live links (pending and confirmed) — 409 ``source_cycle``;
* one live link per downstream and upstream — 409 ``source_already_declared``;
* a registration's live weights sum to at most 100 % — 422 ``source_weights_over_100``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataip.distribution import STAGES, TOTAL_BP, Link, cycle_through, weight_total
from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.after_registration.roles import holder_users, is_holder
from dataip.services.context import Env, Identity
from dataip.services.distribution.records import LIVE, LinkRow
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment, record_event, serve_notice

GRAPH_COUNTER = "derivation_graph"
IN_FORCE = "valid"  # the registration state in which sources are declared and answered


def _bad(code: str, zh: str, en: str, status: int = 422, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=status, details=details)


def registration(uow: UnitOfWork, number: str) -> m.Registration:
    reg = uow.registrations.by_number(number.strip().upper())
    if reg is None:
        raise _bad("registration_not_found", "登记不存在", "registration not found", 404)
    return reg


def require_holder(uow: UnitOfWork, identity: Identity, reg: m.Registration) -> int:
    uid = identity.require_login()
    if not is_holder(uow, identity, reg):
        raise _bad(
            "forbidden",
            "仅该登记的持有人可执行此操作",
            "only the registration's holders may do this",
            403,
        )
    return uid


def node_key(link: LinkRow) -> str:
    """The upstream's key in the graph: R<id> here, <agency>:<number> abroad, E<link> outside."""
    if link.upstream_kind == "registration":
        return f"R{link.upstream_registration_id}"
    if link.upstream_kind == "foreign":
        return f"{link.upstream_agency_code}:{link.upstream_number}"
    return f"E{link.id}"


def graph_links(rows: list[LinkRow]) -> list[Link]:
    return [
        Link(f"R{r.downstream_registration_id}", node_key(r), r.weight_bp, r.stage)  # type: ignore[arg-type]
        for r in rows
    ]


@dataclass(frozen=True)
class Upstream:
    """What a declaration names: kind and the fields of that kind."""

    kind: str  # registration | foreign | external
    number: str | None = None
    agency_code: str | None = None
    name: str | None = None


def _resolve(
    uow: UnitOfWork, env: Env, up: Upstream
) -> tuple[str, m.Registration | None, dict[str, Any]]:
    """(node key, the registration here if any, the link's upstream columns)."""
    if up.kind == "registration":
        target = uow.registrations.by_number((up.number or "").strip().upper())
        if target is None:
            raise _bad(
                "source_not_found",
                f"来源登记不存在：{up.number}",
                f"no registration {up.number} here",
                number=up.number,
            )
        if target.state != IN_FORCE:
            raise _bad(
                "source_not_in_force",
                "来源登记已不在有效状态",
                "the source registration is no longer in force",
                409,
            )
        cols = {
            "upstream_registration_id": target.id,
            "upstream_number": target.registration_number,
        }
        return f"R{target.id}", target, cols
    if up.kind == "foreign":
        code, number = (up.agency_code or "").strip(), (up.number or "").strip().upper()
        if code == env.profile.registry_code:
            raise _bad(
                "source_not_foreign",
                "本登记机构的登记请按登记号声明为本机构登记",
                "a registration of this registry is declared as a registration here",
            )
        if not _listed(env, code):
            raise _bad(
                "registry_not_listed",
                f"登记机构代码 {code} 不在现行信任列表中",
                f"agency {code} is not in the trust list in force",
                agency_code=code,
            )
        cols = {"upstream_agency_code": code, "upstream_number": number}
        return f"{code}:{number}", None, cols
    if up.kind == "external":
        name = (up.name or "").strip()
        if not name:
            raise _bad("source_name_required", "请填写外部来源名称", "name the external source")
        return "", None, {"external_name": name}
    raise _bad("invalid_source_kind", "来源类型无效", "unknown source kind", kind=up.kind)


def _listed(env: Env, code: str) -> bool:
    from dataip.services.federation.trust import current_or_none

    listed = current_or_none(env) if env.federation is not None else None
    return listed is not None and listed.by_agency(code) is not None


def _check_weight(weight_bp: int, stage: str) -> None:
    if type(weight_bp) is not int or not 0 < weight_bp <= TOTAL_BP:
        raise _bad(
            "invalid_weight",
            "贡献权重须为 1–10000 个基点（0.01%–100%）",
            "the weight must be 1–10 000 basis points",
        )
    if stage not in STAGES:
        raise _bad("invalid_stage", "环节须为采集、加工、流通或应用", "unknown stage", stage=stage)


def _public(link: LinkRow, down: m.Registration, version: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "registration_number": down.registration_number,
        "link_id": link.id,
        "upstream_kind": link.upstream_kind,
        "weight_bp": link.weight_bp,
        "stage": link.stage,
        "graph_version": version,
    }
    if link.upstream_number:
        out["upstream_number"] = link.upstream_number
    if link.upstream_agency_code:
        out["upstream_agency_code"] = link.upstream_agency_code
    return out


def declare(
    identity: Identity, *, env: Env, number: str, upstream: Upstream, weight_bp: int, stage: str
) -> LinkRow:
    """The holder declares an upstream source; the upstream's holders are notified."""
    identity.require_login()
    _check_weight(weight_bp, stage)
    now = env.now()
    with env.uow() as uow:
        down = registration(uow, number)
        uid = require_holder(uow, identity, down)
        if down.state != IN_FORCE:
            raise _bad(
                "action_not_allowed_in_state",
                "登记不在有效状态，不能声明数据来源",
                "sources are declared while the registration is in force",
                409,
            )
        # serialise every declaration: the graph read below includes all committed links
        version = uow.next_value(GRAPH_COUNTER)
        key, target, cols = _resolve(uow, env, upstream)
        live = uow.distribution.live_links()
        mine = [r for r in live if r.downstream_registration_id == down.id]
        if key and any(node_key(r) == key for r in mine):
            raise _bad(
                "source_already_declared",
                "已声明过该数据来源",
                "this source is already declared",
                409,
            )
        down_key = f"R{down.id}"
        if key:
            cycle = cycle_through(graph_links(live), down_key, key)
            if cycle is not None:
                raise _bad(
                    "source_cycle",
                    "声明该来源将形成循环：数据不能间接来源于自身",
                    "declaring this source would close a cycle",
                    409,
                    cycle=_numbers(uow, cycle),
                )
        total = weight_total(graph_links(mine), down_key) + weight_bp
        if total > TOTAL_BP:
            raise _bad(
                "source_weights_over_100",
                f"各来源贡献权重之和将达 {total / 100:g}%，不得超过 100%",
                f"the sources' weights would sum to {total / 100:g}%, over 100%",
                total_bp=total,
            )
        link_id = uow.distribution.add_link(
            downstream_registration_id=down.id,
            upstream_kind=upstream.kind,
            weight_bp=weight_bp,
            stage=stage,
            state="pending",
            declared_by=uid,
            declared_at=now,
            graph_version=version,
            **cols,
        )
        link = uow.distribution.link(link_id)
        assert link is not None
        private = {"external_name": commitment(link.external_name)} if link.external_name else {}
        record_event(
            uow,
            subject_type="registration",
            subject_id=down.id,
            type="UpstreamSourceDeclared",
            at=now,
            actor_user_id=uid,
            public=_public(link, down, version),
            private=private,
        )
        if target is not None:
            for user in holder_users(uow, target):
                serve_notice(
                    uow,
                    application_id=target.application_id,
                    kind="source_confirmation",
                    recipient_user_id=user,
                    at=now,
                    body={
                        "registration_number": target.registration_number,
                        "downstream_number": down.registration_number,
                        "link_id": link.id,
                    },
                )
        uow.commit()
        return link


def _numbers(uow: UnitOfWork, keys: tuple[str, ...]) -> list[str]:
    out = []
    for key in keys:
        if key.startswith("R") and key[1:].isdigit():
            reg = uow.registrations.get(int(key[1:]))
            out.append(reg.registration_number if reg else key)
        else:
            out.append(key)
    return out


def _answer(
    identity: Identity, *, env: Env, number: str, link_id: int, state: str, note: str | None
) -> LinkRow:
    identity.require_login()
    now = env.now()
    with env.uow() as uow:
        down = registration(uow, number)
        link = uow.distribution.link(link_id)
        if link is None or link.downstream_registration_id != down.id:
            raise _bad("source_not_found", "数据来源声明不存在", "no such source declaration", 404)
        uid = identity.require_login()
        upstream: m.Registration | None = None
        if link.upstream_kind == "registration":
            upstream = uow.registrations.get(link.upstream_registration_id)
            assert upstream is not None
            allowed = is_holder(uow, identity, upstream)
        else:
            allowed = identity.is_registry  # no holder here: the registry answers
        if not allowed:
            raise _bad(
                "not_upstream_holder",
                "仅来源登记的持有人（本机构以外的来源由登记机构）可确认或提出异议",
                "only the source's holders (the registry, for a source not registered here) "
                "may answer",
                403,
            )
        if link.state != "pending" or not uow.distribution.decide_link(
            link.id, state=state, by=uid, at=now, note=note
        ):
            raise _bad(
                "source_not_pending",
                "该数据来源声明已确认或已有异议",
                "this declaration was already answered",
                409,
            )
        decided = uow.distribution.link(link.id)
        assert decided is not None
        version = uow.next_value(GRAPH_COUNTER)
        record_event(
            uow,
            subject_type="registration",
            subject_id=down.id,
            type="UpstreamSourceConfirmed" if state == "confirmed" else "UpstreamSourceDisputed",
            at=now,
            actor_user_id=uid,
            public=_public(decided, down, version),
            private={"reason": commitment(note)} if note else {},
        )
        for user in holder_users(uow, down):
            serve_notice(
                uow,
                application_id=down.application_id,
                kind="source_decision",
                recipient_user_id=user,
                at=now,
                body={
                    "registration_number": down.registration_number,
                    "link_id": link.id,
                    "state": state,
                },
            )
        uow.commit()
        return decided


def confirm(identity: Identity, *, env: Env, number: str, link_id: int) -> LinkRow:
    return _answer(identity, env=env, number=number, link_id=link_id, state="confirmed", note=None)


def dispute(identity: Identity, *, env: Env, number: str, link_id: int, reason: str) -> LinkRow:
    if not reason.strip():
        raise _bad("reason_required", "请说明异议理由", "state the reason for the dispute")
    return _answer(
        identity, env=env, number=number, link_id=link_id, state="disputed", note=reason.strip()
    )


def _view(uow: UnitOfWork, link: LinkRow, *, private: bool) -> dict[str, Any]:
    down = uow.registrations.get(link.downstream_registration_id)
    up_name = None
    if link.upstream_kind == "registration":
        up = uow.registrations.get(link.upstream_registration_id)
        up_name = up.name if up else None
    return {
        "id": link.id,
        "downstream_number": down.registration_number if down else None,
        "upstream_kind": link.upstream_kind,
        "upstream_number": link.upstream_number,
        "upstream_agency_code": link.upstream_agency_code,
        "upstream_name": up_name if link.upstream_kind == "registration" else None,
        "external_name": link.external_name if private else None,
        "weight_bp": link.weight_bp,
        "stage": link.stage,
        "state": link.state,
        "declared_at": link.declared_at,
        "decided_at": link.decided_at,
    }


def sources(identity: Identity, *, env: Env, number: str) -> dict[str, Any]:
    """The registration's declared sources and the declarations naming it as a source; an
    external source's name only to the registration's holders and the registry."""
    with env.read() as uow:
        reg = registration(uow, number)
        private = identity.is_registry or is_holder(uow, identity, reg)
        return {
            "registration_number": reg.registration_number,
            "sources": [
                _view(uow, r, private=private) for r in uow.distribution.links_from(reg.id)
            ],
            "derived": [_view(uow, r, private=False) for r in uow.distribution.links_to(reg.id)],
        }


def graph(*, env: Env, number: str) -> dict[str, Any]:
    """The public graph around a registration: every registration and source it derives
    from, transitively, over links not disputed, and the registrations here that declare it
    as their source — numbers, weights, stages and states, no names typed by a person."""
    with env.read() as uow:
        reg = registration(uow, number)
        # walked up one generation a query (the registration's own links are the ones its
        # page's source list read): the registry's whole graph was read for every page
        edges: list[LinkRow] = []
        seen = {reg.id}
        step = [r for r in uow.distribution.links_from(reg.id) if r.state in LIVE]
        while step:
            edges += step
            ups = {r.upstream_registration_id for r in step} - {None} - seen
            seen |= ups
            step = uow.distribution.live_links_from(ups)
        derived = [r for r in uow.distribution.links_to(reg.id) if r.state in LIVE]
        regs = {
            i: uow.registrations.get(i)
            for i in seen | {r.downstream_registration_id for r in derived}
        }
        nodes: dict[str, dict[str, Any]] = {}
        for i, rg in regs.items():
            if rg is not None:
                nodes[f"R{i}"] = {
                    "key": rg.registration_number,
                    "kind": "registration",
                    "number": rg.registration_number,
                    "name": rg.name,
                    "state": rg.state,
                }
        out_edges = []
        for r in sorted({*edges, *derived}, key=lambda r: r.id):
            k = node_key(r)
            if k not in nodes:
                nodes[k] = {
                    "key": k if r.upstream_kind == "foreign" else f"E{r.id}",
                    "kind": r.upstream_kind,
                    "number": r.upstream_number,
                    "agency_code": r.upstream_agency_code,
                    "name": None,
                    "state": None,
                }
            out_edges.append(
                {
                    "id": r.id,
                    "downstream": nodes[f"R{r.downstream_registration_id}"]["key"],
                    "upstream": nodes[k]["key"],
                    "weight_bp": r.weight_bp,
                    "stage": r.stage,
                    "state": r.state,
                }
            )
        return {
            "registration_number": reg.registration_number,
            "nodes": sorted(nodes.values(), key=lambda n: str(n["key"])),
            "edges": out_edges,
        }
