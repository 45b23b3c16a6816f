"""Fixtures for CLI tests that talk to the registry over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from dataip.bootstrap import Registry
from dataip.services.context import Env


@pytest.fixture
def live_url(registry: Registry, env: Env) -> Iterator[str]:
    """The app on a real socket, so the CLI's HTTP client talks to it like to any registry."""
    from dataip.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(registry=registry), port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/log"
    server.should_exit = True
    thread.join(10)
