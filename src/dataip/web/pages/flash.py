"""Post/redirect/get (提交后重定向): every form that changed something answers 303 to a page,
and what the visitor should be told there travels in a one-time cookie (flash message).

The cookie carries either the key of a confirmation (looked up in `CONFIRMATIONS`, so no
text a visitor typed is ever echoed from it) with an optional reference such as an
application number, or the error box of a step that was refused after an earlier step was
already saved (a draft saved but its submission refused: the form is shown again from the
stored draft, with the refusal, instead of a re-rendered POST that a refresh would repeat).
It is signed with an HMAC of the session token (so it only speaks to the session it was set
for), lives a minute, and is cleared by the page that shows it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from dataip.web.pages.security import cookie_name, session_token

FLASH_COOKIE = "dataip_flash"
MAX_BYTES = 3500  # under the 4 KB a browser keeps per cookie


def N_(message: str) -> str:
    """Marks a message id for extraction (Babel's `N_`); translated where it is shown."""
    return message


#: Confirmation messages by key (message ids: English, translated in messages.po). `%(ref)s`
#: is the reference the redirect names (an application or registration number).
CONFIRMATIONS: dict[str, str] = {
    "draft_created": N_("The draft is saved. You can come back to it at any time."),
    "draft_saved": N_("Your changes to the draft are saved."),
    "submitted": N_("The application is submitted. Application number: %(ref)s."),
    "correction_submitted": N_("The correction is submitted; the examiner has been notified."),
    "withdrawn": N_("The application is withdrawn."),
    "objection_answered": N_("Your answer to the objection is filed."),
    "request_filed": N_("Your request is filed; the registry will decide on it."),
    "verification_sent": N_("The verification documents are sent to the registry."),
    "authorisation_filed": N_("The power of attorney is filed and awaits the registry's check."),
    "consent_given": N_("Your consent to the joint application is recorded."),
    "decision_recorded": N_("The decision is recorded."),
    "recorded": N_("Recorded: %(ref)s."),
    # issue 23 §3–§4: service matching (web/pages/needs.py)
    "need_published": N_("The need is published; the holders of the best matches are told."),
    "need_withdrawn": N_("The need is withdrawn."),
    "contact_proposed": N_("Your request to get in touch is sent; the other side answers."),
    "contact_answered": N_("Your answer is recorded."),
    # issue 23 §5: the service directory
    "agency_listed": N_("The agency is listed in the directory."),
    "agency_suspended": N_("The agency is suspended: it is no longer shown or asked."),
    "agency_reinstated": N_("The agency is listed again."),
    "service_requested": N_("Your request is sent; the agency answers."),
    "service_request_answered": N_("Your answer is sent."),
}


def _mac(session: str, body: bytes) -> str:
    mac = hmac.new(session.encode(), b"dataip flash v1\x00" + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def _encode(session: str, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode(), 9))
    return body.decode() + "." + _mac(session, body)


def _shrink(error: dict[str, Any]) -> dict[str, Any]:
    """The error box, its items cut (with "…") until the cookie fits."""
    out = {**error, "items": list(error.get("items") or [])}
    while out["items"] and len(_encode("x", {"error": out})) > MAX_BYTES - 40:
        out["items"] = out["items"][:-1]
        out["truncated"] = True
    return out


def redirect(
    request: Request,
    url: str,
    *,
    ok: str | None = None,
    ref: str | None = None,
    error: dict[str, Any] | None = None,
) -> Response:
    """303 to `url` (PRG), with a confirmation (`ok`, a key of CONFIRMATIONS) or an error box
    for the page there to show once."""
    response = RedirectResponse(url, status_code=303)
    session = session_token(request)
    if session is None or (ok is None and error is None):
        return response
    if ok is not None and ok not in CONFIRMATIONS:
        raise KeyError(ok)
    payload: dict[str, Any] = {"ok": ok, "ref": ref} if ok else {"error": _shrink(error or {})}
    response.set_cookie(
        cookie_name(request, FLASH_COOKIE),
        _encode(session, payload),
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def take(request: Request) -> dict[str, Any] | None:
    """The flash this request carries, verified (None if absent, forged or not this
    session's); `request.state.flash_taken` tells `render` to clear it."""
    raw = request.cookies.get(cookie_name(request, FLASH_COOKIE))
    session = session_token(request)
    if not raw:
        return None
    request.state.flash_taken = True
    body, _, mac = raw.partition(".")
    if session is None or not hmac.compare_digest(_mac(session, body.encode()), mac):
        return None
    try:
        payload = json.loads(zlib.decompress(base64.urlsafe_b64decode(body.encode())))
    except (ValueError, zlib.error):
        return None
    return payload if isinstance(payload, dict) else None


def clear(request: Request, response: Response) -> None:
    if getattr(request.state, "flash_taken", False):
        response.delete_cookie(
            cookie_name(request, FLASH_COOKIE),
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
