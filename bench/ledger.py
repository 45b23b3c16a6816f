"""Benchmark the transparency log (RFC 6962 Merkle log, DESIGN §4) growing to N leaves, on
SQLite and on PostgreSQL, against a naive leaves-only baseline measured in the same run.

    python bench/ledger.py                        # 1,000,000 leaves, both backends
    python bench/ledger.py --n 20000 --backends sqlite
    python bench/ledger.py --profile 5000         # cProfile a small run instead, and exit

Each backend gets its own scratch database (a temporary SQLite file; on PostgreSQL a
`CREATE DATABASE dataip_bench_<random>` dropped at the end); nothing else is touched. If the
PostgreSQL server cannot be reached, that backend is skipped with a note.

What is measured, in this order, on one log that ends at exactly N leaves:

  1. load      — most of the N events (N minus the samples below) and their staged leaves are
                 bulk-inserted with SQLAlchemy Core, each leaf computed by
                 `ledger.event_leaf` from the event exactly as `record_event` would stage it.
                 This is how the benchmark reaches a million leaves in reasonable time; its
                 rate is reported for information only, it is NOT the append throughput.
     integrate — one `ledger.integrate(env, keys)` call (batch_size 10,000, one transaction
                 per batch, signed checkpoint(s) as the integrator decides: the JSON says how
                 many) sequencing all of them: leaves/s.
  2. batched   — the real write path on a sample (`--sample`, default 20,000 events):
                 `recording.record_event` inside `env.uow()`, `--per-commit` (1,000) events per
                 transaction, on top of the loaded log; events/s. Then `integrate` over the
                 sample, timed separately (leaves/s), and the two combined.
  3. single    — the real write path with one event per transaction (`--single`, 2,000):
                 `env.uow()` + `record_event` + commit per event; then `integrate`.
  4. latency   — checkpoint latency: one `integrate` call sequencing 1, 100 or 1,000 pending
                 leaves (staged by `record_event`, untimed) on top of the ~N-leaf tree, plus
                 the idle call (nothing pending) the publisher makes every interval. What a
                 client waits between its action and a signed checkpoint that includes it is
                 this plus up to one publish interval (`log_interval_seconds`, 1 s by default;
                 the server's loop runs integrate, then sleeps the interval). The benchmark
                 does not sleep.
  5. proofs    — at N leaves: median and p99 of `ledger.inclusion(env, i)` and of
                 `ledger.receipt(env, i)` over `--proofs` (1,000) random indices, each call a
                 full service call (unit of work, one batched read of stored subtree hashes).
                 Some are verified: `merkle.verify_inclusion` of the entry's leaf hash against
                 the root of the signed checkpoint (opened with the log's public key), and
                 `proof.verify_proof` of receipts.
  6. baseline  — the same proof when only leaves are stored: `SELECT leaf FROM log_entries
                 ORDER BY idx`, hash all N leaves, `merkle.root` and `merkle.inclusion_proof`
                 over all of them (`--baseline-reps`, 3; median). Checked equal to the stored
                 proof and to the signed root. Speed-up = baseline / median proof time.
  7. audit     — `ledger.audit(env, verifier)` over the whole log must report ok (the run fails
                 otherwise); leaves/s.

The events are a realistic mix of application lifecycle events (DraftCreated,
ApplicationSubmitted, ApplicationAccepted, CorrectionRequested, CorrectionSubmitted,
ApplicationPublicised), public part and salted commitments as the services write them, acted
by a few users; the applications they name are not created (the audit's state check skips
subjects it cannot find), so the benchmark times the log, not the application services.

Aims stated in the issue (reported, not asserted): at least 5,000 events/s batched on SQLite;
inclusion proofs under 1 ms at a million leaves.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry, build, init_database
from dataip.config import Settings
from dataip.db import tables as t
from dataip.domain import model as m
from dataip.ledger import merkle
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.proof import verify_proof
from dataip.services import ledger
from dataip.services.context import SHANGHAI, SystemClock
from dataip.services.recording import commitment, record_event
from smoke import add_smoke_option

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "ledger.json"
CODE_UNDER_TEST = (
    "services/ledger/__init__.py",
    "services/ledger/leaves.py",
    "services/ledger/tree.py",
    "services/ledger/integration.py",
    "services/ledger/proofs.py",
    "services/ledger/auditing.py",
    "services/recording.py",
    "services/public_screening.py",
    "domain/public_record.py",
    "domain/public_kinds.py",
    "db/repositories/ledger.py",
    "db/tables/registry.py",
    "db/uow.py",
    "ledger/merkle.py",
)

INTEGRATE_BATCH = 10_000  # `ledger.integrate`'s default
LOAD_CHUNK = 5_000  # events (and leaves) per bulk-load transaction
LATENCY_PLAN = ((0, 5), (1, 10), (100, 5), (1_000, 3))  # (pending leaves, repetitions)
PROOF_WARMUP = 20
VERIFY_PROOFS = 25  # proofs and receipts checked cryptographically
APPLICANTS = 40  # acting users: applicants 2..41, examiner 1
AIM_BATCHED_SQLITE = 5_000.0  # events/s
AIM_PROOF_MS = 1.0

LOAD_START = datetime(2025, 1, 6, 9, 0, tzinfo=SHANGHAI)  # the bulk-loaded history starts


# --- the events ----------------------------------------------------------------------------


def action(seq: int, at: datetime) -> dict[str, Any]:
    """The seq-th event of the history: six lifecycle steps per application, in turn.

    Returns record_event's keyword arguments; `private` holds raw content, committed to by
    the caller (as the services do with `commitment`).
    """
    app_id, step = divmod(seq, 6)
    holder = 2 + app_id % APPLICANTS
    day = (at + timedelta(days=7)).date().isoformat()
    steps: list[tuple[str, int, dict[str, Any], dict[str, Any]]] = [
        ("DraftCreated", holder, {}, {}),
        (
            "ApplicationSubmitted",
            holder,
            {"action": "submit", "state": "submitted", "due": {"accept": day}},
            {"form": {"name": f"城市交通拥堵预测数据集{app_id:07d}", "records": 1000 + seq}},
        ),
        (
            "ApplicationAccepted",
            1,
            {"action": "accept", "state": "under_examination", "due": {"examine": day}},
            {},
        ),
        (
            "CorrectionRequested",
            1,
            {
                "action": "request_correction",
                "state": "awaiting_correction",
                "due": {"correction": day},
            },
            {"defects": ["样本数据格式说明不完整", f"缺少第{seq % 9 + 1}项来源证明"]},
        ),
        (
            "CorrectionSubmitted",
            holder,
            {"action": "submit_correction", "state": "under_examination", "due": {"examine": day}},
            {"form": {"name": f"城市交通拥堵预测数据集{app_id:07d}", "records": 2000 + seq}},
        ),
        (
            "ApplicationPublicised",
            1,
            {
                "action": "publicise",
                "state": "publicised",
                "due": {"publicity": day},
                "fields": ["applicants", "name", "scenarios", "data_source", "scope"],
            },
            {},
        ),
    ]
    type_, actor, public, private = steps[step]
    return {
        "subject_type": "application",
        "subject_id": app_id + 1,
        "type": type_,
        "at": at,
        "actor_user_id": actor,
        "public": public,
        "private": private,
    }


def record(uow: Any, seq: int, at: datetime) -> m.Event:
    """One lifecycle event through the real path: commitments made, then `record_event`."""
    kw = action(seq, at)
    kw["private"] = {k: commitment(v) for k, v in kw["private"].items()}
    return record_event(uow, **kw)


# --- scratch databases ---------------------------------------------------------------------


class Unavailable(Exception):
    """The backend cannot be reached; it is skipped."""


@contextmanager
def scratch(backend: str, pg_url: str) -> Iterator[Registry]:
    """A registry on a brand-new, migrated database that is thrown away afterwards."""
    with tempfile.TemporaryDirectory(prefix="dataip_bench_") as tmp:
        admin = None
        name = ""
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp, 'bench.sqlite3').as_posix()}"
        elif backend == "postgresql":
            admin = sa.create_engine(sa.engine.make_url(pg_url), isolation_level="AUTOCOMMIT")
            name = f"dataip_bench_{uuid.uuid4().hex[:10]}"
            try:
                with admin.connect() as c:
                    c.exec_driver_sql(f'CREATE DATABASE "{name}"')
            except sa.exc.OperationalError as exc:
                admin.dispose()
                raise Unavailable(str(exc).splitlines()[0]) from exc
            url = sa.engine.make_url(pg_url).set(database=name).render_as_string(False)
        else:
            raise SystemExit(f"unknown backend {backend!r} (sqlite, postgresql)")
        reg = None
        try:
            settings = Settings(
                env="test", data_dir=Path(tmp), database_url=url, log_interval_seconds=0
            )
            reg = build(settings, clock=SystemClock())
            init_database(reg)
            yield reg
        finally:
            if reg is not None:
                reg.dispose()
            if admin is not None:
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()


def server_version(reg: Registry) -> str:
    if reg.engine.dialect.name == "postgresql":
        with reg.engine.connect() as c:
            return str(c.exec_driver_sql("SHOW server_version").scalar())
    return sqlite3.sqlite_version


def settle(reg: Registry) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would after a bulk change, so the planner has
    statistics and a vacuum does not start in the middle of a timed phase."""
    if reg.engine.dialect.name != "postgresql":
        return
    with reg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def storage(reg: Registry) -> dict[str, Any]:
    """Bytes on disk: the database, and on PostgreSQL the log's tables with their indexes."""
    if reg.engine.dialect.name == "postgresql":
        out: dict[str, Any] = {}
        with reg.engine.connect() as c:
            out["database_bytes"] = int(
                c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0
            )
            for table in ("events", "log_entries", "log_nodes", "log_checkpoints"):
                out[f"{table}_bytes"] = int(
                    c.exec_driver_sql(f"SELECT pg_total_relation_size('{table}')").scalar() or 0
                )
        return out
    path = Path(reg.engine.url.database or "")
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return {"database_bytes": total}


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Counter:
    """Counts the SQL statements sent (an executemany counts once)."""

    statements: int = 0

    def __call__(self, *args: Any) -> None:
        self.statements += 1


