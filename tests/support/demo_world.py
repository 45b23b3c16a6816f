"""The demo's world for tests that stand on it: populated once per worker, copied back after.

Some sixteen tests populate the demo in process (`services.demo.populate`: a realistic
registry with every procedure state) to check something else on it — statistics, pages, the
log's public part, the API contract. Each population cost 3.5–4.6 s of CPU (accounts,
parties, the procedure's walks, certificates, a year of signals), for the same rows each
time. Here the first population on the session's registry at a given moment of its clock is
kept (every table's rows as the database stores them, where each id sequence stands, and the
blob files), and a later call at the same moment on the same registry, emptied as `env`
leaves it, gets those rows copied back (0.02 s): the world a population makes, its random
parts (salts, tokens, SM2 signatures) those of the first. A call on a registry that is not
empty, or on another one (a peer's), populates for real. test_demo_world proves the copy is
the population's. The tests whose subject is the demo itself (`dataip demo`) run it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db.tables import metadata
from dataip.services import demo
from dataip.services.context import Env
from tests.support.db import KEEP, quiesce, tables_with_rows

_registries: list[tuple[Registry, Path]] = []


@dataclass
class _World:
    summary: dict[str, int]
    rows: dict[str, Any]  # table -> SQLite rows (tuples) or PostgreSQL COPY text (bytes)
    sequences: list[tuple[str, int]]  # PostgreSQL: each used sequence and its last value
    blobs: Path


# by registry, moment, profile, and whether screening workers run (their jobs are done
# before the world is kept; without workers the population screened inline)
_worlds: dict[tuple[int, datetime, str, bool], _World] = {}


def register(registry: Registry, folder: Path) -> None:
    """A registry whose worlds may be kept (the session's, tests/conftest.py; a kept peer's,
    tests/support/peers.py), their blob files under folder."""
    _registries.append((registry, folder))


def populate(env: Env) -> dict[str, int]:
    """`services.demo.populate(env)`, or the rows of an earlier one copied back (see above)."""
    registry, folder = next(((r, f) for r, f in _registries if r.env is env), (None, None))
    if registry is None or folder is None or not _empty(registry):
        return demo.populate(env)
    workers = env.screening is not None and env.screening.loop is not None
    key = (id(registry), env.now(), env.profile.id, workers)
    world = _worlds.get(key)
    if world is None:
        summary = demo.populate(env)
        quiesce(registry)
        _worlds[key] = _keep(registry, summary, folder)
        return dict(summary)
    _restore(registry, world)
    return dict(world.summary)


def _tables() -> list[sa.Table]:
    """Every table the `env` fixture empties, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in KEEP]


def _empty(registry: Registry) -> bool:
    """No rows in any table `env` empties, and no blob file."""
    blobs = Path(registry.settings.blob_dir)
    if blobs.exists() and any(blobs.iterdir()):
        return False
    with registry.engine.connect() as conn:
        return not tables_with_rows(conn, [t.name for t in _tables()])


def _keep(registry: Registry, summary: dict[str, int], folder: Path) -> _World:
    folder.mkdir(parents=True, exist_ok=True)
    blobs = Path(tempfile.mkdtemp(dir=folder))
    source = Path(registry.settings.blob_dir)
    if source.exists():
        shutil.copytree(source, blobs, dirs_exist_ok=True)
    rows: dict[str, Any] = {}
    sequences: list[tuple[str, int]] = []
    with registry.engine.connect() as conn:
        if registry.engine.dialect.name == "postgresql":
            with conn.connection.driver_connection.cursor() as cursor:
                for t in _tables():
                    with cursor.copy(f'COPY "{t.name}" TO STDOUT') as copy:
                        rows[t.name] = b"".join(bytes(chunk) for chunk in copy)
            names = {"names": [t.name for t in _tables()]}
            sequences = [(n, int(v)) for n, v in conn.exec_driver_sql(_SEQUENCES, names).all()]
        else:
            for t in _tables():
                rows[t.name] = [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t.name}"')]
    return _World(dict(summary), rows, sequences, blobs)


# the sequences that the emptied tables' columns own (serial: deptype 'a', identity: 'i'),
# and where each stands; one never used (NULL) stays as `env` reset it
_SEQUENCES = (
    "SELECT s.oid::regclass::text, pg_sequence_last_value(s.oid) FROM pg_class s "
    "JOIN pg_sequence q ON q.seqrelid = s.oid "
    "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
    "AND d.deptype IN ('a', 'i') JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE t.relname = ANY(%(names)s) AND pg_sequence_last_value(s.oid) IS NOT NULL"
)


def _restore(registry: Registry, world: _World) -> None:
    shutil.copytree(world.blobs, registry.settings.blob_dir, dirs_exist_ok=True)
    with registry.engine.begin() as conn:
        if registry.engine.dialect.name == "postgresql":
            with conn.connection.driver_connection.cursor() as cursor:
                for t in _tables():
                    if world.rows[t.name]:
                        with cursor.copy(f'COPY "{t.name}" FROM STDIN') as copy:
                            copy.write(world.rows[t.name])
            for name, last in world.sequences:
                conn.exec_driver_sql("SELECT setval(%s, %s, true)", (name, last))
        else:
            for t in _tables():
                rows = world.rows[t.name]
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    conn.exec_driver_sql(f'INSERT INTO "{t.name}" VALUES ({marks})', rows)
    registry.env.invalidate_calendar()
    registry.env.forget_remembered()
