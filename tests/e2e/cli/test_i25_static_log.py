"""Issue 25 §3, the log's static face: the integrator also writes the tlog-tiles resources to
a folder (DATAIP_LOG_STATIC_DIR) laid out as the /log/ URLs, or to the blob store as objects
under log/ (DATAIP_LOG_STATIC_STORE; here the database store, on SQLite and PostgreSQL),
byte-identical to what the application serves; a static web server of the copy is audited
clean by `dataip log audit --from-url` and read by the spec-only client of
tests/e2e/test_log_server.py; a tampered file fails the audit (--from-dir, --from-store) and
names itself; a published full tile is never rewritten.

The tests take a `copy` (the folder, the database store) and run the same body on each."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataip.bootstrap import ConfigurationError, Registry, open_log_static, open_static_store
from dataip.cli.main import app
from dataip.db.tables import stored_object_chunks, stored_objects
from dataip.domain import model as m
from dataip.ledger import tiles
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.note import Signer
from dataip.services import ledger, log_static
from dataip.services.blobstore import ObjectStore
from dataip.services.context import Env
from tests.e2e.test_log_server import (
    TiledTree,
    open_note,
    parse_checkpoint,
    parse_vkey,
    split_bundle,
    tile_path,
    tiles_of,
)
from tests.support.api import Api
from tests.support.live import serve
from tests.support.package_verifier import leaf_hash

runner = CliRunner()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, registry: Registry
) -> None:
    """The CLI on the session's database and log key (as in test_log_cli.py)."""
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)
    monkeypatch.delenv("DATAIP_LOG_STATIC_DIR", raising=False)
    monkeypatch.delenv("DATAIP_LOG_STATIC_STORE", raising=False)


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def _grow(registry: Registry, n: int) -> None:
    """n events with their leaves (a declared type with a closed public part), unsequenced."""
    with registry.env.uow() as uow:
        for i in range(n):
            uow.events.add(
                m.Event(
                    subject_type="test",
                    subject_id=i,
                    type="CalendarYearLoaded",
                    occurred_at=registry.env.now(),
                    actor_user_id=None,
                    public={"year": 2000 + i % 100},
                    private={},
                )
            )
            uow.flush()
        uow.commit()
    assert ledger.stage_missing(registry.env) == n


def _publish(registry: Registry, store: log_static.StaticStore) -> log_static.PublishReport:
    ledger.integrate(registry.env, registry.log_keys)
    return log_static.publish(registry.env, store, key_text=registry.log_keys.verifier_text)


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclasses.dataclass
class StaticCopy:
    """One kind of static copy, and what a test does to it behind the publisher's back."""

    kind: str  # "folder" | "database"
    store: log_static.StaticStore
    setting: tuple[str, str]  # the environment variable that turns it on, and its value
    audit: list[str]  # `dataip log audit` arguments that read it
    export: list[str]  # `dataip log export-static` arguments that write it
    root: Path | None = None  # the folder
    registry: Registry | None = None  # the database store's

    def files(self) -> dict[str, bytes]:
        if self.root is not None:
            return _files(self.root)
        objects = self._objects()
        return {k.removeprefix("log/"): objects.get(k) for k in objects.keys("log/")}

    def put(self, path: str, data: bytes) -> None:
        """Write bytes as an intruder with write access would (the store's hash kept right)."""
        if self.root is not None:
            (self.root / path).write_bytes(data)
        else:
            self._objects().put("log/" + path, data, replace=True)

    def remove(self, path: str) -> bytes:
        data = self.files()[path]
        if self.root is not None:
            (self.root / path).unlink()
        else:
            self._objects().delete("log/" + path)
        return data

    def stamps(self) -> dict[str, object]:
        """What changes when a file or object is written again, even with the same bytes."""
        if self.root is not None:
            return {
                p: ((self.root / p).stat().st_ino, (self.root / p).stat().st_mtime_ns)
                for p in self.files()
            }
        assert self.registry is not None
        with self.registry.engine.connect() as conn:
            rows = conn.execute(sa.select(stored_objects.c.key, stored_objects.c.stored_at))
            return {k.removeprefix("log/"): at for k, at in rows if k.startswith("log/")}

    def _objects(self) -> ObjectStore:
        assert isinstance(self.store, log_static.BlobStaticStore)
        return self.store.objects


