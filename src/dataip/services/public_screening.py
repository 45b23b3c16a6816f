"""The transparency log's second line of defence against personal data: the screening
detectors (`dataip.screening`, the ones that read sample files) read the public part of every
leaf before it is written, and of every stored leaf when the log is audited.

The first line is the closed schema (`domain.public_record`): a public part holds only codes,
numbers, dates and digests. The detectors catch what a wrong declaration would let through —
an identifier in a code or a designation — and find it in leaves written before the schema
existed. Public parts are small (a handful of short strings), so all of a leaf's strings are
joined and read in one detector pass.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataip.domain.errors import DomainError
from dataip.domain.public_record import screened_strings
from dataip.screening import find_entities

__all__ = [
    "PERSONAL_DATA",
    "Hit",
    "hits",
    "hits_in_leaf",
    "hits_in_public",
    "refuse_personal_data",
]

PERSONAL_DATA = "log_public_personal_data"

# Every identifier the detectors validate holds an ASCII or full-width digit (an ID, credit
# code, phone, card, IPv4, passport, permit or plate number), an "@" (e-mail) or a colon
# (IPv6, which may be all hex letters): text without any of them holds none, and most public
# parts are codes like "under_examination". A test holds this against the detectors' corpus.
_MAYBE = re.compile("[0-9@:\uff10-\uff19\uff20\uff1a]")


@dataclass(frozen=True)
class Hit:
    """An identifier the detectors found: in which field, of which kind (never its value)."""

    field: str
    kind: str


def hits(pairs: Sequence[tuple[str, str]]) -> list[Hit]:
    """The identifiers in (field path, string) pairs, in order: one detector pass over the
    strings joined by line breaks (no detector pattern spans one)."""
    if not pairs:
        return []
    text = "\n".join(s for _, s in pairs)
    if not _MAYBE.search(text):
        return []
    starts, offset = [], 0
    for _, s in pairs:
        starts.append(offset)
        offset += len(s) + 1
    return [Hit(pairs[bisect_right(starts, e.start) - 1][0], e.kind) for e in find_entities(text)]


def hits_in_public(event_type: str, public: Mapping[str, Any]) -> list[Hit]:
    """The identifiers in the screened strings of any public part (declared or not)."""
    return hits(screened_strings(event_type, public))


def refuse_personal_data(event_type: str, pairs: Sequence[tuple[str, str]]) -> None:
    """Raise :data:`PERSONAL_DATA` (422) if the detectors find an identifier in the pairs
    (`domain.public_record.check_public` returns them)."""
    found = hits(pairs)
    if not found:
        return
    kinds = sorted({h.kind for h in found})
    fields = sorted({h.field for h in found})
    raise DomainError(
        PERSONAL_DATA,
        f"事件公开内容中含有个人信息（{'、'.join(kinds)}，字段 {'、'.join(fields)}），"
        "不能写入透明日志，操作未执行",
        f"the public part of the event holds personal data ({', '.join(kinds)} in "
        f"{', '.join(fields)}): it cannot enter the log, and nothing was done",
        status=422,
        details={"event_type": event_type, "fields": fields, "kinds": kinds},
    )


def hits_in_leaf(leaf: bytes) -> list[Hit]:
    """The identifiers in a stored leaf's public part (any leaf version); a leaf that is not
    a JSON object with an object ``public`` is screened whole."""
    try:
        doc = json.loads(leaf)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("public"), dict):
        text = leaf.decode("utf-8", "replace")
        return [Hit("*", e.kind) for e in find_entities(text)]
    return hits_in_public(str(doc.get("type")), doc["public"])
