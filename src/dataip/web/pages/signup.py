"""Sign-up with real-name details (实名注册, R1 / G§6): one page makes the account, its
subject (登记主体: legal person, unincorporated organisation or natural person, with a checked
credit code or resident ID) and the request to verify the subject's real name with an
uploaded document, so only real-name verified subjects go on to apply.

The details are checked before the account exists (the API's own `AccountCreate` and
`PartyCreate` schemas, the number's check character), so a typo leaves no half-made account
behind; once the account exists a refusal signs the visitor in and says what is missing.
The subject kinds and verification methods are labelled here for every page that shows them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_resident_id, check_uscc
from dataip.services import accounts, blobs, parties
from dataip.services.context import ANONYMOUS, Env
from dataip.web.api.accounts import AccountCreate
from dataip.web.api.parties import PartyCreate
from dataip.web.deps import EnvDep
from dataip.web.pages.form_errors import PARTY_LABELS, Labels
from dataip.web.pages.forms import FormInvalid, _s, csrf_refused, failure, my_parties, picker
from dataip.web.pages.render import gettext_for, lang_of, render
from dataip.web.pages.security import csrf_ok, set_session

router = APIRouter(include_in_schema=False)


PARTY_KIND_LABELS: dict[str, tuple[str, str]] = {
    "legal_person": ("法人", "Legal person"),
    "unincorporated": ("非法人组织", "Unincorporated organisation"),
    "natural_person": ("自然人", "Natural person"),
}
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "business_licence": ("营业执照核验", "Business licence"),
    "id_document": ("身份证件核验", "Identity document"),
    "bank_account": ("对公账户打款核验", "Corporate bank account"),
    "face_recognition": ("人脸识别", "Face recognition"),
    "in_person": ("现场核验", "In person"),
}
SIGNUP_FIELDS = (
    "username",
    "display_name",
    "email",
    "role",
    "party_kind",
    "party_name",
    "party_id_number",
    "party_address",
    "verification_method",
)


def _signup_page(
    request: Request, env: Env, typed: dict[str, str], error: dict[str, Any] | None, status: int
) -> Response:
    pick = picker(lang_of(request))
    return render(
        request,
        "signup.html",
        {
            "t": typed,
            "error": error,
            "kinds": [(k, pick(p)) for k, p in PARTY_KIND_LABELS.items()],
            "methods": [(k, pick(p)) for k, p in METHOD_LABELS.items()],
            "max_mb": env.max_blob_bytes // (1024 * 1024),
        },
        status_code=status,
    )


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, env: EnvDep) -> Response:
    typed = dict.fromkeys(SIGNUP_FIELDS, "") | {"role": "applicant", "party_kind": "legal_person"}
    return _signup_page(request, env, typed, None, 200)


@router.post("/signup", response_class=HTMLResponse)
async def signup_submit(request: Request, env: EnvDep) -> Response:
    data = await request.form(max_files=1)
    return await run_in_threadpool(_signup, request, env, data)


def _precheck_party(request: Request, env: Env, t: dict[str, str], evidence: bytes) -> None:
    """Real-name details are checked before the account exists, so a typo in the credit code
    leaves no half-made account behind (the party service checks them again)."""
    _ = gettext_for(request)
    problems = []
    if t["party_kind"] not in PARTY_KIND_LABELS:
        problems.append(_("Choose the kind of subject."))
    if not t["party_name"] or not t["party_address"]:
        problems.append(_("Give the subject's name and address."))
    if t["verification_method"] not in METHOD_LABELS:
        problems.append(_("Choose how your real name is verified."))
    if not evidence:
        problems.append(_("Upload the verification document."))
    elif len(evidence) > env.max_blob_bytes:
        problems.append(_("The file is larger than the limit."))
    if problems:
        raise FormInvalid(problems)
    if t["party_kind"] == "natural_person":
        check_resident_id(t["party_id_number"], today=env.today())
    else:
        check_uscc(t["party_id_number"])


# the labels the error box names a schema's fields by (the form's own labels)
SIGNUP_LABELS: Labels = {
    **PARTY_LABELS,
    "username": "User name",
    "password": "Password (at least 8 characters)",
    "display_name": "Display name",
    "role": "I sign up as",
    "email": "E-mail (optional)",
}


def _anchor(field: str) -> str | None:
    if field in ("kind", "name", "id_number", "address"):
        return f"party_{field}"
    return field if field in SIGNUP_LABELS else None


def _signup_schemas(t: dict[str, str], password: str) -> None:
    """The account and its subject as `POST /accounts` and `POST /parties` take them."""
    AccountCreate.model_validate(
        {
            "username": t["username"],
            "password": password,
            "display_name": t["display_name"],
            "role": t["role"] or "applicant",
            "email": t["email"] or None,
        }
    )
    PartyCreate.model_validate(
        {
            "kind": t["party_kind"],
            "name": t["party_name"],
            "id_number": t["party_id_number"],
            "address": t["party_address"],
        }
    )


def _signup(request: Request, env: Env, data: FormData) -> Response:
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    _ = gettext_for(request)
    t = {k: _s(data, k) or "" for k in SIGNUP_FIELDS}
    password = data.get("password")
    password = password if isinstance(password, str) else ""
    upload = data.get("verification_file")
    evidence = b""
    if isinstance(upload, UploadFile) and upload.filename:
        evidence = upload.file.read(env.max_blob_bytes + 1)
    try:
        if password != data.get("password_again"):
            raise FormInvalid([_("The two passwords differ.")])
        _precheck_party(request, env, t, evidence)
        _signup_schemas(t, password)  # the API's own schemas: what it refuses, this refuses
        accounts.sign_up(
            ANONYMOUS,
            env=env,
            username=t["username"],
            password=password,
            display_name=t["display_name"],
            role=t["role"] or "applicant",
            email=t["email"] or None,
        )
    except (DomainError, ValidationError, FormInvalid) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return _signup_page(request, env, t, failure(request, e, _anchor, SIGNUP_LABELS), status)
    issued = accounts.login(
        env=env,
        username=t["username"],
        password=password,
        client=request.client.host if request.client else None,
        ttl_hours=12,
    )
    who = accounts.authenticate(env=env, token=issued.token)
    error = None
    try:
        party = parties.create_party(
            who,
            env=env,
            kind=t["party_kind"],
            name=t["party_name"],
            id_number=t["party_id_number"],
            address=t["party_address"],
        )
        assert isinstance(upload, UploadFile)
        blob = blobs.upload(
            who,
            env=env,
            data=evidence,
            filename=upload.filename or "verification",
            media_type=upload.content_type or "application/octet-stream",
        )
        parties.request_verification(
            who,
            env=env,
            party_id=party.id,
            method=t["verification_method"],
            evidence_blob=blob.sha256,
        )
    except DomainError as e:  # the account exists by now: sign in and say what is missing
        error = failure(request, e)
    if error is None:
        response: Response = RedirectResponse("/applications?welcome=1", status_code=303)
    else:
        request.state.page_user = who
        response = render(
            request,
            "app_list.html",
            {"rows": [], "identity": who, "error": error, "parties": my_parties(who, env)},
            status_code=422,
        )
    set_session(request, response, issued.token, 12 * 3600)
    return response