@pytest.fixture(
    params=[
        pytest.param("folder", marks=pytest.mark.dialect_independent),
        "database",
    ]
)
def copy(request: pytest.FixtureRequest, registry: Registry, tmp_path: Path) -> StaticCopy:
    if request.param == "folder":
        root = tmp_path / "static"
        return StaticCopy(
            "folder",
            log_static.FolderStore(root),
            ("DATAIP_LOG_STATIC_DIR", str(root)),
            ["--from-dir", str(root)],
            [str(root)],
            root=root,
        )
    store = open_static_store(registry.settings, "database", engine=registry.engine)
    return StaticCopy(
        "database",
        store,
        ("DATAIP_LOG_STATIC_STORE", "database"),
        ["--from-store", "database"],
        ["--store", "database"],
        registry=registry,
    )


@contextmanager
def static_server(copy: StaticCopy) -> Iterator[str]:
    """A static server over the copy, in a thread: Python's own static file server over the
    folder (no dataip in the path); a small reader of the objects over the database store."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    class Reader(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                data = copy.store.read(self.path.lstrip("/"))
            except ValueError:
                data = None
            self.send_response(200 if data is not None else 404)
            self.end_headers()
            self.wfile.write(data or b"")

        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=copy.root) if copy.root else Reader
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_i25_integrate_writes_the_static_copy_byte_identical_to_the_log_routes(
    cli_env: None, api: Api, registry: Registry, copy: StaticCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(*copy.setting)
    _grow(registry, 100)
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy at" in out, out
    _grow(registry, 200)
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy at" in out, out
    files = copy.files()
    size = open_checkpoint(files["checkpoint"].decode(), [registry.log_keys.verifier])[0].size
    assert size == 300
    # every tile of the checkpoint, full and partial; the first checkpoint's partial tiles
    # went once their full tiles were there (the spec allows it; clients fall back to them)
    expected = {"checkpoint", "key"}
    for tile in tiles.tiles_for_size(300):
        expected.add(tile.path)
        if tile.level == 0:
            expected.add(tile.bundle().path)
    assert set(files) == expected
    assert {"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"} <= expected
    if copy.root is not None:
        assert not (copy.root / "tile/0/000.p").exists()
        assert not (copy.root / "tile/entries/000.p").exists()
    for path, data in files.items():
        r = api.c.get("/log/" + path)
        assert r.status_code == 200, (path, r.text)
        assert r.content == data, path
    assert files["key"].decode().strip() == registry.log_keys.verifier_text
    # nothing to do when the copy is current: not one file touched (a write now would be
    # stamped with a later time)
    before = copy.stamps()
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T11:00:00+08:00")
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy" not in out, out
    assert copy.stamps() == before


def test_i25_a_static_server_of_the_copy_is_audited_clean_and_a_tampered_file_is_named(
    cli_env: None, registry: Registry, tmp_path: Path, copy: StaticCopy
) -> None:
    store = copy.store
    _grow(registry, 100)
    _publish(registry, store)
    _grow(registry, 200)
    _publish(registry, store)
    state = tmp_path / "audited.json"
    with static_server(copy) as url, httpx.Client(base_url=url, timeout=10) as http:
        code, out = invoke("log", "audit", "--from-url", url, "--state", str(state))
        assert code == 0 and "audit clean" in out, out
        assert "300 leaves" in out, out

        # The spec-only client (hashlib and cryptography, no dataip) reads the static server.
        def fetch(path: str) -> bytes:
            r = http.get("/" + path)
            assert r.status_code == 200, (path, r.status_code)
            return r.content

        key = parse_vkey(fetch("key").decode())
        checkpoint = parse_checkpoint(open_note(fetch("checkpoint").decode(), key))
        assert checkpoint.size == 300
        tree = TiledTree(checkpoint.size, fetch)
        assert tree.root() == checkpoint.root
        entries: list[bytes] = []
        for _, index, width in [t for t in tiles_of(checkpoint.size) if t[0] == 0]:
            entries += split_bundle(fetch(tile_path("entries", index, width)))
        assert [leaf_hash(e) for e in entries] == tree.levels[0]

        # The log grows; the audit with --state checks the new checkpoint extends the old.
        _grow(registry, 60)
        _publish(registry, store)
        code, out = invoke("log", "audit", "--from-url", url, "--state", str(state), "--json")
        assert code == 0 and '"ok": true' in out and '"size": 360' in out, out

    key = tmp_path / "log.vkey"
    key.write_text(registry.log_keys.verifier_text)
    code, out = invoke("log", "audit", *copy.audit, "--key", str(key))
    assert code == 0 and "audit clean" in out, out
    other_key = Signer.generate(registry.settings.resolved_log_origin()).verifier().to_text()
    code, out = invoke("log", "audit", *copy.audit, "--key", other_key)
    assert code == 1 and "does not verify" in out, out

    def tampered(path: str, at: int = 40, table: bool = False) -> list[tuple[str, str, str]]:
        """Flip one bit of byte `at` (of hash 1, or of an entry) in the file; the findings."""
        honest = copy.files()[path]
        copy.put(path, honest[:at] + bytes([honest[at] ^ 1]) + honest[at + 1 :])
        try:
            if table:
                code, out = invoke("log", "audit", *copy.audit)
                assert code == 1 and "audit clean" not in out, out
                assert path in re.sub(r"\s+", "", out), out  # the table names the file
            code, out = invoke("log", "audit", *copy.audit, "--json")
        finally:
            copy.put(path, honest)
        report = json.loads(out)
        assert code == 1 and not report["ok"], out
        return [(f["code"], f["path"], f["message"]) for f in report["findings"]]

    # a level-0 tile that disagrees with its entries; a level-1 tile; a bundle; a partial tile
    assert tampered("tile/0/000", table=True) == [
        (
            "tile_mismatch",
            "tile/0/000",
            "hash 1 is not the leaf hash of entry 1 of tile/entries/000, whose entries the "
            "tiles above and the checkpoint confirm",
        )
    ]
    assert tampered("tile/1/000.p/1", 5) == [
        ("tile_mismatch", "tile/1/000.p/1", "hash 0 is not the Merkle tree hash of tile/0/000")
    ]
    assert [(c, p) for c, p, _ in tampered("tile/entries/000")] == [
        ("bundle_mismatch", "tile/entries/000")
    ]
    assert [(c, p) for c, p, _ in tampered("tile/0/001.p/104")] == [
        ("tile_mismatch", "tile/0/001.p/104")
    ]
    # a missing tile, and a forged checkpoint
    gone = copy.remove("tile/0/001.p/104")
    code, out = invoke("log", "audit", *copy.audit)
    assert code == 1 and "missing" in out and "tile/0/001.p/104" in out, out
    copy.put("tile/0/001.p/104", gone)
    honest = copy.files()["checkpoint"]
    copy.put("checkpoint", honest.replace(b"\n360\n", b"\n361\n"))
    code, out = invoke("log", "audit", *copy.audit)
    assert code == 1 and "does not verify" in out, out
    copy.put("checkpoint", honest)
    assert invoke("log", "audit", *copy.audit)[0] == 0
    if copy.kind != "database":
        return
    # The database store checks each object's SHA-256 on every read: a chunk altered in the
    # table (not through the store) is reported as such, and never published over.
    assert copy.registry is not None
    chunks = stored_object_chunks
    with copy.registry.engine.begin() as conn:
        row = conn.execute(sa.select(chunks).where(chunks.c.key == "log/tile/0/000")).one()
        altered = bytes(row.data[:40]) + bytes([row.data[40] ^ 1]) + bytes(row.data[41:])
        conn.execute(sa.update(chunks).where(chunks.c.key == row.key).values(data=altered))
    code, out = invoke("log", "audit", *copy.audit, "--json")
    report = json.loads(out)
    assert code == 1 and [(f["code"], f["path"]) for f in report["findings"]] == [
        ("corrupted", "tile/0/000")
    ], out
    assert "corrupted in the store" in report["findings"][0]["message"], out
    code, out = invoke("log", "export-static", *copy.export)
    assert code == 1 and "corrupted in the store" in out and "tile/0/000" in out, out


def test_i25_a_published_full_tile_is_never_rewritten(
    cli_env: None,
    registry: Registry,
    tmp_path: Path,
    copy: StaticCopy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grow(registry, 300)
    _publish(registry, copy.store)
    first = copy.stamps()["tile/0/000"]
    # the backfill over a current copy compares everything and writes nothing
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T11:00:00+08:00")  # a write would show
    code, out = invoke("log", "export-static", *copy.export)
    assert code == 0 and "0 files written" in out, out
    assert copy.stamps()["tile/0/000"] == first
    # a tile edited in the copy: neither the integrator nor the backfill overwrites it
    forged = b"\x00" * 8192
    copy.put("tile/0/000", forged)
    code, out = invoke("log", "export-static", *copy.export)
    assert code == 1 and "refused" in out and "tile/0/000" in out, out
    assert copy.files()["tile/0/000"] == forged
    monkeypatch.setenv(*copy.setting)
    _grow(registry, 10)
    code, out = invoke("log", "integrate")  # writes what changed: tile/0/000 is not touched
    assert code == 0 and "static copy at" in out, out
    assert copy.files()["tile/0/000"] == forged
    code, out = invoke("log", "export-static", *copy.export)
    assert code == 1 and "refused" in out and copy.files()["tile/0/000"] == forged
    assert invoke("log", "audit", *copy.audit)[0] == 1  # what finds it
    if copy.kind != "folder":
        return  # what follows is the publisher's, whatever the store
    # a static checkpoint ahead of the log (a database restored from an older backup)
    other = log_static.FolderStore(tmp_path / "ahead")
    origin = registry.settings.resolved_log_origin()
    other.write("checkpoint", f"{origin}\n999\n{'A' * 43}=\n\n— x\n".encode())
    with pytest.raises(log_static.StaticConflict, match="ahead of the log"):
        _publish(registry, other)
    # …or at a size the log has, with another root (the database diverged from the copy)
    other.write("checkpoint", f"{origin}\n100\n{'A' * 43}=\n\n— x\n".encode())
    with pytest.raises(log_static.StaticConflict, match="diverged"):
        _publish(registry, other)
    assert other.read("tile/0/000") is None


def test_i25_the_servers_integrator_publishes_and_the_app_url_audits_clean(
    cli_env: None, registry: Registry, tmp_path: Path
) -> None:
    static = tmp_path / "static"
    running = dataclasses.replace(
        registry,
        settings=registry.settings.model_copy(update={"log_interval_seconds": 0.05}),
        log_static=log_static.FolderStore(static),
    )
    _grow(registry, 20)
    with serve(running) as base:
        deadline = time.monotonic() + 10
        while log_static.static_size(running.log_static) < 20:  # type: ignore[arg-type]
            assert time.monotonic() < deadline, "the server's integrator published nothing"
            time.sleep(0.05)
        metrics = httpx.get(f"{base}/metrics").text
        assert 'dataip_log_leaves{kind="static"} 20.0' in metrics, metrics
        code, out = invoke("log", "audit", "--from-url", f"{base}/log")
        assert code == 0 and "audit clean" in out and "20 leaves" in out, out
        assert (
            httpx.get(f"{base}/log/tile/0/000.p/20").content
            == (static / "tile/0/000.p/20").read_bytes()
        )


@pytest.mark.dialect_independent
def test_i25_the_folder_store_writes_only_log_resources_atomically(tmp_path: Path) -> None:
    store = log_static.FolderStore(tmp_path / "static")
    for bad in ("../x", "/etc/passwd", "tile/../../x", "tile//0/000", "index.html", "tile/0/0 0"):
        with pytest.raises(ValueError):
            store.write(bad, b"x")
    store.write("tile/entries/x001/002.p/17", b"bundle")
    assert store.read("tile/entries/x001/002.p/17") == b"bundle"
    file = tmp_path / "static/tile/entries/x001/002.p/17"
    assert file.stat().st_mode & 0o777 == 0o644  # a web server running as another user
    assert [p.name for p in file.parent.iterdir()] == ["17"]  # no temporary file left
    assert store.read("tile/0/000") is None
    store.remove_partials("tile/entries/x001/002.p")
    assert not file.parent.exists()
    store.remove_partials("tile/entries/x001/002.p")  # nothing there: fine
    with pytest.raises(ValueError):
        store.remove_partials("tile/0/000")


@pytest.mark.dialect_independent
def test_i25_the_blob_static_store_keeps_tiles_immutable_under_log(
    registry: Registry, tmp_path: Path
) -> None:
    store = open_static_store(registry.settings, f"local:{tmp_path / 'objects'}")
    objects = store.objects
    for bad in ("../x", "tile//0/000", "index.html", "sha256/ab"):
        with pytest.raises(ValueError):
            store.write(bad, b"x")
    store.write("tile/0/000", b"tile")
    store.write("tile/0/000", b"tile")  # the same bytes again: nothing to do
    with pytest.raises(log_static.StaticConflict, match="tile/0/000"):
        store.write("tile/0/000", b"other")
    assert store.read("tile/0/000") == b"tile"
    store.write("checkpoint", b"one")
    store.write("checkpoint", b"two")  # the checkpoint and the key are replaced
    assert store.read("checkpoint") == b"two" and store.read("key") is None
    for width in (3, 17):
        store.write(f"tile/entries/001.p/{width}", b"partial")
    store.write("tile/entries/0010.p/1", b"another tile's")
    store.remove_partials("tile/entries/001.p")
    assert list(objects.keys()) == [
        "log/checkpoint",
        "log/tile/0/000",
        "log/tile/entries/0010.p/1",
    ]
    # a folder store behind it: files a web server running as another user can read
    assert (tmp_path / "objects/log/tile/0/000").stat().st_mode & 0o777 == 0o644
    assert store.location.endswith("objects (log/)")
    both = registry.settings.model_copy(
        update={"log_static_dir": tmp_path / "dir", "log_static_store": "database"}
    )
    with pytest.raises(ConfigurationError, match="not both"):
        open_log_static(both)
