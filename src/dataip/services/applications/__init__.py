"""Applications (登记申请): drafts, joint applicants, and what each caller may see."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.application import (
    Share,
    check_complete,
    check_name,
    check_shares,
    evidence_hash,
)
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import mask_name, mask_resident_id
from dataip.domain.lifecycle import (
    PUBLIC_STATES,
    STATE_LABELS,
    Actor,
    AppState,
    Context,
    allowed_actions,
)
from dataip.evidence import sample as sample_proofs
from dataip.evidence.rows import RowError, row_format, rows_of_bytes
from dataip.ledger.errors import VerificationError
from dataip.schemas.application_form import validate_form
from dataip.services import blobs, party_refs, preconditions, screening
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.party_refs import PartyRef
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.recording import record_event

private_reads = logging.getLogger("dataip.private_access")
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


@dataclass
class ApplicationView:
    """What one caller may see of one application."""

    application: m.Application
    visibility: str  # "full" | "public"
    applicants: list[dict[str, Any]]
    deadlines: list[m.Deadline] = field(default_factory=list)
    allowed_actions: list[str] = field(default_factory=list)
    registration: m.Registration | None = None
    objections: list[m.Objection] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)


def not_found() -> DomainError:
    return DomainError(
        "application_not_found", "登记申请不存在", "application not found", status=404
    )


def stale(current: int) -> DomainError:
    return DomainError(
        "stale_version",
        "申请已被他人修改，请刷新后重试",
        "the application changed since you read it; reload and retry",
        status=412,
        details={"current_version": current},
    )


def conflict() -> DomainError:
    return DomainError(
        "concurrent_update",
        "申请正被他人同时处理，请刷新后重试",
        "someone else changed the application at the same time; reload",
        status=409,
    )


def actors_for(uow: UnitOfWork, identity: Identity, app: m.Application) -> set[Actor]:
    """The caller's roles on this application. `holder` is the filer, or an applicant the
    caller acts for that has consented: a party named as co-applicant may read the draft
    and consent (`is_invited`), but acts on it only once it has joined (G§5)."""
    actors: set[Actor] = set()
    if identity.role == "system":
        return {"system"}
    if identity.user_id is None:
        return actors
    actors.add("public")
    if identity.is_registry:
        actors.add("registry")
    if app.filer_user_id == identity.user_id:
        actors.add("holder")
    else:
        mine = actable_party_ids(uow, identity)
        rows = uow.app_parties.for_application(app.id)
        if any(ap.party_id in mine and ap.consented_at is not None for ap in rows):
            actors.add("holder")
    return actors


def is_invited(uow: UnitOfWork, identity: Identity, app: m.Application) -> bool:
    """The caller acts for a party named on the application (consented or not)."""
    mine = actable_party_ids(uow, identity)
    return bool(mine & {ap.party_id for ap in uow.app_parties.for_application(app.id)})


def load(uow: UnitOfWork, identity: Identity, application_id: int) -> m.Application:
    """Load an application the caller may see at all (drafts only by their applicants)."""
    app = uow.applications.get(application_id)
    if app is None:
        raise not_found()
    if AppState(app.state) in PUBLIC_STATES or identity.is_registry:
        return app
    if "holder" in actors_for(uow, identity, app) or is_invited(uow, identity, app):
        return app
    raise not_found()


def not_the_filer() -> DomainError:
    return DomainError(
        "not_the_filer",
        "仅申请提交人可修改申请；共同申请人可查看并确认",
        "only the filer edits the application; co-applicants read and consent",
        status=403,
    )


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
    fast_track: bool = False,
) -> m.Application:
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
    now = env.now()
    with env.uow() as uow:
        app = uow.applications.add(
            m.Application(
                filer_user_id=uid,
                state=AppState.DRAFT.value,
                form=_attach_deposit(uow, uid, dict(form)),
                created_at=now,
                updated_at=now,
                fast_track=fast_track,
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
        uow.commit()
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


def context_for(
    uow: UnitOfWork,
    env: Env,
    app: m.Application,
    deadlines: Sequence[m.Deadline] | None = None,
    objections: Sequence[m.Objection] | None = None,
) -> Context:
    now = env.now()
    if deadlines is None:
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
    if objections is None:
        objections = (
            uow.objections.for_application(app.id)
            if app.state in (AppState.PUBLICISED, AppState.OBJECTION_PENDING)
            else []
        )
    publicity = [d for d in deadlines if d.kind == "publicity" and d.status == "open"]
    over = bool(publicity) and all(_expired(d.due_on, now) for d in publicity)
    open_obj = [o for o in objections if o.status != "decided"]
    return Context(
        today=now.date(),
        publicity_over=over,
        open_objections=len(open_obj),
        unnotified_objections=sum(o.status == "filed" for o in open_obj),
    )


def _expired(due_on: date, now: Any) -> bool:
    return bool(now.date() > due_on)


def public_applicants(uow: UnitOfWork, app: m.Application) -> list[dict[str, Any]]:
    """G§14 shows the applicant; a natural person's name is shown masked, never the ID."""
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    out = []
    for r in rows:
        p = parties[r.party_id]
        if p.kind == "natural_person":
            out.append({"kind": p.kind, "name": mask_name(p.name)})
        else:
            out.append({"kind": p.kind, "name": p.name, "credit_code": p.id_number})
    return out


