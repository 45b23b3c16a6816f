"""Institutions in the portal (issue 20): the admin's list of institutional clients (机构
客户端) with their state and scopes, and the buttons to suspend, reactivate or revoke one;
and, on a registration's page, the institutions that read it (机构查阅记录) as its holders
see them. Registering a client and its keys is the API's (`/api/v1/admin/institutions`):
an institution's IT department sends its JWKS, not a person typing into a form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.sharing import institutions as svc
from dataip.services.sharing import reads
from dataip.sharing.clients import ACTIONS, STATES
from dataip.sharing.reads import RESOURCES
from dataip.sharing.scopes import KINDS, SCOPES
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.forms import csrf_refused, failure, picker, signed_in
from dataip.web.pages.render import SHANGHAI, day, lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)
ClientId = Annotated[str, Path(pattern=r"^[a-z]{1,16}-[0-9a-f]{16}$")]
Action = Annotated[str, Path(max_length=32)]


def _admin(request: Request, env: Env) -> Identity | Response:
    who = signed_in(request, env)
    if isinstance(who, Identity) and not who.is_admin:
        raise DomainError(
            "forbidden", "仅登记机构管理员可用", "registrar administrators only", status=403
        )
    return who


def _page(
    request: Request, env: Env, who: Identity, *, error: Any = None, status: int = 200
) -> Response:
    pick = picker(lang_of(request))
    rows = [
        {
            "client_id": i.client_id,
            "name": i.name,
            "uscc": i.uscc,
            "kind": pick(KINDS[i.kind]),
            "state": i.state,
            "state_label": pick(STATES[i.state]),
            "scopes": [pick(label) for s, label in SCOPES.items() if s in i.scopes],
            "key_count": len(i.kids) if i.jwks is not None else None,
            "jwks_uri": i.jwks_uri,
            "since": day(i.created_at, lang_of(request)),
            "actions": [
                (a, pick((zh, en)))
                for a, (sources, _target, zh, en) in ACTIONS.items()
                if i.state in sources
            ],
        }
        for i in svc.list_all(who, env=env)
    ]
    return render(
        request, "admin_institutions.html", {"rows": rows, "error": error}, status_code=status
    )


@router.get("/admin/institutions", response_class=HTMLResponse)
def institutions_page(request: Request, env: EnvDep) -> Response:
    who = _admin(request, env)
    if isinstance(who, Response):
        return who
    return _page(request, env, who)


@router.post("/admin/institutions/{client_id}/actions/{action}", response_class=HTMLResponse)
async def institution_action(
    request: Request, env: EnvDep, client_id: ClientId, action: Action
) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_act, request, env, data, client_id, action)


def _act(request: Request, env: Env, data: FormData, client_id: str, action: str) -> Response:
    who = _admin(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    try:
        inst = svc.act(who, env=env, client_id=client_id, action=action)
    except DomainError as e:
        return _page(request, env, who, error=failure(request, e), status=e.status)
    return flash.redirect(request, "/admin/institutions", ok="recorded", ref=inst.name)


def read_rows(identity: Identity, env: Env, number: str, lang: str) -> list[dict[str, Any]]:
    """The registration's account of institutional reads, for its page (holders and the
    registry see it; the caller shows it only to them)."""
    pick = picker(lang)
    out = []
    for r in reversed(reads.for_registration(identity, env=env, number=number)):
        at = r.read_at.astimezone(SHANGHAI)
        out.append(
            {
                "name": r.institution_name,
                "kind": pick(KINDS.get(r.kind, (r.kind, r.kind))),
                "resource": pick(RESOURCES.get(r.resource, (r.resource, r.resource))),
                "scope": pick(SCOPES.get(r.scope, (r.scope, r.scope))),
                "purpose": r.purpose,
                "at": f"{day(at, lang)} {at:%H:%M}",
            }
        )
    return out
