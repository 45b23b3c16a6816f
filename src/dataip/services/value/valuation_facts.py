"""What a valuation reads from the register (登记簿) rather than from the valuer: the legal
facts on the valuation day, the data collection's declared scale and its quality score, the
technical and economic facts of the registered form and filings, and the market approach's
comparables — licences and trades recorded here, anonymous.

The comparables' amounts are other holders' commercial secrets: what leaves this module is the
kind, the contract's month, the GB/T 4754 section and the adjusted amount — never a number or
a party.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.registration import agreement_end
from dataip.services.after_registration.roles import freezes_in_force
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork
from dataip.services.value.quality import latest_quality
from dataip.value.valuation_model import (
    CollectionFacts,
    Comparable,
    EconomicFacts,
    LegalFacts,
    TechnicalFacts,
)

__all__ = ["comparables", "form_of", "legal_facts", "quality_input", "section_of"]

COMPARABLE_MONTHS = 36  # licences and trades of the last three years are comparable
MAX_COMPARABLES = 10


def form_of(uow: UnitOfWork, reg: m.Registration) -> dict[str, Any]:
    latest = uow.registration_versions.latest(reg.id)
    return dict(latest.form) if latest is not None else {}


def _licence_in_force(f: m.Filing, today: date) -> bool:
    end = f.details.get("term_end")
    return f.state == "in_force" and not (end and end < today.isoformat())


def legal_facts(uow: UnitOfWork, env: Env, reg: m.Registration) -> LegalFacts:
    today = env.today()
    filings = uow.filings.for_registration(reg.id)
    return LegalFacts(
        today=today,
        state=reg.state,
        valid_until=reg.valid_until,
        pledges=tuple(f.number for f in filings if f.kind == "pledge" and f.state == "in_force"),
        freezes=freezes_in_force(uow, reg, today),
        exclusive_licences=tuple(
            f.number
            for f in filings
            if f.kind == "licence"
            and f.details.get("licence_type") == "exclusive"
            and _licence_in_force(f, today)
        ),
        agreement_end=agreement_end(env.profile, form_of(uow, reg)),
    )


def quality_input(uow: UnitOfWork, reg: m.Registration) -> tuple[int, str] | None:
    """The registration's latest quality assessment (GB/T 36344, issue 22 §1) as
    (overall_bp, "assessed"), or None while it has none — then the valuer's declared score is
    used."""
    found = latest_quality(uow, reg.id)
    if found is None:
        return None
    return int(found.overall_bp), "assessed"


def collection_facts(
    uow: UnitOfWork, reg: m.Registration, declared_quality_bp: int | None
) -> CollectionFacts | None:
    """None when there is neither a measured nor a declared quality score."""
    form = form_of(uow, reg)
    records = (form.get("scope") or {}).get("records")
    measured = quality_input(uow, reg)
    if measured is not None:
        bp, source = measured
    elif declared_quality_bp is not None:
        bp, source = declared_quality_bp, "declared"
    else:
        return None
    return CollectionFacts(
        quality_bp=bp, quality_source=source, records=int(records) if records else None
    )


def technical_facts(uow: UnitOfWork, reg: m.Registration) -> TechnicalFacts:
    form = form_of(uow, reg)
    ev = form.get("evidence") or {}
    if ev.get("deposit_number"):
        evidence = "deposit"
    elif any(ev.get(k) for k in ("platform", "certificate_number", "notarial_certificate_number")):
        evidence = "declared"
    else:
        evidence = "none"
    return TechnicalFacts(
        evidence=evidence,
        update_frequency=(form.get("update") or {}).get("frequency"),
        has_processing_rules=bool((form.get("processing_rules") or "").strip()),
        has_achievement=bool((form.get("intellectual_achievement") or "").strip()),
    )


def economic_facts(uow: UnitOfWork, reg: m.Registration) -> EconomicFacts:
    form = form_of(uow, reg)
    filings = uow.filings.for_registration(reg.id)
    return EconomicFacts(
        filings=sum(f.kind in ("licence", "trade") for f in filings),
        scenarios=len((form.get("scenarios") or {}).get("values") or []),
        practical_values=len((form.get("practical_values") or {}).get("values") or []),
    )


def section_of(uow: UnitOfWork, code: str | None) -> str | None:
    if not code:
        return None
    row = uow.industries.get(code)
    return row.section if row is not None else None


def _months(a: date, b: date) -> int:
    return max(0, (b.year - a.year) * 12 + b.month - a.month)


def comparables(uow: UnitOfWork, env: Env, reg: m.Registration) -> tuple[Comparable, ...]:
    """Licences (fee) and trades (price) of other registrations in the last three years with
    an amount, those of the same GB/T 4754 section first, then the newest; at most ten."""
    today = env.today()
    since = _months_back(today)
    rows = uow.valuations.comparable_filings(
        exclude_registration_id=reg.id, since=since, until=today, limit=200
    )
    own = section_of(uow, reg.industry_code)
    out: list[tuple[bool, Comparable]] = []
    records_of: dict[int, int | None] = {}
    for row in rows:
        d = row["details"] or {}
        amount = d.get("fee_fen") if row["kind"] == "licence" else d.get("price_fen")
        if not isinstance(amount, int) or amount <= 0:
            continue
        rid = row["registration_id"]
        if rid not in records_of:
            other = uow.registrations.get(rid)
            scope = form_of(uow, other).get("scope") or {} if other is not None else {}
            records_of[rid] = int(scope["records"]) if scope.get("records") else None
        section = section_of(uow, row["industry_code"])
        contract: date = row["contract_date"]
        c = Comparable(
            kind=row["kind"],
            amount_fen=amount,
            month=f"{contract.year:04d}-{contract.month:02d}",
            months_ago=_months(contract, today),
            industry_code=row["industry_code"],
            section=section,
            records=records_of[rid],
        )
        out.append((section != own, c))
    out.sort(key=lambda x: x[0])  # stable: same section first, newest first within
    return tuple(c for _, c in out[:MAX_COMPARABLES])


def _months_back(today: date) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - COMPARABLE_MONTHS, 12)
    return date(year, month + 1, min(today.day, 28))
