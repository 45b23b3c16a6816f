"""create_app(settings): builds the ASGI app; nothing happens at import time."""

from __future__ import annotations

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dataip.bootstrap import Registry, build
from dataip.config import Settings
from dataip.web import errors, middleware
from dataip.web.api import (
    accounts,
    applications,
    blobs,
    examination,
    inbox,
    parties,
    reference,
    registrations,
)


def create_app(settings: Settings | None = None, *, registry: Registry | None = None) -> FastAPI:
    registry = registry or build(settings)
    app = FastAPI(
        title="dataip — 数据知识产权登记",
        version="0.1.0",
        description="Open registry for data intellectual property (数据知识产权登记).",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.registry = registry
    metrics = middleware.Metrics()
    errors.install(app)
    middleware.install(app, max_request_bytes=registry.settings.max_request_bytes, metrics=metrics)
    for module in (
        accounts,
        parties,
        blobs,
        applications,
        examination,
        inbox,
        reference,
        registrations,
    ):
        app.include_router(module.router, prefix="/api/v1")

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        with registry.env.uow() as uow:
            uow.industries.count()
        return {"status": "ok", "profile": registry.env.profile.id}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