def holder_applicants(
    uow: UnitOfWork, app: m.Application, *, unmask: bool, viewer: Identity | None = None
) -> list[dict[str, Any]]:
    """The applicants as the holders and the registry see them. A co-applicant that has not
    consented is shown to `viewer` (unless it is the registry or acts for that party) only as
    the filer named it: to the filer its party id and number (a resident ID masked), to
    others its share alone — its name and verification status wait for its consent (G§5,
    issue 18)."""
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    mine: set[int] | None = None
    if viewer is not None and not viewer.is_registry:
        mine = actable_party_ids(uow, viewer)
    filer = viewer is not None and viewer.user_id == app.filer_user_id
    out = []
    for r in rows:
        p = parties[r.party_id]
        number = p.id_number
        if p.kind == "natural_person" and not unmask:
            number = mask_resident_id(number)
        entry: dict[str, Any] = {
            "party_id": p.id,
            "kind": p.kind,
            "name": p.name,
            "id_number": number,
            "verification_status": p.verification_status,
            "warnings": p.warnings,
            "share_bp": r.share_bp,
            "rights_bounds": r.rights_bounds,
            "consented": r.consented_at is not None,
        }
        if mine is not None and r.consented_at is None and r.party_id not in mine:
            entry |= {
                "party_id": p.id if filer else None,
                "kind": None,
                "name": None,
                "id_number": number if filer else None,
                "verification_status": None,
                "warnings": [],
            }
        out.append(entry)
    return out


def view(identity: Identity, *, env: Env, application_id: int) -> ApplicationView:
    # a read: no write lock (SQLite) while the checks read the sample and proof files
    with env.read() as uow:
        app = load(uow, identity, application_id)
        actors = actors_for(uow, identity, app)
        # the applicants, and a party invited to join as one, see the whole filing
        full = bool(actors & {"holder", "registry"}) or is_invited(uow, identity, app)
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
        objections = uow.objections.for_application(app.id)
        ctx = context_for(uow, env, app, deadlines, objections)
        v = ApplicationView(
            application=app,
            visibility="full" if full else "public",
            applicants=(
                holder_applicants(uow, app, unmask=False, viewer=identity)
                if full
                else public_applicants(uow, app)
            ),
            deadlines=list(deadlines) if full else [d for d in deadlines if d.kind == "publicity"],
            allowed_actions=allowed_actions(AppState(app.state), actors, ctx),
            registration=uow.registrations.by_application(app.id),
            objections=objections if "registry" in actors else [],
        )
        if full:
            v.checks = examination_checks(uow, env, app, viewer=identity)
        return v


