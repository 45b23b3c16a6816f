"""The adapters of the `PropertyAuthority` port (issue 24 §1): `LocalAuthority` — this
registry decides, so "forwarding" is a no-op and the state is the application's own — and
`HttpAuthority` — another body's endpoint, posted to and asked (JSON over HTTP; the
contract is in docs/data-property.md)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from dataip.domain.app_states import AppState
from dataip.services.context import Env
from dataip.services.property_authority.ports import (
    REMOTE_STATES,
    AuthorityUnavailable,
    Filing,
    RemoteState,
)

# what a local application's state reads as at a body (the procedure's own states fold into
# the body's coarser ones)
_LOCAL: dict[str, str] = {
    AppState.SUBMITTED: "received",
    AppState.UNDER_EXAMINATION: "under_examination",
    AppState.AWAITING_CORRECTION: "under_examination",
    AppState.PUBLICISED: "publicised",
    AppState.OBJECTION_PENDING: "publicised",
    AppState.AWAITING_JUDGMENT: "publicised",
    AppState.REGISTERED: "registered",
    AppState.REFUSED: "refused",
    AppState.REVOKED: "refused",
    AppState.WITHDRAWN: "withdrawn",
    AppState.DEEMED_WITHDRAWN: "withdrawn",
}
# a certificate number a body may report: a prefixed register's layout (domain.numbering)
CERTIFICATE_NUMBER = re.compile(r"[A-Z]{2}[0-9]{4}(?:0[1-9]|1[0-2])[0-9]{9}", re.ASCII)
_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)


class LocalAuthority:
    """This registry decides (the profile's `authority.mode = "local"`): the filing stays
    here, its id is its application number and its state is the application's."""

    def __init__(self, env: Env) -> None:
        self.env = env

    def forward(self, filing: Filing) -> str:
        return filing.reference

    def state(self, remote_id: str) -> RemoteState:
        with self.env.read() as uow:
            app = uow.applications.by_number(remote_id)
            if app is None:
                raise AuthorityUnavailable(f"no application {remote_id}")
            reg = uow.registrations.by_application(app.id)
            return RemoteState(
                state=_LOCAL[app.state],
                certificate_number=reg.certificate_number if reg else None,
                grounds=list(app.grounds or []),
            )


class HttpAuthority:
    """Another body's endpoint: `POST {base}/filings` with the filing (201 with `{"id",
    "state"}`), `GET {base}/filings/{id}` for its state (`{"state", "certificate_number",
    "grounds", "reason"}`). A bearer token when given. Whatever does not read as that
    contract is `AuthorityUnavailable`: nothing here changes on it."""

    def __init__(self, base_url: str, *, token: str = "", timeout: float = 10.0) -> None:
        self.base = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(timeout=timeout, headers=headers, follow_redirects=False)

    def _json(self, r: httpx.Response, *ok: int) -> dict[str, Any]:
        if r.status_code not in ok:
            raise AuthorityUnavailable(f"HTTP {r.status_code}")
        try:
            body = r.json()
        except ValueError as e:
            raise AuthorityUnavailable("not JSON") from e
        if not isinstance(body, dict):
            raise AuthorityUnavailable("not a JSON object")
        return body

    def forward(self, filing: Filing) -> str:
        try:
            r = self.client.post(f"{self.base}/filings", json=filing.as_json())
        except httpx.HTTPError as e:
            raise AuthorityUnavailable(type(e).__name__) from e
        remote_id = self._json(r, 200, 201).get("id")
        if not isinstance(remote_id, str) or not _ID.fullmatch(remote_id):
            raise AuthorityUnavailable("no usable id")
        return remote_id

    def state(self, remote_id: str) -> RemoteState:
        try:
            r = self.client.get(f"{self.base}/filings/{remote_id}")
        except httpx.HTTPError as e:
            raise AuthorityUnavailable(type(e).__name__) from e
        body = self._json(r, 200)
        state = body.get("state")
        if state not in REMOTE_STATES:
            raise AuthorityUnavailable(f"unknown state {state!r}")
        number = body.get("certificate_number")
        if state == "registered" and (
            not isinstance(number, str) or not CERTIFICATE_NUMBER.fullmatch(number)
        ):
            raise AuthorityUnavailable("registered without a certificate number")
        grounds = body.get("grounds") or []
        if not isinstance(grounds, list) or not all(
            isinstance(g, int) and 1 <= g <= 7 for g in grounds
        ):
            raise AuthorityUnavailable("grounds are not G§13 numbers")
        reason = body.get("reason") or ""
        return RemoteState(
            state=str(state),
            certificate_number=number if state == "registered" else None,
            grounds=list(grounds),
            reason=str(reason)[:2000],
        )
