"""Certificates (登记证书): the signed VC-JWT, its status, verification, the issuer keys."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Header, Path, Query, Request, Response
from pydantic import Field

from dataip.certs.status_list import LIST_SIZE
from dataip.domain.errors import DomainError
from dataip.services import certificates as svc
from dataip.web import caching
from dataip.web.api.application_schemas import _Strict
from dataip.web.deps import EnvDep
from dataip.web.numbers import Number
from dataip.web.signals import count_after, count_later

router = APIRouter(tags=["certificates"])
public_router = APIRouter(tags=["certificates"])
Version = Annotated[int | None, Query(ge=1, le=100_000)]
VC_JWT = "application/vc+jwt"
JOSE_JSON = "application/jose+json"
PDF = "application/pdf"
# Status positions are 32-bit integers in the database: the last list whose positions (and
# the end of whose range) all fit; no list lies beyond it.
MAX_LIST = (2**31 - 1) // LIST_SIZE - 1


@router.get(
    "/registrations/{number}/certificate",
    response_class=Response,
    responses={
        200: {
            "content": {VC_JWT: {}, JOSE_JSON: {}, PDF: {}},
            "description": "the certificate",
        },
        304: {"description": "`If-None-Match` names the version the cache holds"},
    },
)
def certificate(
    number: Number,
    env: EnvDep,
    request: Request,
    version: Version = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """The certificate (latest version unless `version`) as `application/vc+jwt`: a W3C
    Verifiable Credential 2.0 signed by the registry (EdDSA/Ed25519). Public, as the paper
    certificate's QR code is; verify it with the keys at `/.well-known/jwks.json`. With
    `Accept: application/jose+json`, the JWS JSON serialization carrying the SM2/SM3
    co-signature as well (when the profile co-signs); with `Accept: application/pdf`, one A4
    page in the national layout whose QR code carries the compact QR credential (a /verify
    link), the token attached.

    Without `version` this names whichever version is current, which a change, transfer or
    renewal replaces: `Cache-Control: no-cache` with an `ETag` (send it back in
    `If-None-Match` for a 304) and `Content-Location` naming the version served. With
    `version`, the signed bytes never change once the version's log proof is attached:
    `immutable` from then on (the PDF, a rendering of them, for a day)."""
    cert = svc.current(env=env, number=number, version=version)
    # A version's token changes once, when its log proof is attached: final only after that.
    fixed = version is not None and cert.log_index is not None
    headers = {"Vary": "Accept"}
    if version is None:
        headers["Content-Location"] = f"{request.url.path}?version={cert.version}"
    if accept and PDF in accept:
        # Rendered afresh each time and not byte-stable across releases: a weak validator
        etag = caching.weak(f"{cert.sha256}-pdf")
        headers |= {
            "ETag": etag,
            "Cache-Control": caching.A_DAY if fixed else caching.REVALIDATE,
            "Content-Disposition": f'inline; filename="certificate-{number}.pdf"',
        }
        if caching.none_match(request, etag):
            return caching.not_modified(headers)
        rendered = svc.pdf(env=env, number=number, version=cert.version)
        pdf_response = Response(rendered, media_type=PDF, headers=headers)
        return count_after(pdf_response, request, env, "certificate_download", numbers=[number])
    if accept and JOSE_JSON in accept and VC_JWT not in accept:
        if cert.cosigned is None:
            raise DomainError(
                "not_cosigned",
                "该证书未加签 SM2 签名",
                "this certificate carries no SM2 co-signature",
                status=406,
            )
        body, media_type = cert.cosigned, JOSE_JSON
        etag = caching.strong(hashlib.sha256(body.encode()).hexdigest())
    else:
        body, media_type, etag = cert.token, VC_JWT, caching.strong(cert.sha256)
    headers |= {"ETag": etag, "Cache-Control": caching.IMMUTABLE if fixed else caching.REVALIDATE}
    if caching.none_match(request, etag):
        return caching.not_modified(headers)
    response = Response(body, media_type=media_type, headers=headers)
    return count_after(response, request, env, "certificate_download", numbers=[number])


@router.get("/certificates/{number}/status")
def status(number: Number, env: EnvDep, version: Version = None) -> dict[str, Any]:
    """Current status of a certificate version: valid, superseded, under_re_examination,
    cancelled, abandoned or revoked."""
    return svc.status(env=env, number=number, version=version)


@router.get(
    "/certificates/status-lists/{list_no}",
    response_class=Response,
    responses={200: {"content": {VC_JWT: {}}, "description": "a BitstringStatusListCredential"}},
)
def status_list(list_no: Annotated[int, Path(ge=0, le=MAX_LIST)], env: EnvDep) -> Response:
    """The W3C Bitstring Status List credential (statusPurpose "message", 3 bits per
    certificate: valid, superseded, under_re_examination, cancelled, abandoned, revoked), signed
    as a vc+jwt and valid for a day: cache it to check status offline."""
    token = svc.signed_status_list(env=env, list_no=list_no)
    return Response(token, media_type=VC_JWT, headers={"Cache-Control": "public, max-age=300"})


class VerifyIn(_Strict):
    token: Annotated[str, Field(min_length=1, max_length=65_536)]
    online: bool = True


@router.post("/certificates/verify")
def verify(
    body: VerifyIn, env: EnvDep, request: Request, background: BackgroundTasks
) -> dict[str, Any]:
    """Verify a certificate — its vc+jwt, the co-signed JSON, or the QR code's credential (the
    link the code holds, or its base32 alone): the signature against this registry's keys and
    the issuers it trusts, and (online, for its own certificates) the current status with the
    time it was read. A forged or altered certificate answers 200 with `authentic: false` and
    a code saying why."""
    result = svc.verify(env=env, token=body.token, online=body.online)
    # issue 22 §3: one of this registry's certificates verified authentic is a signal
    count_later(background, request, env, "verification", result=result)
    return result


@public_router.get("/.well-known/jwks.json")
def jwks(env: EnvDep, response: Response) -> dict[str, Any]:
    """The issuer's public keys (every key it has signed with), by `kid`."""
    response.headers["Cache-Control"] = "public, max-age=300"
    doc: dict[str, Any] = env.certificate_keys.jwks()
    return doc
