"""A data property authority (数据产权登记机构) as another body would run it, for the tests of
issue 24 §1's HTTP adapter: a small FastAPI app on a real socket (uvicorn in a thread) that
takes filings (`POST /filings`), answers their state (`GET /filings/{id}`) and is told by the
test what it decided (`POST /filings/{id}/decision`, its own examiners' desk)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request

from tests.support.ports import free_port, release


@dataclass
class Authority:
    url: str = ""
    filings: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    down: bool = False  # answer 503 to everything
    lock: threading.Lock = field(default_factory=threading.Lock)


def _app(auth: Authority) -> FastAPI:
    app = FastAPI()

    def _up() -> None:
        if auth.down:
            raise HTTPException(503, "down")

    @app.post("/filings", status_code=201)
    async def take(request: Request) -> dict[str, Any]:
        _up()
        body = await request.json()
        with auth.lock:
            fid = f"HZDE-{len(auth.filings) + 1:04d}"
            auth.filings[fid] = body
            auth.states[fid] = {"state": "received"}
        return {"id": fid, "state": "received"}

    @app.get("/filings/{fid}")
    def state(fid: str) -> dict[str, Any]:
        _up()
        with auth.lock:
            if fid not in auth.states:
                raise HTTPException(404, "no such filing")
            return dict(auth.states[fid])

    @app.post("/filings/{fid}/decision")
    async def decide(fid: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        with auth.lock:
            auth.states[fid] = body
        return body

    return app


@contextlib.contextmanager
def authority() -> Iterator[Authority]:
    auth = Authority()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_app(auth), port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    auth.url = f"http://127.0.0.1:{port}"
    try:
        yield auth
    finally:
        server.should_exit = True
        thread.join(10)
        release(port)
