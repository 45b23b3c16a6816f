"""The rows of benefit distribution as the services see them (db/repositories/distribution.py
reads and writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

LIVE = ("pending", "confirmed")  # links that count for the cycle and weight rules


@dataclass(frozen=True)
class LinkRow:
    """A declared upstream source (数据来源): `downstream` derives from the upstream."""

    id: int
    downstream_registration_id: int
    upstream_kind: str  # registration | foreign | external
    upstream_registration_id: int | None
    upstream_agency_code: str | None
    upstream_number: str | None
    external_name: str | None
    weight_bp: int
    stage: str
    state: str  # pending | confirmed | disputed
    declared_by: int
    declared_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    note: str | None
    graph_version: int


@dataclass(frozen=True)
class DistributionRow:
    id: int
    registration_id: int
    income_fen: int
    source: str  # filing | entered
    filing_id: int | None
    retention_bp: int
    graph_version: int
    links: list[dict[str, Any]]
    recorded_by: int
    recorded_at: datetime
    income_salt: str
    event_id: int | None


@dataclass(frozen=True)
class PartRow:
    distribution_id: int
    position: int
    beneficiary: str
    kind: str  # holder | foreign | external
    node: str
    party_id: int | None
    link_id: int | None
    share: str  # n/d
    amount_fen: int
    flows: list[dict[str, Any]]
    paths_complete: bool
    salt: str
