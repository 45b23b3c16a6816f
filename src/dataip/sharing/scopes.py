"""OAuth scopes an institutional client may hold, and the principal a token stands for.

The interface the sharing capabilities meet at: the token endpoint issues a token for a
:class:`Principal`; every institutional route asks for the scopes it needs
(``web/api/institution_auth.require_scopes``) and receives the principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REGISTRATIONS_READ: Final = "registrations:read"  # the public record
REGISTRATIONS_READ_FULL: Final = "registrations:read-full"  # private fields, archive (courts)
PLEDGES_WRITE: Final = "pledges:write"  # banks: file, release, enforce pledges
FREEZES_WRITE: Final = "freezes:write"  # courts: preserve (保全) and lift
EVENTS_READ: Final = "events:read"  # the event feed
WEBHOOKS_MANAGE: Final = "webhooks:manage"  # the client's own subscriptions
VALUATIONS_WRITE: Final = "valuations:write"  # appraisal agencies: signed valuations (issue 22)

# scope -> (zh, en) description, shown to the admin and in the token metadata
SCOPES: Final[dict[str, tuple[str, str]]] = {
    REGISTRATIONS_READ: ("读取公开登记信息", "read the public record"),
    REGISTRATIONS_READ_FULL: (
        "读取完整登记信息与档案（须说明用途）",
        "read private fields and the archive (a purpose is required)",
    ),
    PLEDGES_WRITE: ("办理质押备案、解除与实现", "file, release and enforce pledges"),
    FREEZES_WRITE: ("保全（冻结）与解除保全", "freeze (preserve) and lift"),
    EVENTS_READ: ("读取事件流", "read the event feed"),
    WEBHOOKS_MANAGE: ("管理本机构的事件推送订阅", "manage the client's webhook subscriptions"),
    VALUATIONS_WRITE: ("提交签名的评估报告", "submit signed valuation reports"),
}

# institution kind -> (zh, en); the scopes an admin may grant each kind
KINDS: Final[dict[str, tuple[str, str]]] = {
    "court": ("法院", "court"),
    "bank": ("银行", "bank"),
    "exchange": ("数据交易所", "data exchange"),
    "registry": ("其他登记机构", "other registry"),
    "agency": ("政府部门", "government agency"),
    "appraisal": ("资产评估机构", "appraisal agency"),  # issue 22 §2
}
GRANTABLE: Final[dict[str, frozenset[str]]] = {
    "court": frozenset(
        {REGISTRATIONS_READ, REGISTRATIONS_READ_FULL, FREEZES_WRITE, EVENTS_READ, WEBHOOKS_MANAGE}
    ),
    "bank": frozenset({REGISTRATIONS_READ, PLEDGES_WRITE, EVENTS_READ, WEBHOOKS_MANAGE}),
    "exchange": frozenset({REGISTRATIONS_READ, EVENTS_READ, WEBHOOKS_MANAGE}),
    "registry": frozenset({REGISTRATIONS_READ, EVENTS_READ, WEBHOOKS_MANAGE}),
    "agency": frozenset(
        {REGISTRATIONS_READ, REGISTRATIONS_READ_FULL, EVENTS_READ, WEBHOOKS_MANAGE}
    ),
    "appraisal": frozenset({REGISTRATIONS_READ, VALUATIONS_WRITE, EVENTS_READ}),
}


@dataclass(frozen=True)
class Principal:
    """Who an institutional access token stands for."""

    client_id: str  # the OAuth client_id
    institution_id: int
    kind: str  # a key of KINDS
    name: str
    scopes: frozenset[str]
    token_id: str  # the access token's jti, for the account of reads

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
