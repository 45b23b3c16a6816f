"""Drafts and joint applicants (申请草稿与共同申请): creating and editing a draft (the R5 form,
G§7) and, while a correction is awaited, its form (补正, R9/G§12); naming the applicants —
the filer's own subject or a principal's (R2/G§5), co-applicants by number (R3/G§5) — and
their consent to the draft as they read it; an evidence deposit made here filling the form's
evidence items (R6/G§8).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import AppState
from dataip.domain.application import Share, check_shares, evidence_hash
from dataip.domain.errors import DomainError
from dataip.schemas.application_form import validate_form
from dataip.services import blobs, party_refs, preconditions, screening
from dataip.services.applications.access import (
    actors_for,
    conflict,
    is_invited,
    load,
    not_found,
    not_the_filer,
    stale,
)
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.party_refs import PartyRef
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.recording import record_event

EDITABLE_STATES = (AppState.DRAFT, AppState.AWAITING_CORRECTION)
MAX_FORM_BYTES = 256 * 1024


@dataclass(frozen=True)
class ApplicantIn:
    """One applicant as the filer names it: its own party by `party_id`, a co-applicant by
    the `id_number` (credit code or resident ID) of a verified party (services/party_refs)."""

    party_id: int | None = None
    share_bp: int = 10_000
    rights_bounds: str = ""
    id_number: str | None = None

    @property
    def ref(self) -> PartyRef:
        return PartyRef(party_id=self.party_id, id_number=self.id_number)


def _check_form_size(form: dict[str, Any]) -> None:
    if len(json.dumps(form, ensure_ascii=False, default=str).encode()) > MAX_FORM_BYTES:
        raise DomainError(
            "form_too_large",
            "申请表内容过大",
            "the form is too large",
            status=413,
            details={"max_bytes": MAX_FORM_BYTES},
        )


def _set_applicants(
    uow: UnitOfWork,
    identity: Identity,
    app: m.Application,
    applicants: Sequence[ApplicantIn],
    now: Any,
) -> None:
    """The applicants as named (services/party_refs): the lead is the filer's own (or a
    principal's, G§5), co-applicants are verified parties named by number — or by id when
    already on this draft. The filer's own parties consent by filing."""
    mine = actable_party_ids(uow, identity)
    named = {ap.party_id for ap in uow.app_parties.for_application(app.id)}
    today = now.date()
    parties = [
        party_refs.resolve_own(
            uow, applicants[0].ref, mine=mine, today=today, field="applicants[0]"
        )
    ]
    parties += [
        party_refs.resolve(
            uow, a.ref, mine=mine, named=named, today=today, field=f"applicants[{i}]"
        )
        for i, a in enumerate(applicants[1:], start=1)
    ]
    check_shares(
        [Share(p.id, a.share_bp, a.rights_bounds) for p, a in zip(parties, applicants, strict=True)]
    )
    uow.app_parties.delete_for_application(app.id)
    for pos, (party, a) in enumerate(zip(parties, applicants, strict=True)):
        uow.app_parties.add(
            m.ApplicationParty(
                application_id=app.id,
                party_id=party.id,
                share_bp=a.share_bp,
                rights_bounds=a.rights_bounds.strip(),
                position=pos,
                consented_at=now if party.id in mine else None,
            )
        )


def _own_files(uow: UnitOfWork, app: m.Application, form: dict[str, Any]) -> None:
    """Every file the form names is the filer's own upload (issue 18)."""
    blobs.require_own_in_form(uow, app.filer_user_id, form, keep={})


def _attach_deposit(uow: UnitOfWork, uid: int, form: dict[str, Any]) -> dict[str, Any]:
    """R6: an evidence deposit made here fills the form's evidence items from the record —
    the platform, number, hash and date are then facts, not declarations."""
    ev = dict(form.get("evidence") or {})
    number = str(ev.get("deposit_number") or "").strip().upper()
    if not number:
        return form
    dep = uow.deposits.by_number(number)
    if dep is None or dep.depositor_user_id != uid:
        raise DomainError(
            "deposit_not_found",
            f"存证编号不存在或不属于您：{number}",
            f"no deposit {number} of yours",
            status=422,
            details={"field": "evidence.deposit_number"},
        )
    ev |= {
        "deposit_number": dep.number,
        "platform": DEPOSIT_PLATFORM,
        "certificate_number": dep.number,
        "hash_value": f"{dep.hash}:{dep.root}",
        "evidenced_on": dep.deposited_at.date().isoformat(),
    }
    return {**form, "evidence": ev}


DEPOSIT_PLATFORM = "本登记机构存证 (dataip)"


def _denormalise(app: m.Application) -> None:
    app.name = str(app.form.get("name") or "").strip()[:200]
    app.industry_code = str(app.form.get("industry_code") or "")[:8] or None
    app.evidence_hash = evidence_hash(app.form)


