"""Parties (登记主体), real-name verification (实名核验, R1), agents' powers of attorney
(授权委托书, R2) and co-applicants' consent (共同申请, R3) as pages.

- `/parties`: the signed-in user's subjects with their kind, number (a resident ID masked),
  verification status; a form adding one with its verification request (the sign-up page's
  fields and checks), and a verification request for one not (or no longer) awaiting it.
- `/authorisations`: an agent files the power of attorney it acts under for a principal
  (the principal's credit code or ID number and the signed document) and sees each one's status.
- `/examination/parties`: the registry decides pending verifications and powers of attorney.
- `POST /applications/{id}/consent`: a joint applicant consents from the application's page.

Every route parses the form into the API's own schema where there is one, calls the same
service as the API, and on a refusal re-renders the form with the bilingual message and what
was typed. Checks that need no database (kind, number, method, file present and within the
limit) run before anything is stored, so such a refusal changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import mask_resident_id
from dataip.services import applications, blobs, parties
from dataip.services.context import Env, Identity
from dataip.services.party_refs import PartyRef
from dataip.web.api.parties import AuthorisationCreate, Decision, PartyCreate, VerificationCreate
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.applicant import (
    METHOD_LABELS,
    PARTY_KIND_LABELS,
    FormInvalid,
    _detail,
    _precheck_party,
    _s,
    failure,
    picker,
    signed_in,
    version_of,
)
from dataip.web.pages.forms import handled, posted
from dataip.web.pages.render import gettext_for, lang_of, render

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database, as the API's
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

PARTY_FIELDS = (
    "party_kind",
    "party_name",
    "party_id_number",
    "party_address",
    "verification_method",
)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "unverified": ("未核验", "not verified"),
    "pending": ("待核验", "awaiting verification"),
    "verified": ("已核验", "verified"),
    "rejected": ("核验未通过", "verification rejected"),
}
POA_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待审查", "awaiting the registry"),
    "accepted": ("已确认", "accepted"),
    "rejected": ("未通过", "rejected"),
}


def _file(data: FormData, key: str, env: Env) -> tuple[UploadFile | None, bytes]:
    """The posted file under `key` and its first bytes (one past the limit, to detect it)."""
    f = data.get(key)
    if isinstance(f, UploadFile) and f.filename:
        return f, f.file.read(env.max_blob_bytes + 1)
    return None, b""


def _store(who: Identity, env: Env, f: UploadFile, body: bytes) -> str:
    b = blobs.upload(
        who,
        env=env,
        data=body,
        filename=f.filename or "upload",
        media_type=f.content_type or "application/octet-stream",
    )
    return b.sha256


def _check_file(request: Request, env: Env, body: bytes, missing: str) -> None:
    _ = gettext_for(request)
    if not body:
        raise FormInvalid([missing])
    if len(body) > env.max_blob_bytes:
        raise FormInvalid([_("The file is larger than the limit.")])


def _number(p: m.Party, who: Identity) -> str:
    """A resident ID is masked (UI.md, privacy in view) except for the registry; a credit code
    is on the public record anyway."""
    if p.kind == "natural_person" and not who.is_registry:
        return mask_resident_id(p.id_number)
    return p.id_number


def _party_row(p: m.Party, who: Identity, pick: Any) -> dict[str, Any]:
    return {
        "p": p,
        "kind": pick(PARTY_KIND_LABELS.get(p.kind, (p.kind, p.kind))),
        "number": _number(p, who),
        "status": pick(STATUS_LABELS.get(p.verification_status, (p.verification_status,) * 2)),
        "method": pick(METHOD_LABELS.get(p.verification_method or "", ("", ""))),
        "can_request": p.verification_status in ("unverified", "rejected"),
    }


# --- my parties ---------------------------------------------------------------------------------


def _parties_page(
    request: Request,
    env: Env,
    who: Identity,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
    error_for: int | None = None,
    status: int = 200,
) -> Response:
    pick = picker(lang_of(request))
    rows = [_party_row(p, who, pick) for p in parties.list_parties(who, env=env)]
    blank = dict.fromkeys(PARTY_FIELDS, "") | {"party_kind": "legal_person"}
    return render(
        request,
        "parties.html",
        {
            "rows": rows,
            "t": typed or blank,
            "error": error,
            "error_for": error_for,  # None: the add form; a party id: its verification form
            "identity": who,
            "kinds": [(k, pick(p)) for k, p in PARTY_KIND_LABELS.items()],
            "methods": [(k, pick(p)) for k, p in METHOD_LABELS.items()],
            "max_mb": env.max_blob_bytes // (1024 * 1024),
            "added": request.query_params.get("added") == "1",
        },
        status_code=status,
    )


@router.get("/parties", response_class=HTMLResponse)
def my_parties(request: Request, env: EnvDep) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if who.is_registry:
        return RedirectResponse("/examination/parties", status_code=303)
    return _parties_page(request, env, who)


@router.post("/parties", response_class=HTMLResponse)
async def add_party(request: Request, env: EnvDep) -> Response:
    return await handled(request, env, _add, max_files=1)


def _add(request: Request, env: Env, data: FormData) -> Response:
    """A new subject and its verification request, checked as the sign-up page checks them."""
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    t = {k: _s(data, k) or "" for k in PARTY_FIELDS}
    upload, evidence = _file(data, "verification_file", env)
    try:
        _precheck_party(request, env, t, evidence)
        body = PartyCreate.model_validate(
            {
                "kind": t["party_kind"],
                "name": t["party_name"],
                "id_number": t["party_id_number"],
                "address": t["party_address"],
            }
        )
        party = parties.create_party(
            who,
            env=env,
            kind=body.kind,
            name=body.name,
            id_number=body.id_number,
            address=body.address,
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _parties_page(request, env, who, typed=t, error=failure(request, e), status=status)
    assert upload is not None  # _precheck_party refused an empty file
    try:
        sha = _store(who, env, upload, evidence)
        parties.request_verification(
            who, env=env, party_id=party.id, method=t["verification_method"], evidence_blob=sha
        )
    except DomainError as e:  # the subject exists by now: show it with what is missing
        return _parties_page(
            request, env, who, error=failure(request, e), error_for=party.id, status=e.status
        )
    return RedirectResponse("/parties?added=1", status_code=303)


@router.post("/parties/{party_id}/verification", response_class=HTMLResponse)
async def request_verification(request: Request, env: EnvDep, party_id: Id) -> Response:
    return await handled(request, env, _verify, party_id, max_files=1)


def _verify(request: Request, env: Env, data: FormData, party_id: int) -> Response:
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    _ = gettext_for(request)
    method = _s(data, "verification_method") or ""
    upload, evidence = _file(data, "verification_file", env)
    try:
        parties.get_party(who, env=env, party_id=party_id)  # yours, or not found
        if method not in METHOD_LABELS:
            raise FormInvalid([_("Choose how your real name is verified.")])
        _check_file(request, env, evidence, _("Upload the verification document."))
        assert upload is not None
        sha = _store(who, env, upload, evidence)
        body = VerificationCreate.model_validate({"method": method, "evidence_blob": sha})
        parties.request_verification(
            who, env=env, party_id=party_id, method=body.method, evidence_blob=body.evidence_blob
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _parties_page(
            request, env, who, error=failure(request, e), error_for=party_id, status=status
        )
    return flash.redirect(request, "/parties", ok="verification_sent")


# --- powers of attorney (agents) ------------------------------------------------------------


def _poa_page(
    request: Request,
    env: Env,
    who: Identity,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    pick = picker(lang_of(request))
    rows = []
    acting_for = parties.principals(who, env=env)  # accepted: the principal's particulars
    for a in sorted(parties.list_authorisations(who, env=env), key=lambda a: -a.id):
        principal = acting_for.get(a.party_id) if a.status == "accepted" else None
        rows.append(
            {
                "a": a,
                "status": pick(POA_STATUS_LABELS.get(a.status, (a.status,) * 2)),
                "principal": principal.name if principal else "",
                "number": _number(principal, who) if principal else "",
            }
        )
    return render(
        request,
        "authorisations.html",
        {
            "rows": rows,
            "t": typed or {"principal": ""},
            "error": error,
            "is_agent": who.role == "agent",
            "max_mb": env.max_blob_bytes // (1024 * 1024),
        },
        status_code=status,
    )


@router.get("/authorisations", response_class=HTMLResponse)
def my_authorisations(request: Request, env: EnvDep) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if who.is_registry:
        return RedirectResponse("/examination/parties", status_code=303)
    return _poa_page(request, env, who)


@router.post("/authorisations", response_class=HTMLResponse)
async def file_authorisation(request: Request, env: EnvDep) -> Response:
    return await handled(request, env, _file_poa, max_files=1)


def _file_poa(request: Request, env: Env, data: FormData) -> Response:
    """R2 (G§5): the agent names its principal by its unified social credit code or resident
    ID number (a real-name verified party, issue 18) and uploads the signed power of
    attorney."""
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    _ = gettext_for(request)
    typed = {"principal": _s(data, "principal") or ""}
    upload, document = _file(data, "poa_file", env)
    try:
        if who.role != "agent":  # the service says so too; refused before anything is stored
            raise DomainError(
                "forbidden",
                "仅代理机构可提交授权委托书",
                "only agents file powers of attorney",
                status=403,
            )
        problems = []
        if not typed["principal"].strip():
            problems.append(_("Give the principal's credit code or ID number."))
        if not document:
            problems.append(_("Upload the signed power of attorney."))
        elif len(document) > env.max_blob_bytes:
            problems.append(_("The file is larger than the limit."))
        if problems:
            raise FormInvalid(problems)
        assert upload is not None
        sha = _store(who, env, upload, document)
        body = AuthorisationCreate.model_validate(
            {"id_number": typed["principal"], "poa_blob": sha}
        )
        parties.request_authorisation(
            who, env=env, principal=PartyRef(id_number=body.id_number), poa_blob=body.poa_blob
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _poa_page(request, env, who, typed=typed, error=failure(request, e), status=status)
    return flash.redirect(request, "/authorisations", ok="authorisation_filed")


# --- the registry's decisions -------------------------------------------------------------


def _registry(request: Request, env: Env) -> Identity | Response:
    who = signed_in(request, env)
    if isinstance(who, Identity) and not who.is_registry:
        raise DomainError("forbidden", "仅登记机构工作人员可用", "registry staff only", status=403)
    return who


def _examination_page(
    request: Request,
    env: Env,
    who: Identity,
    *,
    error: dict[str, Any] | None = None,
    error_for: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    pick = picker(lang_of(request))
    pending = [_party_row(p, who, pick) for p in parties.list_parties(who, env=env)]
    poas: list[dict[str, Any]] = []
    for a in sorted(parties.list_authorisations(who, env=env), key=lambda a: a.id):
        principal = parties.get_party(who, env=env, party_id=a.party_id)
        poas.append({"a": a, "principal": _party_row(principal, who, pick)})
    shown = {f"party-{x['p'].id}" for x in pending} | {f"poa-{x['a'].id}" for x in poas}
    return render(
        request,
        "exam_parties.html",
        {
            "pending": pending,
            "poas": poas,
            "error": error,
            # "party-3" or "poa-5": the form the message belongs to; at the top when that form
            # is gone (decided meanwhile)
            "error_for": error_for if error_for in shown else "",
            "typed": typed or {},
        },
        status_code=status,
    )


@router.get("/examination/parties", response_class=HTMLResponse)
def examination(request: Request, env: EnvDep) -> Response:
    who = _registry(request, env)
    if isinstance(who, Response):
        return who
    return _examination_page(request, env, who)


@router.post("/examination/parties/{party_id}/decision", response_class=HTMLResponse)
async def decide_verification(request: Request, env: EnvDep, party_id: Id) -> Response:
    return await handled(request, env, _decide, "party", party_id, max_files=0)


@router.post("/examination/authorisations/{authorisation_id}/decision")
async def decide_authorisation(request: Request, env: EnvDep, authorisation_id: Id) -> Response:
    return await handled(request, env, _decide, "poa", authorisation_id, max_files=0)


def _decide(request: Request, env: Env, data: FormData, what: str, ident: int) -> Response:
    who = posted(request, env, data, _registry)
    if isinstance(who, Response):
        return who
    note = _s(data, "note") or ""
    try:
        body = Decision.model_validate({"approve": _s(data, "decision") == "approve", "note": note})
        if what == "party":
            parties.decide_verification(
                who, env=env, party_id=ident, approve=body.approve, note=body.note
            )
        else:
            parties.decide_authorisation(
                who, env=env, authorisation_id=ident, accept=body.approve, note=body.note
            )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _examination_page(
            request,
            env,
            who,
            error=failure(request, e),
            error_for=f"{what}-{ident}",
            typed={f"{what}-{ident}": note},
            status=status,
        )
    return flash.redirect(request, "/examination/parties", ok="decision_recorded")


# --- co-applicants' consent (R3, G§5) -------------------------------------------------------


@router.post("/applications/{application_id}/consent", response_class=HTMLResponse)
async def consent(request: Request, env: EnvDep, application_id: Id) -> Response:
    return await handled(request, env, _consent, application_id, max_files=0)


def _consent(request: Request, env: Env, data: FormData, app_id: int) -> Response:
    """The joint applicant confirms the filing as it read it: a draft changed since the page
    was rendered is refused (the same stale-version answer as every other form)."""
    who = posted(request, env, data)
    if isinstance(who, Response):
        return who
    try:
        applications.consent(who, env=env, application_id=app_id, if_match=version_of(data))
    except DomainError as e:
        return _detail(request, env, who, app_id, error=failure(request, e), status=e.status)
    return flash.redirect(request, f"/applications/{app_id}", ok="consent_given")
