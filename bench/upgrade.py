"""Benchmark the upgrade drill (issue 25 §5): a registry of N registrations built at an earlier
schema version, migrated to head (`dataip init` runs `alembic upgrade head`), with the time
each revision takes and whether the registry stays up meanwhile — reads and writes on the
tables the registry serves from, timed from other connections while the migration runs, and
(PostgreSQL) the locks the migration holds, sampled from pg_locks.

    python bench/upgrade.py                                  # 1,000,000 registrations, PostgreSQL
    python bench/upgrade.py --registrations 100000 --backend sqlite
    python bench/upgrade.py --smoke                          # CI: 2,000 on SQLite

The database (a temporary SQLite file, or `dataip_bench_upgrade` on DATAIP_BENCH_PG_URL,
dropped first and at the end) is migrated to `--from` (default 0030: the revisions after it
are this week's 0031 catalogue backfill, 0026 signals, 0027 statistics with its three indexes
on registrations, applications and events, 0032 directory), then loaded with the rows
bench/registry_statistics.py makes (per registration: its application, the registration, its
first version, four events; a filing for one in ten) — made by the server with
generate_series on PostgreSQL (1,000,000 in about 6 minutes on a loaded machine), executemany
of bench/registry_statistics.py's rows on SQLite; foreign keys unchecked. Then, while
`alembic upgrade` runs revision by revision:

  reads   — one thread: a registration by number, an application by id, the latest events
            of a subject (what a registration page reads), back to back;
  writes  — one thread: `UPDATE registrations SET version = version WHERE id = k` and
            `INSERT INTO events`, each rolled back (a write takes the lock a real one does);
  locks   — (PostgreSQL) every 50 ms, the relation locks the migration's backend holds.

Baseline: the same reads and writes for `--idle-seconds` before the upgrade (the registry
idle). Percentiles are nearest-rank. The machine is shared: the load average is recorded
before and after each phase.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from _timing import pct
from dataip.db import tables as t
from dataip.db.migrate import alembic_config, upgrade
from registry_statistics import NOW, chunk_rows, insert_bench_user
from smoke import add_smoke_option

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DATABASE = "dataip_bench_upgrade"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "upgrade.json"
CHUNK = 10_000
APP_NAME = "dataip-upgrade"
# industry classes of GB/T 4754 (the rows need a code; foreign keys are unchecked)
CLASSES = ["6410", "6421", "6429", "6440", "6450", "6510", "6520", "6531", "6540", "6550"]


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def summary(ms: list[float]) -> dict[str, Any]:
    if not ms:
        return {"calls": 0}
    return {
        "calls": len(ms),
        "p50_ms": round(pct(ms, 50), 2),
        "p95_ms": round(pct(ms, 95), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }


@contextmanager
def scratch(backend: str, pg_url: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="dataip_bench_upgrade_") as tmp:
        if backend == "sqlite":
            yield f"sqlite:///{Path(tmp, 'upgrade.sqlite3').as_posix()}"
            return
        admin = sa.create_engine(
            sa.make_url(pg_url), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            c.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
        try:
            yield sa.make_url(pg_url).set(database=PG_DATABASE).render_as_string(False)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            admin.dispose()


# PostgreSQL: the rows made by the server (generate_series), the same shape as chunk_rows's:
# filing dates spread over 2023-01 … 2026-11, 1–3 holders with credit codes, four events per
# registration, a filing for one in ten. Times are UTC (the columns hold UTC).
PG_LOAD = [
    (
        "applications",
        """INSERT INTO applications (id, filer_user_id, state, form, name, industry_code,
        application_number, filed_at, filing_date, version_no, fast_track, created_at,
        updated_at, version)
        SELECT i, 1, 'registered', '{{}}', '数据集' || i, {cls}, {number}, {day} + time '02:00',
        {day}, 1, false, {day} + time '02:00', {day} + time '02:00' + interval '30 days', 1
        FROM generate_series({lo}, {hi}) i""",
    ),
    (
        "registrations",
        """INSERT INTO registrations (id, application_id, registration_number,
        certificate_number, name, industry_code, registration_date, announcement_date,
        valid_from, valid_until, holders, state, created_at, certificate_version, version)
        SELECT i, i, {number}, to_char({day} + 30, 'YYYYMM') || '5200' || lpad(i::text, 7, '0'),
        '数据集' || i, {cls}, {day} + 30, {day} + 30, {day} + 30, {day} + 760, {holders},
        'valid', {day} + 30 + time '02:00', 1, 1
        FROM generate_series({lo}, {hi}) i""",
    ),
    (
        "registration_versions",
        """INSERT INTO registration_versions (registration_id, number, reason, name,
        industry_code, holders, form, valid_from, valid_until, effective_at)
        SELECT i, 1, 'registration', '数据集' || i, {cls}, {holders}, '{{}}', {day} + 30,
        {day} + 760, {day} + 30 + time '02:00'
        FROM generate_series({lo}, {hi}) i""",
    ),
    (
        "events",
        """INSERT INTO events (subject_type, subject_id, type, occurred_at, public, private)
        SELECT CASE WHEN k = 3 THEN 'certificate' ELSE 'application' END, i,
        (ARRAY['ApplicationSubmitted', 'ApplicationAccepted', 'ApplicationPublicised',
               'CertificateIssued'])[k + 1],
        {day} + k * 10 + time '02:00', '{{}}', '{{}}'
        FROM generate_series({lo}, {hi}) i, generate_series(0, 3) k""",
    ),
    (
        "filings",
        """INSERT INTO filings (number, registration_id, kind, contract_date, filed_at,
        filed_on, due_on, late, provisional, details, filer_user_id, state, consents)
        SELECT 'BA' || to_char({day} + 40, 'YYYY') || '5200' || lpad(i::text, 8, '0'), i,
        (ARRAY['licence', 'trade', 'pledge'])[i / 10 % 3 + 1], {day} + 38,
        {day} + 40 + time '02:00', {day} + 40, {day} + 50, false, false,
        jsonb_build_object('fee_fen', 100000 + i), 1, 'in_force', '[]'
        FROM generate_series({lo}, {hi}) i WHERE i % 10 = 0""",
    ),
]
PG_EXPR = {
    "day": "(date '2023-01-02' + ((i - 1)::bigint * 1395 / {n})::int)",
    "number": "(to_char(date '2023-01-02' + ((i - 1)::bigint * 1395 / {n})::int, 'YYYY')"
    " || (ARRAY['2', '3', '1', '4'])[i % 4 + 1] || '2' || lpad(i::text, 9, '0') || '0')",
    "cls": "(ARRAY['6410', '6421', '6429', '6440', '6450', '6510', '6520', '6531', '6540',"
    " '6550'])[i % 10 + 1]",
    "holders": "(SELECT jsonb_agg(jsonb_build_object('kind', 'legal_person', 'name',"
    " '演示公司' || (i * 7 + h) % 50000, 'credit_code', '91' || (ARRAY['52', '11', '31', '44'])"
    "[(i + h) % 4 + 1] || '0100MA' || lpad(((i * 13 + h) % 10000000)::text, 7, '0') || 'X'))"
    " FROM generate_series(1, 1 + i % 3 / 2 + i % 5 / 4) h)",
}


def load_postgresql(engine: sa.Engine, n: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    expr = {k: v.replace("{n}", str(n)) for k, v in PG_EXPR.items()}
    for lo in range(1, n + 1, 100_000):
        hi = min(n, lo + 99_999)
        with engine.begin() as c:
            c.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table, sql in PG_LOAD:
                got = c.exec_driver_sql(
                    sql.format(lo=lo, hi=hi, **expr).replace("%", "%%")
                ).rowcount
                counts[table] = counts.get(table, 0) + got
        say(f"  loaded {hi:,}")
    return counts


def load(url: str, n: int, seed: int) -> dict[str, Any]:
    engine = sa.create_engine(url, poolclass=NullPool)
    pg = engine.dialect.name == "postgresql"
    if not pg:

        @sa.event.listens_for(engine, "connect")
        def fk_off(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    rng = random.Random(seed)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with engine.begin() as c:
        insert_bench_user(c)
    for start in range(1, n + 1, CHUNK) if not pg else ():
        rows = chunk_rows(start, min(n + 1, start + CHUNK), n, rng, CLASSES)
        with engine.begin() as c:
            for table, batch in rows.items():
                if batch:
                    c.execute(sa.insert(table), batch)
                    counts[table.name] = counts.get(table.name, 0) + len(batch)
        if (start - 1 + CHUNK) % 100_000 == 0:
            say(f"  loaded {start - 1 + CHUNK:,}")
    if pg:
        counts = load_postgresql(engine, n)
        with engine.begin() as c:
            for table in ("applications", "registrations", "events", "filings", "users"):
                c.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    seconds = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE" if pg else "ANALYZE")
    engine.dispose()
    return {"rows": counts, "load_seconds": round(seconds, 1)}


class Traffic:
    """Reads and writes from other connections, each timed, while `running` is set."""

    def __init__(self, url: str, n: int) -> None:
        self.url, self.n = url, n
        self.running = threading.Event()
        self.reads: list[float] = []
        self.writes: list[float] = []
        self.errors: list[str] = []
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.running.set()
        for fn in (self._reader, self._writer):
            th = threading.Thread(target=fn, daemon=True)
            th.start()
            self.threads.append(th)

    def stop(self) -> None:
        self.running.clear()
        for th in self.threads:
            th.join(timeout=600)
        self.threads.clear()

    def _engine(self) -> sa.Engine:
        engine = sa.create_engine(self.url, poolclass=NullPool)
        if engine.dialect.name == "sqlite":

            @sa.event.listens_for(engine, "connect")
            def wal(dbapi_conn: Any, _: Any) -> None:
                dbapi_conn.execute("PRAGMA busy_timeout=600000")

        return engine

    def _reader(self) -> None:
        rng = random.Random(1)
        engine = self._engine()
        r, a, e = t.registrations.c, t.applications.c, t.events.c
        with engine.connect() as c:
            while self.running.is_set():
                i = rng.randint(1, self.n)
                began = time.perf_counter()
                try:
                    reg = c.execute(sa.select(r.registration_number).where(r.id == i)).first()
                    if reg is not None:
                        c.execute(
                            sa.select(r.id, r.name, r.holders).where(
                                r.registration_number == reg[0]
                            )
                        ).all()
                    c.execute(sa.select(a.name, a.state).where(a.id == i)).all()
                    c.execute(
                        sa.select(e.type, e.occurred_at)
                        .where(e.subject_type == "application", e.subject_id == i)
                        .order_by(e.id.desc())
                        .limit(20)
                    ).all()
                    c.rollback()
                except sa.exc.DBAPIError as exc:
                    self.errors.append(f"read: {type(exc.orig).__name__}: {exc.orig}"[:200])
                    c.rollback()
                self.reads.append((time.perf_counter() - began) * 1e3)
        engine.dispose()

    def _writer(self) -> None:
        rng = random.Random(2)
        engine = self._engine()
        r = t.registrations.c
        with engine.connect() as c:
            while self.running.is_set():
                i = rng.randint(1, self.n)
                began = time.perf_counter()
                try:
                    c.execute(sa.update(t.registrations).where(r.id == i).values(version=r.version))
                    c.execute(
                        sa.insert(t.events).values(
                            subject_type="registration",
                            subject_id=i,
                            type="BenchProbe",
                            occurred_at=NOW,
                            public={},
                            private={},
                        )
                    )
                except sa.exc.DBAPIError as exc:
                    self.errors.append(f"write: {type(exc.orig).__name__}: {exc.orig}"[:200])
                finally:
                    c.rollback()
                self.writes.append((time.perf_counter() - began) * 1e3)
                time.sleep(0.005)
        engine.dispose()


class LockSampler(threading.Thread):
    """(PostgreSQL) the relation locks the migration's backend holds, every 50 ms."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url, poolclass=NullPool)
        self.running = threading.Event()
        self.running.set()
        self.seen: dict[str, set[str]] = {}
        self.current = ""

    def run(self) -> None:
        sql = sa.text(
            "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name = :app AND l.granted AND c.relkind IN ('r', 'p')"
        )
        with self.engine.connect() as c:
            while self.running.is_set():
                for rel, mode in c.execute(sql, {"app": APP_NAME}):
                    if not rel.startswith("pg_"):
                        self.seen.setdefault(f"{self.current} {rel}", set()).add(mode)
                c.rollback()
                time.sleep(0.05)
        self.engine.dispose()


