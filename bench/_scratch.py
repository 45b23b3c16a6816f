"""A registry on a scratch database, for the benchmarks that need a fixed PostgreSQL name: a
temporary SQLite file, or on PostgreSQL the database `database` — dropped first (a killed run
may have left it) and again at the end; and `foreign_keys_unchecked` for a bulk load. One
copy of what bench/search.py, bench/ranking.py and bench/registry_statistics.py each carried.
A module, not a benchmark (bench/ files starting with `_` are modules the scripts import)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry, build, init_database
from dataip.config import Settings


@contextmanager
def foreign_keys_unchecked(reg: Registry) -> Iterator[None]:
    """For a bulk load that inserts children before (or without) their parents: SQLite
    checks foreign keys per connection, so new connections skip them until the end (the pool
    is emptied before and after). On PostgreSQL nothing changes here: the load's own
    transactions `SET LOCAL session_replication_role = replica`."""
    if reg.engine.dialect.name == "postgresql":
        yield
        return
    reg.engine.dispose()

    def fk_off(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    sa.event.listen(reg.engine, "connect", fk_off)
    try:
        yield
    finally:
        sa.event.remove(reg.engine, "connect", fk_off)
        reg.engine.dispose()


@contextmanager
def scratch_registry(
    backend: str, pg_url: str, *, database: str, clock: Any, keep: bool = False
) -> Iterator[Registry]:
    """`keep`: on PostgreSQL, the database is left at the end (to look at its plans)."""
    with tempfile.TemporaryDirectory(prefix=f"{database}_") as tmp:
        admin = None
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp, f'{database}.sqlite3').as_posix()}"
        else:
            admin = sa.create_engine(sa.engine.make_url(pg_url), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                c.exec_driver_sql(f'CREATE DATABASE "{database}"')
            url = sa.engine.make_url(pg_url).set(database=database).render_as_string(False)
        reg = None
        try:
            settings = Settings(
                env="test", data_dir=Path(tmp), database_url=url, log_interval_seconds=0
            )
            reg = build(settings, clock=clock)
            init_database(reg)
            yield reg
        finally:
            if reg is not None:
                reg.dispose()
            if admin is not None:
                if not keep:
                    with admin.connect() as c:
                        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                admin.dispose()
