"""The one exception type the domain raises.

Every refusal carries a stable machine ``code`` (snake_case, safe to branch on and
to translate), a Chinese and an English message, an HTTP-ish ``status`` hint
(400 validation, 403 forbidden, 404 not found, 409 conflict, 412 stale,
422 unprocessable) and free-form ``details`` for the caller (e.g. ``{"reason": ...}``).
"""

from __future__ import annotations

__all__ = ["DomainError"]


class DomainError(Exception):
    """A business-rule violation, with bilingual messages and a stable code."""

    code: str
    message_zh: str
    message_en: str
    status: int
    details: dict[str, object]

    def __init__(
        self,
        code: str,
        zh: str,
        en: str,
        *,
        status: int = 422,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(code, zh, en)
        self.code = code
        self.message_zh = zh
        self.message_en = en
        self.status = status
        self.details = dict(details) if details else {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"

    def __repr__(self) -> str:
        return (
            f"DomainError(code={self.code!r}, status={self.status}, "
            f"message_en={self.message_en!r}, details={self.details!r})"
        )
