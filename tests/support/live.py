"""The app of a test's registry served on a real socket in a thread (uvicorn), for clients
that need a real URL: the CLI's HTTP client, a browser."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator

import uvicorn

from dataip.bootstrap import Registry
from tests.support.ports import free_port, release


@contextlib.contextmanager
def serve(registry: Registry, port: int | None = None, *, public: bool = False) -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:PORT`); stops the server on exit. `port`: one
    chosen before (a registry whose issuer URL must be its own address). `public`: the server
    says it is at that URL (`public_base_url`: the OAuth metadata's issuer and token endpoint,
    which a client's assertion names as its audience)."""
    from dataip.web.app import create_app

    mine = port is None  # a port chosen before is its chooser's to release
    if port is None:
        port = free_port()
    if public:
        url = f"http://127.0.0.1:{port}"
        registry = dataclasses.replace(
            registry, settings=registry.settings.model_copy(update={"public_base_url": url})
        )
    server = uvicorn.Server(
        uvicorn.Config(create_app(registry=registry), port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        if mine:
            release(port)
