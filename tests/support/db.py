"""Reading the database behind the registry directly, to prove what a request did (or did not)
change: a snapshot of every table's rows, and counts."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db.tables import metadata
from dataip.services.context import FixedClock

Snapshot = dict[str, list[str]]


def tables_with_rows(conn: sa.Connection, names: list[str]) -> set[str]:
    """Which of these tables hold a row, in one query (an index probe each)."""
    query = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    return set(conn.exec_driver_sql(query).scalars())


# The tables a test never empties: the industry table (loaded once, read by all) and Alembic's.
KEEP = frozenset({"industries", "alembic_version"})


def empty(registry: Registry) -> None:
    """Every table but KEEP emptied, their ids numbered from 1 again (as in a fresh
    database; SQLite numbers from the largest id left, so from 1 once the table is empty), and
    the blob folder with them. One query names the tables with rows, and only those get a
    DELETE: a TRUNCATE of every table (RESTART IDENTITY) cost PostgreSQL 115-220 ms a test
    whatever the test had written (a new file for each table and index), and a DELETE on each
    of the ~90 tables, most of them empty, was most of an SQLite test's emptying."""
    # children before parents, so each DELETE leaves no reference dangling
    names = [t.name for t in reversed(metadata.sorted_tables) if t.name not in KEEP]
    with registry.engine.begin() as conn:
        filled = tables_with_rows(conn, names)
        for n in names:
            if n in filled:
                conn.exec_driver_sql(f'DELETE FROM "{n}"')
        if conn.dialect.name == "postgresql":
            # the id sequences that handed out a value restart (what RESTART IDENTITY did,
            # without a new file): those the tables' columns own (serial: deptype 'a',
            # identity: 'i')
            conn.exec_driver_sql(
                "SELECT setval(s.oid, q.seqstart, false) FROM pg_class s "
                "JOIN pg_sequence q ON q.seqrelid = s.oid "
                "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
                "AND d.deptype IN ('a', 'i') "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE t.relname = ANY(%(names)s) AND pg_sequence_last_value(s.oid) IS NOT NULL",
                {"names": names},
            )
    # Left to grow, the blob folder held every earlier test's uploads (a folder pair per
    # file), and each `snapshot` walked them all: late in a worker's session a snapshot cost
    # tens of milliseconds, and test_bad_input takes hundreds.
    shutil.rmtree(registry.settings.blob_dir, ignore_errors=True)


def reset(registry: Registry, at: datetime) -> None:
    """The registry as a test starts on it: emptied (`empty`), its fixed clock at `at`, the
    calendar and what its environment remembers forgotten (their generations start again with
    the ids)."""
    empty(registry)
    clock = registry.env.clock
    assert isinstance(clock, FixedClock), "a test's registry runs on a fixed clock"
    clock.advance_to(at)
    registry.env.invalidate_calendar()
    registry.env.forget_remembered()


def quiesce(registry: Registry, timeout: float = 60) -> None:
    """Wait until the server's screening workers (issue 18), which write in the background,
    have screened every queued file: a snapshot then shows what requests did, not where a
    worker happened to be. Without a running worker nothing writes behind the test's back."""
    setup = registry.env.screening
    if setup is None or setup.loop is None or setup.workers == 0:
        return
    deadline = time.monotonic() + timeout
    while count(registry, "screening_jobs"):
        assert time.monotonic() < deadline, "the screening workers did not finish in time"
        time.sleep(0.02)


# SQLite: the rows of the last snapshot of each database file, by the `PRAGMA data_version`
# they were read at. A watcher connection of the test's own (it never writes) sees that
# number change whenever any other connection commits, so an unchanged number means the rows
# are the ones read before — test_i18_control_characters and test_bad_input snapshot after
# every refused request, and reading every table again was most of their time.
_watchers: dict[str, sqlite3.Connection] = {}
_last_rows: dict[str, tuple[int, dict[str, list[str]]]] = {}


def _data_version(registry: Registry) -> tuple[str, int] | None:
    url = registry.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = url.database
    watcher = _watchers.get(path)
    if watcher is None:
        watcher = _watchers[path] = sqlite3.connect(path, check_same_thread=False)
    return path, int(watcher.execute("PRAGMA data_version").fetchone()[0])


def snapshot(registry: Registry) -> Snapshot:
    """Every row of every table (as sorted reprs), and the files in the blob store, once the
    background workers are idle."""
    quiesce(registry)
    version = _data_version(registry)
    cached = _last_rows.get(version[0]) if version else None
    if version and cached and cached[0] == version[1]:
        out: Snapshot = dict(cached[1])
    else:
        with registry.engine.connect() as conn:
            out = _rows_postgresql(conn) if conn.dialect.name == "postgresql" else _rows(conn)
        if version:
            _last_rows[version[0]] = (version[1], dict(out))
    out["<blob files>"] = blob_files(Path(registry.settings.blob_dir))
    return out


def _rows(conn: sa.Connection) -> Snapshot:
    out: Snapshot = {}
    for table in metadata.sorted_tables:
        rows = conn.execute(sa.select(table)).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


def _rows_postgresql(conn: sa.Connection) -> Snapshot:
    """Every table's rows in one statement, each row as PostgreSQL's text form of it: a
    SELECT per table (about a hundred round trips, each planned on the server) was most of
    test_bad_input's time on PostgreSQL, which snapshots before and after its cases."""
    names = [table.name for table in metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{n}', t::text FROM \"{n}\" t" for n in names)
    out: Snapshot = {n: [] for n in names}
    for name, row in conn.exec_driver_sql(query):
        out[name].append(row)
    return {n: sorted(rows) for n, rows in out.items()}


def blob_files(root: Path) -> list[str]:
    """The files under the blob folder, as sorted relative paths (os.walk: a few times
    quicker than Path.rglob, which stat()s each entry again)."""
    found = []
    for folder, _, files in os.walk(root):
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        found.extend(name if rel == "." else f"{rel}/{name}" for name in files)
    return sorted(found)


def changed_tables(before: Snapshot, after: Snapshot) -> dict[str, dict[str, Any]]:
    """What differs between two snapshots, table by table (empty when nothing changed)."""
    diff: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        a, b = set(before.get(name, [])), set(after.get(name, []))
        if a != b:
            diff[name] = {"removed": sorted(a - b)[:5], "added": sorted(b - a)[:5]}
    return diff


def count(registry: Registry, table: str, **where: Any) -> int:
    t = metadata.tables[table]
    stmt = sa.select(sa.func.count()).select_from(t)
    for column, value in where.items():
        stmt = stmt.where(t.c[column] == value)
    with registry.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())
