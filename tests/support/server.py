"""A real `dataip serve` in a subprocess, on a scratch database of its own, with the real CLI
beside it: for end-to-end tests that need a live process (a background integrator, kill -9).

Nothing here imports `dataip`: the tests that use it talk to the registry the way an operator
and a client would — processes, HTTP and SQL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.support.ports import free_port, release

DATAIP = Path(sys.executable).with_name("dataip")


@contextlib.contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A database for one test: a SQLite file under tmp_path, or — when DATAIP_DATABASE_URL
    names a PostgreSQL server — a fresh database there, dropped afterwards."""
    admin = os.environ.get("DATAIP_DATABASE_URL", "")
    if not admin.startswith("postgresql"):
        yield f"sqlite:///{(tmp_path / 'dataip.sqlite3').as_posix()}"
        return
    name = f"dataip_e2e_{uuid.uuid4().hex}"
    url = sa.engine.make_url(admin)
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with eng.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with eng.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        eng.dispose()


class Server:
    """One registry deployment: data dir, database, port — and its `dataip serve` process,
    which can be started, stopped, killed and started again on the same state."""

    def __init__(self, tmp_path: Path, database_url: str, **settings: str) -> None:
        assert DATAIP.exists(), f"no dataip console script beside {sys.executable}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.data_dir = tmp_path / "var"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = tmp_path / "server.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DATAIP_")}
        self.env.update(
            DATAIP_ENV="development",
            DATAIP_PASSWORD_COST="test",
            DATAIP_DATA_DIR=str(self.data_dir),
            DATAIP_DATABASE_URL=database_url,
            DATAIP_HOST="127.0.0.1",
            DATAIP_PORT=str(self.port),
            DATAIP_PUBLIC_BASE_URL=self.base_url,
            COLUMNS="240",  # rich tables (the audit's findings) on one line each
            NO_COLOR="1",
        )
        self.env.update({f"DATAIP_{k.upper()}": v for k, v in settings.items()})
        self.serve_args: tuple[str, ...] = ()  # more `dataip serve` options (--workers 2)
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._engine: sa.Engine | None = None

    # --- the CLI --------------------------------------------------------------------------
    def cli(
        self, *args: str, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run `dataip ARGS…` with this deployment's settings; stdout and stderr merged."""
        r = subprocess.run(
            [str(DATAIP), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert r.returncode == 0, f"dataip {' '.join(args)} → {r.returncode}\n{r.stdout}"
        return r

    # --- the server -----------------------------------------------------------------------
    def start(self, timeout: float = 120) -> None:
        assert self.proc is None, "already running"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 — closed in _reaped
        self.proc = subprocess.Popen(
            [str(DATAIP), "serve", "--port", str(self.port), *self.serve_args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self._reaped()
                raise AssertionError(f"dataip serve exited with {code}\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"/healthz never answered 200\n{self.log_tail()}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not running"
        return self.proc.pid

    def kill(self) -> None:
        """kill -9: no shutdown hooks, no flushing, no lease released."""
        assert self.proc is not None, "not running"
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reaped()

    def stop(self) -> int | None:
        """Stop the server if it runs: SIGTERM, then SIGKILL if it lingers. Its exit code
        (negative: the signal that ended it; None: it was not running)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        code = self.proc.returncode
        self._reaped()
        return code

    def sibling(self, tmp_path: Path) -> Server:
        """Another server process of this registry — same database, data directory (keys,
        blobs) and public address, as behind a load balancer — on a port of its own, with
        its own log under tmp_path."""
        other = Server.__new__(Server)
        other.port = free_port()
        other.base_url = f"http://127.0.0.1:{other.port}"
        other.database_url = self.database_url
        other.data_dir = self.data_dir
        tmp_path.mkdir(parents=True, exist_ok=True)
        other.log_path = tmp_path / "server.log"
        other.env = {**self.env, "DATAIP_PORT": str(other.port)}
        other.serve_args = ()
        other.proc = None
        other._log = None
        other._engine = None
        return other

    def _reaped(self) -> None:
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    # --- the database, behind the registry's back -----------------------------------------
    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.database_url, poolclass=NullPool)
        return self._engine

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as c:
            return c.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[sa.Row[Any]]:
        with self.engine.connect() as c:
            return list(c.execute(sa.text(sql), params))

    def close(self) -> None:
        self.stop()
        release(self.port)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # --- the log --------------------------------------------------------------------------
    def wait_log_caught_up(self, timeout: float = 10) -> tuple[int, int]:
        """Poll /log/checkpoint until its tree size equals the number of events (every change
        published); returns (size, events). Fails with what it last saw."""
        deadline = time.monotonic() + timeout
        seen = "nothing"
        while True:
            events = int(self.scalar("SELECT count(*) FROM events"))
            try:
                r = httpx.get(f"{self.base_url}/log/checkpoint", timeout=5)
                if r.status_code == 200:
                    size = int(r.text.split("\n")[1])
                    if size == events:
                        return size, events
                    seen = f"checkpoint size {size}, {events} events"
                else:
                    seen = f"HTTP {r.status_code}: {r.text[:200]}"
            except httpx.HTTPError as exc:
                seen = repr(exc)
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the log did not catch up within {timeout}s: {seen}\n{self.log_tail()}"
                )
            time.sleep(0.1)


@contextlib.contextmanager
def deployment(tmp_path: Path, **settings: str) -> Iterator[Server]:
    """A Server on its own scratch database; always killed and cleaned up afterwards."""
    with scratch_database(tmp_path) as url:
        server = Server(tmp_path, url, **settings)
        try:
            yield server
        finally:
            server.close()
