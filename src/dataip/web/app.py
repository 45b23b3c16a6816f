"""create_app(settings): builds the ASGI app; nothing happens at import time."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dataip.bootstrap import Registry, build
from dataip.config import Settings
from dataip.services import log_static, scheduler
from dataip.services.certificates import attach_proofs
from dataip.services.context import Env
from dataip.services.federation.push import push as push_to_witnesses
from dataip.services.ledger import IntegratorLoop
from dataip.services.ledger import status as ledger_status
from dataip.services.screening_worker import ScreeningLoop
from dataip.services.sharing.delivery import DeliverySetup, WebhookLoop
from dataip.web import errors, middleware, pages, problems
from dataip.web.api import (
    accounts,
    announcements,
    applications,
    blobs,
    catalogue,
    certificates,
    directory,
    distribution,
    dossiers,
    events,
    evidence,
    examination,
    inbox,
    institutions,
    log,
    needs,
    oauth,
    parties,
    pledges,
    preservation,
    quality,
    rankings,
    reference,
    registrations,
    statistics,
    valuations,
    webhooks,
    witness,
)


def create_app(settings: Settings | None = None, *, registry: Registry | None = None) -> FastAPI:
    registry = registry or build(settings)
    app = FastAPI(
        lifespan=_lifespan(registry),
        title="dataip — 数据知识产权登记",
        version="0.1.0",
        description="Open registry for data intellectual property (数据知识产权登记).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    _self_hosted_docs(app)
    app.state.registry = registry
    metrics = middleware.Metrics()
    errors.install(app, page_error=pages.error_page)

    # A request's path is tried against the routes in the order they were added, every
    # route of every router in turn (FastAPI matches no prefix first): the most requested
    # and cheapest — the operations endpoints, the public log — come first, then the pages,
    # then the API (issue 25: /healthz was tried against ~218 routes, a third of its CPU).
    # Each group has first path segments of its own (no page lives under /api/, /log/,
    # /.well-known/, /oauth/ or /witness/: `errors.is_page`), so no path can match routes
    # of two groups and the order changes what each request costs, never where it goes.
    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        with registry.env.uow() as uow:
            uow.industries.count()
        return {"status": "ok", "profile": registry.env.profile.id}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics_endpoint() -> Response:
        for kind, value in ledger_status(registry.env).items():
            metrics.log.labels(kind).set(value)
        if registry.log_static is not None:
            metrics.log.labels("static").set(log_static.static_size(registry.log_static))
        failures, last_run = scheduler.status(registry.env)
        for job, value in failures.items():
            metrics.tick_failures.labels(job).set(value)
        if last_run is not None:
            metrics.tick_last_run.set(last_run)
        return Response(metrics.exposition(), media_type=metrics.content_type)

    app.include_router(log.public_router)
    app.include_router(certificates.public_router)
    app.include_router(oauth.router)  # /oauth/token, RFC 8414 metadata (issue 20)
    app.include_router(witness.router)  # C2SP tlog-witness (issue 21 §3)
    pages.install(app)
    middleware.install(app, max_request_bytes=registry.settings.max_request_bytes, metrics=metrics)
    for module in (
        accounts,
        parties,
        blobs,
        evidence,
        applications,
        examination,
        inbox,
        log,
        reference,
        registrations,
        preservation,
        pledges,  # issue 20 §6
        announcements,
        certificates,
        institutions,
        events,  # issue 20 §4
        webhooks,  # issue 20 §5
        quality,  # issue 22 §1
        distribution,  # issue 23 §1–§2
        valuations,  # issue 22 §2
        needs,  # issue 23 §3–§4: service matching
        catalogue,  # issue 24 §4
        rankings,  # issue 22 §4: the hotness ranking and its daily counts
        statistics,  # issue 22 §5–6
        directory,  # issue 23 §5: the service directory
        dossiers,  # issue 24 §2: one window (一窗受理)
    ):
        app.include_router(module.router, prefix="/api/v1")

    problems.install(app)
    return app


def _lifespan(registry: Registry) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the ledger's checkpoint publisher with the app (unless the interval is 0), and
    the sample-screening workers (issue 18; with none, request threads never screen either)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        interval = registry.settings.log_interval_seconds
        hooks = _webhook_loop(registry)  # issue 20 §5: woken by each integrator round
        # after each round: proofs into certificates, the new checkpoint to the peers'
        # witnesses (issue 21 §3), and the webhook sender woken
        then: list[Callable[[Env], object]] = [attach_proofs, push_to_witnesses]
        if hooks is not None:
            then.append(hooks.wake)
        if registry.log_static is not None:  # issue 25 §3: last, so a refusal stops nothing
            then.append(
                functools.partial(
                    log_static.publish,
                    store=registry.log_static,
                    key_text=registry.log_keys.verifier_text,
                )
            )
        loop = (
            IntegratorLoop(registry.env, registry.log_keys, interval, then=then)
            if interval > 0
            else None
        )
        screening = ScreeningLoop(registry.env)
        if loop:
            loop.start()
        screening.start()
        if hooks:
            hooks.start()
        try:
            yield
        finally:
            if hooks:
                hooks.stop()
            screening.stop()
            if loop:
                loop.stop()

    return lifespan


def _webhook_loop(registry: Registry) -> WebhookLoop | None:
    s = registry.settings
    if s.webhook_workers <= 0:
        return None
    return WebhookLoop(registry.env, DeliverySetup.from_settings(s))


def _self_hosted_docs(app: FastAPI) -> None:
    """The API explorer served with its own assets: registries run on intranets (no CDN)."""
    app.mount(
        "/api/v1/docs-static",
        # Swagger UI 5 as fastapi-offline packages it (the UI before 5 cannot read 3.1)
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="docs-static",
    )

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="dataip API — 数据知识产权登记",
            swagger_js_url="/api/v1/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/api/v1/docs-static/swagger-ui.css",
            swagger_favicon_url="/api/v1/docs-static/favicon.png",
        )
