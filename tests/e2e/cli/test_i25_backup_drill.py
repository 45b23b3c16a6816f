"""Issue 25 §5: the backup-and-restore drill. A registry with data (`dataip demo`) is backed
up while it could be serving, restored onto a new database and data dir, and the restored one
must pass `dataip log audit`, keep the log (same key, a checkpoint that extends the backed-up
one) and verify the certificates of the old and the restored registry — on SQLite and, in the
PostgreSQL pass, with pg_dump and pg_restore. A backup without a key or with a truncated
database makes the drill fail."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server, scratch_database


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A registry with the demo's registrations, certificates and log (no server process:
    the drill reads it as an online backup does)."""
    tmp = tmp_path_factory.mktemp("source")
    with scratch_database(tmp) as url:
        registry = Server(tmp, url)
        registry.cli("init")
        registry.cli("demo", timeout=300)
        yield registry


@pytest.fixture(scope="module")
def backup(source: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "good"
    source.cli("backup", "create", str(out))
    return out


def test_i25_drill_restores_an_audited_registry_whose_certificates_verify(
    source: Server, tmp_path: Path
) -> None:
    r = source.cli("backup", "drill", "--work", str(tmp_path), timeout=300)
    out = r.stdout
    assert "audit clean" in out
    assert "extends the backed-up size" in out
    assert "verify with the restored keys" in out
    assert out.count("authentic; status not checked") == 3, out  # old and restored PDFs
    assert "drill passed" in out


def _tampered(backup: Path, tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name
    shutil.copytree(backup, copy)
    return copy


def _drill(source: Server, backup: Path, tmp_path: Path) -> str:
    r = source.cli(
        "backup",
        "drill",
        "--backup",
        str(backup),
        "--work",
        str(tmp_path / "work"),
        check=False,
        timeout=300,
    )
    assert r.returncode == 1, r.stdout
    assert "drill failed at: restore" in r.stdout or "drill failed at" in r.stdout
    return r.stdout


def test_i25_drill_fails_when_a_key_is_missing(
    source: Server, backup: Path, tmp_path: Path
) -> None:
    lost = _tampered(backup, tmp_path, "lost-key")
    (lost / "data" / "log-signing.key").unlink()
    assert "missing: data/log-signing.key" in _drill(source, lost, tmp_path)


def test_i25_drill_fails_when_the_backup_was_made_without_the_keys(
    source: Server, backup: Path, tmp_path: Path
) -> None:
    """The usual mistake: the database dump alone (the manifest says so too)."""
    bare = _tampered(backup, tmp_path, "dump-only")
    shutil.rmtree(bare / "data" / "certificate-keys")
    manifest = json.loads((bare / "manifest.json").read_text())
    manifest["files"] = {
        k: v for k, v in manifest["files"].items() if not k.startswith("data/certificate-keys/")
    }
    (bare / "manifest.json").write_text(json.dumps(manifest))
    assert "missing key: data/certificate-keys/active" in _drill(source, bare, tmp_path)


def test_i25_drill_fails_on_a_truncated_database(
    source: Server, backup: Path, tmp_path: Path
) -> None:
    cut = _tampered(backup, tmp_path, "truncated")
    manifest = json.loads((cut / "manifest.json").read_text())
    db = cut / manifest["database"]
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    assert f"damaged (SHA-256 differs): {manifest['database']}" in _drill(source, cut, tmp_path)


def test_i25_restored_checks_catch_a_truncated_database_the_manifest_vouches_for(
    source: Server, backup: Path, tmp_path: Path
) -> None:
    """Hashes only prove the copy is the one made: a database cut before the manifest was
    written restores — or does not — and the audit or the restore refuses it."""
    import hashlib

    cut = _tampered(backup, tmp_path, "truncated-vouched")
    manifest = json.loads((cut / "manifest.json").read_text())
    db = cut / manifest["database"]
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    manifest["files"][manifest["database"]] = hashlib.sha256(db.read_bytes()).hexdigest()
    (cut / "manifest.json").write_text(json.dumps(manifest))
    out = _drill(source, cut, tmp_path)
    assert "drill passed" not in out