def create_draft(
    identity: Identity,
    *,
    env: Env,
    form: dict[str, Any],
    applicants: Sequence[ApplicantIn],
    register: str = "data_ip",
    dossier_id: int | None = None,
    uow: UnitOfWork | None = None,
) -> m.Application:
    """A draft in `register` (issue 24 §1; the deployment must keep that register), in the
    caller's unit of work when given (a one-window filing makes its drafts in one)."""
    uid = identity.require_login()
    if identity.role not in ("applicant", "agent"):
        raise DomainError(
            "forbidden",
            "仅申请人或代理机构可提出申请",
            "only applicants and agents file applications",
            status=403,
        )
    _check_form_size(form)
    form = validate_form(form)  # whoever calls: the schema the API and pages use
    env.profile_for(register)  # 422 register_not_kept
    if uow is not None:
        return _create(uow, env, identity, uid, form, applicants, register, dossier_id)
    with env.uow() as own:
        app = _create(own, env, identity, uid, form, applicants, register, dossier_id)
        own.commit()
        return app


def _create(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    uid: int,
    form: dict[str, Any],
    applicants: Sequence[ApplicantIn],
    register: str,
    dossier_id: int | None,
) -> m.Application:
    now = env.now()
    app = uow.applications.add(
        m.Application(
            filer_user_id=uid,
            state=AppState.DRAFT.value,
            form=_attach_deposit(uow, uid, dict(form)),
            created_at=now,
            updated_at=now,
            register=register,
            dossier_id=dossier_id,
        )
    )
    _denormalise(app)  # before the ownership query autoflushes the row: one INSERT
    _own_files(uow, app, app.form)
    uow.flush()
    _set_applicants(uow, identity, app, applicants, now)
    record_event(
        uow,
        subject_type="application",
        subject_id=app.id,
        type="DraftCreated",
        at=now,
        actor_user_id=uid,
    )
    # issue 18: screened now, out of this transaction
    screening.request(uow, env, screening.samples_of(app.form), owner=app.filer_user_id)
    return app


def update_draft(
    identity: Identity,
    *,
    env: Env,
    application_id: int,
    if_match: preconditions.Expected,
    form: dict[str, Any] | None = None,
    applicants: Sequence[ApplicantIn] | None = None,
) -> m.Application:
    """Edit a draft, or the form while a correction is awaited (补正): the filer's alone —
    the co-applicants read the draft and consent to it (G§5, issue 18)."""
    uid = identity.require_login()
    if form is not None:
        _check_form_size(form)
        form = validate_form(form)
    now = env.now()
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        if app.filer_user_id != uid:
            if "holder" in actors_for(uow, identity, app) or is_invited(uow, identity, app):
                raise not_the_filer()
            raise not_found()
        preconditions.check(if_match, app.version, stale)
        if AppState(app.state) not in EDITABLE_STATES:
            raise DomainError(
                "not_editable",
                "当前状态下申请不可修改",
                "the application cannot be edited in its current state",
                status=409,
                details={"state": app.state},
            )
        reset: list[int] = []
        if form is not None:
            new_form = _attach_deposit(uow, app.filer_user_id, dict(form))
            _own_files(uow, app, new_form)
            if app.state == AppState.DRAFT and new_form != app.form and applicants is None:
                reset = _reset_consents(uow, identity, app.id)
            app.form = new_form
            _denormalise(app)
        if applicants is not None:
            if app.state != AppState.DRAFT:
                raise DomainError(
                    "not_editable",
                    "补正阶段不能更改申请人",
                    "applicants cannot change during correction",
                    status=409,
                )
            _set_applicants(uow, identity, app, applicants, now)
        app.updated_at = now
        record_event(
            uow,
            subject_type="application",
            subject_id=app.id,
            type="FormEdited",
            at=now,
            actor_user_id=uid,
            public={"consents_withdrawn": reset} if reset else None,
        )
        # issue 18: screened now, out of this transaction
        screening.request(uow, env, screening.samples_of(app.form), owner=app.filer_user_id)
        try:
            uow.commit()
        except ConcurrencyConflict as e:
            raise conflict() from e
        return app


def _reset_consents(uow: UnitOfWork, identity: Identity, app_id: int) -> list[int]:
    """G§5: a co-applicant consents to the draft it saw; once the form changes, the consents
    of the parties the editor does not act for lapse and are asked for again. Returns their
    party ids."""
    mine = actable_party_ids(uow, identity)
    reset = []
    for ap in uow.app_parties.for_application(app_id):
        if ap.consented_at is not None and ap.party_id not in mine:
            ap.consented_at = None
            reset.append(ap.party_id)
    return reset


def consent(
    identity: Identity, *, env: Env, application_id: int, if_match: preconditions.Expected
) -> m.Application:
    """A co-applicant confirms a joint filing (共同申请, G§5) as it read it: ``if_match``, the
    version read, is required (428 without it) — a draft edited since is refused as stale."""
    uid = identity.require_login()
    now = env.now()
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        mine = actable_party_ids(uow, identity)
        rows = [ap for ap in uow.app_parties.for_application(app.id) if ap.party_id in mine]
        if not rows:
            raise not_found()
        if app.state != AppState.DRAFT:
            raise DomainError(
                "not_editable",
                "仅草稿可确认共同申请",
                "only drafts take co-applicant consent",
                status=409,
            )
        preconditions.required(if_match, "确认共同申请", "consent to a joint filing")
        preconditions.check(if_match, app.version, stale)
        for ap in rows:
            ap.consented_at = now
        record_event(
            uow,
            subject_type="application",
            subject_id=app.id,
            type="CoApplicantConsented",
            at=now,
            actor_user_id=uid,
            public={"parties": [ap.party_id for ap in rows]},
        )
        uow.commit()
        return app
