"""`dataip fingerprint DIR` says where it wrote the manifest (issue 19 §7); `--out` chooses
(a file, or a folder to put NAME.manifest.json in); it never writes into the data set it
describes, where the next run would fingerprint the manifest too. The real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DATAIP = Path(sys.executable).with_name("dataip")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DATAIP), "fingerprint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "400", "NO_COLOR": "1"},
        check=False,
    )


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "交通数据"
    data.mkdir()
    (data / "flows.csv").write_text("路口,流量\n甲,1\n乙,2\n", "utf-8")
    return data


def test_r6_fingerprint_says_where_it_wrote_and_out_chooses(tmp_path: Path) -> None:
    data = _data(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    r = _run(str(data), cwd=work)
    assert r.returncode == 0, r.stderr
    default = work / "交通数据.manifest.json"
    assert default.is_file() and json.loads(default.read_text("utf-8"))["root"]
    assert f"manifest written to {default}" in r.stderr
    assert "--out FILE" in r.stderr  # the default said as such, with the way to choose

    chosen = tmp_path / "out" / "m.json"
    chosen.parent.mkdir()
    r = _run(str(data), "--out", str(chosen), cwd=work)
    assert r.returncode == 0 and f"manifest written to {chosen}" in r.stderr
    assert "current directory" not in r.stderr
    assert chosen.read_text("utf-8") == default.read_text("utf-8")

    r = _run(str(data), "--out", str(chosen.parent), cwd=work)  # a folder
    assert r.returncode == 0 and (chosen.parent / "交通数据.manifest.json").is_file()

    r = _run(str(data), "--out", str(tmp_path / "missing" / "m.json"), cwd=work)
    assert r.returncode == 1 and "cannot write the manifest" in r.stderr
    assert "Traceback" not in r.stderr


def test_r6_fingerprint_never_writes_into_the_data_set(tmp_path: Path) -> None:
    data = _data(tmp_path)
    before = sorted(p.name for p in data.iterdir())
    r = _run(".", cwd=data)  # `cd data && dataip fingerprint .`
    assert r.returncode == 2 and "into the data set it describes" in r.stderr
    r = _run(str(data), "--out", str(data / "m.json"), cwd=tmp_path)
    assert r.returncode == 2
    assert sorted(p.name for p in data.iterdir()) == before
    r = _run(".", "--out", str(tmp_path / "m.json"), cwd=data)
    assert r.returncode == 0 and (tmp_path / "m.json").is_file()
