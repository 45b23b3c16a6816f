"""Actions on a registration after it is announced (G§19–G§24): renewal, change, transfer,
filings of licence, pledge and trade, abandonment, cancellation, revocation, re-examination.

`perform` is the one entry point: it locks the registration row, works out who the caller is
for this registration, asks the declarative table (`domain.after_registration`) whether the
action is allowed, applies the action's effect, records its event (ledger leaf), serves its
notices and publishes its announcement, all in one transaction. A refused action changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from dataip.domain import model as m
from dataip.domain.after_registration import (
    ACTION_NAMES,
    CANCELLATION_GROUNDS,
    CONSENT_KINDS,
    LICENCE_TYPES,
    OPEN_REQUEST_STATES,
    UNILATERAL_BASES,
    RegActor,
    RegContext,
    RegState,
    decide,
    filing_is_late,
    merge_patch,
    pledged,
    validate_revocation_grounds,
)
from dataip.domain.application import check_complete
from dataip.domain.calendar import add_term, next_term_start, renewal_window
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_uscc, mask_name
from dataip.schemas.application_form import validate_form
from dataip.services import (
    announcements,
    certificates,
    decision_text,
    preconditions,
    sample_publication,
    screening,
)
from dataip.services.applications import MAX_FORM_BYTES
from dataip.services.blobs import require_own, require_own_in_form
from dataip.services.context import Env, Identity
from dataip.services.parties import actable_party_ids
from dataip.services.party_refs import PartyRef, resolve
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment, record_event, serve_notice

MAX_TEXT = 10_000
MAX_FEE_FEN = 10**15  # ten trillion yuan: beyond any real contract, within BIGINT
# G§21: what a change registration may change (the application form's items).
UNCHANGEABLE = frozenset({"commitment_accepted"})


def _bad(code: str, zh: str, en: str, status: int = 422, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def not_found() -> DomainError:
    return _bad("registration_not_found", "登记不存在", "registration not found", 404)


def stale(current: int) -> DomainError:
    return _bad(
        "stale_version",
        "登记已被他人修改，请刷新后重试",
        "the registration changed since you read it; reload and retry",
        412,
        current_version=current,
    )


# ----------------------------------------------------------------------------- who is who


def holder_party_ids(reg: m.Registration) -> set[int]:
    return {int(h["party_id"]) for h in reg.holders if h.get("party_id") is not None}


def _original_holders(uow: UnitOfWork, reg: m.Registration) -> bool:
    app_parties = {ap.party_id for ap in uow.app_parties.for_application(reg.application_id)}
    return app_parties == holder_party_ids(reg)


def holder_users(uow: UnitOfWork, reg: m.Registration) -> list[int]:
    """Who is served the holder's notices: the owners of the holder parties, and the filer of
    the application while the holders are still those it filed for."""
    owners = [p.owner_user_id for p in uow.parties.many(sorted(holder_party_ids(reg)))]
    if _original_holders(uow, reg):
        app = uow.applications.get(reg.application_id)
        owners.insert(0, app.filer_user_id)
    return list(dict.fromkeys(owners))


def is_holder(uow: UnitOfWork, identity: Identity, reg: m.Registration) -> bool:
    if identity.user_id is None:
        return False
    if actable_party_ids(uow, identity) & holder_party_ids(reg):
        return True
    if _original_holders(uow, reg):
        app = uow.applications.get(reg.application_id)
        return bool(app.filer_user_id == identity.user_id)
    return False


@dataclass
class Caller:
    actors: set[RegActor]
    party_ids: set[int]
    ctx: RegContext


def _contestable(
    reqs: list[m.RegistrationRequest], actors: set[RegActor], uid: int | None, today: date
) -> m.RegistrationRequest | None:
    """G§20: the revocation decision the caller may contest, if within its 15 days."""
    contested = {r.related_request_id for r in reqs if r.kind == "re_examination"}
    for r in reversed(reqs):
        if r.kind != "revocation" or r.outcome is None or r.re_examination_due is None:
            continue
        if r.id in contested or today > r.re_examination_due:
            return None  # only the latest decision can be contested
        if r.outcome == "approve" and "holder" in actors:
            return r
        if r.outcome == "refuse" and r.requester_user_id == uid:
            return r
        return None
    return None


def caller(uow: UnitOfWork, env: Env, identity: Identity, reg: m.Registration) -> Caller:
    uid = identity.user_id
    actors: set[RegActor] = set()
    mine: set[int] = set()
    if identity.role == "system":
        actors.add("system")
    elif uid is not None:
        actors.add("public")
        mine = actable_party_ids(uow, identity)
        if identity.is_registry:
            actors.add("registry")
        if is_holder(uow, identity, reg):
            actors.add("holder")
    reqs = uow.requests.for_registration(reg.id)
    open_reqs = [r for r in reqs if r.state in OPEN_REQUEST_STATES]
    awaiting = [
        r
        for r in open_reqs
        if r.kind == "transfer"
        and r.state == "awaiting_consent"
        and mine & {int(t["party_id"]) for t in r.payload["transferees"]}
    ]
    if awaiting:
        actors.add("transferee")
    my_open = [r for r in open_reqs if uid is not None and r.requester_user_id == uid]
    if my_open:
        actors.add("requester")
    contest = _contestable(reqs, actors, uid, env.today())
    if contest is not None and contest.outcome == "refuse":
        actors.add("requester")
    opens, closes = renewal_window(reg.valid_until, months=env.profile.renewal_window_months)
    pledges = [
        f
        for f in uow.filings.for_registration(reg.id)
        if f.kind == "pledge" and f.state == "in_force"
    ]
    ctx = RegContext(
        today=env.today(),
        renewal_opens=opens,
        renewal_closes=closes,
        pending_requests=sum(r.state == "pending" for r in open_reqs),
        awaiting_my_consent=len(awaiting),
        my_open_requests=len(my_open),
        re_examination_open=contest is not None,
        pledges_in_force=len(pledges),
        pledges_blocking=_blocking(pledges),
        pending_change_or_transfer=any(r.kind in ("change", "transfer") for r in open_reqs),
    )
    return Caller(actors, mine, ctx)


# ----------------------------------------------------------------------------- payload


def _text(payload: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    if len(value) > MAX_TEXT:
        raise _bad(
            "text_too_long", f"{key}不得超过{MAX_TEXT}字", f"{key}: at most {MAX_TEXT} characters"
        )
    return value.strip()


def _date(payload: Mapping[str, Any], key: str, *, required: bool = True) -> date | None:
    raw = payload.get(key)
    if raw is None and not required:
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise _bad(
        "invalid_date",
        f"{key}须为 YYYY-MM-DD 格式的日期",
        f"{key} must be a date (YYYY-MM-DD)",
        field=key,
    )


def _fen(payload: Mapping[str, Any], key: str, *, positive: bool = False) -> int:
    raw = payload.get(key)
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int)
        or raw < (1 if positive else 0)
        or (raw > MAX_FEE_FEN)
    ):
        raise _bad(
            "invalid_amount",
            f"{key}须为以分计的{'正' if positive else '非负'}整数",
            f"{key} must be a {'positive' if positive else 'non-negative'} integer in fen",
            field=key,
        )
    return raw


def _int(payload: Mapping[str, Any], key: str) -> int:
    raw = payload.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    return raw


def _blob(uow: UnitOfWork, identity: Identity, raw: Any, key: str) -> str:
    """A file the request names: the caller's own upload (issue 18)."""
    if raw is None:
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    return require_own(uow, identity.user_id, raw, field=key)


