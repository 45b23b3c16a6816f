"""R6 / R5.10: data-set fingerprints — digests equal to the standard tools', roots stable
across runs, machines and worker counts, and bad input refused with a clear message."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dataip.cli.main import app
from dataip.evidence import fingerprint as fp
from dataip.evidence import rows as rowlib
from dataip.evidence.hashing import hasher
from dataip.ledger import merkle

runner = CliRunner()


def _data(root: Path) -> Path:
    d = root / "数据"
    (d / "sub").mkdir(parents=True)
    (d / "流量.csv").write_text(
        "日期,城市,流量\n" + "".join(f"2026-01-{i % 28 + 1:02d},贵阳,{i}\n" for i in range(3000)),
        "utf-8",
    )
    (d / "sub" / "big.bin").write_bytes(bytes(range(256)) * (4096 * 3 + 7))  # 3 MiB + a bit
    (d / "sub" / "events.jsonl").write_text('{"b":1,"a":"甲"}\n\n{"a":2.50}\n', "utf-8")
    (d / "sub" / "empty.txt").write_bytes(b"")
    return d


@pytest.mark.needs("openssl")
def test_r6_file_digests_equal_sha256sum_and_openssl_sm3(tmp_path: Path) -> None:
    d = _data(tmp_path)
    for name in ("sha256", "sm3"):
        manifest = fp.fingerprint(d, hash_name=name).manifest
        for entry in manifest.files:
            cmd = ["sha256sum"] if name == "sha256" else ["openssl", "dgst", "-sm3", "-r"]
            out = subprocess.run([*cmd, str(d / entry.path)], capture_output=True, check=True)
            assert out.stdout.split()[0].decode() == entry.digest, (name, entry.path)


def test_r6_roots_are_identical_across_runs_worker_counts_and_copies(tmp_path: Path) -> None:
    d = _data(tmp_path)
    roots = {fp.fingerprint(d, workers=w).manifest.root for w in (1, 2, 4)}
    copy = tmp_path / "copy"
    shutil.copytree(d, copy)  # another place, other inode numbers and times
    os.utime(copy / "流量.csv", (1, 1))
    roots.add(fp.fingerprint(copy, workers=3).manifest.root)
    assert len(roots) == 1


def test_r6_manifest_structure(tmp_path: Path) -> None:
    d = _data(tmp_path)
    m = fp.fingerprint(d).manifest
    assert [f.path for f in m.files] == [
        "sub/big.bin",
        "sub/empty.txt",
        "sub/events.jsonl",
        "流量.csv",
    ]
    h = hasher("sha256")
    big = (d / "sub" / "big.bin").read_bytes()
    chunks = [big[i : i + fp.CHUNK_SIZE] for i in range(0, len(big), fp.CHUNK_SIZE)]
    assert len(chunks) == 4
    entry = m.files[0]
    assert entry.chunk_root == merkle.root([merkle.leaf_hash(c) for c in chunks]).hex()
    assert entry.row_root is None and entry.rows is None
    assert m.files[1].chunk_root == hashlib.sha256(b"").hexdigest()  # RFC 6962 MTH({})
    assert (m.files[2].rows, m.files[3].rows) == (2, 3001)  # blank JSON line skipped; header
    leaves = [merkle.leaf_hash(rfc8785.dumps(f.to_dict("sha256"))) for f in m.files]
    assert m.root == merkle.root(leaves).hex()
    assert fp.Manifest.from_json(m.to_json()) == m
    assert h.root([]) == hashlib.sha256(b"").digest()


def test_r6_row_root_does_not_depend_on_the_encoding(tmp_path: Path) -> None:
    text = "名称,值\n甲,1\n乙,“2”\n"
    (tmp_path / "utf8.csv").write_text(text, "utf-8")
    (tmp_path / "bom.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    (tmp_path / "gb.csv").write_bytes(text.encode("gb18030"))
    entries = [
        fp.fingerprint(tmp_path / n).manifest.files[0] for n in ("utf8.csv", "bom.csv", "gb.csv")
    ]
    assert len({e.row_root for e in entries}) == 1 and len({e.digest for e in entries}) == 3
    assert rowlib.detect_encoding(tmp_path / "gb.csv") == "gb18030"


@given(st.lists(st.text(), max_size=8))
def test_canonical_csv_rows_are_rfc8785(fields: list[str]) -> None:
    assert rowlib.canonical_fields(fields) == rfc8785.dumps(fields)


def test_a_tampered_manifest_is_refused(tmp_path: Path) -> None:
    m = fp.fingerprint(_data(tmp_path)).manifest
    raw = json.loads(m.to_json())
    raw["files"][0]["size"] += 1
    with pytest.raises(fp.FingerprintError, match="root does not match"):
        fp.Manifest.from_json(json.dumps(raw))
    with pytest.raises(fp.FingerprintError, match="not JSON"):
        fp.Manifest.from_json(b"\xff")


# --- bad input --------------------------------------------------------------------------------


def test_r6_empty_folder_and_empty_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(fp.FingerprintError, match="holds no files"):
        fp.fingerprint(tmp_path / "empty")
    (tmp_path / "zero.csv").write_bytes(b"")
    with pytest.raises(fp.FingerprintError, match="0 bytes"):
        fp.fingerprint(tmp_path / "zero.csv")
    with pytest.raises(fp.FingerprintError, match="No such file"):
        fp.fingerprint(tmp_path / "missing")


def test_r6_symlinks_and_unreadable_files_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _data(tmp_path)
    (d / "link.csv").symlink_to(d / "流量.csv")
    with pytest.raises(fp.FingerprintError, match=r"link\.csv: symbolic link"):
        fp.fingerprint(d)
    (d / "link.csv").unlink()
    secret = d / "sub" / "big.bin"
    real_access = os.access
    # root reads everything, so the permission check is faked for this one file
    monkeypatch.setattr(os, "access", lambda p, m: Path(p) != secret and real_access(p, m))
    with pytest.raises(fp.FingerprintError, match=r"big\.bin: not readable"):
        fp.fingerprint(d)


def test_r6_a_file_growing_while_hashed_is_refused(tmp_path: Path) -> None:
    d = _data(tmp_path)
    grown = False

    def grow(done: int, total: int) -> None:
        nonlocal grown
        if not grown:
            grown = True
            with (d / "sub" / "big.bin").open("ab") as f:
                f.write(b"more rows arriving")

    with pytest.raises(fp.FingerprintError, match="changed while it was being fingerprinted"):
        fp.fingerprint(d, workers=1, on_progress=grow)


def test_r6_an_interrupted_run_resumes_with_the_same_root(tmp_path: Path) -> None:
    d = _data(tmp_path)
    journal = tmp_path / "m.json.partial"
    full = fp.fingerprint(d, journal=journal)
    assert len(journal.read_text().splitlines()) == 4
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[:2]) + '\n{"torn')  # interrupted mid-write
    again = fp.fingerprint(d, journal=journal)
    assert again.reused == 2 and again.manifest == full.manifest
    (d / "流量.csv").write_text("日期\n2027-01-01\n", "utf-8")  # changed since: not reused
    changed = fp.fingerprint(d, journal=journal)
    assert changed.manifest.root != full.manifest.root


def test_r6_cli_writes_the_manifest_and_explains_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _data(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["fingerprint", str(d), "--hash", "sm3"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "数据.manifest.json").read_text())
    assert manifest["hash"] == "sm3" and len(manifest["files"]) == 4
    assert not (tmp_path / "数据.manifest.json.partial").exists()
    r = runner.invoke(app, ["fingerprint", str(d), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["hash"] == "sha256"
    (tmp_path / "empty").mkdir()
    r = runner.invoke(app, ["fingerprint", str(tmp_path / "empty")])
    assert r.exit_code == 1 and "holds no files" in r.output
    r = runner.invoke(app, ["fingerprint", str(d), "--hash", "md5"])
    assert r.exit_code == 2
