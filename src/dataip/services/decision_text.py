"""Free text an announcement shows (公告文本): a revocation's or cancellation's reason, a
licence's scope — masked by ``screening.redact`` with every natural person's name the
registry knows in the case, never written to the transparency log (whose leaves commit to
the text instead; ``domain.public_record``)."""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.screening.mask import mask_name
from dataip.screening.redact import redact
from dataip.services.ports import UnitOfWork

__all__ = ["case_names", "counterparty", "masked"]


def case_names(uow: UnitOfWork, reg: m.Registration) -> list[str]:
    """The names of the natural persons in a registration's case: its applicants and
    holders, the objectors to its application, the requesters and transferees of its
    requests, and the natural-person counterparties of its filings."""
    party_ids = {ap.party_id for ap in uow.app_parties.for_application(reg.application_id)}
    party_ids |= {int(h["party_id"]) for h in reg.holders if h.get("party_id") is not None}
    party_ids |= {o.objector_party_id for o in uow.objections.for_application(reg.application_id)}
    for r in uow.requests.for_registration(reg.id):
        if r.requester_party_id is not None:
            party_ids.add(r.requester_party_id)
        party_ids |= {int(t["party_id"]) for t in (r.payload or {}).get("transferees") or []}
    names = [p.name for p in uow.parties.many(sorted(party_ids)) if p.kind == "natural_person"]
    for f in uow.filings.for_registration(reg.id):
        for key in ("licensee", "pledgee", "counterparty"):
            who: Any = (f.details or {}).get(key)
            if isinstance(who, dict) and who.get("kind") == "natural_person":
                names.append(str(who.get("name") or ""))
    return names


def masked(uow: UnitOfWork, reg: m.Registration, text: str, *, also: tuple[str, ...] = ()) -> str:
    """``text`` as an announcement about ``reg`` may show it; ``also``: more names to mask
    (a party not yet stored, e.g. the counterparty of the filing being made)."""
    return redact(text, names=[*case_names(uow, reg), *also])


def counterparty(uow: UnitOfWork, reg: m.Registration, party: dict[str, Any]) -> dict[str, Any]:
    """A licensee, pledgee or counterparty as an announcement shows it. The holder typed it
    and nobody verified it: a natural person's name is masked to the surname; an
    organisation's name and credit code are shown, the name with any identifier in it
    masked."""
    if party.get("kind") == "natural_person":
        return {"kind": party["kind"], "name": mask_name(str(party["name"]))}
    return {**party, "name": masked(uow, reg, str(party.get("name") or ""))}
