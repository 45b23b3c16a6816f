"""An application's states (申请状态), G§9–G§16: which are terminal, which are still in
procedure, which the public sees, and their labels. The transitions between them are the table
in `lifecycle`."""

from __future__ import annotations

from enum import StrEnum


class AppState(StrEnum):
    """Application states; Zhejiang's live platform codes in brackets."""

    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 待受理 [1]
    UNDER_EXAMINATION = "under_examination"  # 待审核
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正 [2]
    PUBLICISED = "publicised"  # 公示中 [3]
    OBJECTION_PENDING = "objection_pending"  # 异议处理中
    AWAITING_JUDGMENT = "awaiting_judgment"  # 待司法裁决
    REGISTERED = "registered"  # 登记成功 [7]
    REFUSED = "refused"  # 不予登记 [6]
    WITHDRAWN = "withdrawn"  # 主动撤回 [5]
    DEEMED_WITHDRAWN = "deemed_withdrawn"  # 视为撤回 [11]
    REVOKED = "revoked"  # 异议成立，撤销


TERMINAL = frozenset(
    {
        AppState.REGISTERED,
        AppState.REFUSED,
        AppState.WITHDRAWN,
        AppState.DEEMED_WITHDRAWN,
        AppState.REVOKED,
    }
)
IN_PROCEDURE = frozenset(
    {
        AppState.SUBMITTED,
        AppState.UNDER_EXAMINATION,
        AppState.AWAITING_CORRECTION,
        AppState.PUBLICISED,
        AppState.OBJECTION_PENDING,
        AppState.AWAITING_JUDGMENT,
    }
)
# G§14: what the public sees of a filing once it is publicised (and afterwards).
PUBLIC_STATES = frozenset(
    {
        AppState.PUBLICISED,
        AppState.OBJECTION_PENDING,
        AppState.AWAITING_JUDGMENT,
        AppState.REGISTERED,
        AppState.REVOKED,
    }
)

STATE_LABELS: dict[AppState, tuple[str, str]] = {
    AppState.DRAFT: ("草稿", "Draft"),
    AppState.SUBMITTED: ("待受理", "Submitted"),
    AppState.UNDER_EXAMINATION: ("待审核", "Under examination"),
    AppState.AWAITING_CORRECTION: ("待补正", "Awaiting correction"),
    AppState.PUBLICISED: ("公示中", "Publicised"),
    AppState.OBJECTION_PENDING: ("异议处理中", "Objection pending"),
    AppState.AWAITING_JUDGMENT: ("待司法裁决", "Awaiting judgment"),
    AppState.REGISTERED: ("登记成功", "Registered"),
    AppState.REFUSED: ("不予登记", "Refused"),
    AppState.WITHDRAWN: ("主动撤回", "Withdrawn"),
    AppState.DEEMED_WITHDRAWN: ("视为撤回", "Deemed withdrawn"),
    AppState.REVOKED: ("已撤销", "Revoked"),
}
