"""Location of the shared conformance vectors (``../shared/vectors`` next to the repo)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

VECTORS = Path(
    os.environ.get("DATAIP_VECTORS", Path(__file__).resolve().parents[4] / "shared" / "vectors")
)
TLOG = VECTORS / "tlog"
C2SP = TLOG / "c2sp-specs"


def b64(text: str) -> bytes:
    """Standard base64 as used in the vector files (lenient: vectors contain garbage)."""
    return base64.b64decode(text)