@contextmanager
def counting(reg: Registry) -> Iterator[Counter]:
    c = Counter()
    sa.event.listen(reg.engine, "before_cursor_execute", c)
    try:
        yield c
    finally:
        sa.event.remove(reg.engine, "before_cursor_execute", c)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def latency_stats(seconds: list[float]) -> dict[str, Any]:
    s = sorted(seconds)
    return {
        "count": len(s),
        "median_ms": round(statistics.median(s) * 1e3, 4),
        "p99_ms": round(pct(s, 99) * 1e3, 4),
        "mean_ms": round(statistics.fmean(s) * 1e3, 4),
        "min_ms": round(s[0] * 1e3, 4),
        "max_ms": round(s[-1] * 1e3, 4),
    }


def load(reg: Registry, first_seq: int, count: int) -> float:
    """Bulk-insert `count` events and their staged leaves (SQLAlchemy Core); seconds taken."""
    started = time.perf_counter()
    with reg.engine.connect() as c:
        next_id = int(c.scalar(sa.select(sa.func.coalesce(sa.func.max(t.events.c.id), 0)))) + 1
    events: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []

    def flush() -> None:
        with reg.engine.begin() as conn:
            conn.execute(sa.insert(t.events), events)
            conn.execute(sa.insert(t.log_entries), entries)
        events.clear()
        entries.clear()

    for k in range(count):
        seq = first_seq + k
        kw = action(seq, LOAD_START + timedelta(seconds=37 * seq))
        ev = m.Event(
            id=next_id + k,
            subject_type=kw["subject_type"],
            subject_id=kw["subject_id"],
            type=kw["type"],
            occurred_at=kw["at"],
            actor_user_id=kw["actor_user_id"],
            public=kw["public"],
            private={
                **{name: commitment(v) for name, v in kw["private"].items()},
                "actor": commitment(kw["actor_user_id"]),  # as record_event adds it
            },
        )
        events.append(
            {
                "id": ev.id,
                "subject_type": ev.subject_type,
                "subject_id": ev.subject_id,
                "type": ev.type,
                "occurred_at": ev.occurred_at,
                "actor_user_id": ev.actor_user_id,
                "public": ev.public,
                "private": ev.private,
            }
        )
        entries.append({"event_id": ev.id, "idx": None, "leaf": ledger.event_leaf(ev)})
        if len(events) == LOAD_CHUNK:
            flush()
    if events:
        flush()
    if reg.engine.dialect.name == "postgresql":
        with reg.engine.begin() as conn:  # ids were given explicitly: move the sequence on
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('events', 'id'), "
                "(SELECT max(id) FROM events))"
            )
    return time.perf_counter() - started


