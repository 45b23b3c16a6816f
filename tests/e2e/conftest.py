"""Fixtures the end-to-end tests share beyond tests/conftest.py."""

from __future__ import annotations

# issue 20: who an institutional request stands for (until real tokens: see the module)
from tests.support.institutions import institution  # noqa: F401
