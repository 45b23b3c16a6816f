"""Cross-cutting HTTP concerns: request size cap, Idempotency-Key replay, structured JSON
access logs and Prometheus metrics.

Every layer is pure ASGI (starlette's "Pure ASGI Middleware"): a `BaseHTTPMiddleware` layer
(`@app.middleware("http")`) runs the rest of the app in a task of its own and streams its
answer through a memory channel, which cost about a third of a small request's CPU with four
of them (issue 25, docs/operations.md "Capacity"). Only the Idempotency-Key replay keeps a
`BaseHTTPMiddleware` dispatch, for the few requests it acts on (a POST carrying the header)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataip.domain.errors import DomainError
from dataip.services import idempotency
from dataip.services.context import Env
from dataip.web.deps import get_identity
from dataip.web.errors import from_domain, problem

access_log = logging.getLogger("dataip.access")
Next = Callable[[Request], Awaitable[Response]]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers and `jq` read."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in (
            "method",
            "path",
            "status",
            "duration_ms",
            "request_id",
            "user_id",
            "role",
            "auth",
            "blob",
            "application_id",
            "at",
        ):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("dataip")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


# Where prometheus_client's multiprocess mode keeps each process's counters (its own variable,
# read by the library when it is imported): `dataip serve --workers N` sets it for its workers
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """The server's Prometheus series. Under `serve --workers N` every worker counts into the
    shared directory and `/metrics` (whichever worker answers) sums them all; the gauges are
    read from the database at each scrape, so the answering worker's value is the value."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(METRICS_DIR_ENV))
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dataip_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "dataip_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )
        self.log = Gauge(
            "dataip_log_leaves",
            "Transparency log leaves: size (integrated), published (signed), pending, and "
            "static (the checkpoint in DATAIP_LOG_STATIC_DIR or _STORE, when set)",
            ["kind"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.tick_failures = Gauge(
            "dataip_tick_failures",
            "Items `dataip tick` could not apply on its last run, by job (each rolled back "
            "alone and retried by the next run)",
            ["job"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.tick_last_run = Gauge(
            "dataip_tick_last_run_timestamp_seconds",
            "When the last complete `dataip tick` run ended (Unix time; 0 before the first)",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def exposition(self) -> bytes:
        """The text format of every series: this process's, or every worker's summed."""
        if not self.multiprocess:
            return bytes(generate_latest(self.registry))
        summed = CollectorRegistry()
        MultiProcessCollector(summed)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(summed))


def _too_large(max_bytes: int) -> Response:
    return problem(
        413,
        "request_too_large",
        "请求内容过大",
        "request entity too large",
        details={"max_bytes": max_bytes},
    )


class BodyLimit:
    """Cap the request body as it arrives, so a chunked body (no Content-Length) cannot
    bypass the limit. Past the cap the app is told the client went away, so it stops before
    acting, and whatever it answers is replaced by 413 `request_too_large`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body; ours follows
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _too_large(self.max_bytes)(scope, receive, send)


def _bad_text(value: str) -> bool:
    """NUL (no database stores it in text) or a lone surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _any_bad_text(data: object) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _json_body(headers: Headers) -> bool:
    return "json" in headers.get("content-type", "")


def _unsafe_query(query: QueryParams) -> bool:
    """Whether the query carries text no backend can store."""
    return any(_bad_text(k) or _bad_text(v) for k, v in query.multi_items())


def _unsafe_json(body: bytes) -> bool:
    """Whether a JSON body carries text no backend can store."""
    if b"\\u" not in body:  # both only arrive as \u escapes in valid JSON
        return False
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # the endpoint answers malformed JSON itself
    return _any_bad_text(data)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app once the body has been read here: the body again, whole, then
    whatever the client sends next (its disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if not pending:
            return await receive()
        pending = False
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _claim(
    env: Env, user_id: int, key: str, req_hash: str
) -> idempotency.Replay | idempotency.Reservation | idempotency.Busy:
    """Reserve the key, or wait (bounded) for the request holding it to answer."""
    deadline = time.monotonic() + idempotency.WAIT_SECONDS
    while True:
        claimed = await run_in_threadpool(
            partial(idempotency.claim, env=env, user_id=user_id, key=key, req_hash=req_hash)
        )
        if not isinstance(claimed, idempotency.Busy) or time.monotonic() >= deadline:
            return claimed
        await asyncio.sleep(idempotency.POLL_SECONDS)


def _replay(answer: idempotency.Replay) -> Response:
    headers = {**answer.headers, "Idempotent-Replayed": "true"}
    if not any(k.lower() == "content-type" for k in headers):  # recorded before headers were
        kind = "application/problem+json" if answer.status >= 400 else "application/json"
        headers["Content-Type"] = kind
    return Response(answer.body, status_code=answer.status, headers=headers)


async def _answer(
    request: Request, call_next: Next, env: Env, held: idempotency.Reservation
) -> Response:
    """Do the work under the reservation; record the answer, or free the key on a failure."""
    try:
        response = await call_next(request)
        if response.status_code >= 500:
            await run_in_threadpool(partial(idempotency.release, env=env, reservation=held))
            return response
        chunks = [c async for c in response.body_iterator]  # type: ignore[attr-defined]
    except BaseException:
        await run_in_threadpool(partial(idempotency.release, env=env, reservation=held))
        raise
    raw = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    headers = dict(response.headers)
    try:
        await run_in_threadpool(
            partial(
                idempotency.complete,
                env=env,
                reservation=held,
                status=response.status_code,
                body=raw,
                headers=headers,
            )
        )
    except Exception:  # the work is done: answer it; the key frees itself after the lease
        access_log.exception("idempotency answer not recorded", extra={"path": request.url.path})
    headers.pop("content-length", None)
    return Response(raw, status_code=response.status_code, headers=headers)


def _caller(request: Request) -> tuple[object | None, str | None]:
    """Who made the request, for the access log, and how they signed in: an API caller by its
    bearer token (`deps.get_identity`), a portal visitor by its session cookie
    (`pages.account.page_identity`); (None, None) for the anonymous."""
    for attr, auth in (("identity", "bearer"), ("page_user", "session")):
        identity = getattr(request.state, attr, None)
        if getattr(identity, "user_id", None) is not None:
            return identity, auth
    return None, None


async def _idempotent(request: Request, call_next: Next) -> Response:
    """A POST with an Idempotency-Key by a signed-in caller: its first answer, recorded and
    replayed to every retry with the same key and request."""
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None:
        return await call_next(request)
    env = request.app.state.registry.env
    try:
        identity = await run_in_threadpool(get_identity, request, env)
        if identity.user_id is None:
            return await call_next(request)
        idempotency.check_key(key)
        body = await request.body()
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        h = idempotency.request_hash(request.method, target, body)
        claimed = await _claim(env, identity.user_id, key, h)
    except DomainError as e:
        return from_domain(e, request.url.path)
    if isinstance(claimed, idempotency.Replay):
        return _replay(claimed)
    if isinstance(claimed, idempotency.Busy):
        response = from_domain(idempotency.in_progress(), request.url.path)
        response.headers["Retry-After"] = "1"
        return response
    return await _answer(request, call_next, env, claimed)


class Idempotent:
    """The gate of the Idempotency-Key replay: a POST carrying the header goes through
    `_idempotent` (a `BaseHTTPMiddleware` dispatch: it buffers and replays answers), every
    other request straight to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.acting = BaseHTTPMiddleware(app, dispatch=_idempotent)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and "idempotency-key" in Headers(scope=scope)
        ):
            await self.acting(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class Observe:
    """Every request: refused when its Content-Length is over the cap (413
    `request_too_large`) or its query or JSON body carries text no backend can store (422
    `invalid_characters`); answered with an X-Request-ID (the caller's, or a new one);
    counted in the metrics by route; logged to `dataip.access` with who made it."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, metrics: Metrics) -> None:
        self.app, self.max_bytes, self.metrics = app, max_bytes, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request = Request(scope, receive)
        headers = request.headers
        rid = headers.get("x-request-id") or uuid.uuid4().hex
        status = 500  # unless the app answers (it always does, or raises)

        async def identified(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        length = headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_bytes):
            await _too_large(self.max_bytes)(scope, receive, identified)
        else:
            body = None
            unsafe = _unsafe_query(request.query_params)
            if not unsafe and _json_body(headers):
                body = await request.body()  # replayed to the app below
                unsafe = _unsafe_json(body)
            if unsafe:
                await problem(
                    422,
                    "invalid_characters",
                    "请求含有不允许的字符（如空字符 NUL）",
                    "the request contains characters that cannot be stored "
                    "(NUL or a lone surrogate)",
                )(scope, receive, identified)
            else:
                inner = receive if body is None else _replaying(body, receive)
                await self.app(scope, inner, identified)
        elapsed = time.perf_counter() - start
        route = getattr(scope.get("route"), "path", "unmatched")  # set by the router
        method = request.method
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)
        identity, auth = _caller(request)
        access_log.info(
            "request",
            extra={
                "method": method,
                "path": request.url.path,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
                "request_id": rid,
                "user_id": getattr(identity, "user_id", None),
                "role": getattr(identity, "role", None),
                "auth": auth,
            },
        )


def install(app: FastAPI, *, max_request_bytes: int, metrics: Metrics) -> None:
    # each added layer wraps the ones before: BodyLimit outermost, then Observe, Idempotent
    # (and inside them the pages' SignedIn and PageSecurity, added before)
    app.add_middleware(Idempotent)
    app.add_middleware(Observe, max_bytes=max_request_bytes, metrics=metrics)
    # Added last, so outermost: it counts every byte, whoever reads the body.
    app.add_middleware(BodyLimit, max_bytes=max_request_bytes)