def add_users(reg: Registry) -> None:
    """An examiner (id 1) and the applicants who act in the history."""
    at = LOAD_START - timedelta(days=30)
    rows = [
        {
            "id": uid,
            "username": "examiner1" if uid == 1 else f"applicant{uid:03d}",
            "password_hash": "$argon2id$not-a-real-hash",
            "role": "examiner" if uid == 1 else "applicant",
            "display_name": "审查员一" if uid == 1 else f"申请人{uid:03d}",
            "email": f"user{uid}@example.org",
            "is_active": True,
            "created_at": at,
        }
        for uid in range(1, APPLICANTS + 2)
    ]
    with reg.engine.begin() as conn:
        conn.execute(sa.insert(t.users), rows)
        if reg.engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"
            )


def timed_integrate(reg: Registry, expect: int) -> dict[str, Any]:
    """One `integrate` call, which must sequence exactly `expect` leaves."""
    with counting(reg) as c:
        started = time.perf_counter()
        rep = ledger.integrate(reg.env, reg.log_keys)
        seconds = time.perf_counter() - started
    if rep.skipped_lease or rep.appended != expect:
        raise SystemExit(f"integrate appended {rep.appended}, expected {expect} ({rep})")
    return {
        "leaves": rep.appended,
        "size_before": rep.size_before,
        "size_after": rep.size_after,
        "checkpoints_signed": rep.checkpoints,
        "seconds": round(seconds, 4),
        "leaves_per_second": round(rep.appended / seconds, 1) if rep.appended else None,
        "sql_statements": c.statements,
        "batch_size": INTEGRATE_BATCH,
    }


