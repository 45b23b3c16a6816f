"""The portal: server-rendered pages (Jinja2, Babel), Chinese first. `install(app)` adds the
routes, the static assets, the security middleware and the HTML error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from dataip.domain.errors import DomainError
from dataip.web.pages import (
    account,
    applicant,
    directory,
    distribution,
    examiner,
    holder,
    institutions,
    needs,
    objections,
    one_window,
    parties,
    public,
    quality,
    rankings,
    security,
    signup,
    statistics,
    typical_cases,
    valuations,
)
from dataip.web.pages.render import STATIC, render


def error_page(request: Request, status: int, code: str, zh: str, en: str) -> Response:
    """The HTML face of web/errors' table: the same status, code and messages."""
    if not hasattr(request.state, "csrf_token"):
        request.state.csrf_token = ""
    error = DomainError(code, zh, en, status=status)
    return render(request, "error.html", {"error": error, "code": code}, status_code=status)


class SignedIn:
    """Who is signed in, for the layout's navigation (pages that act check it again): a page
    request with a session cookie. Pure ASGI, like every layer (web/middleware.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and security.is_page(scope["path"]):
            request = Request(scope)
            if security.session_token(request):
                account.page_identity(request, request.app.state.registry.env)
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    security.install(app)  # inside SignedIn: the CSRF token may derive from the session
    app.add_middleware(SignedIn)

    app.include_router(account.router)
    app.include_router(public.router)
    app.include_router(applicant.router)
    app.include_router(signup.router)
    app.include_router(examiner.router)
    app.include_router(holder.router)
    app.include_router(quality.router)  # issue 22 §1
    app.include_router(objections.router)
    app.include_router(parties.router)
    app.include_router(institutions.router)
    app.include_router(distribution.router)  # issue 23 §1–§2

    app.include_router(valuations.router)  # issue 22 §2
    app.include_router(needs.router)  # issue 23 §3–§4: service matching
    app.include_router(directory.router)  # issue 23 §5: the service directory
    app.include_router(rankings.router)  # issue 22 §4: 热度榜
    app.include_router(statistics.router)  # issue 22 §5–6
    app.include_router(one_window.router)  # issue 24 §2: the one-window dossier
    app.include_router(typical_cases.router)  # JS25§10: the typical cases page
