"""Parties (登记主体) with real-name verification (实名核验, G§6) and agents' powers of
attorney (授权委托书, G§5)."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_resident_id, check_uscc
from dataip.services import blobs, party_refs
from dataip.services.context import Env, Identity
from dataip.services.party_refs import PartyRef
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment, record_event

VERIFICATION_METHODS = (
    "id_document",  # 证件核验：uploaded ID card / business licence, checked by an examiner
    "business_licence",
    "bank_account",  # 对公账户打款核验
    "face_recognition",  # 人脸识别（第三方）
    "in_person",  # 现场核验
)


def _not_found() -> DomainError:
    return DomainError("party_not_found", "登记主体不存在", "party not found", status=404)


def create_party(
    identity: Identity, *, env: Env, kind: str, name: str, id_number: str, address: str
) -> m.Party:
    """Record a subject's real-name details; checks the number, verification comes later.

    Natural persons give a resident ID (GB 11643); organisations a USCC (GB 32100). A county
    code unknown for the birth year is a warning for the examiner, never a refusal.
    """
    uid = identity.require_login()
    if identity.role not in ("applicant", "agent", "registrar_admin"):
        raise DomainError(
            "forbidden", "此角色不能登记主体", "this role cannot add parties", status=403
        )
    if kind not in m.PARTY_KINDS:
        raise DomainError(
            "invalid_party_kind",
            f"无效的主体类型：{kind}",
            f"invalid party kind: {kind}",
            status=422,
        )
    name, address = name.strip(), address.strip()
    if not name or len(name) > 200:
        raise DomainError(
            "invalid_name", "请填写1至200字的名称", "name: 1–200 characters", status=422
        )
    if not address or len(address) > 500:
        raise DomainError(
            "invalid_address", "请填写1至500字的地址", "address: 1–500 characters", status=422
        )
    now = env.now()
    check = (
        check_resident_id(id_number, today=now.date())
        if kind == "natural_person"
        else check_uscc(id_number)
    )
    with env.uow() as uow:
        party = uow.parties.add(
            m.Party(
                owner_user_id=uid,
                kind=kind,
                name=name,
                id_number=check.number,
                address=address,
                created_at=now,
                warnings=list(check.warnings),
            )
        )
        uow.flush()
        # Names, ID numbers and addresses are typed by people: the log commits to them and
        # publishes only the kind (domain.public_record).
        record_event(
            uow,
            subject_type="party",
            subject_id=party.id,
            type="PartyCreated",
            at=now,
            actor_user_id=uid,
            public={"kind": kind},
            private={"details": commitment([name, check.number, address])},
        )
        uow.commit()
        return party


def _owned(uow: UnitOfWork, identity: Identity, party_id: int) -> m.Party:
    party = uow.parties.get(party_id)
    if party is None:
        raise _not_found()
    if party.owner_user_id != identity.user_id and not identity.is_registry:
        raise _not_found()  # do not reveal other people's parties
    return party


def get_party(identity: Identity, *, env: Env, party_id: int) -> m.Party:
    identity.require_login()
    with env.uow() as uow:
        return _owned(uow, identity, party_id)


def list_parties(identity: Identity, *, env: Env) -> list[m.Party]:
    uid = identity.require_login()
    with env.uow() as uow:
        if identity.is_registry:
            return uow.parties.pending()
        return uow.parties.for_owner(uid)


def request_verification(
    identity: Identity, *, env: Env, party_id: int, method: str, evidence_blob: str
) -> m.Party:
    """The subject asks for real-name verification, with the method and its evidence."""
    identity.require_login()
    if method not in VERIFICATION_METHODS:
        raise DomainError(
            "invalid_method",
            f"无效的核验方式：{method}",
            f"invalid verification method: {method}",
            status=422,
            details={"methods": list(VERIFICATION_METHODS)},
        )
    with env.uow() as uow:
        party = _owned(uow, identity, party_id)
        if party.owner_user_id != identity.user_id:
            raise _not_found()
        if party.verification_status == "verified":
            raise DomainError(
                "already_verified",
                "该主体已通过实名核验",
                "the party is already verified",
                status=409,
            )
        blobs.require_own(uow, identity.user_id, evidence_blob, field="evidence_blob")
        party.verification_status = "pending"
        party.verification_method = method
        party.verification_evidence = evidence_blob
        record_event(
            uow,
            subject_type="party",
            subject_id=party.id,
            type="VerificationRequested",
            at=env.now(),
            actor_user_id=identity.user_id,
            public={"method": method},
        )
        uow.commit()
        return party


def decide_verification(
    identity: Identity, *, env: Env, party_id: int, approve: bool, note: str = ""
) -> m.Party:
    """An examiner confirms (or rejects) a subject's real-name details (R1)."""
    uid = identity.require_registry()
    with env.uow() as uow:
        party = uow.parties.get(party_id, for_update=True)  # one decision, not one each
        if party is None:
            raise _not_found()
        if party.verification_status != "pending":
            raise DomainError(
                "not_pending",
                "该主体没有待核验的申请",
                "no verification is pending for this party",
                status=409,
            )
        if not approve and not note.strip():
            raise DomainError(
                "missing_fields",
                "驳回须说明理由",
                "a rejection needs a note",
                status=422,
                details={"fields": ["note"]},
            )
        now = env.now()
        party.verification_status = "verified" if approve else "rejected"
        party.verified_by = uid
        party.verified_at = now
        party.verification_note = note.strip() or None
        record_event(
            uow,
            subject_type="party",
            subject_id=party.id,
            type="PartyVerified" if approve else "PartyVerificationRejected",
            at=now,
            actor_user_id=uid,
            public={"method": party.verification_method},
            private={"note": commitment(party.verification_note)}
            if party.verification_note
            else None,
        )
        uow.commit()
        return party