def record_batched(reg: Registry, first_seq: int, count: int, per_commit: int) -> dict[str, Any]:
    env = reg.env
    with counting(reg) as c:
        started = time.perf_counter()
        done = 0
        while done < count:
            k = min(per_commit, count - done)
            with env.uow() as uow:
                for j in range(k):
                    record(uow, first_seq + done + j, env.now())
                uow.commit()
            done += k
        seconds = time.perf_counter() - started
    return {
        "events": count,
        "events_per_commit": per_commit,
        "transactions": -(-count // per_commit),
        "seconds": round(seconds, 4),
        "events_per_second": round(count / seconds, 1),
        "sql_statements": c.statements,
        "sql_statements_per_event": round(c.statements / count, 2),
    }


def record_single(reg: Registry, first_seq: int, count: int) -> dict[str, Any]:
    env = reg.env
    with counting(reg) as c:
        started = time.perf_counter()
        for j in range(count):
            with env.uow() as uow:
                record(uow, first_seq + j, env.now())
                uow.commit()
        seconds = time.perf_counter() - started
    return {
        "events": count,
        "events_per_commit": 1,
        "transactions": count,
        "seconds": round(seconds, 4),
        "events_per_second": round(count / seconds, 1),
        "sql_statements": c.statements,
        "sql_statements_per_event": round(c.statements / count, 2),
    }


def combined(rec: dict[str, Any], integ: dict[str, Any]) -> float:
    """Events/s from the action to a signed checkpoint including it (record + integrate)."""
    return round(rec["events"] / (rec["seconds"] + integ["seconds"]), 1)


def checkpoint_latency(reg: Registry, first_seq: int) -> tuple[dict[str, Any], int]:
    env = reg.env
    out: dict[str, Any] = {}
    seq = first_seq
    for k, reps in LATENCY_PLAN:
        times = []
        for _ in range(reps):
            if k:
                with env.uow() as uow:
                    for _j in range(k):
                        record(uow, seq, env.now())
                        seq += 1
                    uow.commit()
            started = time.perf_counter()
            rep = ledger.integrate(env, reg.log_keys)
            times.append(time.perf_counter() - started)
            if rep.appended != k:
                raise SystemExit(f"latency: integrate appended {rep.appended}, expected {k}")
        s = latency_stats(times)
        del s["p99_ms"]  # a handful of repetitions
        out[str(k)] = {"pending_leaves": k, "repetitions": reps, **s}
    return out, seq - first_seq


def signed_head(reg: Registry) -> Any:
    """The latest checkpoint, opened (signature and origin checked) with the log's key."""
    _, note = ledger.checkpoint_note(reg.env)
    cp, _ = open_checkpoint(note, [reg.log_keys.verifier], origin=reg.log_keys.origin)
    return cp


def proofs(reg: Registry, n: int, count: int, rng: random.Random) -> dict[str, Any]:
    env = reg.env
    cp = signed_head(reg)
    if cp.size != n:
        raise SystemExit(f"the signed tree has {cp.size} leaves, expected {n}")
    indices = [rng.randrange(n) for _ in range(count)]
    for i in indices[:PROOF_WARMUP]:  # connections, statement caches
        ledger.inclusion(env, i)
        ledger.receipt(env, i)

    inc_times, inc_results = [], []
    for i in indices:
        started = time.perf_counter()
        r = ledger.inclusion(env, i)
        inc_times.append(time.perf_counter() - started)
        if len(inc_results) < VERIFY_PROOFS:
            inc_results.append(r)
    rec_times, rec_results = [], []
    for i in indices:
        started = time.perf_counter()
        text = ledger.receipt(env, i)
        rec_times.append(time.perf_counter() - started)
        if len(rec_results) < VERIFY_PROOFS:
            rec_results.append((i, text))

    # Check them against the signed root and the stored leaf bytes.
    for r in inc_results:
        leaf = ledger.entry(env, r["index"])["leaf"]
        lh = merkle.leaf_hash(leaf)
        assert r["size"] == cp.size and r["root_hash"] == cp.root_hash and r["leaf_hash"] == lh
        merkle.verify_inclusion(lh, r["index"], cp.size, r["proof"], cp.root_hash)
    for i, text in rec_results:
        leaf = ledger.entry(env, i)["leaf"]
        verify_proof(text, [reg.log_keys.verifier], leaf_data=leaf, origin=reg.log_keys.origin)
    hashes = [len(r["proof"]) for r in inc_results]
    return {
        "tree_size": cp.size,
        "indices": "uniform random over [0, N), seeded",
        "warmup_calls": PROOF_WARMUP,
        "inclusion": {**latency_stats(inc_times), "verified": len(inc_results)},
        "receipt": {**latency_stats(rec_times), "verified": len(rec_results)},
        "proof_hashes_min_max": [min(hashes), max(hashes)],
        "sample_index": indices[0],
        "sample_proof": [h.hex() for h in inc_results[0]["proof"]],
    }


def baseline(reg: Registry, n: int, index: int, reps: int) -> dict[str, Any]:
    """Root and inclusion proof recomputed from all N leaves, nothing but leaves stored."""
    cp = signed_head(reg)
    stored = ledger.inclusion(reg.env, index)["proof"]
    c = t.log_entries.c
    stmt = sa.select(c.leaf).where(c.idx.is_not(None)).order_by(c.idx)
    fetch, roots, proofs_, totals = [], [], [], []
    for _ in range(reps):
        started = time.perf_counter()
        with reg.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(stmt)
            hashes = [merkle.leaf_hash(bytes(row[0])) for row in rows]
        t1 = time.perf_counter()
        root = merkle.root(hashes)
        t2 = time.perf_counter()
        proof = merkle.inclusion_proof(index, hashes)
        t3 = time.perf_counter()
        if len(hashes) != n or root != cp.root_hash or proof != stored:
            raise SystemExit("baseline: recomputed root or proof differs from the stored log")
        del hashes
        fetch.append(t1 - started)
        roots.append(t2 - t1)
        proofs_.append(t3 - t2)
        totals.append(t3 - started)
    med = statistics.median
    return {
        "method": (
            "SELECT leaf FROM log_entries ORDER BY idx (streamed), leaf_hash of each, "
            "merkle.root(all) + merkle.inclusion_proof(index, all)"
        ),
        "leaves": n,
        "index": index,
        "repetitions": reps,
        "fetch_and_hash_seconds": round(med(fetch), 4),
        "root_seconds": round(med(roots), 4),
        "inclusion_proof_seconds": round(med(proofs_), 4),
        "total_seconds": round(med(totals), 4),
        "total_seconds_all_reps": [round(x, 4) for x in totals],
        "verified": "root equals the signed checkpoint's, proof equals ledger.inclusion's",
    }


def run_audit(reg: Registry, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    report = ledger.audit(reg.env, reg.log_keys.verifier, origin=reg.log_keys.origin)
    seconds = time.perf_counter() - started
    if not report.ok or report.size != n or report.pending:
        for f in report.findings[:20]:
            say(f"  AUDIT FINDING {f}")
        raise SystemExit(
            f"AUDIT FAILED: ok={report.ok} size={report.size} (expected {n}) "
            f"pending={report.pending} findings={len(report.findings)}"
        )
    return {
        "ok": report.ok,
        "size": report.size,
        "checkpoints_verified": report.checkpoints,
        "findings": len(report.findings),
        "seconds": round(seconds, 3),
        "leaves_per_second": round(report.size / seconds, 1),
    }


@dataclass
class Plan:
    """How the N leaves are made: init's own event(s), bulk load, and the timed samples."""

    n: int
    initial: int
    load: int
    batched: int
    single: int
    latency: int

    @classmethod
    def make(cls, n: int, initial: int, sample: int, single: int) -> Plan:
        latency = sum(k * reps for k, reps in LATENCY_PLAN)
        single = min(single, n // 10)
        batched = min(sample, n // 2)
        bulk = n - initial - batched - single - latency
        if bulk < 0:
            raise SystemExit(f"--n {n} is too small for the samples; use --n 10000 or more")
        return cls(n, initial, bulk, batched, single, latency)


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    n = args.n
    rng = random.Random(args.seed)
    say(f"[{backend}] scratch database, migrating ...")
    with scratch(backend, args.pg_url) as reg:
        version = server_version(reg)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with reg.env.uow() as uow:
            initial = uow.ledger.pending_count()  # init_database records an event
        plan = Plan.make(n, initial, args.sample, args.single)
        add_users(reg)
        out: dict[str, Any] = {"server_version": version, "n": n}
        out["plan"] = {
            "events_from_init_database": plan.initial,
            "bulk_loaded": plan.load,
            "batched_real_path": plan.batched,
            "single_real_path": plan.single,
            "checkpoint_latency_runs": plan.latency,
        }

        say(f"[{backend}] 1. bulk-loading {plan.load:,} events + leaves (Core) ...")
        secs = load(reg, 0, plan.load)
        out["load"] = {
            "events": plan.load,
            "seconds": round(secs, 2),
            "events_per_second": round(plan.load / secs, 1),
            "method": "SQLAlchemy Core bulk INSERT, leaves from ledger.event_leaf; not the "
            "append path, for information",
        }
        settle(reg)
        say(f"[{backend}]   {secs:.1f}s; integrate over {plan.initial + plan.load:,} ...")
        integ = timed_integrate(reg, plan.initial + plan.load)
        out["integrate_bulk"] = integ
        say(f"[{backend}]   {integ['seconds']:.1f}s, {integ['leaves_per_second']:,.0f} leaves/s")
        settle(reg)
        seq = plan.load

        say(f"[{backend}] 2. record_event, {args.per_commit:,}/commit, {plan.batched:,} events")
        rec = record_batched(reg, seq, plan.batched, args.per_commit)
        seq += plan.batched
        integ = timed_integrate(reg, plan.batched)
        out["append_batched"] = {
            "record_event": rec,
            "integrate": integ,
            "end_to_end_events_per_second": combined(rec, integ),
        }
        say(
            f"[{backend}]   record {rec['events_per_second']:,.0f} events/s, integrate "
            f"{integ['leaves_per_second']:,.0f} leaves/s"
        )

        say(f"[{backend}] 3. record_event, one per transaction, {plan.single:,} events")
        rec = record_single(reg, seq, plan.single)
        seq += plan.single
        integ = timed_integrate(reg, plan.single)
        out["append_single"] = {
            "record_event": rec,
            "integrate": integ,
            "end_to_end_events_per_second": combined(rec, integ),
        }
        say(
            f"[{backend}]   record {rec['events_per_second']:,.0f} events/s, integrate "
            f"{integ['leaves_per_second']:,.0f} leaves/s"
        )

        say(f"[{backend}] 4. checkpoint latency on top of the tree ...")
        lat, used = checkpoint_latency(reg, seq)
        seq += used
        out["checkpoint_latency"] = {
            **lat,
            "publish_interval_seconds": 1.0,
            "note": "a client waits this plus up to one publish interval (not slept here)",
        }
        say(f"[{backend}]   " + ", ".join(f"{k}: {v['median_ms']:.1f} ms" for k, v in lat.items()))

        settle(reg)
        say(f"[{backend}] 5. {args.proofs:,} inclusion proofs and receipts at {n:,} leaves ...")
        pr = proofs(reg, n, args.proofs, rng)
        out["proofs"] = pr
        say(
            f"[{backend}]   inclusion median {pr['inclusion']['median_ms']:.3f} ms, "
            f"p99 {pr['inclusion']['p99_ms']:.3f} ms; receipt median "
            f"{pr['receipt']['median_ms']:.3f} ms, verified"
        )

        say(f"[{backend}] 6. naive baseline over all {n:,} leaves x{args.baseline_reps} ...")
        base = baseline(reg, n, pr["sample_index"], args.baseline_reps)
        out["baseline"] = base
        inc_s = pr["inclusion"]["median_ms"] / 1e3
        rec_s = pr["receipt"]["median_ms"] / 1e3
        out["speedup"] = {
            "inclusion_vs_baseline": round(base["total_seconds"] / inc_s, 1),
            "receipt_vs_baseline": round(base["total_seconds"] / rec_s, 1),
            "definition": "baseline total_seconds / median proof time",
        }
        say(
            f"[{backend}]   {base['total_seconds']:.2f}s per proof; speed-up "
            f"{out['speedup']['inclusion_vs_baseline']:,.0f}x"
        )

        say(f"[{backend}] 7. audit ...")
        out["audit"] = run_audit(reg, n)
        say(
            f"[{backend}]   ok, {out['audit']['seconds']:.1f}s, "
            f"{out['audit']['leaves_per_second']:,.0f} leaves/s"
        )
        out["storage"] = storage(reg)
        out["seconds"] = round(time.perf_counter() - started, 1)
        out["load_average_1min_before_after"] = [
            round(load_before, 2),
            round(os.getloadavg()[0], 2),
        ]
    return out


# --- profiling -----------------------------------------------------------------------------


def profile_backend(backend: str, args: argparse.Namespace) -> None:
    n = args.profile
    with scratch(backend, args.pg_url) as reg:
        add_users(reg)
        with reg.env.uow() as uow:
            initial = uow.ledger.pending_count()
        env = reg.env
        rng = random.Random(args.seed)
        phases: list[tuple[str, Callable[[], Any]]] = [
            (
                f"record_event x{n:,}, {args.per_commit}/commit",
                lambda: record_batched(reg, 0, n, args.per_commit),
            ),
            (f"integrate {n + initial:,} leaves", lambda: ledger.integrate(env, reg.log_keys)),
            (
                "inclusion x500",
                lambda: [ledger.inclusion(env, rng.randrange(n + initial)) for _ in range(500)],
            ),
        ]
        for title, fn in phases:
            prof = cProfile.Profile()
            with counting(reg) as c:
                started = time.perf_counter()
                prof.enable()
                fn()
                prof.disable()
                seconds = time.perf_counter() - started
            print(
                f"\n=== {backend}: {title}: {seconds:.2f}s under cProfile, "
                f"{c.statements:,} SQL statements"
            )
            for order in ("tottime", "cumulative"):
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(args.top)
                print(buf.getvalue())
        report = ledger.audit(env, reg.log_keys.verifier)
        if not report.ok:
            raise SystemExit(f"AUDIT FAILED: {report.findings[:5]}")


# --- report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import cryptography
    import psycopg

    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "memory": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "psycopg": psycopg.__version__,
        "cryptography": cryptography.__version__,
        "sqlite_library": sqlite3.sqlite_version,
    }


def code_fingerprint() -> dict[str, str]:
    """SHA-256 (first 16 hex digits) of the code under test as imported by this run."""
    import dataip

    root = Path(dataip.__file__).resolve().parent
    return {
        f"src/dataip/{rel}": hashlib.sha256((root / rel).read_bytes()).hexdigest()[:16]
        for rel in CODE_UNDER_TEST
    }


def aims(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sq = result["backends"].get("sqlite")
    if sq and "append_batched" in sq:
        got = sq["append_batched"]["record_event"]["events_per_second"]
        out["sqlite_batched_events_per_second"] = {
            "aim": AIM_BATCHED_SQLITE,
            "measured": got,
            "met": got >= AIM_BATCHED_SQLITE,
            "measured_end_to_end_with_integrate": sq["append_batched"][
                "end_to_end_events_per_second"
            ],
        }
    for name, r in result["backends"].items():
        if "proofs" not in r:
            continue
        med, p99 = r["proofs"]["inclusion"]["median_ms"], r["proofs"]["inclusion"]["p99_ms"]
        out[f"{name}_inclusion_proof_ms"] = {
            "aim_ms": AIM_PROOF_MS,
            "at_leaves": r["n"],
            "median_ms": med,
            "p99_ms": p99,
            "median_met": med < AIM_PROOF_MS,
            "p99_met": p99 < AIM_PROOF_MS,
        }
    return out


def summary(result: dict[str, Any]) -> str:
    mach = result["machine"]
    lines = [
        f"dataip transparency-log benchmark — {result['date']} — {mach['cpu_count']} CPUs, "
        f"Python {mach['python']}, SQLAlchemy {mach['sqlalchemy']}",
    ]
    for backend, r in result["backends"].items():
        if "skipped" in r:
            lines += ["", f"{backend}: skipped ({r['skipped']})"]
            continue
        ab, asg = r["append_batched"], r["append_single"]
        pr, base = r["proofs"], r["baseline"]
        lat = r["checkpoint_latency"]
        rows = [
            ("bulk load (Core, info only)", f"{r['load']['events_per_second']:>12,.0f} events/s"),
            (
                f"integrate {r['integrate_bulk']['leaves']:,} leaves",
                f"{r['integrate_bulk']['leaves_per_second']:>12,.0f} leaves/s"
                f"   ({r['integrate_bulk']['seconds']:.1f} s)",
            ),
            (
                f"record_event batched ({ab['record_event']['events_per_commit']:,}/commit)",
                f"{ab['record_event']['events_per_second']:>12,.0f} events/s"
                f"   (n={ab['record_event']['events']:,})",
            ),
            (
                "  then integrate",
                f"{ab['integrate']['leaves_per_second']:>12,.0f} leaves/s",
            ),
            ("  end to end", f"{ab['end_to_end_events_per_second']:>12,.0f} events/s"),
            (
                "record_event 1/transaction",
                f"{asg['record_event']['events_per_second']:>12,.0f} events/s"
                f"   (n={asg['record_event']['events']:,})",
            ),
            ("  then integrate", f"{asg['integrate']['leaves_per_second']:>12,.0f} leaves/s"),
            ("  end to end", f"{asg['end_to_end_events_per_second']:>12,.0f} events/s"),
        ]
        for k, v in lat.items():
            if isinstance(v, dict):
                rows.append(
                    (
                        f"checkpoint latency, {k} pending",
                        f"{v['median_ms']:>12.2f} ms median   (max {v['max_ms']:.2f}, "
                        f"x{v['repetitions']})",
                    )
                )
        rows += [
            (
                f"inclusion proof @ {pr['tree_size']:,}",
                f"{pr['inclusion']['median_ms']:>12.3f} ms median   "
                f"p99 {pr['inclusion']['p99_ms']:.3f} ms",
            ),
            (
                "receipt (tlog-proof)",
                f"{pr['receipt']['median_ms']:>12.3f} ms median   "
                f"p99 {pr['receipt']['p99_ms']:.3f} ms",
            ),
            (
                "naive baseline (all leaves)",
                f"{base['total_seconds'] * 1e3:>12.1f} ms          "
                f"(fetch+hash {base['fetch_and_hash_seconds']:.2f} s, root "
                f"{base['root_seconds']:.2f} s, proof {base['inclusion_proof_seconds']:.2f} s)",
            ),
            ("speed-up (baseline / proof)", f"{r['speedup']['inclusion_vs_baseline']:>12,.0f}x"),
            (
                "audit",
                f"{r['audit']['leaves_per_second']:>12,.0f} leaves/s"
                f"   ({r['audit']['seconds']:.1f} s, ok)",
            ),
        ]
        lines += ["", f"{backend} {r['server_version'].split()[0]} — N = {r['n']:,} leaves"]
        lines += [f"  {a:<40} {b}" for a, b in rows]
        lines.append(f"  {'backend total':<40} {r['seconds']:>12,.0f} s")
    if result.get("aims"):
        lines += ["", "Aims (reported, not asserted):"]
        for key, a in result["aims"].items():
            if "aim" in a:
                lines.append(
                    f"  {key}: {a['measured']:,.0f} vs aim {a['aim']:,.0f} -> "
                    f"{'met' if a['met'] else 'NOT met'}"
                )
            else:
                lines.append(
                    f"  {key}: median {a['median_ms']:.3f} ms, p99 {a['p99_ms']:.3f} ms at "
                    f"{a['at_leaves']:,} leaves vs aim < {a['aim_ms']} ms -> median "
                    f"{'met' if a['median_met'] else 'NOT met'}, p99 "
                    f"{'met' if a['p99_met'] else 'NOT met'}"
                )
    return "\n".join(lines)


FINGERPRINT = code_fingerprint()  # at import, next to the import of the code it fingerprints


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--n", type=int, default=1_000_000, help="leaves (default 1,000,000)")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument(
        "--sample",
        type=int,
        default=20_000,
        help="events written through record_event, batched (default 20,000; at most N/2)",
    )
    p.add_argument(
        "--single",
        type=int,
        default=2_000,
        help="events written one per transaction (default 2,000; at most N/10)",
    )
    p.add_argument("--per-commit", type=int, default=1_000, help="events per batched commit")
    p.add_argument("--proofs", type=int, default=1_000, help="random indices to prove")
    p.add_argument("--baseline-reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=6962)
    p.add_argument(
        "--pg-url",
        default=os.environ.get("DATAIP_BENCH_PG_URL", DEFAULT_PG_URL),
        help="a PostgreSQL server URL; the bench creates and drops its own database there",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: cProfile record_event, integrate and proofs over N events, print, exit",
    )
    p.add_argument("--top", type=int, default=25, help="rows of profile output")
    add_smoke_option(
        p, argv, "ledger", n=5_000, sample=200, single=20, proofs=20, baseline_reps=1,
        backends="sqlite",
    )  # fmt: skip
    args = p.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if min(args.n, args.sample, args.single, args.per_commit, args.proofs) < 1:
        p.error("--n, --sample, --single, --per-commit and --proofs must be positive")
    if args.baseline_reps < 1:
        p.error("--baseline-reps must be positive")

    if args.profile:
        for b in backends:
            try:
                profile_backend(b, args)
            except Unavailable as exc:
                print(f"NOTE: {b} skipped, cannot connect: {exc}")
        return 0

    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "dataip transparency log: append, integrate, checkpoint, proofs, audit",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/ledger.py", *sys.argv[1:]]),
        "n": args.n,
        "machine": machine(),
        "code_under_test_sha256": FINGERPRINT,
        "settings": {
            "integrate_batch_size": INTEGRATE_BATCH,
            "events_per_commit": args.per_commit,
            "proofs": args.proofs,
            "baseline_repetitions": args.baseline_reps,
            "seed": args.seed,
            "log_interval_seconds": "0 in the bench (integrate called directly); 1 s default",
        },
        "units": (
            "*_seconds: seconds; *_ms: milliseconds; *_per_second: events or leaves per "
            "second as named; *_bytes: bytes; speed-up: a ratio"
        ),
        "notes": [
            "the log grows to exactly N leaves: init_database's event, a bulk load (SQLAlchemy "
            "Core, leaves from ledger.event_leaf, not timed as append throughput), then the "
            "real record_event path for the batched, single and latency samples",
            "integrate figures are whole ledger.integrate calls (idle check, lease, batches "
            "of 10,000 leaves each in its own transaction, signed checkpoint(s), lease "
            "release); checkpoints_signed says how many checkpoints the call signed",
            "end_to_end_events_per_second = events / (record seconds + integrate seconds)",
            "checkpoint latency: a client waits the measured integrate time plus up to one "
            "publish interval (log_interval_seconds, 1 s by default), which is not slept",
            "proof times are whole service calls (unit of work, batched read of stored "
            "full-subtree hashes) from Python; no HTTP",
            "PostgreSQL is VACUUM ANALYZEd after the bulk load, after the bulk integration and "
            "before the proofs (what autovacuum would do); SQLite is left as the app "
            "configures it (WAL, synchronous=NORMAL)",
            "sql_statements counts statements sent to the driver; an executemany counts once",
            "load_average_1min_before_after: other processes on the machine were not stopped",
        ],
        "backends": {},
    }
    for b in backends:
        try:
            result["backends"][b] = bench_backend(b, args)
        except Unavailable as exc:
            print(f"NOTE: {b} skipped, cannot connect: {exc}", flush=True)
            result["backends"][b] = {"skipped": f"cannot connect: {exc}"}
    result["aims"] = aims(result)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(summary(result))
    print(f"\nwritten {args.out} (total {result['total_seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
