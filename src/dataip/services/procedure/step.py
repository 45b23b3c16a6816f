"""A step (程序步骤): what one action of the procedure adds to the generic transition of the
table — the notice's body, the event's public fields and private commitments, who else is
served — and the free text an action's payload carries (a reason, a statement, a note).
What every action module of the procedure shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError

MAX_TEXT = 10_000


def _text(payload: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DomainError(
            "missing_fields",
            f"缺少必填项：{key}",
            f"missing required field: {key}",
            status=422,
            details={"fields": [key]},
        )
    if len(value) > MAX_TEXT:
        raise DomainError(
            "text_too_long",
            f"{key}不得超过{MAX_TEXT}字",
            f"{key}: at most {MAX_TEXT} characters",
            status=422,
        )
    return value.strip()


@dataclass
class _Step:
    """What an action adds to the generic transition: notice body, public event fields."""

    notice_body: dict[str, Any] = field(default_factory=dict)
    public: dict[str, Any] = field(default_factory=dict)
    private: dict[str, Any] = field(default_factory=dict)
    extra_recipients: list[int] = field(default_factory=list)
    # the holder's deadline the notice states when the transition opens none (an extension)
    notice_due: m.Deadline | None = None
