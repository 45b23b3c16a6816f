"""Agencies in the service directory (issue 23 §5).

Who may list one: a signed-in user, under one of its own parties that is a legal person whose
real name the registry verified (R1) and whose unified social credit code passes the GB 32100
check (python-stdnum, `domain.identifiers.check_uscc`). One listing per party. The province is
the credit code's characters 3–4 (its registering authority's division). The description is
public text: the same personal-data detectors as for needs and log leaves screen it, and one
holding an ID, mobile number, e-mail address … is refused (422 `agency_personal_data`) with
nothing stored. The registry (registrar_admin) suspends and reinstates a listing, with a
reason; a suspended agency is not searchable and cannot be asked for a service.

Search is a case-sensitive substring (SQL LIKE, escaped) on the agency's name: the directory
is small and names are short, so no full-text index is built for it.
"""

from __future__ import annotations

from dataip.domain import identifiers
from dataip.domain.errors import DomainError
from dataip.services import public_screening
from dataip.services.context import Env, Identity
from dataip.services.directory.records import CATEGORIES, Agency
from dataip.services.ports import ConcurrencyConflict


def agency_not_found() -> DomainError:
    return DomainError("agency_not_found", "服务机构不存在", "no such agency", status=404)


def _categories(categories: list[str]) -> str:
    unknown = sorted(set(categories) - set(CATEGORIES))
    if not categories or unknown:
        raise DomainError(
            "invalid_agency_category",
            "请从列表中选择至少一个服务类别",
            "choose at least one service category from the list",
            status=422,
            details={"unknown": unknown},
        )
    return ",".join(c for c in CATEGORIES if c in categories)


def screen(field: str, text: str, code: str) -> None:
    """Refuse public text holding personal data (422 `code`), naming kinds, never values."""
    found = public_screening.hits([(field, text)])
    if found:
        kinds = sorted({h.kind for h in found})
        raise DomainError(
            code,
            f"内容含有个人信息（{'、'.join(kinds)}），不能公开，请删除后重试；未保存",
            f"the text holds personal data ({', '.join(kinds)}): remove it and try again. "
            "Nothing was stored",
            status=422,
            details={"fields": [field], "kinds": kinds},
        )


def list_agency(
    identity: Identity, *, env: Env, party_id: int, categories: list[str], description: str
) -> Agency:
    uid = identity.require_login()
    joined = _categories(categories)
    description = description.strip()
    screen("description", description, "agency_personal_data")
    with env.uow() as uow:
        party = uow.parties.get(party_id)
        if party is None or party.owner_user_id != uid:
            raise DomainError(
                "party_not_found",
                "请选择您名下的登记主体",
                "choose one of your own parties",
                status=422,
            )
        if party.kind != "legal_person":
            raise DomainError(
                "agency_not_legal_person",
                "只有法人主体可以列入服务机构名录",
                "only a legal person can be listed in the directory",
                status=422,
            )
        if party.verification_status != "verified":
            raise DomainError(
                "party_not_verified",
                "服务机构须以通过实名核验的主体列入",
                "an agency is listed under a verified real name",
                status=422,
            )
        checked = identifiers.check_uscc(party.id_number)
        if uow.directory.agency_of_party(party.id) is not None:
            raise DomainError(
                "agency_exists",
                "该主体已列入服务机构名录",
                "this party is listed already",
                status=409,
            )
        agency = uow.directory.add_agency(
            party_id=party.id,
            owner_user_id=uid,
            name=party.name,
            categories=joined,
            region_code=identifiers.region_code(checked.number)[:2],
            description=description,
            state="listed",
            state_reason=None,
            listed_at=env.now(),
            changed_at=None,
            version=1,
        )
        uow.commit()
    return agency


def set_state(
    identity: Identity, *, env: Env, agency_id: int, suspend: bool, reason: str
) -> Agency:
    """Suspend or reinstate a listing (registrar_admin), with a reason."""
    identity.require_admin()
    want, was = ("suspended", "listed") if suspend else ("listed", "suspended")
    with env.uow() as uow:
        agency = uow.directory.agency(agency_id)
        if agency is None:
            raise agency_not_found()
        if agency.state != was:
            raise DomainError(
                f"agency_{want}",
                "该服务机构已暂停" if suspend else "该服务机构未被暂停",
                "the agency is suspended already" if suspend else "the agency is not suspended",
                status=409,
            )
        if not uow.directory.set_state(
            agency.id, agency.version, state=want, reason=reason.strip(), at=env.now()
        ):
            raise ConcurrencyConflict("agency changed concurrently")
        got = uow.directory.agency(agency.id)
        assert got is not None
        uow.commit()
    return got


def search(
    *,
    env: Env,
    q: str | None = None,
    category: str | None = None,
    region: str | None = None,
    include_suspended: bool = False,
) -> list[Agency]:
    states = ("listed", "suspended") if include_suspended else ("listed",)
    with env.read() as uow:
        found: list[Agency] = uow.directory.search(
            q=q, category=category, region=region, states=states
        )
        return found


def get(*, env: Env, agency_id: int, include_suspended: bool = False) -> Agency:
    with env.read() as uow:
        agency: Agency | None = uow.directory.agency(agency_id)
    if agency is None or (agency.state != "listed" and not include_suspended):
        raise agency_not_found()
    return agency


def own(identity: Identity, *, env: Env) -> list[Agency]:
    if identity.user_id is None:
        return []
    with env.read() as uow:
        found: list[Agency] = uow.directory.search(
            states=("listed", "suspended"), owner_user_id=identity.user_id
        )
        return found


def listable_parties(identity: Identity, *, env: Env) -> list[tuple[int, str]]:
    """The caller's verified legal-person parties not listed yet (the page's listing form)."""
    if identity.user_id is None:
        return []
    with env.read() as uow:
        out = []
        for p in uow.parties.for_owner(identity.user_id):
            if (
                p.kind == "legal_person"
                and p.verification_status == "verified"
                and uow.directory.agency_of_party(p.id) is None
            ):
                out.append((p.id, p.name))
        return out
