"""Fixtures for CLI tests that talk to the registry over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dataip.bootstrap import Registry
from dataip.services.context import Env
from tests.support.live import serve


@pytest.fixture
def live_url(registry: Registry, env: Env) -> Iterator[str]:
    """The app on a real socket, so the CLI's HTTP client talks to it like to any registry."""
    with serve(registry) as base:
        yield f"{base}/log"
