"""The outside tools the tests verify with (issue 19 §7): without one a test is skipped on a
developer's machine and fails under CI=true, so a green CI run means every witness ran —
decided in one place, tests/support/tools.py, which nothing bypasses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import tools

HERE = Path(__file__).resolve()
TESTS = HERE.parents[1]


@pytest.fixture
def nothing_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize("name", sorted(tools.TOOLS))
def test_i19_a_missing_tool_fails_the_test_under_ci(
    name: str, nothing_on_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    assert tools.missing([name]) == [name]
    with pytest.raises(pytest.fail.Exception, match="CI=true and the test's witness is missing"):
        tools.require([name])


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_i19_a_missing_tool_skips_the_test_outside_ci(
    ci: str | None, nothing_on_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="under CI=true this fails"):
        tools.require(["openssl", "poppler"])


def test_i19_a_present_tool_lets_the_test_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("openssl", "pdftoppm", "pdftotext", "pdfdetach"):
        (fake / name).write_text("#!/bin/sh\n", "ascii")
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    monkeypatch.setenv("CI", "true")
    assert tools.missing(["openssl", "poppler"]) == []
    tools.require(["openssl", "poppler"])  # neither skips nor fails
    with pytest.raises(KeyError, match="unknown outside tool"):
        tools.missing(["openssl", "opensll"])


def test_i19_no_test_decides_about_an_outside_tool_by_itself() -> None:
    """Every skip on a missing tool goes through the `needs` mark: a `shutil.which` next to a
    skip anywhere else would turn a missing witness into a green run again."""
    offenders = []
    for path in TESTS.rglob("*.py"):
        if "node_modules" in path.parts or path in (Path(tools.__file__).resolve(), HERE):
            continue
        text = path.read_text("utf-8")
        if "shutil.which" in text and re.search(r"\bskip(if)?\b", text):
            offenders.append(str(path.relative_to(TESTS)))
    assert offenders == []
