"""Headless Chromium (Debian's `chromium`, driven by Playwright's bundled driver: no
`playwright install`, nothing downloaded) against the app on a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.services.context import Env
from tests.support.live import serve
from tests.support.tools import chromium

CHROMIUM = chromium()

# skipped without Chromium, failed without it under CI (tests/support/tools.py)
pytestmark = pytest.mark.needs("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def site(registry: Registry, env: Env) -> Iterator[str]:
    """The registry's app served on 127.0.0.1 (the test's database and clock)."""
    with serve(registry) as base:
        yield base


@pytest.fixture
def shots(output_path: str) -> Path:
    """Where this test's screenshots go (under pytest-playwright's --output directory)."""
    path = Path(output_path)
    path.mkdir(parents=True, exist_ok=True)
    return path
