"""Counting a request as a signal (issue 22 §3) after its response is sent: the write runs as
the response's background task, so a public page is never slowed by it, and
`services.value.signals.record` never raises."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request, Response
from starlette.background import BackgroundTask, BackgroundTasks

from dataip.services.context import Env
from dataip.services.value import signals


def visit_of(request: Request) -> signals.Visit:
    return signals.Visit(
        address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )


def count_after(
    response: Response,
    request: Request,
    env: Env,
    kind: str,
    *,
    numbers: Sequence[str] = (),
    result: dict[str, object] | None = None,
) -> Response:
    """Count `kind` for the registrations named once `response` is sent (a verification:
    for the certificate `result` found authentic). Bots are dropped here, before any task."""
    visit = visit_of(request)
    if visit.is_bot or response.status_code >= 400:
        return response
    if result is not None:
        task = BackgroundTask(signals.record_verification, env, visit, result)
    elif numbers:
        task = BackgroundTask(signals.record, env, visit, kind, numbers=tuple(numbers))
    else:
        return response
    if response.background is None:
        response.background = task
    else:
        tasks = BackgroundTasks([response.background, task])
        response.background = tasks
    return response


def count_later(
    background: BackgroundTasks,
    request: Request,
    env: Env,
    kind: str,
    *,
    numbers: Sequence[str] = (),
    result: dict[str, object] | None = None,
) -> None:
    """`count_after` for a route that returns a model (FastAPI runs `background` after it)."""
    visit = visit_of(request)
    if visit.is_bot:
        return
    if result is not None:
        background.add_task(signals.record_verification, env, visit, result)
    elif numbers:
        background.add_task(signals.record, env, visit, kind, numbers=tuple(numbers))
