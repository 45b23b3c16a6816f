"""Issue 25 §3, the log's static face: the integrator also writes the tlog-tiles resources to
a folder (DATAIP_LOG_STATIC_DIR) laid out as the /log/ URLs, byte-identical to what the
application serves; a static web server of that folder is audited clean by `dataip log audit
--from-url` and read by the spec-only client of tests/e2e/test_log_server.py; a tampered file
fails the audit and names itself; a published full tile is never rewritten."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.domain import model as m
from dataip.ledger import tiles
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.note import Signer
from dataip.services import ledger, log_static
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


@contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Python's own static file server over the folder, in a thread: no dataip in the path."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_i25_integrate_writes_the_static_copy_byte_identical_to_the_log_routes(
    cli_env: None, api: Api, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    monkeypatch.setenv("DATAIP_LOG_STATIC_DIR", str(static))
    _grow(registry, 100)
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy at" in out, out
    _grow(registry, 200)
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy at" in out, out
    files = _files(static)
    size = open_checkpoint(files["checkpoint"], [registry.log_keys.verifier])[0].size
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
    assert not (static / "tile/0/000.p").exists() and not (static / "tile/entries/000.p").exists()
    for path, data in files.items():
        r = api.c.get("/log/" + path)
        assert r.status_code == 200, (path, r.text)
        assert r.content == data, path
    assert files["key"].decode().strip() == registry.log_keys.verifier_text
    # nothing to do when the copy is current: not one file touched
    before = {p: (static / p).stat().st_mtime_ns for p in files}
    code, out = invoke("log", "integrate")
    assert code == 0 and "static copy" not in out, out
    assert {p: (static / p).stat().st_mtime_ns for p in files} == before


@pytest.mark.dialect_independent
def test_i25_a_static_server_of_the_folder_is_audited_clean_and_a_tampered_file_is_named(
    cli_env: None, registry: Registry, tmp_path: Path
) -> None:
    static = tmp_path / "static"
    store = log_static.FolderStore(static)
    _grow(registry, 100)
    _publish(registry, store)
    _grow(registry, 200)
    _publish(registry, store)
    state = tmp_path / "audited.json"
    with static_server(static) as url, httpx.Client(base_url=url, timeout=10) as http:
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
    code, out = invoke("log", "audit", "--from-dir", str(static), "--key", str(key))
    assert code == 0 and "audit clean" in out, out
    other_key = Signer.generate(registry.settings.resolved_log_origin()).verifier().to_text()
    code, out = invoke("log", "audit", "--from-dir", str(static), "--key", other_key)
    assert code == 1 and "does not verify" in out, out

    def tampered(path: str, at: int = 40, table: bool = False) -> list[tuple[str, str, str]]:
        """Flip one bit of byte `at` (of hash 1, or of an entry) in the file; the findings."""
        file = static / path
        honest = file.read_bytes()
        file.write_bytes(honest[:at] + bytes([honest[at] ^ 1]) + honest[at + 1 :])
        try:
            if table:
                code, out = invoke("log", "audit", "--from-dir", str(static))
                assert code == 1 and "audit clean" not in out, out
                assert path in re.sub(r"\s+", "", out), out  # the table names the file
            code, out = invoke("log", "audit", "--from-dir", str(static), "--json")
        finally:
            file.write_bytes(honest)
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
    (static / "tile/0/001.p/104").rename(static / "gone")
    code, out = invoke("log", "audit", "--from-dir", str(static))
    assert code == 1 and "missing" in out and "tile/0/001.p/104" in out, out
    (static / "gone").rename(static / "tile/0/001.p/104")
    honest = (static / "checkpoint").read_text()
    (static / "checkpoint").write_text(honest.replace("\n360\n", "\n361\n"))
    code, out = invoke("log", "audit", "--from-dir", str(static))
    assert code == 1 and "does not verify" in out, out
    (static / "checkpoint").write_text(honest)
    assert invoke("log", "audit", "--from-dir", str(static))[0] == 0


def test_i25_a_published_full_tile_is_never_rewritten(
    cli_env: None, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    store = log_static.FolderStore(static)
    _grow(registry, 300)
    _publish(registry, store)
    full = static / "tile/0/000"
    first = full.stat()
    # the backfill over a current copy compares everything and writes nothing
    code, out = invoke("log", "export-static", str(static))
    assert code == 0 and "0 files written" in out, out
    again = full.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    # a tile edited on disk: neither the integrator nor the backfill overwrites it
    forged = b"\x00" * 8192
    full.write_bytes(forged)
    code, out = invoke("log", "export-static", str(static))
    assert code == 1 and "refused" in out and "tile/0/000" in out, out
    assert full.read_bytes() == forged
    monkeypatch.setenv("DATAIP_LOG_STATIC_DIR", str(static))
    _grow(registry, 10)
    code, out = invoke("log", "integrate")  # writes what changed: tile/0/000 is not touched
    assert code == 0 and "static copy at" in out, out
    assert full.read_bytes() == forged
    code, out = invoke("log", "export-static", str(static))
    assert code == 1 and "refused" in out and full.read_bytes() == forged
    assert invoke("log", "audit", "--from-dir", str(static))[0] == 1  # what finds it
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
