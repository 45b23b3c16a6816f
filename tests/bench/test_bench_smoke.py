"""Every benchmark in bench/ runs end to end at its smoke size (`--smoke`: seconds, SQLite,
tiny data), as CI runs it, so that none of them rots unnoticed again (issue 19 §7:
`bench/tick.py` had stopped running when log entries began to reference events). Each runs
as `python bench/NAME.py --smoke --out TMP/NAME.json` in a subprocess; it must exit 0 and
write its JSON, which must say what it measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import tools

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
# modules the scripts import (smoke, `_`-prefixed) are not benchmarks
SCRIPTS = sorted(
    p.stem for p in BENCH.glob("*.py") if p.stem != "smoke" and not p.stem.startswith("_")
)

# what each script's JSON must hold: proof the run measured something, not just started
EXPECT = {
    "blobstore": ("sizes", "machine"),  # issue 25 §2: put/get per store and object size
    "certs": ("issue",),
    "distribution": ("runs",),  # issue 23 §2
    "federation": ("backends", "policy"),
    "fingerprint": ("folder", "rows"),
    "ledger": ("backends",),
    "load": ("runs", "figures", "audit"),  # issue 25 §4
    "matching": ("matching",),  # issue 23 (the distribution's timing joins under its own key)
    "pages": ("runs",),  # issue 25: CPU per request of the public pages
    "ranking": ("backends",),  # issue 22 §4
    "screening": ("runs", "accuracy"),
    "registry_statistics": ("backends", "aim"),
    "search": ("backends",),
    "sharing": ("backends",),
    "tick": ("backends",),
    "upgrade": ("runs", "baseline"),  # issue 25 §5: the upgrade drill
    "xlsx": ("readers", "speedup_vs_openpyxl"),
}
NEEDS = {"fingerprint": ("openssl",)}  # its baselines: openssl dgst (and coreutils' sha256sum)


def test_i19_every_bench_script_has_a_smoke_run() -> None:
    assert sorted(EXPECT) == SCRIPTS, "a new bench script needs its smoke run here"
    for name in SCRIPTS:
        text = (BENCH / f"{name}.py").read_text("utf-8")
        assert "add_smoke_option(" in text, f"bench/{name}.py has no --smoke"


@pytest.mark.parametrize("name", SCRIPTS[0::2])
def test_i19_bench_script_runs_at_its_smoke_size(name: str, tmp_path: Path) -> None:
    run_smoke(name, tmp_path)


def run_smoke(name: str, tmp_path: Path) -> None:
    """Half the scripts run here, the other half in test_bench_smoke_other.py: one module goes
    to one test worker (`--dist loadfile`), and all of them in a row were the suite's tail."""
    tools.require(NEEDS.get(name, ()))
    out = tmp_path / f"{name}.json"
    # without the suite's DATAIP_* settings: on scratch SQLite data of their own, the same run
    # whichever database the suite uses (CI runs them in its PostgreSQL pass, to even the two)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAIP_")}
    env["TMPDIR"] = str(tmp_path)  # scratch data (and nothing under bench/results)
    r = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, f"bench/{name}.py --smoke exited {r.returncode}\n{r.stderr[-4000:]}"
    result = json.loads(out.read_text("utf-8"))
    for key in EXPECT[name]:
        assert result.get(key), f"bench/{name}.py --smoke wrote no {key!r}: {sorted(result)}"
    if "backends" in result:
        assert list(result["backends"]) == ["sqlite"]
        assert all("skipped" not in b for b in result["backends"].values())
