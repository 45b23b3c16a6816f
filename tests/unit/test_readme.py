"""The README a newcomer reads first (issue 19 §7): Chinese first, one screenshot that is in
the repository and small, a quick start of exactly two commands, what `bin/start` prints and
how to stop it and change its port; the benchmark figures live in bench/README.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / max(1, len(letters))


def test_i19_readme_is_chinese_first() -> None:
    first = README.split("## English", 1)[0]
    assert "## English" in README and _cjk_share(first) > 0.3
    assert "## 快速开始" in first and "演示账户" in first


def test_i19_readme_quick_start_is_two_commands() -> None:
    block = re.search(r"## 快速开始.*?```sh\n(.*?)```", README, re.S)
    assert block, "the quick start has a shell block"
    commands = [ln.split("#")[0].strip() for ln in block.group(1).splitlines() if ln.strip()]
    assert commands == ["./bin/start", "./bin/test"]


def test_i19_readme_screenshot_is_committed_and_compressed() -> None:
    shots = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", README)
    assert len(shots) == 1
    png = ROOT / shots[0]
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < 150_000


def test_i19_readme_says_what_start_prints_how_long_how_to_stop_and_change_port() -> None:
    for needle in ("ready at http://127.0.0.1:8000", "Ctrl+C", "--port 8001", "秒"):
        assert needle in README, needle


def test_i19_benchmark_figures_live_in_bench_readme() -> None:
    bench = (ROOT / "bench" / "README.md").read_text("utf-8")
    assert "MB/s" in bench and "--smoke" in bench
    assert "MB/s" not in README and "bench/README.md" in README
    # every script in bench/ is described there (smoke and `_` modules are what scripts import)
    for script in sorted(ROOT.glob("bench/*.py")):
        if script.stem != "smoke" and not script.stem.startswith("_"):
            assert f"bench/{script.name}" in bench, script.name
