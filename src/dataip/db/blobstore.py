"""The database adapter of the blob store port (issue 25 §2): objects in `stored_objects`,
their bytes in `stored_object_chunks` (at most `CHUNK_BYTES` a row). Works on any
SQLAlchemy engine; on PostgreSQL it is the store several servers and machines share."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from dataip.db.tables.blobstore import CHUNK_BYTES, stored_object_chunks, stored_objects
from dataip.db.uow import make_engine
from dataip.services.blobstore import (
    LocalFolderStore,
    ObjectConflict,
    ObjectCorrupted,
    ObjectMissing,
    ObjectStore,
    check_key,
)

OBJ, C = stored_objects, stored_object_chunks
PAGE = 1000


def ensure_tables(engine: sa.Engine) -> None:
    """Create the two tables in a database that only holds blobs (a store named by its own
    URL); the registry's own database gets them from its migrations."""
    OBJ.metadata.create_all(engine, tables=[OBJ, C], checkfirst=True)


def _upper(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (keys are ASCII)."""
    if not prefix:
        return None
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class DatabaseObjectStore:
    """Key → bytes in a database. Each write is one transaction (object row and chunks
    together); each read is one statement (one snapshot), checked against the SHA-256 and
    size recorded at write time."""

    def __init__(
        self, engine: sa.Engine, *, now: Callable[[], datetime], chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        self.engine = engine
        self.now = now
        self.chunk_bytes = chunk_bytes

    def _read(self) -> sa.Connection:
        # a reader: on SQLite it takes no write lock (db/uow.make_engine)
        return self.engine.connect().execution_options(dataip_readonly=True)

    def put(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        check_key(key)
        digest = hashlib.sha256(data).hexdigest()
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    if replace:
                        conn.execute(sa.delete(C).where(C.c.key == key))
                        conn.execute(sa.delete(OBJ).where(OBJ.c.key == key))
                    self._insert(conn, key, data, digest)
                return True
            except IntegrityError:
                if replace:
                    continue  # a concurrent replace won the key: replace again
                break
        else:
            raise ObjectConflict(key)
        with self._read() as conn:
            row = conn.execute(sa.select(OBJ.c.sha256, OBJ.c.size).where(OBJ.c.key == key)).first()
        if row is None or (row.sha256, row.size) != (digest, len(data)):
            raise ObjectConflict(key)
        return False

    def _insert(self, conn: sa.Connection, key: str, data: bytes, digest: str) -> None:
        step = self.chunk_bytes
        parts = [data[i : i + step] for i in range(0, len(data), step)]
        conn.execute(
            sa.insert(OBJ).values(
                key=key, size=len(data), sha256=digest, chunks=len(parts), stored_at=self.now()
            )
        )
        if parts:
            conn.execute(
                sa.insert(C), [{"key": key, "seq": i, "data": p} for i, p in enumerate(parts)]
            )

    def get(self, key: str) -> bytes:
        check_key(key)
        stmt = (
            sa.select(OBJ.c.size, OBJ.c.sha256, OBJ.c.chunks, C.c.seq, C.c.data)
            .select_from(OBJ.outerjoin(C, C.c.key == OBJ.c.key))
            .where(OBJ.c.key == key)
            .order_by(C.c.seq)
        )
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            raise ObjectMissing(key)
        head = rows[0]
        parts = [bytes(r.data) for r in rows if r.data is not None]
        if [r.seq for r in rows if r.seq is not None] != list(range(head.chunks)):
            raise ObjectCorrupted(key, "chunks missing")
        data = b"".join(parts)
        if len(data) != head.size or hashlib.sha256(data).hexdigest() != head.sha256:
            raise ObjectCorrupted(key, "SHA-256 mismatch")
        return data

    def exists(self, key: str) -> bool:
        check_key(key)
        with self._read() as conn:
            return conn.execute(sa.select(OBJ.c.key).where(OBJ.c.key == key)).first() is not None

    def delete(self, key: str) -> None:
        check_key(key)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(C).where(C.c.key == key))
            conn.execute(sa.delete(OBJ).where(OBJ.c.key == key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """In pages by key, so a long copy holds no cursor open."""
        upper, after = _upper(prefix), None
        while True:
            stmt = sa.select(OBJ.c.key).order_by(OBJ.c.key).limit(PAGE)
            low = OBJ.c.key > after if after is not None else OBJ.c.key >= prefix
            stmt = stmt.where(low)
            if upper is not None:
                stmt = stmt.where(OBJ.c.key < upper)
            with self._read() as conn:
                page = list(conn.execute(stmt).scalars())
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1]

    def describe(self) -> str:
        return f"database:{self.engine.url.render_as_string(hide_password=True)}"


def open_store(
    spec: str,
    *,
    data_dir: Path,
    registry_url: str,
    registry_engine: sa.Engine | None,
    now: Callable[[], datetime],
    file_mode: int = 0o600,
) -> ObjectStore:
    """The object store `spec` names (DATAIP_BLOB_STORE; `dataip blobs copy --from/--to`):

    - `local` — the folder `<data_dir>/blobs` (the default); `local:PATH` — another folder;
    - `database` — the registry's own database (tables from its migrations);
    - a database URL (`postgresql+psycopg://…`, `sqlite:///…`) — a database that holds the
      blobs (its tables are made on first use).

    `file_mode`: of a local folder's files (0644 for the log's public resources).
    """
    spec = spec.strip()
    if spec in ("", "local"):
        return LocalFolderStore(data_dir / "blobs", file_mode=file_mode)
    if spec.startswith("local:"):
        return LocalFolderStore(Path(spec.removeprefix("local:")).expanduser(), file_mode=file_mode)
    if spec == "database" or spec == registry_url:
        engine = registry_engine or make_engine(registry_url)
        return DatabaseObjectStore(engine, now=now)
    if spec.startswith(("postgresql", "sqlite")) and "://" in spec:
        engine = make_engine(spec)
        ensure_tables(engine)
        return DatabaseObjectStore(engine, now=now)
    shown = spec.split("://", 1)[0] + "://…" if "://" in spec else spec  # no credentials
    raise ValueError(
        f"unknown blob store {shown!r}: local, local:PATH, database, or a database URL "
        "(postgresql+psycopg://…, sqlite:///…)"
    )