def request_authorisation(
    identity: Identity, *, env: Env, principal: PartyRef, poa_blob: str
) -> m.AgentAuthorisation:
    """An agent files the power of attorney it acts under (G§5); an examiner accepts it.

    The agent names its principal as a filer names someone else's party (issue 18,
    services/party_refs): by the unified social credit code or resident ID number of a
    real-name verified party. Party ids are private and sequential: naming one the agent
    does not act for, like a number of no verified party, is `party_not_found`."""
    uid = identity.require_login()
    if identity.role != "agent":
        raise DomainError(
            "forbidden",
            "仅代理机构可提交授权委托书",
            "only agents file powers of attorney",
            status=403,
        )
    with env.uow() as uow:
        party = party_refs.resolve(
            uow,
            principal,
            mine=actable_party_ids(uow, identity),
            today=env.today(),
            field="principal",
        )
        party_id = party.id
        blobs.require_own(uow, uid, poa_blob, field="poa_blob")
        auth = uow.authorisations.add(
            m.AgentAuthorisation(
                agent_user_id=uid, party_id=party_id, poa_blob=poa_blob, created_at=env.now()
            )
        )
        uow.flush()
        record_event(
            uow,
            subject_type="authorisation",
            subject_id=auth.id,
            type="PowerOfAttorneyFiled",
            at=env.now(),
            actor_user_id=uid,
            public={"party_id": party_id},
            private={"poa": commitment(poa_blob)},
        )
        uow.commit()
        return auth


def decide_authorisation(
    identity: Identity, *, env: Env, authorisation_id: int, accept: bool, note: str = ""
) -> m.AgentAuthorisation:
    uid = identity.require_registry()
    with env.uow() as uow:
        auth = uow.authorisations.get(authorisation_id, for_update=True)  # one decision
        if auth is None:
            raise DomainError(
                "authorisation_not_found",
                "授权委托记录不存在",
                "authorisation not found",
                status=404,
            )
        if auth.status != "pending":
            raise DomainError("not_pending", "该授权委托已处理", "already decided", status=409)
        auth.status = "accepted" if accept else "rejected"
        auth.reviewed_by = uid
        auth.reviewed_at = env.now()
        auth.note = note.strip() or None
        record_event(
            uow,
            subject_type="authorisation",
            subject_id=auth.id,
            type="PowerOfAttorneyAccepted" if accept else "PowerOfAttorneyRejected",
            at=env.now(),
            actor_user_id=uid,
            public={"party_id": auth.party_id},
            private={"note": commitment(auth.note)} if auth.note else None,
        )
        uow.commit()
        return auth


def list_authorisations(identity: Identity, *, env: Env) -> list[m.AgentAuthorisation]:
    uid = identity.require_login()
    with env.uow() as uow:
        if identity.is_registry:
            return uow.authorisations.pending()
        return uow.authorisations.for_agent(uid)


def principals(identity: Identity, *, env: Env) -> dict[int, m.Party]:
    """The parties an agent acts for under an accepted power of attorney, by id: what the
    agent's list of its powers of attorney shows of each principal (nothing before the
    registry accepts it)."""
    identity.require_login()
    with env.uow() as uow:
        ids = actable_party_ids(uow, identity) if identity.role == "agent" else set()
        return {pid: p for pid in sorted(ids) if (p := uow.parties.get(pid)) is not None}


def actable_party_ids(uow: UnitOfWork, identity: Identity) -> set[int]:
    """Parties the caller may act for: its own (as applicant), or by an accepted PoA (agent)."""
    if identity.user_id is None:
        return set()
    if identity.role == "agent":
        ids: set[int] = uow.authorisations.accepted_party_ids(identity.user_id)
        return ids
    if identity.role == "applicant":
        return {p.id for p in uow.parties.for_owner(identity.user_id)}
    return set()
