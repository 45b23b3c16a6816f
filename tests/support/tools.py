"""The outside tools some tests verify with, as independent witnesses: one place that says
what each is, how to tell it is there, and what a test does without it.

    @pytest.mark.needs("poppler")            # a test
    pytestmark = pytest.mark.needs("chromium")   # a module

Without the tool a test is skipped on a developer's machine, and FAILS when `CI` is set (as
`.ci/run` sets it): a green CI run means every witness ran. tests/conftest.py applies the
mark (pytest_runtest_setup); tests/unit/test_outside_tools.py proves both outcomes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[1] / "js"
INSTALL = "`bin/setup dev` installs it"


@dataclass(frozen=True)
class Tool:
    what: str
    present: Callable[[], bool]


def _on_path(*names: str) -> Callable[[], bool]:
    return lambda: all(shutil.which(n) for n in names)


def chromium() -> str | None:
    """Debian's Chromium, which Playwright drives (never `playwright install`)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


TOOLS: dict[str, Tool] = {
    "openssl": Tool("OpenSSL's command line (openssl)", _on_path("openssl")),
    "poppler": Tool(
        "poppler-utils (pdftoppm, pdftotext, pdfdetach)",
        _on_path("pdftoppm", "pdftotext", "pdfdetach"),
    ),
    "jose": Tool(
        "node with npm jose (npm ci --prefix tests/js)",
        lambda: bool(shutil.which("node")) and (JS / "node_modules" / "jose").is_dir(),
    ),
    "chromium": Tool("Debian's chromium", lambda: chromium() is not None),
    # the deployment examples (deploy/): their units and proxy configuration are checked by
    # the tools that will read them
    "systemd-analyze": Tool("systemd's systemd-analyze", _on_path("systemd-analyze")),
    "nginx": Tool("nginx (Debian's nginx-light)", _on_path("nginx")),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(names: Iterable[str]) -> list[str]:
    """The named tools that are not here (an unknown name is a mistake in the test)."""
    out = []
    for name in names:
        if name not in TOOLS:
            raise KeyError(f"unknown outside tool {name!r}; known: {', '.join(TOOLS)}")
        if not TOOLS[name].present():
            out.append(name)
    return out


def require(names: Iterable[str]) -> None:
    """Skip the running test when a tool is missing — fail it under CI."""
    lacking = missing(names)
    if not lacking:
        return
    what = "; ".join(TOOLS[n].what for n in lacking)
    if in_ci():
        pytest.fail(f"CI=true and the test's witness is missing: {what} ({INSTALL})", False)
    pytest.skip(f"needs {what} ({INSTALL}; under CI=true this fails)")
