"""Locks that several processes — on one machine or on several — take around work that only
one of them may do at a time: preparing the database at start-up (migrations, the shipped
industry table, leaves for events recorded before the log) and making key files on first use.

- `database_lock`: on PostgreSQL a session-level advisory lock (`pg_advisory_lock`), which
  every process connected to the database sees, whatever machine it runs on; on SQLite, whose
  database is one file on one machine, an exclusive `flock` on a file beside it.
- `file_lock`: an exclusive `flock` on a file (key files under the data directory).

Both wait for the holder; a process killed while holding one releases it (the connection
closes, the file descriptor goes)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

__all__ = ["database_lock", "file_lock"]


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing, mode 0600) until the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (pg_advisory_lock takes a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def database_lock(url: str, name: str) -> Iterator[None]:
    """Hold the lock `name` of the database at `url` until the block ends."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            yield  # a private database: no other process can open it
            return
        with file_lock(Path(f"{database}.{name}.lock")):
            yield
        return
    engine = sa.create_engine(parsed, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            key = _advisory_key(f"dataip:{name}")
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
    finally:
        engine.dispose()
