"""What a registry keeps about other registries (issue 21): a foreign status list as fetched,
and its pushes to a peer's witness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoredStatusList:
    url: str
    issuer: str
    token: str
    fetched_at: datetime


@dataclass(frozen=True)
class WitnessPush:
    witness: str  # the witness's cosigner name
    witness_key: str  # its vkey as listed when the state was kept
    size: int  # the size of our checkpoint it last cosigned (0: none yet)
    checkpoint: str | None  # that checkpoint, with its cosignature line
    cosigned_at: datetime | None
    failures: int
    next_attempt_at: datetime | None
    last_error: str | None
