"""Issue 25 §1: on the embedded SQLite default, a signed-in caller's read waits for no writer.
Resolving the bearer token took a writing unit of work (SQLite `BEGIN IMMEDIATE`: the
database's one write lock) for its two SELECTs, so every GET of a signed-in caller queued
behind whatever transaction was writing — up to the 30 s busy timeout — and held the lock
itself, however briefly, against every other writer."""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from dataip.bootstrap import Registry
from tests.support.api import Api

pytestmark = pytest.mark.skipif(
    os.environ.get("DATAIP_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite's write lock; PostgreSQL readers never wait for writers (MVCC)",
)


def test_i25_a_signed_in_read_does_not_wait_for_a_writer(api: Api, registry: Registry) -> None:
    filer = api.user("applicant")
    examiner = api.user("examiner")
    party = api.party(filer, kind="legal_person", verify_by=examiner)
    aid = int(api.draft(filer, party)["id"])
    path = registry.engine.url.database
    assert path
    writer = sqlite3.connect(path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # another process's long write holds the lock
    try:
        with ThreadPoolExecutor(1) as pool:
            reading = pool.submit(api.get, filer, aid)
            try:
                r = reading.result(timeout=10)  # the busy timeout a locked reader waits is 30 s
            finally:
                writer.execute("ROLLBACK")  # a blocked read ends once the lock is released
        assert r.status_code == 200, r.text
        assert r.json()["id"] == aid
    finally:
        writer.close()