def examination_checks(
    uow: UnitOfWork, env: Env, app: m.Application, *, viewer: Identity | None = None
) -> dict[str, Any]:
    """What the examiner's checklist starts from: defects, duplicates, party warnings. A
    holder sees of the same subjects' other filings only those it may see anyway (its own
    and the public ones), never a co-applicant's drafts."""
    defects = check_complete(app.form, industry_is_class=uow.industries.is_class, today=env.today())
    name_defect = check_name(app.name)
    party_ids = [ap.party_id for ap in uow.app_parties.for_application(app.id)]
    same = (
        uow.applications.same_subject(
            party_ids, evidence_hash=app.evidence_hash, name=app.name, exclude_id=app.id
        )
        if party_ids
        else []
    )
    if viewer is not None and not viewer.is_registry:
        same = [
            a
            for a in same
            if a.filer_user_id == viewer.user_id or AppState(a.state) in PUBLIC_STATES
        ]
    return {
        "defects": [d.as_dict() for d in defects],
        "name_ok": name_defect is None,
        "evidence": _evidence_check(uow, app),
        "sample_proof": _sample_check(uow, env, app),
        "screening": screening.for_examiner(uow, app),
        "same_subject_filings": [
            {
                "id": a.id,
                "state": a.state,
                "application_number": a.application_number,
                "same_evidence": bool(app.evidence_hash and a.evidence_hash == app.evidence_hash),
                "same_name": a.name == app.name,
            }
            for a in same
        ],
    }


def _evidence_check(uow: UnitOfWork, app: m.Application) -> dict[str, Any]:
    """R6: a deposit here is a recorded fact (and must predate the filing); anything else is
    external evidence, recorded as declared for the examiner to check."""
    ev = app.form.get("evidence") or {}
    number = ev.get("deposit_number")
    dep = uow.deposits.by_number(number) if number else None
    if dep is None:
        return {"kind": "declared" if ev else "none", "verified": False}
    filed = app.filed_at
    return {
        "kind": "deposit",
        "verified": True,
        "number": dep.number,
        "hash": dep.hash,
        "root": dep.root,
        "deposited_at": dep.deposited_at.isoformat(),
        "before_filing": filed is None or dep.deposited_at < filed,
    }


def _sample_check(uow: UnitOfWork, env: Env, app: m.Application) -> dict[str, Any]:
    """Whether the sample rows are proven to be rows of the evidenced data set: the uploaded
    proof (`dataip fingerprint prove-sample`) checked against the evidence root, and the
    uploaded sample files' rows all among the proven rows."""
    ev = app.form.get("evidence") or {}
    blob = ev.get("sample_proof_blob")
    if not blob:
        return {"status": "absent"}
    root = str(ev.get("hash_value") or "")
    against = "deposit" if ev.get("deposit_number") else "declared_hash"
    try:
        proof = env.blobs.get(blob)
        verified = sample_proofs.verify(proof, root)
    except VerificationError as exc:
        return {"status": "not_proven", "against": against, "detail": str(exc)}
    except (KeyError, FileNotFoundError, OSError):
        return {"status": "not_proven", "against": against, "detail": "proof file missing"}
    unproven_files = []
    for sha in app.form.get("sample_blobs") or []:
        meta = uow.blobs.owned(sha, app.filer_user_id)
        fmt = row_format(meta.filename) if meta else None
        if fmt is None:
            continue
        try:
            rows = rows_of_bytes(env.blobs.get(sha), fmt)
        except (RowError, OSError, KeyError):
            unproven_files.append(meta.filename)
            continue
        if any(r not in verified.proven for r in rows):
            unproven_files.append(meta.filename)
    return {
        "status": "proven" if not unproven_files else "partly_proven",
        "against": against,
        "file": verified.path,
        "rows_proven": len(verified.indices),
        "file_rows": verified.rows,
        "samples_not_covered": unproven_files,
    }


def consent_awaited(identity: Identity, *, env: Env, view: ApplicationView) -> list[Any]:
    """R3 (G§5): the joint applicants of a draft that the caller acts for (its own subjects,
    or an agent's accepted powers of attorney) and that have not yet consented."""
    if view.application.state != AppState.DRAFT.value:
        return []
    with env.read() as uow:
        mine = actable_party_ids(uow, identity)
    return [x for x in view.applicants if x["party_id"] in mine and not x["consented"]]


