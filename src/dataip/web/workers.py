"""`dataip serve --workers N`: N server processes on one socket, under uvicorn's supervisor.

The parent process prepares the database (migrations, the log's and certificates' keys made on
first use) and binds the socket; each worker is a fresh interpreter (`spawn`) that builds its
own registry from the same settings with `worker_app` and serves the inherited socket. The
supervisor restarts a worker that dies or stops answering its health check, and SIGTERM or
SIGINT stops every worker gracefully (in-flight requests finish). The "ready at URL" line is
printed once, by the parent, when every worker has finished its start-up.

Nothing a request needs lives only in one worker: docs/operations.md ("Several processes,
several machines") lists the state each process keeps and why it agrees with the others'.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI
from uvicorn import Config
from uvicorn.supervisors.multiprocess import Multiprocess

from dataip.bootstrap import build
from dataip.config import Settings
from dataip.web.app import create_app
from dataip.web.middleware import METRICS_DIR_ENV, configure_logging

__all__ = ["run", "worker_app"]

STARTUP_TIMEOUT_SECONDS = 300.0  # then the supervisor carries on without the ready line


def worker_app() -> FastAPI:
    """The app of one worker (uvicorn's factory): a registry of its own, same settings."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(registry=build(settings))


class _Supervisor(Multiprocess):
    """uvicorn's process manager, which also says once when every worker serves."""

    def __init__(self, config: Config, ready_line: str) -> None:
        super().__init__(config, sockets=[config.bind_socket()])
        self.ready_line = ready_line
        self.ready = False

    def init_processes(self) -> None:
        super().init_processes()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        waiting = list(self.processes)
        while waiting and time.monotonic() < deadline:
            self.handle_signals()  # a SIGTERM during start-up stops it
            if self.should_exit.is_set():
                return
            if any(not p.process.is_alive() for p in waiting):
                return  # a worker failed to start: the supervisor's loop stops the rest
            waiting = [p for p in waiting if not p.is_ready(timeout=1)]
            if waiting:
                time.sleep(0.1)
        if not waiting:
            self.ready = True
            print(self.ready_line, flush=True)  # flushed: bin/start may read a pipe


def run(settings: Settings, workers: int, ready_line: str) -> bool:
    """Serve with `workers` processes until SIGTERM/SIGINT; False if they never all started.

    The workers read their settings from the environment, so the bind address chosen on the
    command line is put there first; Prometheus counters of every worker go to one scratch
    directory that `/metrics` sums (prometheus_client's multiprocess mode)."""
    os.environ["DATAIP_HOST"] = settings.host
    os.environ["DATAIP_PORT"] = str(settings.port)
    metrics_dir = Path(tempfile.mkdtemp(prefix="dataip-metrics-"))
    os.environ[METRICS_DIR_ENV] = str(metrics_dir)
    config = Config(
        "dataip.web.workers:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        timeout_worker_healthcheck=30,
    )
    try:
        supervisor = _Supervisor(config, ready_line)
        supervisor.run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return supervisor.ready