def revisions_after(url: str, start: str) -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    chain = [r.revision for r in script.walk_revisions(base=start, head="heads")]
    chain.reverse()  # walk_revisions goes head → base
    return [r for r in chain if r != start]


def run(args: argparse.Namespace) -> dict[str, Any]:
    backend = args.backend
    out: dict[str, Any] = {"backend": backend, "registrations": args.registrations}
    with scratch(backend, args.pg_url) as url:
        out["from_revision"] = args.from_revision
        say(f"[{backend}] migrating an empty database to {args.from_revision}")
        upgrade(url, args.from_revision)
        say(f"[{backend}] loading {args.registrations:,} registrations")
        out["load_average_before_load"] = load_average()
        out["load"] = load(url, args.registrations, args.seed)
        say(f"  {out['load']}")
        traffic = Traffic(url, args.registrations)
        say(f"[{backend}] idle traffic for {args.idle_seconds} s (baseline)")
        out["load_average_before_idle"] = load_average()
        traffic.start()
        time.sleep(args.idle_seconds)
        traffic.stop()
        out["idle"] = {"reads": summary(traffic.reads), "writes": summary(traffic.writes)}
        traffic.reads, traffic.writes = [], []
        sampler = LockSampler(url) if backend == "postgresql" else None
        migrate_url = url
        if backend == "postgresql":
            migrate_url = str(
                sa.make_url(url)
                .update_query_dict({"application_name": APP_NAME})
                .render_as_string(False)
            )
            assert sampler is not None
            sampler.start()
        out["load_average_before_upgrade"] = load_average()
        traffic.start()
        time.sleep(0.5)
        steps: dict[str, float] = {}
        started = time.perf_counter()
        for rev in revisions_after(url, args.from_revision):
            if sampler is not None:
                sampler.current = rev
            began = time.perf_counter()
            upgrade(migrate_url, rev)
            steps[rev] = round(time.perf_counter() - began, 2)
            say(f"  upgrade → {rev}: {steps[rev]} s")
        total = time.perf_counter() - started
        time.sleep(0.5)
        traffic.stop()
        out["load_average_after_upgrade"] = load_average()
        if sampler is not None:
            sampler.running.clear()
            sampler.join()
            served = {"registrations", "applications", "events", "filings", "announcements",
                      "registration_versions"}  # fmt: skip
            out["locks_on_served_tables"] = {
                k: sorted(v) for k, v in sorted(sampler.seen.items())
                if k.split()[1] in served
            }  # fmt: skip
        out["upgrade"] = {"revisions": steps, "seconds": round(total, 2)}
        out["during_upgrade"] = {
            "reads": summary(traffic.reads),
            "writes": summary(traffic.writes),
            "errors": traffic.errors[:20],
            "error_count": len(traffic.errors),
        }
        with sa.create_engine(url, poolclass=NullPool).connect() as c:
            head = c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
            idents = c.execute(
                sa.select(sa.func.count()).select_from(t.registration_identifiers)
            ).scalar_one()
        out["head"] = head
        out["identifiers_backfilled"] = int(idents)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--registrations", type=int, default=1_000_000)
    p.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--from", dest="from_revision", default="0030")
    p.add_argument("--idle-seconds", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=25)
    p.add_argument("--pg-url", default=os.environ.get("DATAIP_BENCH_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(p, argv, "upgrade", registrations=2_000, backend="sqlite", idle_seconds=1.0)
    args = p.parse_args(argv)
    result = {
        "what": "a registry built at an earlier schema version migrated to head while reads "
        "and writes run from other connections (issue 25 §5)",
        "command": "python bench/upgrade.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "baseline": "the same reads and writes with no migration running (idle)",
        "runs": [run(args)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
