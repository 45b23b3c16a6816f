"""After registration, the holder's forms on the registration's page (G§19–G§24, issue 7).

The page itself is `public.registration_response`: the public record for everyone, plus the
forms of the actions the signed-in visitor may take (`allowed_actions`). Each form posts
here; the route parses it, calls the same service as the API's
`POST /api/v1/registrations/{number}/actions/{action}` and redirects back, or re-renders the
page with the bilingual message and nothing changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services.context import Env
from dataip.web.api.registration_schemas import RegistrationActionIn
from dataip.web.deps import EnvDep
from dataip.web.pages.applicant import csrf_refused, failure, signed_in, version_of
from dataip.web.pages.public import registration_response
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)


@router.post("/registrations/{number}/sample-publication", response_class=HTMLResponse)
async def sample_publication(request: Request, env: EnvDep, number: str) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_publish_sample, request, env, data, number)


def _publish_sample(request: Request, env: Env, data: FormData, number: str) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    try:
        body = RegistrationActionIn.model_validate({"choice": data.get("choice") or None})
        actions.perform(
            who,
            env=env,
            number=number,
            action="publish_sample",
            payload=body.model_dump(mode="json", exclude_none=True),
            if_match=version_of(data),
        )
    except (DomainError, ValidationError) as e:
        status = e.status if isinstance(e, DomainError) else 422
        return registration_response(request, env, number, error=failure(request, e), status=status)
    return RedirectResponse(f"/registrations/{number}#sample", status_code=303)
