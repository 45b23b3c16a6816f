"""Alembic migrations against a fresh database (SQLite, or a scratch PostgreSQL database when
DATAIP_DATABASE_URL selects one): `upgrade head` builds exactly the schema of
`dataip.db.tables.metadata`, and `downgrade base` then `upgrade head` again works."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dataip.db.migrate import alembic_config, downgrade, upgrade
from dataip.db.search import SQLITE_FTS_TABLES
from dataip.db.tables import metadata


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind the session runs on, dropped afterwards."""
    admin = os.environ.get("DATAIP_DATABASE_URL", "")
    if not admin.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    from tests.conftest import _pg_database

    url, name = _pg_database(admin)
    try:
        yield url
    finally:
        eng = sa.create_engine(sa.engine.make_url(admin), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        eng.dispose()


def _diffs(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    # the FTS5 virtual table and its shadow tables cannot be declared
                    "include_name": lambda name, kind, _: (
                        not (kind == "table" and name in SQLITE_FTS_TABLES)
                    ),
                },
            )
            return list(compare_metadata(ctx, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - SQLITE_FTS_TABLES
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_upgrade_head_matches_the_metadata(fresh_url: str) -> None:
    assert _tables(fresh_url) == set()
    upgrade(fresh_url)
    assert _tables(fresh_url) == {*metadata.tables, "alembic_version"}
    assert _diffs(fresh_url) == []
    head = ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
    assert _revision(fresh_url) == head


def test_downgrade_to_base_and_upgrade_again(fresh_url: str) -> None:
    upgrade(fresh_url)
    downgrade(fresh_url, "base")
    assert _tables(fresh_url) <= {"alembic_version"}
    assert _revision(fresh_url) is None
    upgrade(fresh_url)
    assert _diffs(fresh_url) == []
    # One revision at a time, down to base and up to head again.
    script = ScriptDirectory.from_config(alembic_config(fresh_url))
    revisions = [r.revision for r in script.walk_revisions()][::-1]  # base first
    for rev in reversed(revisions):
        assert _revision(fresh_url) == rev
        downgrade(fresh_url, "-1")
    assert _revision(fresh_url) is None
    for rev in revisions:
        upgrade(fresh_url, "+1")
        assert _revision(fresh_url) == rev
    assert _diffs(fresh_url) == []


def test_upgrade_is_idempotent(fresh_url: str) -> None:
    upgrade(fresh_url)
    upgrade(fresh_url)  # `dataip init` runs it at every start
    assert _diffs(fresh_url) == []
