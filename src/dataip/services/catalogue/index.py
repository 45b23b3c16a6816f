"""R32: what finds a registration, kept in step with it (issue 24 §3, §5).

`refresh` runs in the transaction of every announcement (`announcements.publish`): each
event that creates or changes an identifier — the approval (registration and certificate
numbers, the holders' credit codes), a change registration (a CSTR, a DOI, a holder's new
name), a transfer (new holders), a licence, pledge or trade filing (its `BA…` number), a
court's preservation (`BQ…`) — publishes one, so the index never lags the public record.
It also appends the registration to the DCAT change log (`catalogue_changes`), under a
sequence number from the counters table: the counter's row lock is held to the commit, so
sequence order is commit order and a harvester's cursor never skips a late commit.

Natural persons are never indexed by name (R32: legal persons in full, natural persons never);
their public name is masked anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.resource_ids import check_cstr, check_doi, name_key, search_key
from dataip.services.ports import UnitOfWork

__all__ = ["SEQ_COUNTER", "identifiers_of", "links", "refresh"]

SEQ_COUNTER = "catalogue:seq"


def form_identifiers(form: dict[str, Any]) -> dict[str, str]:
    """The CSTR and DOI the registered form carries (as stored: normalised)."""
    ids = form.get("identifiers") or {}
    return {k: str(ids[k]) for k in ("cstr", "doi") if isinstance(ids, dict) and ids.get(k)}


def identifiers_of(uow: UnitOfWork, reg: m.Registration) -> set[tuple[str, str]]:
    """(kind, key) of everything the one search box finds `reg` by."""
    out: set[tuple[str, str]] = {
        ("registration_number", reg.registration_number.upper()),
        ("certificate_number", reg.certificate_number),
    }
    for h in reg.holders:
        if h.get("kind") == "natural_person":
            continue
        if h.get("credit_code"):
            out.add(("credit_code", str(h["credit_code"]).upper()))
        if h.get("name"):
            out.add(("holder_name", name_key(str(h["name"]))[:200]))
    version = uow.registration_versions.latest(reg.id)
    for kind, value in form_identifiers(version.form if version else {}).items():
        try:
            out.add((kind, search_key(kind, value)))
        except DomainError:  # stored before the check existed: not findable, not fatal
            continue
    for f in uow.filings.for_registration(reg.id):
        out.add(("number", f.number.upper()))
    for z in uow.freezes.for_registration(reg.id):
        out.add(("number", z.number.upper()))
    return out


def refresh(uow: UnitOfWork, reg: m.Registration, *, at: datetime) -> None:
    """Re-index `reg` and log it as modified at `at`, in the caller's transaction."""
    uow.flush()  # a filing or version added by this action is read back below
    uow.catalogue.replace_identifiers(reg.id, identifiers_of(uow, reg))
    uow.catalogue.record_change(uow.next_value(SEQ_COUNTER), reg.id, at)


def links(uow: UnitOfWork, reg: m.Registration) -> dict[str, dict[str, str]]:
    """R32: the registration's CSTR and DOI as shown — `{"cstr": {"id", "url"}, "doi": …}`,
    each with its resolver's link (https://cstr.cn/…, https://doi.org/…)."""
    version = uow.registration_versions.latest(reg.id)
    out: dict[str, dict[str, str]] = {}
    for kind, value in form_identifiers(version.form if version else {}).items():
        try:
            parsed = check_cstr(value) if kind == "cstr" else check_doi(value)
        except DomainError:
            continue
        out[kind] = {"id": parsed.text, "url": parsed.url}
    return out
