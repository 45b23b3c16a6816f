"""Text a request may carry: no control characters, in any field of any request schema.

NUL cannot be stored by PostgreSQL (a 500 there; SQLite stored it), the other C0 controls
(U+0001–U+001F but tab, line feed and carriage return), DEL and the C1 controls
(U+0080–U+009F) hide or reorder text for a reader and corrupt what is rendered from it — a
certificate, an announcement, a log line — and a lone surrogate is not UTF-8. Every model
deriving from `Strict` refuses them in every string it holds, however nested (lists, dicts,
free-form JSON — itself nested at most `MAX_DEPTH` levels), with the error type
`invalid_characters` at the field. `Line` is a single-line field (names, numbers, short
items): tab and line breaks are refused there too.

Hand-written because it is a character class, not a format: no validation library has it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAK = re.compile("[\t\n\r\u2028\u2029]")
ERROR_TYPE = "invalid_characters"
# Free-form JSON (a change's merge patch, a manifest) nests a few levels; far deeper is an
# attack on whatever recurses over it next (serialisation failed at a few hundred: a 500).
MAX_DEPTH = 32


def bad_character(value: str, *, single_line: bool = False) -> str | None:
    """The first character a text may not hold, or None."""
    m = _CONTROL.search(value) or (_BREAK.search(value) if single_line else None)
    return m.group() if m else None


def _refuse(ch: str) -> PydanticCustomError:
    return PydanticCustomError(
        ERROR_TYPE,
        "含有不允许的控制字符 {char} / contains the control character {char}",
        {"char": f"U+{ord(ch):04X}"},
    )


def _walk(value: Any) -> None:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PydanticCustomError(
                "too_deeply_nested",
                "嵌套层级过深（最多 {max} 层）/ nested deeper than {max} levels",
                {"max": MAX_DEPTH},
            )
        if isinstance(item, str):
            ch = bad_character(item)
            if ch is not None:
                raise _refuse(ch)
        elif isinstance(item, dict):
            stack.extend((x, depth + 1) for x in (*item.keys(), *item.values()))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((x, depth + 1) for x in item)
        elif isinstance(item, BaseModel) and not isinstance(item, Strict):
            # a Strict one checked its own fields
            stack.extend((x, depth + 1) for x in item.__dict__.values())


def _single_line(value: str) -> str:
    ch = bad_character(value, single_line=True)
    if ch is not None:
        raise _refuse(ch)
    return value


Line = Annotated[str, AfterValidator(_single_line)]
Short = Annotated[Line, Field(max_length=200)]
Text = Annotated[str, Field(max_length=5000)]


class Strict(BaseModel):
    """A request schema: unknown fields refused, and no control characters anywhere."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        _walk(value)
        return value
