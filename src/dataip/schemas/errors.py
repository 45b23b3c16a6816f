"""A schema's refusal in the API's words: 422 with `details.errors` (`loc`, `msg`, `type` of each
failure), the code `invalid_characters` when control characters are all that is wrong, else
`invalid_request`. The error table (`web/errors`) answers a request body's failures with it,
and services validating a form they built (`application_form.validate_form`) raise it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from dataip.domain.errors import DomainError
from dataip.schemas.text import ERROR_TYPE


def errors_of(e: ValidationError, at: Sequence[str] = ()) -> list[dict[str, Any]]:
    """A validation failure as the API reports it (`details.errors`): where, what, which."""
    return [
        {
            "loc": [*at, *(str(x) for x in err.get("loc", ()))],
            "msg": err.get("msg"),
            "type": err.get("type"),
        }
        for err in e.errors()
    ]


def invalid(errors: list[dict[str, Any]]) -> DomainError:
    """422 for input that does not fit its schema; `invalid_characters` when that is all."""
    if errors and all(err["type"] == ERROR_TYPE for err in errors):
        return DomainError(
            "invalid_characters",
            "请求含有不允许的字符（如空字符 NUL、控制字符）",
            "the request contains characters that are not allowed (NUL, control characters)",
            status=422,
            details={"errors": errors},
        )
    return DomainError(
        "invalid_request",
        "请求数据格式有误",
        "the request is malformed",
        status=422,
        details={"errors": errors},
    )
