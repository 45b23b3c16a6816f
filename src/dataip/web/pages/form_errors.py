"""A schema's refusal of a portal form in a registrar's words (表单校验提示): each pydantic
error as the label of the field the form shows (zh on the zh page, en on the en page) and a
plain message for its kind — missing, too short or too long with the limit, not a number, out
of range, not one of the choices, too many items, not a date, not in the expected format —
never pydantic's English text and never the schema's field name.

The API answers the same failures with `invalid_request` and the raw `details.errors`
(machine-readable, for a client to map): nothing here changes that.

A page names its form's labels (`Labels`: schema field -> the msgid its template shows, or a
(zh, en) pair); `DEFAULT_LABELS` covers the fields most forms share. A field without a label
is reported by its message alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

#: a field's label: the msgid the template shows (translated here), or a (zh, en) pair
Label = str | tuple[str, str]
Labels = Mapping[str, Label]
Gettext = Callable[[str], str]

# The labels the forms show for fields many schemas share, as the templates' msgids.
DEFAULT_LABELS: dict[str, Label] = {
    "reason": "Reason",
    "note": "Note (required to reject)",
    "description": "Description",
    "statement": "The facts of your reason",
    "message": "Message",
    "category": "Service category",
    "categories": "Service category",
    "agency_id": "Agency",
    "ground": "Ground",
}

# the real-name fields of a subject (`_party_fields.html`: sign-up and "my subjects")
PARTY_LABELS: dict[str, Label] = {
    "kind": "Kind of subject",
    "name": "Name (as on the licence or identity card)",
    "id_number": "Unified social credit code or resident ID number",
    "address": "Address",
    "method": "Verification method",
    "evidence_blob": ("核验材料", "Verification document"),
}

# what went wrong, by pydantic's error type (docs.pydantic.dev: validation errors)
_NUMBER = frozenset(
    {
        "int_parsing",
        "int_type",
        "int_from_float",
        "int_parsing_size",
        "float_parsing",
        "float_type",
        "decimal_parsing",
        "decimal_type",
        "finite_number",
        "decimal_max_digits",
        "decimal_max_places",
        "decimal_whole_digits",
    }
)
_DATE = frozenset(
    {
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "datetime_parsing",
        "datetime_type",
        "datetime_from_date_parsing",
    }
)
_CHOICE = frozenset({"literal_error", "enum"})
_FORMAT = frozenset(
    {
        "string_pattern_mismatch",
        "url_parsing",
        "url_type",
        "url_scheme",
        "url_syntax_violation",
        "json_invalid",
        "json_type",
        "uuid_parsing",
        "uuid_type",
        "value_error",
        "assertion_error",
    }
)
_KIND = frozenset(
    {
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "tuple_type",
        "set_type",
    }
)
_CJK = re.compile("[\u4e00-\u9fff]")
_SCALED = ("_bp", "_fen", "_pct")  # basis points, fen: the form shows per cent, yuan


def items(
    e: ValidationError, _: Gettext, en: bool, labels: Labels | None = None
) -> list[tuple[str, str]]:
    """Each error of `e` as (text, dotted schema field): "label：message" in the page's
    language (the gettext `_`), or the message alone when the field has no label."""
    out: list[tuple[str, str]] = []
    for err in e.errors():
        loc = [str(x) for x in err["loc"]]
        field = ".".join(loc)
        names = [p for p in loc if not p.isdigit()]
        message = _message(
            err,
            _,
            en,
            scaled=any(p.endswith(_SCALED) for p in names),
            picked=bool(names) and names[-1].endswith("_id"),
        )
        label = _label(loc, _, en, labels or {})
        text = (
            _("%(label)s: %(message)s") % {"label": label, "message": message} if label else message
        )
        out.append((text, field))
    return out


def _label(loc: list[str], _: Gettext, en: bool, labels: Labels) -> str | None:
    names = [p for p in loc if p and not p.isdigit() and p != "body"]
    if not names:
        return None
    tried = [".".join(names), names[-1], names[0]]
    found = next((t for t in tried if t in labels), None)
    table: Labels = labels
    if found is None:
        found = next((t for t in tried if t in DEFAULT_LABELS), None)
        table = DEFAULT_LABELS
    if found is None:
        return None
    label = table[found]
    text = (label[1] if en else label[0]) if isinstance(label, tuple) else _(label)
    index = next((p for p in reversed(loc) if p.isdigit()), None)
    if index is not None and loc[-1].isdigit():  # an item of a list: which one
        text = _("%(label)s (item %(n)d)") % {"label": text, "n": int(index) + 1}
    return text


def _message(err: Any, _: Gettext, en: bool, *, scaled: bool, picked: bool) -> str:
    kind = str(err.get("type") or "")
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg") or "")
    zh_part, sep, en_part = msg.partition(" / ")
    if sep and _CJK.search(zh_part):  # our own schema messages are "中文 / English"
        return en_part if en else zh_part
    if kind == "missing" or (
        err.get("input") in (None, "") and kind not in ("string_too_long", "extra_forbidden")
    ):
        return _("is required")  # the page sends nothing typed as None or ""
    if kind == "string_too_short":
        n = int(ctx.get("min_length", 1))
        return _("is required") if n <= 1 else _("must be at least %(n)d characters") % {"n": n}
    if kind == "string_too_long":
        return _("must be at most %(n)d characters") % {"n": int(ctx.get("max_length", 0))}
    if kind == "too_short":
        return _("choose or enter at least %(n)d item(s)") % {"n": int(ctx.get("min_length", 1))}
    if kind == "too_long":
        return _("choose or enter at most %(n)d item(s)") % {"n": int(ctx.get("max_length", 0))}
    if kind in _NUMBER:
        return _("must be a number")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        if picked:  # an id from a select: 0 when nothing was picked
            return (
                _("is required")
                if ctx.get("ge") == 1 or ctx.get("gt") == 0
                else _("is not one of the choices offered")
            )
        if scaled:  # the schema's limit is in basis points or fen, not what the form shows
            return _("is out of the allowed range")
        words = {
            "greater_than": _("must be greater than %(n)s"),
            "greater_than_equal": _("must be at least %(n)s"),
            "less_than": _("must be less than %(n)s"),
            "less_than_equal": _("must be at most %(n)s"),
        }[kind]
        key = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt"}
        return words % {"n": ctx.get(key.get(kind, "le"), "")}
    if kind == "multiple_of":
        return _("is out of the allowed range")
    if kind in _CHOICE:
        return _("is not one of the choices offered")
    if kind in _DATE:
        return _("must be a date such as 2026-12-07")
    if kind in ("bool_parsing", "bool_type"):
        return _("must be yes or no")
    if kind == "extra_forbidden":
        return _("is not a field of this form")
    if kind in _FORMAT:
        return _("is not in the expected format")
    if kind in _KIND:
        return _("has the wrong kind of value")
    return _("is not valid")
