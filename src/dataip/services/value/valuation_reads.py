"""Reading valuations (issue 22 §2): who may see one — the registration's holders and the
registry; the pledgee bank of a pledge in force and the signing agency, with a stated purpose,
accounted; anyone once published — and what a valuation looks like when read: its label
(价值参考 or 评估报告), disclaimer, inputs, report and, for an agency's, its signature
verified again with the keys the agency has now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.sharing import tokens
from dataip.sharing.clients import Institution
from dataip.sharing.scopes import PLEDGES_WRITE, VALUATIONS_WRITE, Principal
from dataip.value.valuation_signature import header_of, verify

__all__ = [
    "DISCLAIMER",
    "KIND_LABELS",
    "agency_keys",
    "get",
    "get_for_institution",
    "list_for",
    "not_found",
    "registration",
    "view",
]


KIND_LABELS: Final = {
    "reference": ("价值参考", "value reference"),
    "appraisal": ("评估报告", "appraisal report"),
}
DISCLAIMER: Final = {
    "reference": (
        "本价值参考由登记机构按公开的计算方法，依据持有人填报的参数和登记簿记载的事实自动计算，"
        "不是资产评估报告，不构成评估结论或交易、融资的依据。",
        "This value reference is computed by the registry with its published method from the "
        "holder's inputs and the facts of the register. It is not an appraisal report and is "
        "no basis for a transaction or a loan.",
    ),
    "appraisal": (
        "本评估报告的参数由下列资产评估机构电子签名；登记机构核验签名并按公开方法复算，"
        "评估结论由评估机构负责。",
        "The inputs of this appraisal report are electronically signed by the appraisal "
        "agency below; the registry verified the signature and recomputed the figure with its "
        "published method. The agency answers for the conclusion.",
    ),
}


def _err(code: str, zh: str, en: str, status: int, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=status, details=details or None)


def not_found() -> DomainError:
    return _err("valuation_not_found", "估值不存在", "valuation not found", 404)


def registration(uow: UnitOfWork, number: str) -> m.Registration:
    reg = uow.registrations.by_number(number)
    if reg is None:
        raise actions.not_found()
    return reg


# --- the agency's keys ------------------------------------------------------------------------

_REMOTE = tokens.RemoteJwks()  # agencies registered with a jwks_uri (cached, as for tokens)


def agency_keys(inst: Institution, token: str) -> Mapping[str, Any]:
    """The agency's JWKS: inline, or fetched from its `jwks_uri` (an unreachable set verifies
    nothing: `invalid_valuation_signature` at step kid)."""
    if inst.jwks is not None:
        return inst.jwks
    if not inst.jwks_uri:
        return {"keys": []}
    try:
        return _REMOTE.keys(inst.jwks_uri, kid=str(header_of(token).get("kid")))
    except DomainError:
        return {"keys": []}


# --- reads -----------------------------------------------------------------------------------


def _may_read(
    uow: UnitOfWork, identity: Identity, reg: m.Registration, row: dict[str, Any]
) -> bool:
    return bool(row["published"] or identity.is_registry or actions.is_holder(uow, identity, reg))


def _signature(row: dict[str, Any], inst: Any) -> dict[str, Any] | None:
    if not row["jws"]:
        return None
    verified, header = False, dict[str, Any]()
    if inst is not None:
        try:
            _, header = verify(row["jws"], agency_keys(inst, row["jws"]))
            verified = True
        except DomainError:
            verified = False
    return {
        "jws": row["jws"],
        "kid": header.get("kid"),
        "alg": header.get("alg"),
        "verified": verified,
        "agency": None if inst is None else {"name": inst.name, "uscc": inst.uscc},
    }


def _institution(uow: UnitOfWork, row: dict[str, Any]) -> Any:
    if row["institution_id"] is None:
        return None
    return next((i for i in uow.sharing.institutions() if i.id == row["institution_id"]), None)


def view(uow: UnitOfWork, reg: m.Registration, row: dict[str, Any], inst: Any) -> dict[str, Any]:
    kind = row["kind"]
    return {
        "number": row["number"],
        "registration_number": reg.registration_number,
        "registration_name": reg.name,
        "kind": kind,
        "label": {"zh": KIND_LABELS[kind][0], "en": KIND_LABELS[kind][1]},
        "disclaimer": {"zh": DISCLAIMER[kind][0], "en": DISCLAIMER[kind][1]},
        "valuation_date": row["valuation_date"],
        "created_at": row["created_at"],
        "published": row["published"],
        "version": row["version"],
        "approaches": row["approaches"],
        "value_fen": row["value_fen"],
        "inputs": row["inputs"],
        "report": row["report"],
        "signature": _signature(row, inst),
    }


def list_for(identity: Identity, *, env: Env, number: str) -> list[dict[str, Any]]:
    """The valuations of registration `number` the caller may see, oldest first."""
    with env.read() as uow:
        reg = registration(uow, number)
        rows = [
            r for r in uow.valuations.for_registration(reg.id) if _may_read(uow, identity, reg, r)
        ]
        return [
            {
                "number": r["number"],
                "kind": r["kind"],
                "label": {"zh": KIND_LABELS[r["kind"]][0], "en": KIND_LABELS[r["kind"]][1]},
                "valuation_date": r["valuation_date"],
                "approaches": r["approaches"],
                "value_fen": r["value_fen"],
                "published": r["published"],
            }
            for r in rows
        ]


def get(identity: Identity, *, env: Env, number: str, valuation_number: str) -> dict[str, Any]:
    """One valuation with every input, factor and formula (404 if the caller may not see it)."""
    with env.read() as uow:
        reg = registration(uow, number)
        row = uow.valuations.by_number(valuation_number)
        if row is None or row["registration_id"] != reg.id:
            raise not_found()
        if not _may_read(uow, identity, reg, row):
            raise not_found()
        return view(uow, reg, row, _institution(uow, row))


def get_for_institution(
    principal: Principal, *, env: Env, number: str, valuation_number: str, purpose: str | None
) -> dict[str, Any]:
    """A private valuation read by an institution: the bank that is the pledgee of a pledge in
    force on the registration (`pledges:write`), or the agency that signed it. The read states
    a purpose and is accounted (the holder sees it under 机构查阅记录); anyone else gets 404,
    as for a valuation that does not exist."""
    from dataip.services.after_registration.roles import pledgee_uscc
    from dataip.services.sharing.reads import _record, check_purpose

    stated = check_purpose(principal, purpose)
    with env.read() as uow:
        reg = registration(uow, number)
        row = uow.valuations.by_number(valuation_number)
        if row is None or row["registration_id"] != reg.id:
            raise not_found()
        inst = uow.sharing.institution(principal.client_id)
        scope: str | None = None
        if row["institution_id"] is not None and row["institution_id"] == principal.institution_id:
            scope = VALUATIONS_WRITE
        elif principal.allows(PLEDGES_WRITE) and inst is not None:
            pledgees = {
                pledgee_uscc(f)
                for f in uow.filings.for_registration(reg.id)
                if f.kind == "pledge" and f.state == "in_force"
            }
            if inst.uscc in pledgees:
                scope = PLEDGES_WRITE
        if scope is None and not row["published"]:
            raise not_found()
        shown = view(uow, reg, row, _institution(uow, row))
    if scope is not None:
        _record(env, principal, number=number, resource="valuation", purpose=stated, scope=scope)
    return shown