def _counterparty(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A licensee, pledgee or counterparty: an organisation with a credit code, or a natural
    person (whose name the public sees masked)."""
    raw = payload.get(key)
    if not isinstance(raw, dict):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    name = _text(raw, "name")[:200]
    kind = raw.get("kind", "legal_person")
    if kind not in ("legal_person", "unincorporated", "natural_person"):
        raise _bad("invalid_party_kind", f"{key}.kind 无效", f"{key}.kind is invalid")
    if kind == "natural_person":
        return {"kind": kind, "name": name}
    code = raw.get("credit_code")
    if not isinstance(code, str):
        raise _bad(
            "missing_fields",
            f"缺少必填项：{key}.credit_code",
            f"missing required field: {key}.credit_code",
            fields=[f"{key}.credit_code"],
        )
    return {"kind": kind, "name": name, "credit_code": check_uscc(code).number}


def _public_party(p: dict[str, Any]) -> dict[str, Any]:
    """What the public sees of a party: a natural person's name masked, no ID number."""
    if p.get("kind") == "natural_person":
        return {"kind": p["kind"], "name": mask_name(str(p["name"]))}
    return dict(p)


def _holder_from_party(party: m.Party, share_bp: int, bounds: str = "") -> dict[str, Any]:
    pub = _public_party(
        {"kind": party.kind, "name": party.name}
        if party.kind == "natural_person"
        else {"kind": party.kind, "name": party.name, "credit_code": party.id_number}
    )
    return {**pub, "party_id": party.id, "share_bp": share_bp, "rights_bounds": bounds}


# ----------------------------------------------------------------------------- the action


Notify = tuple[str, list[int], dict[str, Any], "tuple[date, bool] | None"]


@dataclass
class Outcome:
    """What one action did, for its event, notices and announcement. `public` is what the
    log publishes (closed kinds only: `domain.public_record`); `announced` is what the
    announcement shows besides it (names, masked free text) and the log only commits to."""

    public: dict[str, Any] = field(default_factory=dict)
    private: dict[str, Any] = field(default_factory=dict)
    announced: dict[str, Any] = field(default_factory=dict)
    announce: str | None = None
    # (notice kind, recipients, body, (due date, provisional) or None)
    notify: list[Notify] = field(default_factory=list)
    result: Any = None


Handler = Callable[[UnitOfWork, Env, Identity, m.Registration, Caller, dict[str, Any]], Outcome]


def perform(
    identity: Identity,
    *,
    env: Env,
    number: str,
    action: str,
    payload: Mapping[str, Any] | None = None,
    if_match: preconditions.Expected = None,
) -> tuple[m.Registration, Any]:
    """Perform one action on one registration, in one transaction."""
    payload = dict(payload or {})
    if identity.user_id is None and identity.role != "system":
        identity.require_login()
    if action in ("publish_sample", "decide_request"):  # issue 18: before the transaction
        sample_publication.prepare(env, number, action, payload)
    with env.uow() as uow:
        found = uow.registrations.by_number(number)
        if found is None:
            raise not_found()
        reg = uow.registrations.get(found.id, for_update=True)  # one action at a time
        preconditions.check(if_match, reg.version, stale)
        result = apply(uow, env, identity, reg, action, payload)
        uow.commit()
        return reg, result


def apply(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    action: str,
    payload: dict[str, Any],
) -> Any:
    """Apply one action inside the caller's unit of work (the registration row locked)."""
    who = caller(uow, env, identity, reg)
    row = decide(RegState(reg.state), action, who.actors, who.ctx, payload)
    now = env.now()
    before = reg.state
    out = _HANDLERS[action](uow, env, identity, reg, who, payload)
    if row.target is not None and reg.state == before:
        reg.state = row.target.value
    reg.version += 1
    if out.announce:
        body = {**out.public, **out.announced}
        a = announcements.publish(uow, env, reg, kind=out.announce, at=now, body=body)
        out.public["announcement_number"] = a.number
    record_event(
        uow,
        subject_type="registration",
        subject_id=reg.id,
        type=row.event,
        at=now,
        actor_user_id=identity.user_id,
        public={"registration_number": reg.registration_number, "state": reg.state, **out.public},
        private=out.private,
    )
    for kind, recipients, body, due in out.notify:
        for uid in dict.fromkeys(recipients):
            serve_notice(
                uow,
                application_id=reg.application_id,
                kind=kind,
                recipient_user_id=uid,
                at=now,
                body={"registration_number": reg.registration_number, **body},
                due_on=due[0] if due else None,
                provisional=due[1] if due else False,
            )
    return out.result


def _new_version(
    uow: UnitOfWork,
    env: Env,
    reg: m.Registration,
    reason: str,
    request_id: int | None = None,
    form: dict[str, Any] | None = None,
) -> m.RegistrationVersion:
    """Supersede the current certificate version (G§17, G§21) and issue its certificate."""
    prev = uow.registration_versions.latest(reg.id)
    reg.certificate_version = (prev.number if prev else 0) + 1
    version = uow.registration_versions.add(
        m.RegistrationVersion(
            registration_id=reg.id,
            number=reg.certificate_version,
            reason=reason,
            name=reg.name,
            industry_code=reg.industry_code,
            holders=[dict(h) for h in reg.holders],
            form=form if form is not None else (dict(prev.form) if prev else {}),
            valid_from=reg.valid_from,
            valid_until=reg.valid_until,
            effective_at=env.now(),
            request_id=request_id,
        )
    )
    certificates.issue(uow, env, reg, version.form)
    sample_publication.follow_new_version(uow, env, reg, reason)
    return version


def _end(uow: UnitOfWork, env: Env, reg: m.Registration, state: RegState, reason: str) -> None:
    """The registration ends: open requests lapse."""
    reg.state = state.value
    reg.state_reason = reason
    reg.ended_on = env.today()
    for r in uow.requests.for_registration(reg.id, open_only=True):
        r.state = "lapsed"
        r.decided_at = env.now()


def _unused(f: m.Filing, kind: str) -> int | None:
    """The index of the pledgee's first unused consent to `kind`, if any."""
    return next(
        (
            i
            for i, c in enumerate(f.consents)
            if c.get("for_action") == kind and not c.get("used_at")
        ),
        None,
    )


def _blocking(pledges: list[m.Filing]) -> dict[str, tuple[str, ...]]:
    return {
        kind: tuple(f.number for f in pledges if _unused(f, kind) is None) for kind in CONSENT_KINDS
    }


def _pledges(uow: UnitOfWork, reg: m.Registration) -> list[m.Filing]:
    return [
        f
        for f in uow.filings.for_registration(reg.id)
        if f.kind == "pledge" and f.state == "in_force"
    ]


def _pledge_check(
    uow: UnitOfWork, env: Env, reg: m.Registration, for_action: str, *, use: bool
) -> None:
    """A pledge in force blocks the action without its pledgee's consent. Checked when the
    request is filed and again when it takes effect (a pledge may have been filed since);
    taking effect uses the consent up: it covers one transfer, abandonment or cancellation,
    not every later one."""
    pledges = _pledges(uow, reg)
    blocking = _blocking(pledges)[for_action]
    if blocking:
        raise pledged(blocking)
    if not use:
        return
    for f in pledges:
        i = _unused(f, for_action)
        assert i is not None
        consents = [dict(c) for c in f.consents]
        consents[i]["used_at"] = env.now().isoformat()
        f.consents = consents


# ----------------------------------------------------------------------------- handlers


def _renew(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§19: each renewal's term runs from the day after the previous expiry."""
    previous = reg.valid_until
    reg.valid_until = add_term(next_term_start(previous), years=env.profile.validity_years)
    reg.renewal_notice_for = None
    _new_version(uow, env, reg, "renewal")
    facts = {
        "previous_valid_until": previous.isoformat(),
        "valid_until": reg.valid_until.isoformat(),
        "certificate_version": reg.certificate_version,
    }
    return Outcome(
        public=facts, announce="renewal", notify=[("renewal", holder_users(uow, reg), facts, None)]
    )


def _request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    kind: str,
    payload: dict[str, Any],
    *,
    state: str = "pending",
    party_id: int | None = None,
    related: int | None = None,
) -> m.RegistrationRequest:
    r = uow.requests.add(
        m.RegistrationRequest(
            registration_id=reg.id,
            kind=kind,
            state=state,
            requester_user_id=identity.user_id or 0,
            requester_party_id=party_id,
            filed_at=env.now(),
            payload=payload,
            related_request_id=related,
        )
    )
    uow.flush()
    return r


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
    current = uow.registration_versions.latest(reg.id)
    form = cast(dict[str, Any], merge_patch(current.form if current else {}, changes))
    form = validate_form(form, at=("body", "changes"))  # a changed form is a form: 422
    # a file the change adds is the requester's own upload; the registered ones stay
    require_own_in_form(uow, identity.user_id, form, keep=current.form if current else {})
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


def _contract_date(env: Env, payload: dict[str, Any]) -> date:
    d = _date(payload, "contract_date")
    assert d is not None
    if d > env.today():
        raise _bad(
            "contract_date_in_future",
            "合同日期不得晚于今日",
            "the contract date cannot be in the future",
        )
    return d


def _term(payload: dict[str, Any]) -> tuple[date | None, date | None]:
    start = _date(payload, "term_start", required=False)
    end = _date(payload, "term_end", required=False)
    if start and end and end < start:
        raise _bad("invalid_term", "期限终止日早于起始日", "the term ends before it starts")
    return start, end


def _file(kind: str) -> Handler:
    def handler(
        uow: UnitOfWork,
        env: Env,
        identity: Identity,
        reg: m.Registration,
        who: Caller,
        payload: dict[str, Any],
    ) -> Outcome:
        """G§22: filed within 10 working days of the contract; late filings are accepted and
        flagged late."""
        contract = _contract_date(env, payload)
        start, end = _term(payload)
        details: dict[str, Any]
        public: dict[str, Any]
        announced: dict[str, Any]
        private: dict[str, Any] = {}
        if kind == "licence":
            ltype = payload.get("licence_type")
            if ltype not in LICENCE_TYPES:
                raise _bad(
                    "invalid_licence_type",
                    "许可类型须为独占、排他或普通许可",
                    "licence_type is exclusive, sole or non_exclusive",
                    valid=list(LICENCE_TYPES),
                )
            licensee = _counterparty(payload, "licensee")
            fee = _fen(payload, "fee_fen")
            scope = _text(payload, "scope")
            territory = _text(payload, "territory")
            if end is None:
                raise _bad(
                    "missing_fields",
                    "缺少必填项：term_end",
                    "missing required field: term_end",
                    fields=["term_end"],
                )
            details = {
                "licence_type": ltype,
                "licensee": licensee,
                "scope": scope,
                "territory": territory,
                "term_start": (start or contract).isoformat(),
                "term_end": end.isoformat(),
                "fee_fen": fee,
            }
            public = {
                "licence_type": ltype,
                "term_start": details["term_start"],
                "term_end": details["term_end"],
            }
            private = {
                "fee_fen": commitment(fee),
                "licensee": commitment(licensee),
                "scope": commitment(scope),
                "territory": commitment(territory),
            }
            names = (licensee["name"],) if licensee["kind"] == "natural_person" else ()
            announced = {
                "licensee": decision_text.counterparty(uow, reg, licensee),
                "scope": decision_text.masked(uow, reg, scope, also=names),
                "territory": decision_text.masked(uow, reg, territory, also=names),
            }
        elif kind == "pledge":
            pledgee = _counterparty(payload, "pledgee")
            if "credit_code" not in pledgee:
                raise _bad(
                    "missing_fields",
                    "质权人须填写统一社会信用代码",
                    "the pledgee's credit code is required",
                    fields=["pledgee.credit_code"],
                )
            amount = _fen(payload, "secured_amount_fen", positive=True)
            details = {
                "pledgee": pledgee,
                "secured_amount_fen": amount,
                "term_start": (start or contract).isoformat(),
                "term_end": end.isoformat() if end else None,
            }
            public = {"term_start": details["term_start"], "term_end": details["term_end"]}
            private = {"secured_amount_fen": commitment(amount), "pledgee": commitment(pledgee)}
            announced = {"pledgee": decision_text.counterparty(uow, reg, pledgee)}
        else:
            counterparty = _counterparty(payload, "counterparty")
            price = _fen(payload, "price_fen")
            right = payload.get("right", "usage")
            if right not in ("usage", "operation", "other"):
                raise _bad(
                    "invalid_right", "交易权利类型无效", "right is usage, operation or other"
                )
            details = {
                "counterparty": counterparty,
                "price_fen": price,
                "right": right,
                "term_start": start.isoformat() if start else None,
                "term_end": end.isoformat() if end else None,
            }
            public = {"right": right}
            private = {"price_fen": commitment(price), "counterparty": commitment(counterparty)}
            announced = {"counterparty": decision_text.counterparty(uow, reg, counterparty)}
        if payload.get("contract_blob") is not None:
            details["contract_blob"] = _blob(
                uow, identity, payload["contract_blob"], "contract_blob"
            )
        cal = env.calendar()
        period = env.profile.period("filing")
        due = (
            cal.add_working_days(contract, period.days)
            if period.unit == "working_days"
            else cal.add_calendar_days(contract, period.days)
        )
        today = env.today()
        serial = uow.next_value(f"filing:{env.profile.registry_code}:{today.year}")
        f = uow.filings.add(
            m.Filing(
                number=f"BA{today.year:04d}{env.profile.registry_code}{serial:07d}",
                registration_id=reg.id,
                kind=kind,
                contract_date=contract,
                filed_at=env.now(),
                filed_on=today,
                due_on=due.due_on,
                late=filing_is_late(today, due.due_on),
                provisional=due.provisional,
                details=details,
                filer_user_id=identity.user_id or 0,
                consents=[],
            )
        )
        facts = {
            "filing_number": f.number,
            "filing_kind": kind,
            "contract_date": contract.isoformat(),
            "due_on": f.due_on.isoformat(),
            "late": f.late,
            **public,
        }
        return Outcome(
            public=facts,
            private=private,
            announced=announced,
            announce=kind,
            result=f,
            notify=[("filing_receipt", holder_users(uow, reg), {**facts, **announced}, None)],
        )

    return handler


def _filing(uow: UnitOfWork, reg: m.Registration, payload: dict[str, Any], kind: str) -> m.Filing:
    f = uow.filings.by_number(str(payload.get("filing_number")))
    if f is None or f.registration_id != reg.id or f.kind != kind:
        raise _bad("filing_not_found", "未找到该备案", "no such filing on this registration", 404)
    if f.state != "in_force":
        raise _bad(
            "filing_not_in_force",
            "该备案已不在有效状态",
            "the filing is no longer in force",
            409,
            state=f.state,
        )
    return f


def _release_pledge(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledge ends: the holder files the release (with the pledgee's release instrument
    where there is one), or the registry records it."""
    f = _filing(uow, reg, payload, "pledge")
    instrument = payload.get("instrument")
    if instrument is not None:
        instrument = _blob(uow, identity, instrument, "instrument")
    f.state = "released"
    f.released_at = env.now()
    f.release_reason = _text(payload, "reason", required=False) or None
    f.details = {**f.details, "release_instrument": instrument}
    facts = {"filing_number": f.number}
    pledgee = (
        {"pledgee": decision_text.counterparty(uow, reg, f.details["pledgee"])}
        if "pledgee" in f.details
        else {}
    )
    return Outcome(
        public=facts,
        private={"reason": commitment(f.release_reason)} if f.release_reason else {},
        announced=pledgee,
        announce="pledge_release",
        result=f,
        notify=[("filing_receipt", holder_users(uow, reg), {**facts, **pledgee}, None)],
    )


def _record_pledgee_consent(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledgee's written consent to a transfer, abandonment or cancellation."""
    f = _filing(uow, reg, payload, "pledge")
    action = payload.get("for_action")
    if action not in CONSENT_KINDS:
        raise _bad(
            "invalid_for_action",
            "同意事项须为转让、放弃或注销",
            "for_action is transfer, abandon or cancellation",
            valid=list(CONSENT_KINDS),
        )
    instrument = _blob(uow, identity, payload.get("instrument"), "instrument")
    f.consents = [
        *f.consents,
        {
            "for_action": action,
            "instrument": instrument,
            "recorded_at": env.now().isoformat(),
            "recorded_by": identity.user_id,
        },
    ]
    return Outcome(public={"filing_number": f.number, "for_action": action}, result=f)


def _abandon(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the holder abandons after announcement, giving a reason."""
    _pledge_check(uow, env, reg, "abandon", use=True)
    reason = _text(payload, "reason")
    _end(uow, env, reg, RegState.ABANDONED, reason)
    return Outcome(
        public={"ended_on": env.today().isoformat()},
        private={"reason": commitment(reason)},
        announce="abandonment",
        notify=[
            (
                "registration_ended",
                holder_users(uow, reg),
                {"state": reg.state, "reason": reason},
                None,
            )
        ],
    )


def _request_cancellation(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§23: the holder asks to cancel; or, where a legal instrument extinguished the holder's
    right, the new right holder does, with the instrument."""
    reason = _text(payload, "reason")
    instrument = payload.get("instrument")
    party_id = None
    if "holder" in who.actors:
        _pledge_check(uow, env, reg, "cancellation", use=False)
        if instrument is not None:
            instrument = _blob(uow, identity, instrument, "instrument")
    else:
        instrument = _blob(uow, identity, instrument, "instrument")
        pid = payload.get("party_id")
        if not isinstance(pid, int) or pid not in who.party_ids:
            raise _bad(
                "party_not_found",
                "请选择您名下的新权利主体",
                "choose the party (new right holder) you act for",
            )
        party_id = pid
    r = _request(
        uow,
        env,
        identity,
        reg,
        "cancellation",
        {"reason": reason, "instrument": instrument},
        party_id=party_id,
    )
    return Outcome(
        public={"request_id": r.id},
        private={"reason": commitment(reason)},
        notify=[
            (
                "request_received",
                [identity.user_id or 0, *holder_users(uow, reg)],
                {"request_id": r.id, "kind": "cancellation"},
                None,
            )
        ],
        result=r,
    )


def _cancel(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§19 / G§23: the registry cancels (expired unrenewed, evident defects, right
    extinguished with no new right holder), and announces it."""
    ground = payload.get("ground")
    if ground not in CANCELLATION_GROUNDS or ground == "holder_request":
        raise _bad(
            "invalid_ground",
            "注销依据无效",
            "invalid cancellation ground",
            valid=[g for g in CANCELLATION_GROUNDS if g != "holder_request"],
        )
    reason = _text(payload, "reason")
    _end(uow, env, reg, RegState.CANCELLED, f"{ground}: {reason}")
    facts = {"ground": ground, "ended_on": env.today().isoformat()}
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§19, G§23
        announce="cancellation",
        notify=[("registration_ended", holder_users(uow, reg), {**facts, "reason": reason}, None)],
    )


def _verified_party(uow: UnitOfWork, identity: Identity, who: Caller, pid: Any) -> m.Party:
    party = uow.parties.get(pid) if isinstance(pid, int) and not isinstance(pid, bool) else None
    if party is None or party.id not in who.party_ids:
        raise _bad(
            "party_not_found",
            "请选择您名下的主体作为申请人",
            "choose one of your own parties as the requester",
        )
    if party.verification_status != "verified":
        raise _bad(
            "party_not_verified",
            "撤销申请须实名提出",
            "revocation requests are made under a verified real name",
        )
    return party


def _request_revocation(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: anyone may ask, in writing and with evidence, for revocation."""
    party = _verified_party(uow, identity, who, payload.get("party_id"))
    statement = _text(payload, "statement")
    raw = payload.get("evidence_blobs")
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        raise _bad(
            "missing_fields", "请提供证据材料", "evidence is required", fields=["evidence_blobs"]
        )
    evidence = [_blob(uow, identity, b, "evidence_blobs") for b in raw]
    r = _request(
        uow,
        env,
        identity,
        reg,
        "revocation",
        {"statement": statement, "evidence_blobs": evidence},
        party_id=party.id,
    )
    return Outcome(
        public={"request_id": r.id},
        private={"statement": commitment(statement), "evidence": commitment(evidence)},
        notify=[
            ("revocation_request", holder_users(uow, reg), {"request_id": r.id}, None),
            (
                "request_received",
                [identity.user_id or 0],
                {"request_id": r.id, "kind": "revocation"},
                None,
            ),
        ],
        result=r,
    )


def _re_exam_due(env: Env) -> tuple[date, bool]:
    """G§20: 15 days from receipt of the decision; electronic service is receipt (G§11)."""
    period = env.profile.period("re_examination")
    cal = env.calendar()
    d = (
        cal.add_calendar_days(env.today(), period.days)
        if period.unit == "calendar_days"
        else cal.add_working_days(env.today(), period.days)
    )
    return d.due_on, d.provisional


def _revoke(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the registry revokes ex officio, serves the decision, announces it."""
    grounds = validate_revocation_grounds(payload.get("grounds"))
    reason = _text(payload, "reason")
    due, provisional = _re_exam_due(env)
    r = _request(
        uow,
        env,
        identity,
        reg,
        "revocation",
        {"ex_officio": True, "grounds": grounds, "statement": reason},
    )
    r.state, r.outcome, r.decision_reason = "approved", "approve", reason
    r.decided_at, r.decided_by = env.now(), identity.user_id
    r.re_examination_due, r.re_examination_provisional = due, provisional
    _end(uow, env, reg, RegState.REVOKED, reason)
    facts = {"grounds": grounds, "ex_officio": True, "re_examination_due": due.isoformat()}
    notice = {**facts, "reason": reason}
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§20
        announce="revocation",
        notify=[("revocation_decision", holder_users(uow, reg), notice, (due, provisional))],
        result=r,
    )


def _request_named(
    uow: UnitOfWork, reg: m.Registration, payload: dict[str, Any]
) -> m.RegistrationRequest | None:
    """The request `payload["request_id"]` names, if it is one of this registration's."""
    rid = payload.get("request_id")
    r = uow.requests.get(rid) if isinstance(rid, int) and not isinstance(rid, bool) else None
    return r if r is not None and r.registration_id == reg.id else None


def _decide_request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20, G§24: the registry examines a request and approves or refuses it, with reasons."""
    r = _request_named(uow, reg, payload)
    if r is None or r.kind == "re_examination":
        raise _bad("request_not_found", "申请不存在", "no such request on this registration", 404)
    if r.state != "pending":
        raise _bad(
            "request_not_pending",
            "该申请不在待审查状态",
            "the request is not pending",
            409,
            state=r.state,
        )
    outcome = payload.get("outcome")
    if outcome not in ("approve", "refuse"):
        raise _bad(
            "unknown_outcome",
            "审查结果须为 approve 或 refuse",
            "outcome is approve or refuse",
            outcomes=["approve", "refuse"],
        )
    reason = _text(payload, "reason")
    now = env.now()
    r.outcome, r.decision_reason, r.decided_at, r.decided_by = (
        outcome,
        reason,
        now,
        identity.user_id,
    )
    r.state = "approved" if outcome == "approve" else "refused"
    facts: dict[str, Any] = {"request_id": r.id, "request_kind": r.kind, "outcome": outcome}
    out = Outcome(public=facts, private={"reason": commitment(reason)}, result=r)
    parties = [r.requester_user_id, *holder_users(uow, reg)]
    if r.kind == "revocation":
        due, provisional = _re_exam_due(env)
        r.re_examination_due, r.re_examination_provisional = due, provisional
        facts.update(re_examination_due=due.isoformat())
        if outcome == "approve":
            _end(uow, env, reg, RegState.REVOKED, reason)
            out.announced["reason"] = decision_text.masked(uow, reg, reason)  # G§20
            out.announce = "revocation"
        elif not any(
            o.kind == "revocation" and o.state == "pending" and o.id != r.id
            for o in uow.requests.for_registration(reg.id, open_only=True)
        ):
            reg.state = RegState.VALID.value
        notice = {**facts, "reason": reason}
        out.notify.append(("revocation_decision", parties, notice, (due, provisional)))
        return out
    out.notify.append(("request_decision", parties, {**facts, "reason": reason}, None))
    if outcome == "refuse":
        return out
    if r.kind == "change":
        current = uow.registration_versions.latest(reg.id)
        form = cast(
            dict[str, Any], merge_patch(current.form if current else {}, r.payload["changes"])
        )
        form = validate_form(form, at=("changes",))  # as at the request: never registered else
        screening.require_screened(uow, screening.samples_of(form))  # R26, issue 18
        reg.name = str(form.get("name") or reg.name)
        reg.industry_code = form.get("industry_code") or reg.industry_code
        renames = {int(s["party_id"]): s["name"] for s in r.payload.get("subject", [])}
        # a natural person's new name is kept masked, like the name registered (G§14)
        reg.holders = [
            {**h, **_public_party({"kind": h.get("kind"), "name": renames[h["party_id"]]})}
            if h.get("party_id") in renames
            else h
            for h in reg.holders
        ]
        _new_version(uow, env, reg, "change", r.id, form)
        facts.update(
            fields=sorted(r.payload.get("changes", {})) + (["subject"] if renames else []),
            certificate_version=reg.certificate_version,
        )
        out.announce = "change"
    elif r.kind == "transfer":
        if r.payload.get("basis") == "agreement":  # not against a court's or heir's title
            _pledge_check(uow, env, reg, "transfer", use=True)
        old = [announcements.public_holder(h) for h in reg.holders]
        parties_by_id = {
            p.id: p for p in uow.parties.many([t["party_id"] for t in r.payload["transferees"]])
        }
        reg.holders = [
            _holder_from_party(parties_by_id[t["party_id"]], t["share_bp"])
            for t in r.payload["transferees"]
        ]
        _new_version(uow, env, reg, "transfer", r.id)
        facts.update(basis=r.payload.get("basis"), certificate_version=reg.certificate_version)
        out.announced["previous_holders"] = old
        out.announce = "transfer"
        out.notify.append(
            (
                "request_decision",
                holder_users(uow, reg),
                {**facts, "previous_holders": old, "reason": reason},
                None,
            )
        )
    elif r.kind == "cancellation":
        if r.requester_party_id is None:
            _pledge_check(uow, env, reg, "cancellation", use=True)
        _end(uow, env, reg, RegState.CANCELLED, f"holder_request: {r.payload.get('reason')}")
        facts.update(
            ground="holder_request" if r.requester_party_id is None else "right_extinguished",
            ended_on=env.today().isoformat(),
        )
        out.announce = "cancellation"
    return out


def _request_re_examination(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: within 15 days of receiving the decision, a party may ask for re-examination."""
    decision = _contestable(
        uow.requests.for_registration(reg.id), who.actors, identity.user_id, env.today()
    )
    assert decision is not None  # the table's guard checked it
    reason = _text(payload, "reason")
    r = _request(
        uow,
        env,
        identity,
        reg,
        "re_examination",
        {"reason": reason, "prior_state": reg.state, "decision_outcome": decision.outcome},
        related=decision.id,
    )
    return Outcome(
        public={"request_id": r.id, "decision_request_id": decision.id},
        private={"reason": commitment(reason)},
        result=r,
        notify=[
            (
                "request_received",
                [identity.user_id or 0, *holder_users(uow, reg)],
                {"request_id": r.id, "kind": "re_examination"},
                None,
            )
        ],
    )


def _decide_re_examination(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the re-examination upholds or overturns the revocation decision."""
    r = next(
        (
            o
            for o in uow.requests.for_registration(reg.id, open_only=True)
            if o.kind == "re_examination"
        ),
        None,
    )
    if r is None:
        raise _bad("no_pending_request", "没有待复审的申请", "no re-examination is pending", 409)
    outcome = payload.get("outcome")
    if outcome not in ("uphold", "overturn"):
        raise _bad(
            "unknown_outcome",
            "复审结果须为 uphold 或 overturn",
            "outcome is uphold or overturn",
            outcomes=["uphold", "overturn"],
        )
    reason = _text(payload, "reason")
    r.state, r.outcome, r.decision_reason = "approved", outcome, reason
    r.decided_at, r.decided_by = env.now(), identity.user_id
    revoked = (r.payload["decision_outcome"] == "approve") == (outcome == "uphold")
    if revoked:
        reg.state, reg.state_reason = RegState.REVOKED.value, reason
        reg.ended_on = reg.ended_on or env.today()
    else:
        reg.state, reg.state_reason, reg.ended_on = RegState.VALID.value, None, None
    facts = {"request_id": r.id, "outcome": outcome, "result": reg.state}
    decision = uow.requests.get(r.related_request_id)
    parties = [r.requester_user_id, decision.requester_user_id, *holder_users(uow, reg)]
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§20
        announce="re_examination",
        result=r,
        notify=[("re_examination_decision", parties, {**facts, "reason": reason}, None)],
    )


def _withdraw_request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The requester withdraws an open request; the registration's state goes back."""
    r = _request_named(uow, reg, payload)
    if r is None or r.requester_user_id != identity.user_id or r.state not in OPEN_REQUEST_STATES:
        raise _bad("request_not_found", "没有可撤回的该申请", "no such open request of yours", 404)
    r.state, r.decided_at = "withdrawn", env.now()
    if r.kind == "re_examination":
        reg.state = r.payload["prior_state"]
    elif r.kind == "revocation" and not any(
        o.kind == "revocation" and o.state == "pending"
        for o in uow.requests.for_registration(reg.id, open_only=True)
        if o.id != r.id
    ):
        reg.state = RegState.VALID.value
    return Outcome(public={"request_id": r.id, "request_kind": r.kind}, result=r)


def _publish_sample(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """Issue 7: what the public page shows of the sample (see `sample_publication`)."""
    public, private = sample_publication.choose(
        uow, env, reg, str(payload["choice"]), identity.user_id
    )
    return Outcome(public=public, private=private)


_HANDLERS: dict[str, Handler] = {
    "renew": _renew,
    "request_change": _request_change,
    "request_transfer": _request_transfer,
    "confirm_transfer": _confirm_transfer,
    "file_licence": _file("licence"),
    "file_pledge": _file("pledge"),
    "file_trade": _file("trade"),
    "release_pledge": _release_pledge,
    "record_pledgee_consent": _record_pledgee_consent,
    "abandon": _abandon,
    "request_cancellation": _request_cancellation,
    "cancel": _cancel,
    "request_revocation": _request_revocation,
    "revoke": _revoke,
    "decide_request": _decide_request,
    "publish_sample": _publish_sample,
    "request_re_examination": _request_re_examination,
    "decide_re_examination": _decide_re_examination,
    "withdraw_request": _withdraw_request,
}
assert set(_HANDLERS) == set(ACTION_NAMES), "every row of the table has a handler"
