"""bin/start installs again only when what the install is made from changed (issue 19 §7):
bin/setup-stamp fingerprints pyproject.toml, bin/setup and the C extension's source."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ("pyproject.toml", "bin/setup", "bin/setup-stamp", "src/dataip/screening/_scan.c")


def _stamp(root: Path) -> str:
    out = subprocess.run(
        [str(root / "bin" / "setup-stamp")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert len(out) == 64
    return out


def test_i19_the_stamp_changes_with_pyproject_and_only_with_its_inputs(tmp_path: Path) -> None:
    for rel in INPUTS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)
    first = _stamp(tmp_path)
    assert _stamp(tmp_path) == first == _stamp(ROOT)  # same inputs, same stamp
    (tmp_path / "src" / "dataip" / "other.py").write_text("x = 1\n", "utf-8")
    assert _stamp(tmp_path) == first  # Python changes need no install (editable)
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n# a new dependency\n")
    assert _stamp(tmp_path) != first
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _stamp(tmp_path) == first
    with (tmp_path / "src" / "dataip" / "screening" / "_scan.c").open("a") as f:
        f.write("/* changed */\n")
    assert _stamp(tmp_path) != first


def test_i19_bin_start_installs_once_and_then_only_when_pyproject_changes(tmp_path: Path) -> None:
    """bin/start in a copy of the tree whose bin/setup and .venv/bin/dataip are stand-ins
    that note their calls: the real start script, the real stamp."""
    for rel in (*INPUTS, "bin/start"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)
    calls = tmp_path / "calls"
    setup = tmp_path / "bin" / "setup"
    setup.write_text(
        '#!/usr/bin/env bash\nset -e\ncd "$(dirname "$0")/.."\necho setup >>calls\n'
        "mkdir -p .venv/bin\n"
        "printf '#!/bin/sh\\necho \"dataip $* (port $DATAIP_PORT)\" >>calls\\n' "
        ">.venv/bin/dataip\nchmod +x .venv/bin/dataip\n"
        "bin/setup-stamp >.venv/setup.stamp\n",
        "utf-8",
    )
    setup.chmod(0o755)

    def start(*args: str) -> str:
        r = subprocess.run(
            [str(tmp_path / "bin" / "start"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    assert "installing dataip" in start()
    assert "installing" not in start("--port", "8001")
    log = calls.read_text("utf-8").splitlines()
    assert log.count("setup") == 1
    # init and demo (which issues certificates) see the port the server will have
    assert log[-3:] == [
        "dataip init (port 8001)",
        "dataip demo (port 8001)",
        "dataip serve --port 8001 (port 8001)",
    ]
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n# a new dependency\n")
    assert "installing dataip" in start()
    assert calls.read_text("utf-8").splitlines().count("setup") == 2