def under_publicity(*, env: Env, limit: int = 200) -> list[tuple[m.Application, m.Deadline]]:
    """R11/G§14: the applications whose publicity period is running today — anyone may
    object until its last day — with that period's deadline, the soonest ending first."""
    states = [AppState.PUBLICISED.value, AppState.OBJECTION_PENDING.value]
    with env.read() as uow:
        rows = uow.deadlines.running_publicity(env.today(), states, limit=max(1, min(limit, 500)))
        return [(app, d) for d, app in rows]


def list_for(
    identity: Identity, *, env: Env, state: str | None = None, after_id: int = 0, limit: int = 50
) -> list[m.Application]:
    """Holders see their own; examiners everything; anyone the publicised ones."""
    limit = max(1, min(limit, 200))
    states = None
    if state is not None:
        try:
            states = [AppState(state).value]
        except ValueError:
            raise DomainError(
                "invalid_state", f"无效的状态：{state}", f"invalid state: {state}", status=422
            ) from None
    with env.uow() as uow:
        if identity.is_registry:
            return uow.applications.page(states=states, after_id=after_id, limit=limit)
        public = [s.value for s in PUBLIC_STATES]
        if identity.user_id is None:
            wanted = [s for s in (states or public) if s in public]
            return uow.applications.page(states=wanted, after_id=after_id, limit=limit)
        mine = actable_party_ids(uow, identity)
        return uow.applications.for_holder(
            user_id=identity.user_id, party_ids=mine, states=states, after_id=after_id, limit=limit
        )


def state_label(state: str) -> tuple[str, str]:
    return STATE_LABELS[AppState(state)]


def versions(identity: Identity, *, env: Env, application_id: int) -> list[dict[str, Any]]:
    """Frozen versions (submission, corrections): holder and registry only."""
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        if not actors_for(uow, identity, app) & {"holder", "registry"}:
            raise not_found()
        private_reads.info(
            "versions read",
            extra={"user_id": identity.user_id, "role": identity.role, "application_id": app.id},
        )
        return [
            {
                "number": v.number,
                "reason": v.reason,
                "frozen_at": v.frozen_at.isoformat(),
                "form": v.form,
                "applicants": v.applicants,
            }
            for v in uow.versions.for_application(app.id)
        ]


def history(identity: Identity, *, env: Env, application_id: int) -> list[dict[str, Any]]:
    """The archive (登记档案, G§25): every event of the application in order."""
    with env.uow() as uow:
        app = load(uow, identity, application_id)
        full = bool(actors_for(uow, identity, app) & {"holder", "registry"})
        out = []
        events = uow.events.for_subject("application", app.id)
        indices = uow.ledger.indices_of_events([e.id for e in events])
        for e in events:
            item: dict[str, Any] = {
                "id": e.id,
                "type": e.type,
                "occurred_at": e.occurred_at.isoformat(),
                "public": e.public,
                # where the event sits in the transparency log (None until integrated): a
                # receipt is at /api/v1/log/entries/{log_index}/receipt
                "log_index": indices.get(e.id),
            }
            if full:
                item["actor_user_id"] = e.actor_user_id
            out.append(item)
        return out


def inbox(
    identity: Identity, *, env: Env, limit: int = 100, application_id: int | None = None
) -> list[m.Notice]:
    """Notices served on the caller (R7), newest first: each with its service time and any
    due date; only those about one application when `application_id` is given."""
    uid = identity.require_login()
    with env.uow() as uow:
        return uow.notices.for_user(
            uid, application_id=application_id, limit=max(1, min(limit, 500))
        )


def mark_read(identity: Identity, *, env: Env, notice_id: int) -> m.Notice:
    uid = identity.require_login()
    with env.uow() as uow:
        n = uow.notices.get(notice_id)
        if n is None or n.recipient_user_id != uid:
            raise DomainError("notice_not_found", "通知不存在", "notice not found", status=404)
        if n.read_at is None:
            n.read_at = env.now()
            uow.commit()
        return n
