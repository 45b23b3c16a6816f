"""The one table mapping errors to HTTP: RFC 9457 problem+json with a stable `code` and
messages in Chinese and English. Nothing else in the web layer decides an error's shape."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataip.domain.errors import DomainError
from dataip.schemas.errors import invalid
from dataip.services import conflicts
from dataip.services.ports import ConcurrencyConflict

log = logging.getLogger("dataip.web")
PROBLEM = "application/problem+json"

_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求无效", "bad request"),
    401: ("unauthenticated", "请先登录", "authentication required"),
    403: ("forbidden", "无权访问", "forbidden"),
    404: ("not_found", "资源不存在", "not found"),
    405: ("method_not_allowed", "不支持该请求方法", "method not allowed"),
    406: ("not_acceptable", "无法提供所请求的格式", "not acceptable"),
    413: ("request_too_large", "请求内容过大", "request entity too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "unsupported media type"),
    428: ("precondition_required", "缺少 If-Match 请求头", "If-Match header required"),
}


def problem(
    status: int,
    code: str,
    zh: str,
    en: str,
    *,
    details: Any = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://dataip.dev/problems/{code}",
        "title": en,
        "status": status,
        "code": code,
        "detail": en,
        "message_zh": zh,
        "message_en": en,
    }
    if instance:
        body["instance"] = instance
    if details:
        body["details"] = details
    # What was refused or missing now may be there a moment later (a certificate version,
    # a log tile): no cache keeps a problem.
    headers = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def from_domain(e: DomainError, path: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
    wait = e.details.get("retry_after") if e.status == 429 else None
    if isinstance(wait, int):  # RFC 9110 §10.2.3: how long to wait before trying again
        headers = {"Retry-After": str(wait)}
    return problem(
        e.status,
        e.code,
        e.message_zh,
        e.message_en,
        details=e.details or None,
        instance=path,
        headers=headers,
    )


PageError = Callable[[Request, int, str, str, str], Response]


def install(app: FastAPI, *, page_error: PageError | None = None) -> None:
    """Register the handlers. For the portal's pages (`page_error` given and `is_page` of the
    path), the same status, code and messages are rendered as an HTML page instead."""

    def respond(
        request: Request,
        status: int,
        code: str,
        zh: str,
        en: str,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if page_error is not None and is_page(request.url.path):
            response = page_error(request, status, code, zh, en)
            for k, v in (headers or {}).items():
                response.headers[k] = v
            return response
        return problem(
            status, code, zh, en, details=details, instance=request.url.path, headers=headers
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, e: DomainError) -> Response:
        if page_error is not None and is_page(request.url.path):
            return respond(request, e.status, e.code, e.message_zh, e.message_en)
        return from_domain(e, request.url.path)

    @app.exception_handler(ConcurrencyConflict)
    async def _conflict(request: Request, e: ConcurrencyConflict) -> Response:
        # a lost race, whatever the backend and the endpoint: one table says what it means
        return await _domain(request, conflicts.problem(e))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        errors = [
            {
                "loc": [str(x) for x in err.get("loc", ())],
                "msg": err.get("msg"),
                "type": err.get("type"),
            }
            for err in e.errors()
        ]
        refusal = invalid(errors)  # invalid_request, or invalid_characters
        return respond(
            request,
            422,
            refusal.code,
            refusal.message_zh,
            refusal.message_en,
            details={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        code, zh, en = _HTTP_CODES.get(e.status_code, ("http_error", "请求失败", str(e.detail)))
        if e.status_code == 400 and "parsing the body" in str(e.detail):
            # JSON that does not parse — most often a GB18030 export pasted as the body
            zh = "请求体无法解析：须为 UTF-8 编码的 JSON（GB18030 等编码请先转换为 UTF-8）"
            en = "the request body could not be parsed: send UTF-8 JSON (convert GB18030 first)"
        return respond(request, e.status_code, code, zh, en, headers=getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return respond(
            request,
            500,
            "internal_error",
            "服务器内部错误，请稍后重试",
            "internal error; please retry later",
        )


def is_page(path: str) -> bool:
    """The portal's pages: everything but the API, the log, well-known files and operations."""
    return not (
        path.startswith(("/api/", "/log/", "/.well-known/", "/static/", "/witness/"))
        or path in ("/healthz", "/metrics")
    )
