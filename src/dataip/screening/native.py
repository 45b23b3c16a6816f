"""The screening's C extension (``_scan.c``), or None where it is not built.

One switch for every step that has a pure-Python reference (``detect``, ``columns``,
``parse``): each looks ``module`` up when it runs, so setting it to None — as the
differential tests and the benchmark's pure-Python run do — switches all of them.
"""

from __future__ import annotations

from types import ModuleType

module: ModuleType | None
try:  # built with the package; pure Python when it is not
    from dataip.screening import _scan as module
except ImportError:  # pragma: no cover - a build without a C compiler
    module = None
