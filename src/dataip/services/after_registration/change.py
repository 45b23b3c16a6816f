"""Change registration (变更登记) and transfer (转让), G§21.

A change amends the registered items — the application form, patched (RFC 7396) and validated
as an application form is (`schemas.application_form.validate_form`: 422), its new files the
requester's own — or a holder's name; a transfer names the new holders, each a verified party
with its share. Both are requests the registry examines (`decisions`). A transfer by
agreement is filed by the holder and awaits each transferee's consent; one on a ground the
measures list (inheritance, a court's or arbitral instrument …) is filed with the legal
instrument, by the new right holder. A pledge in force blocks a transfer by agreement without
its pledgee's consent (G§22).
"""

from __future__ import annotations

from typing import Any, cast

from dataip.domain import model as m
from dataip.domain.after_registration import merge_patch
from dataip.domain.after_registration_codes import UNILATERAL_BASES
from dataip.domain.application import check_complete
from dataip.domain.resource_ids import check_changes
from dataip.schemas.application_form import validate_form
from dataip.services import screening
from dataip.services.after_registration import validity
from dataip.services.after_registration.decisions import _request
from dataip.services.after_registration.outcome import Notify, Outcome
from dataip.services.after_registration.payload import _bad, _blob, _text
from dataip.services.after_registration.roles import (
    Caller,
    _pledge_check,
    holder_party_ids,
    holder_users,
)
from dataip.services.applications import MAX_FORM_BYTES
from dataip.services.blobs import require_own_in_form
from dataip.services.context import Env, Identity
from dataip.services.party_refs import PartyRef, resolve
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment

# G§21: what a change registration may change (the application form's items).
UNCHANGEABLE = frozenset({"commitment_accepted"})


