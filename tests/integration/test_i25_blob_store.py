"""Issue 25 §2: the blob store port. Every adapter passes the same contract — the local folder
and the database store (on the pass's database: SQLite in CI's SQLite pass, PostgreSQL in
its PostgreSQL pass, where several servers share it) — and a stored blob that no longer
matches its hash is never served."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry, open_blob_store
from dataip.db.tables.blobstore import CHUNK_BYTES
from dataip.services.blobstore import (
    BlobUnavailable,
    ContentStore,
    LocalFolderStore,
    ObjectConflict,
    ObjectCorrupted,
    ObjectMissing,
    ObjectStore,
    content_key,
    transfer,
)
from dataip.services.context import Env

Corrupt = Callable[[str, bytes], None]


def _database_store(registry: Registry, chunk_bytes: int) -> tuple[ObjectStore, Corrupt]:
    store = open_blob_store(registry.settings, "database", engine=registry.engine).objects
    store.chunk_bytes = chunk_bytes  # type: ignore[attr-defined]  # small: several chunks

    def corrupt(key: str, data: bytes) -> None:
        with registry.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE stored_object_chunks SET data = :d WHERE key = :k AND seq = 0"),
                {"d": data, "k": key},
            )

    return store, corrupt


def _local_store(root: Path) -> tuple[ObjectStore, Corrupt]:
    store = LocalFolderStore(root)

    def corrupt(key: str, data: bytes) -> None:
        (root / key).write_bytes(data)

    return store, corrupt


@pytest.fixture(params=["local", "database"])
def adapter(
    request: pytest.FixtureRequest, env: Env, registry: Registry, tmp_path: Path
) -> Iterator[tuple[ObjectStore, Corrupt]]:
    if request.param == "local":
        yield _local_store(tmp_path / "blobs")
    else:
        yield _database_store(registry, chunk_bytes=1000)


def test_i25_objects_round_trip_by_key(adapter: tuple[ObjectStore, Corrupt]) -> None:
    store, _ = adapter
    big = bytes(range(256)) * 20  # 5,120 bytes: six chunks of the database store's 1,000
    assert store.put("log/tile/0/x001/234", big) is True
    assert store.put("log/tile/0/000", b"") is True  # an empty object is an object
    assert store.get("log/tile/0/x001/234") == big
    assert store.get("log/tile/0/000") == b""
    assert store.exists("log/tile/0/000") and not store.exists("log/tile/0/001")
    with pytest.raises(ObjectMissing):
        store.get("log/tile/0/001")
    store.put("log/checkpoint", b"one")
    store.put("log-b", b"x")
    # every key, in bytewise order, and by prefix (a prefix is a string, not a folder)
    assert list(store.keys()) == [
        "log-b",
        "log/checkpoint",
        "log/tile/0/000",
        "log/tile/0/x001/234",
    ]
    assert list(store.keys("log/tile/")) == ["log/tile/0/000", "log/tile/0/x001/234"]
    assert list(store.keys("log/tile/0/x")) == ["log/tile/0/x001/234"]
    assert list(store.keys("nothing/")) == []
    store.delete("log-b")
    store.delete("log-b")  # deleting what is not there is no error
    assert not store.exists("log-b")


def test_i25_objects_are_immutable_unless_replaced(adapter: tuple[ObjectStore, Corrupt]) -> None:
    store, _ = adapter
    assert store.put("log/tile/0/000", b"leaves") is True
    assert store.put("log/tile/0/000", b"leaves") is False  # the same bytes: nothing to do
    with pytest.raises(ObjectConflict):
        store.put("log/tile/0/000", b"other leaves")
    assert store.get("log/tile/0/000") == b"leaves"
    assert store.put("log/checkpoint", b"size 1") is True
    assert store.put("log/checkpoint", b"size 2", replace=True) is True
    assert store.get("log/checkpoint") == b"size 2"


UNSAFE_KEYS = ["", "/abs", "a//b", "a/../b", "./a", "a/.hidden", "a\\b", "a b", "é", "x" * 513]


def test_i25_unsafe_keys_are_refused(adapter: tuple[ObjectStore, Corrupt]) -> None:
    store, _ = adapter
    for key in UNSAFE_KEYS:
        with pytest.raises(ValueError):
            store.put(key, b"x")
        with pytest.raises(ValueError):
            store.get(key)
        with pytest.raises(ValueError):
            store.exists(key)
    assert list(store.keys()) == []


def test_i25_two_writers_of_one_key_both_succeed_once(
    adapter: tuple[ObjectStore, Corrupt],
) -> None:
    store, _ = adapter
    data = b"same bytes " * 300
    wrote: list[bool] = []
    go = threading.Barrier(2)

    def write() -> None:
        go.wait()
        wrote.append(store.put("sha/racing", data))

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wrote) == [False, True]
    assert store.get("sha/racing") == data


def test_i25_corrupted_blob_is_never_served(adapter: tuple[ObjectStore, Corrupt]) -> None:
    store, corrupt = adapter
    blobs = ContentStore(store)
    data = b"id,name\n1,a\n" * 200
    digest = blobs.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert blobs.put(data) == digest and blobs.exists(digest)
    assert blobs.get(digest) == data
    assert list(blobs.digests()) == [digest]
    corrupt(content_key(digest), b"flipped")
    with pytest.raises(BlobUnavailable) as e:
        blobs.get(digest)
    assert e.value.code == "blob_unavailable" and e.value.status == 503
    # a verification names it
    outcome = transfer.verify(store)
    assert [k for k, _ in outcome.problems] == [content_key(digest)] and not outcome.ok
    with pytest.raises(ObjectMissing):
        blobs.get("0" * 64)


def test_i25_the_database_store_checks_named_objects_too(env: Env, registry: Registry) -> None:
    """It keeps each object's hash: a named object (a log tile) read back corrupted is
    refused as well, and a lost chunk is noticed."""
    store, corrupt = _database_store(registry, chunk_bytes=4)
    store.put("log/tile/0/000", b"0123456789")
    corrupt("log/tile/0/000", b"9999")
    with pytest.raises(ObjectCorrupted):
        store.get("log/tile/0/000")
    store.put("log/tile/0/001", b"0123456789")
    with registry.engine.begin() as conn:
        conn.execute(
            sa.text("DELETE FROM stored_object_chunks WHERE key = 'log/tile/0/001' AND seq = 1")
        )
    with pytest.raises(ObjectCorrupted):
        store.get("log/tile/0/001")


def _cli(registry: Registry, data_dir: Path, *args: str) -> tuple[int, dict[str, object], str]:
    """`dataip blobs …` as an operator runs it: the settings come from the environment."""
    import json

    from typer.testing import CliRunner

    from dataip.cli.main import app

    env = {
        "DATAIP_DATA_DIR": str(data_dir),
        "DATAIP_DATABASE_URL": registry.settings.resolved_database_url(),
        "DATAIP_BLOB_STORE": "local",
    }
    r = CliRunner().invoke(app, ["blobs", *args, "--json"], env=env)
    start = r.stdout.find("{")
    return r.exit_code, json.loads(r.stdout[start:]) if start >= 0 else {}, r.output


def test_i25_blobs_copy_verifies_every_hash_and_resumes(
    env: Env, registry: Registry, tmp_path: Path
) -> None:
    """`dataip blobs copy --from local --to database`: a blob corrupted in the source is
    named and not copied (exit 1), the others are; run again once it is repaired, it copies
    only what is missing. `dataip blobs verify` reads every object back; a chunk corrupted
    in the database fails it, and a copy from a good store repairs it."""
    source = ContentStore(LocalFolderStore(tmp_path / "blobs"))  # <data_dir>/blobs: `local`
    files = [f"row,{i}\n".encode() * (100 + i) for i in range(3)]
    digests = [source.put(f) for f in files]
    bad = content_key(digests[1])
    (tmp_path / "blobs" / bad).write_bytes(b"rotted on disk")

    code, out, text = _cli(registry, tmp_path, "copy", "--from", "local", "--to", "database")
    assert code == 1, text
    assert out["problems"] == [{"key": bad, "problem": "source: SHA-256 mismatch"}]
    assert (out["checked"], out["copied"], out["skipped"]) == (3, 2, 0)

    (tmp_path / "blobs" / bad).write_bytes(files[1])  # restored from a backup
    code, out, text = _cli(registry, tmp_path, "copy", "--from", "local", "--to", "database")
    assert code == 0, text
    assert (out["checked"], out["copied"], out["skipped"], out["problems"]) == (3, 1, 2, [])

    code, out, text = _cli(registry, tmp_path, "verify", "--store", "database")
    assert (code, out["checked"], out["problems"]) == (0, 3, []), text
    db = open_blob_store(registry.settings, "database", engine=registry.engine)
    assert sorted(db.digests()) == sorted(digests)

    with registry.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE stored_object_chunks SET data = :d WHERE key = :k"),
            {"d": b"bit rot", "k": content_key(digests[2])},
        )
    code, out, text = _cli(registry, tmp_path, "verify", "--store", "database")
    assert code == 1, text
    assert [p["key"] for p in out["problems"]] == [content_key(digests[2])]  # type: ignore[union-attr]
    code, out, text = _cli(registry, tmp_path, "copy", "--from", "local", "--to", "database")
    assert (code, out["repaired"], out["skipped"]) == (0, 1, 2), text
    assert db.get(digests[2]) == files[2]

    code, _, text = _cli(registry, tmp_path, "copy", "--from", "local", "--to", "nowhere:x")
    assert code == 2 and "DATAIP_BLOB_STORE" in text
    to = "postgres://dataip:s3cret@db/dataip"  # not a URL SQLAlchemy takes: refused, unshown
    code, _, text = _cli(registry, tmp_path, "copy", "--from", "local", "--to", to)
    assert code == 2 and "postgres://" in text and "s3cret" not in text


def test_i25_the_database_store_chunks_a_large_object(env: Env, registry: Registry) -> None:
    """At the shipped chunk size (1 MiB): a 2.5 MiB upload is three rows, read back whole."""
    store, _ = _database_store(registry, chunk_bytes=CHUNK_BYTES)
    data = hashlib.sha256(b"seed").digest() * (80 * 1024 + 7)  # 2,621,664 bytes
    blobs = ContentStore(store)
    digest = blobs.put(data)
    assert blobs.get(digest) == data
    with registry.engine.connect() as conn:
        sizes = conn.execute(
            sa.text("SELECT length(data) FROM stored_object_chunks WHERE key = :k ORDER BY seq"),
            {"k": content_key(digest)},
        ).scalars()
        assert list(sizes) == [CHUNK_BYTES, CHUNK_BYTES, len(data) - 2 * CHUNK_BYTES]


@pytest.mark.dialect_independent
def test_i25_local_files_are_private_unless_asked(tmp_path: Path) -> None:
    """Uploads are the server user's alone (0600); a folder a static web server serves (log
    tiles) is written readable (0644)."""
    private, public = (
        LocalFolderStore(tmp_path / "a"),
        LocalFolderStore(tmp_path / "b", file_mode=0o644),
    )
    private.put("sha/x", b"1")
    public.put("tile/0/000", b"1")
    assert (tmp_path / "a/sha/x").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "b/tile/0/000").stat().st_mode & 0o777 == 0o644


def test_i25_screening_passes_over_a_corrupted_file_and_screens_it_once_repaired(
    env: Env, registry: Registry
) -> None:
    """A queued sample whose stored bytes fail their hash is not screened (nor recorded as
    missing): the files behind it are, and once the store is repaired and its claim has
    lapsed, it is."""
    from datetime import UTC, datetime, timedelta

    from dataip.domain import model as m
    from dataip.services import screening, screening_worker

    def queued(data: bytes) -> str:
        sha = env.blobs.put(data)
        with env.uow() as uow:
            user = uow.users.add(
                m.User(
                    username=f"u{sha[:8]}",
                    password_hash="x",
                    display_name="上传者",
                    role="applicant",
                    created_at=datetime.now(UTC),
                )
            )
            uow.flush()
            uow.blobs.add(
                m.Blob(
                    sha256=sha,
                    size=len(data),
                    media_type="text/csv",
                    filename="样例.csv",
                    uploaded_by=int(user.id),
                    created_at=env.now(),
                )
            )
            screening.request(uow, env, [sha])
            uow.commit()
        return sha

    def screened(sha: str) -> bool:
        with registry.engine.connect() as c:
            q = "SELECT count(*) FROM screening_reports WHERE blob_sha256 = :s"
            return bool(c.execute(sa.text(q), {"s": sha}).scalar())

    good_bytes = b"id,city\n1,GY\n"
    bad_bytes = b"id,city\n2,ZY\n"
    bad = queued(bad_bytes)  # first in the queue
    good = queued(good_bytes)
    path = registry.settings.blob_dir / content_key(bad)
    path.write_bytes(b"id,city\n2,Z?\n")

    assert screening_worker.run_pending(env) == 1
    assert screened(good) and not screened(bad)
    (path).write_bytes(bad_bytes)  # restored (`dataip blobs copy` from a good store)
    with env.uow() as uow:  # its claim lapses
        job = uow.screening_jobs.get(bad)
        job.claimed_until = datetime.now(UTC) - timedelta(minutes=5)
        uow.commit()
    assert screening_worker.run_pending(env) == 1
    assert screened(bad)
