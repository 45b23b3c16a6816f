"""Location of the conformance vectors: ``tests/vectors`` (a copy of the project's
vectors with their licence notes, so a clone passes on its own); ``DATAIP_VECTORS`` points the
tests at another copy, e.g. a newer one, to check it."""

from __future__ import annotations

import base64
import os
from pathlib import Path

VECTORS = Path(os.environ.get("DATAIP_VECTORS", Path(__file__).resolve().parents[2] / "vectors"))
TLOG = VECTORS / "tlog"
C2SP = TLOG / "c2sp-specs"


def b64(text: str) -> bytes:
    """Standard base64 as used in the vector files (lenient: vectors contain garbage)."""
    return base64.b64decode(text)