def _request_change(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§21: changes to the registered items are applied when the registry approves them."""
    changes = payload.get("changes") or {}
    subject = payload.get("subject") or []
    if not isinstance(changes, dict) or not isinstance(subject, list) or not (changes or subject):
        raise _bad("no_change", "请填写变更事项", "say what changes (changes or subject)")
    bad = sorted(set(changes) & UNCHANGEABLE)
    if bad:
        raise _bad("unchangeable_field", f"不可变更：{'、'.join(bad)}", f"cannot change: {bad}")
    check_changes(changes)  # R32: a CSTR's or DOI's syntax, with its own code (422)
    current = uow.registration_versions.latest(reg.id)
    form = cast(dict[str, Any], merge_patch(current.form if current else {}, changes))
    form = validate_form(form, at=("body", "changes"))  # a changed form is a form: 422
    # a file the change adds is the requester's own upload; the registered ones stay
    require_own_in_form(uow, identity.user_id, form, keep=current.form if current else {})
    validity.check_changed_agreement(env, form, current.form if current else {})  # G§18
    if len(repr(form).encode()) > MAX_FORM_BYTES:
        raise _bad("form_too_large", "表单过大", "the form is too large")
    defects = check_complete(form, industry_is_class=uow.industries.is_class, today=env.today())
    if defects:
        raise _bad(
            "change_incomplete",
            "变更后的登记事项不完整或不符合要求",
            "the changed registration items are incomplete or non-conforming",
            defects=[d.as_dict() for d in defects],
        )
    renames: list[dict[str, Any]] = []
    holders = holder_party_ids(reg)
    for item in subject:
        if not isinstance(item, dict) or item.get("party_id") not in holders:
            raise _bad(
                "invalid_subject_change",
                "主体变更须指明现登记主体",
                "a subject change names one of the current holders (party_id)",
            )
        renames.append({"party_id": item["party_id"], "name": _text(item, "name")[:200]})
    if current is not None and form == current.form and not renames:
        raise _bad("no_change", "变更事项与现登记内容相同", "nothing differs from the registration")
    reason = _text(payload, "reason", required=False)
    # issue 18: screened meanwhile (the requester's uploads)
    screening.request(uow, env, screening.samples_of(form), owner=identity.user_id)
    r = _request(
        uow,
        env,
        identity,
        reg,
        "change",
        {"changes": changes, "subject": renames, "reason": reason},
    )
    fields = sorted(changes) + (["subject"] if renames else [])
    return Outcome(
        public={"request_id": r.id, "fields": fields},
        private={"changes": commitment(changes), "subject": commitment(renames)},
        notify=[
            (
                "request_received",
                [identity.user_id or 0],
                {"request_id": r.id, "kind": "change"},
                None,
            )
        ],
        result=r,
    )


def _transferees(uow: UnitOfWork, env: Env, who: Caller, raw: Any) -> list[dict[str, Any]]:
    """G§21: the transferees, each a verified party named as a co-applicant is — one the
    caller acts for by `party_id`, anyone else by `id_number` (services/party_refs) — with
    its share."""
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        raise _bad(
            "missing_fields", "请填写受让人", "name the transferee(s)", fields=["transferees"]
        )
    out: list[dict[str, Any]] = []
    for i, t in enumerate(raw):
        t = t if isinstance(t, dict) else {}  # names nobody: party_not_found below
        share = t.get("share_bp", 10_000 if len(raw) == 1 else None)
        ref = PartyRef(party_id=t.get("party_id"), id_number=t.get("id_number"))
        party = resolve(uow, ref, mine=who.party_ids, today=env.today(), field=f"transferees[{i}]")
        pid = party.id
        if party.verification_status != "verified":  # only one's own can be unverified here
            raise _bad(
                "party_not_verified",
                "受让人须通过实名核验",
                "the transferee must be real-name verified",
                party_id=pid,
            )
        if isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 10_000:
            raise _bad(
                "invalid_share",
                "份额须为 1–10000 的整数（万分之）",
                "share_bp must be an integer 1–10000",
                field=f"transferees[{i}]",
            )
        if any(o["party_id"] == pid for o in out):
            raise _bad(
                "duplicate_party",
                "受让人重复",
                "a transferee is named twice",
                field=f"transferees[{i}]",
            )
        out.append({"party_id": pid, "share_bp": share})
    if sum(o["share_bp"] for o in out) != 10_000:
        raise _bad(
            "shares_must_total_100",
            "受让人份额合计须为100%",
            "the transferees' shares must total 100% (10000 bp)",
        )
    return out


def _request_transfer(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§21: both parties apply (the transferee confirms), or one party alone on a ground
    the measures list, with the legal instrument."""
    transferees = _transferees(uow, env, who, payload.get("transferees"))
    basis = payload.get("basis", "agreement")
    if basis != "agreement" and basis not in UNILATERAL_BASES:
        raise _bad(
            "invalid_basis",
            "转让依据无效",
            "invalid transfer basis",
            valid=["agreement", *UNILATERAL_BASES],
        )
    if {t["party_id"] for t in transferees} == holder_party_ids(reg):
        raise _bad(
            "same_holder", "受让人与现登记主体相同", "the transferees are the current holders"
        )
    unilateral = basis != "agreement"
    if not unilateral and "holder" not in who.actors:
        raise _bad(
            "forbidden_action",
            "非登记主体单方申请转让须提供法定依据及法律文书",
            "only the holder may file a transfer by agreement; others need a legal ground",
            403,
        )
    instrument: str | None = None
    if unilateral:
        instrument = _blob(uow, identity, payload.get("instrument"), "instrument")
        if "holder" not in who.actors and not who.party_ids & {t["party_id"] for t in transferees}:
            raise _bad(
                "forbidden_action",
                "单方申请转让须由新权利人提出",
                "a unilateral transfer is filed by the new right holder",
                403,
            )
    elif payload.get("instrument") is not None:
        instrument = _blob(uow, identity, payload["instrument"], "instrument")
    if "holder" in who.actors:
        _pledge_check(uow, env, reg, "transfer", use=False)
    reason = _text(payload, "reason", required=False)
    state = "pending" if unilateral else "awaiting_consent"
    r = _request(
        uow,
        env,
        identity,
        reg,
        "transfer",
        {
            "transferees": transferees,
            "basis": basis,
            "instrument": instrument,
            "reason": reason,
            "confirmations": {},
        },
        state=state,
    )
    notify: list[Notify] = [
        (
            "request_received",
            [identity.user_id or 0],
            {"request_id": r.id, "kind": "transfer"},
            None,
        )
    ]
    if not unilateral:
        owners = [p.owner_user_id for p in uow.parties.many([t["party_id"] for t in transferees])]
        notify.append(("transfer_consent", owners, {"request_id": r.id}, None))
    else:
        notify.append(
            (
                "request_received",
                holder_users(uow, reg),
                {"request_id": r.id, "kind": "transfer", "basis": basis},
                None,
            )
        )
    return Outcome(
        public={"request_id": r.id, "basis": basis, "request_state": state},
        private={"transferees": commitment(transferees)},
        notify=notify,
        result=r,
    )


def _confirm_transfer(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§21: the transferee's own account confirms a transfer by agreement."""
    confirmed: list[int] = []
    result = None
    for r in uow.requests.for_registration(reg.id, open_only=True):
        if r.kind != "transfer" or r.state != "awaiting_consent":
            continue
        if payload.get("request_id") not in (None, r.id):
            continue
        names = {int(t["party_id"]) for t in r.payload["transferees"]}
        mine = names & who.party_ids
        if not mine:
            continue
        p = dict(r.payload)
        conf = dict(p.get("confirmations") or {})
        for pid in mine:
            conf[str(pid)] = env.now().isoformat()
        p["confirmations"] = conf
        r.payload = p
        if {str(n) for n in names} <= set(conf):
            r.state = "pending"
        confirmed.append(r.id)
        result = r
    if not confirmed:
        raise _bad(
            "nothing_to_confirm", "没有待您确认的转让", "no transfer awaits your consent", 409
        )
    return Outcome(
        public={"request_ids": confirmed, "request_state": result.state if result else None},
        result=result,
    )
