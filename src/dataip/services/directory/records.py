"""The service directory's records (issue 23 §5) as the use cases see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# the agency categories the directory lists (issue 23 §5), zh and en
CATEGORIES: dict[str, tuple[str, str]] = {
    "appraisal": ("资产评估", "Asset appraisal"),
    "law_firm": ("律师事务所", "Law firm"),
    "notary": ("公证机构", "Notary"),
    "exchange": ("数据交易所", "Data exchange"),
    "broker": ("数据经纪", "Data broker"),
    "bank": ("银行", "Bank"),
    "evidence_platform": ("存证平台", "Evidence platform"),
}
AGENCY_STATES: dict[str, tuple[str, str]] = {
    "listed": ("已列入", "Listed"),
    "suspended": ("已暂停", "Suspended"),
}
REQUEST_STATES: dict[str, tuple[str, str]] = {
    "requested": ("待答复", "Awaiting an answer"),
    "accepted": ("已接受", "Accepted"),
    "declined": ("已拒绝", "Declined"),
}


@dataclass(frozen=True)
class Agency:
    id: int
    party_id: int
    owner_user_id: int
    name: str
    categories: str  # codes joined by ","
    region_code: str
    description: str
    state: str
    state_reason: str | None
    listed_at: datetime
    changed_at: datetime | None
    version: int

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


@dataclass(frozen=True)
class ServiceRequest:
    id: int
    agency_id: int
    registration_id: int
    requester_user_id: int
    category: str
    message: str
    state: str
    requested_at: datetime
    answered_at: datetime | None
    version: int
