"""Test harness: a real database (SQLite by default, PostgreSQL when DATAIP_DATABASE_URL is
set), migrated once per session with Alembic, emptied between tests; a fake clock; real HTTP
through the ASGI app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry, build, init_database
from dataip.config import Settings
from dataip.services import ledger
from dataip.services.context import SHANGHAI, Env, FixedClock
from tests.support import demo_world, peers, tools
from tests.support.api import Api
from tests.support.db import reset

# Every registry the suite builds, in this process or in a `dataip` subprocess that inherits
# the environment, hashes passwords with argon2id at its cheapest: real argon2id, but
# 0.55 s per account (hash and login) at the standard cost was most of the suite's time.
# tests/services/test_password_cost.py proves the standard cost is the default.
os.environ["DATAIP_PASSWORD_COST"] = "test"


def _pg_database(admin_url: str) -> tuple[str, str]:
    """A fresh database on the server at admin_url, so runs never share state."""
    name = f"dataip_test_{uuid.uuid4().hex[:10]}"
    url = sa.engine.make_url(admin_url)
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    eng.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    admin = os.environ.get("DATAIP_DATABASE_URL", "")
    if admin.startswith("postgresql"):
        url, name = _pg_database(admin)
        yield url
        eng = sa.create_engine(sa.engine.make_url(admin), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        eng.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "dataip.sqlite3"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(scope="session")
def registry(
    database_url: str, clock: FixedClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    data_dir: Path = tmp_path_factory.mktemp("var")
    settings = Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        token_ttl_hours=24 * 3650,
        log_interval_seconds=0,
        password_cost="test",
        statistics_min_interval_seconds=0,  # the home page's figures after every change
        webhook_workers=0,  # tests drive deliveries (services.sharing.delivery.run_pending)
        webhook_allow_private_urls=True,  # receivers on 127.0.0.1 (url_guard's own tests: off)
    )
    reg = build(settings, clock=clock)
    init_database(reg)
    demo_world.register(reg, tmp_path_factory.mktemp("demo-worlds"))  # demo rows kept
    yield reg
    reg.dispose()


@pytest.fixture
def env(registry: Registry, clock: FixedClock, request: pytest.FixtureRequest) -> Iterator[Env]:
    reset(registry, datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
    yield registry.env
    # R6 / issue 3: whatever a test did through the services, every change is in the log —
    # an action that changes state without its event and leaf fails the test that ran it.
    if request.node.get_closest_marker("tampers") is None:
        findings = ledger.unlogged_changes(registry.env)
        assert not findings, f"changes the transparency log does not account for: {findings}"


@pytest.fixture(scope="session")
def app(registry: Registry) -> FastAPI:
    """One ASGI app for the session, as a server has: FastAPI builds each router's routes
    (dependants, validators) on the first request it matches, which per test was a quarter
    of an API test's time. It holds no per-test state: the database is emptied by ``env``,
    and each test gets its own client (cookies) and lifespan."""
    from dataip.web.app import create_app

    return create_app(registry=registry)


@pytest.fixture
def client(app: FastAPI, env: Env) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(client: TestClient, clock: FixedClock) -> Api:
    return Api(client, clock)


def pytest_sessionfinish(session: pytest.Session) -> None:
    peers.close_kept()  # the peer registries kept for the session (tests/support/peers.py)


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATAIP_DATABASE_URL", "")
    return "database: " + ("postgresql" if url.startswith("postgresql") else "sqlite")


# Tests whose subject does not depend on the database — what a browser shows, how a
# certificate renders, files on disk, the server's bind address, the label tables — marked
# `dialect_independent`: CI runs them in its SQLite pass only (`.ci/run` passes
# `-m "not dialect_independent"` to the PostgreSQL pass), which keeps CI within its time.
# `bin/test` on PostgreSQL still runs them.
DIALECT_INDEPENDENT = (
    "tests/unit/",  # never reach a database
    "tests/bench/",
    "tests/e2e/browser/",
    "tests/e2e/api/test_certificate_qr.py",
    "tests/e2e/test_i19_serve_address.py",
    "tests/e2e/cli/test_i19_fingerprint_out.py",
    "tests/e2e/pages/test_i19_no_raw_codes.py",
    # exhaustive walks of the procedure's tables through the API: what they prove is the
    # tables' logic (each offered action succeeds, each deadline closes), the same on any
    # database; the rest of the suite proves the storage on both
    "tests/e2e/api/test_i19_allowed_actions.py",
    "tests/e2e/api/test_i19_allowed_actions_after_registration.py",
    "tests/e2e/api/test_r_deadlines_closed.py",
    # every portal form refuses control characters before anything is stored
    "tests/e2e/pages/test_i18_control_characters.py",
    # how a schema's refusal of a portal form is worded (labels and messages, zh and en)
    "tests/e2e/pages/test_i19_schema_errors.py",
    # the protocol between three registry processes (witnessing, recognition, status); the
    # federation tables and the witness's compare-and-swap are proven on both databases by
    # test_i21_witness, test_i21_witness_push, test_i21_foreign_certificates,
    # test_i21_peer_duplicates and integration/test_i21_trust_list_cache
    "tests/e2e/test_i21_three_registries.py",
    # issue 25 §5: key files and restarts; the servers' database is incidental
    "tests/e2e/test_i25_key_rotation.py",
)


# Dialect-independent tests that CI runs in its PostgreSQL pass instead of its SQLite pass
# (`.ci/run`: marker `balanced_to_postgresql`), so that the two passes, which run side by side
# on two cores, end together: alone, the SQLite pass (every test) cost 1,330 CPU seconds and
# the PostgreSQL pass (the rest) 705 (7 December 2026). These reach no database: the unit
# tests, and the bench scripts (on scratch SQLite files of their own). With the browser tests
# moved too, the PostgreSQL pass ended 94 s after the SQLite pass: they stay in the SQLite
# pass. `bin/test` on one database still runs them all.
BALANCED_TO_POSTGRESQL = (
    "tests/unit/",
    "tests/bench/",
)


# The files that take a minute or more, longest first. bin/test hands files to its workers in
# collection order (pytest-xdist --dist loadfile --no-loadscope-reorder), and these go first:
# by default xdist starts the files with the most tests first, which left these one-test files
# (each on one worker, whole) for the end, one worker busy for minutes while the other idled.
LONG_FIRST = (
    # issue 25: each starts several `dataip` servers or commands one after another
    "tests/e2e/test_i25_two_servers.py",
    "tests/e2e/test_i25_key_rotation.py",
    "tests/e2e/cli/test_i25_backup_drill.py",
    "tests/bench/test_bench_smoke_other.py",
    "tests/e2e/api/test_i19_allowed_actions_after_registration.py",
    "tests/e2e/test_i21_three_registries.py",
    # hundreds of cases, one module: the PostgreSQL pass's longest file
    "tests/e2e/api/test_bad_input.py",
    "tests/e2e/api/test_i19_allowed_actions.py",
    "tests/e2e/pages/test_i18_control_characters.py",
    "tests/bench/test_bench_smoke.py",
    "tests/e2e/test_i19_serve_address.py",
    "tests/e2e/api/test_certificate_qr.py",
    "tests/e2e/test_log_crash.py",
    "tests/e2e/test_log_server.py",
    "tests/e2e/api/test_r_deadlines_closed.py",
    "tests/e2e/api/test_i18_screening_queue.py",
    "tests/e2e/api/test_i18_log_public_part.py",
    "tests/e2e/cli/test_i19_fingerprint_out.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    where = {item: Path(str(item.path)).relative_to(root).as_posix() for item in items}
    for item in items:
        if where[item].startswith(DIALECT_INDEPENDENT):
            item.add_marker(pytest.mark.dialect_independent)
            if where[item].startswith(BALANCED_TO_POSTGRESQL):
                item.add_marker(pytest.mark.balanced_to_postgresql)
    # a stable sort: the long files first, everything else as collected
    order = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: order.get(where[item], len(LONG_FIRST)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.needs("poppler", …)`: the outside tools a test verifies with —
    skipped without them, failed without them under CI (tests/support/tools.py)."""
    names = [n for mark in item.iter_markers("needs") for n in mark.args]
    if names:
        tools.require(names)
