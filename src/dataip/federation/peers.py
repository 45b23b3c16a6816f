"""What a registry keeps of its peers' registrations to warn of duplicates (issue 21 §5; R4,
G§10, G§13(3)): the normalised name, and which feed events name a registration.

Pure: no storage, no HTTP (``services.federation.peers_feed`` fetches and stores).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final

from rapidfuzz.distance import Indel

__all__ = [
    "ENDED_STATES",
    "SIMILAR_NAME_PERCENT",
    "FeedError",
    "evidence_hash",
    "holder_codes",
    "name_key",
    "name_similarity",
    "registrations_named",
    "similar_names",
]

REGISTRATION_TYPES: Final = "cn.dataip.registration."
# a registration that has ended no longer bars another (G§10 names registrations in force)
ENDED_STATES: Final = frozenset({"cancelled", "abandoned", "revoked"})
_NUMBER: Final = re.compile(r"^[0-9X]{16,17}$")
_SEQUENCE: Final = re.compile(r"^[0-9]{16}$")


class FeedError(ValueError):
    """A feed page that is not a CloudEvents batch in log order after the cursor."""


def name_key(name: str) -> str:
    """A name as compared across registries: NFKC (full-width forms fold to ASCII), case
    folded, without whitespace, punctuation or symbols — 「某市 公交数据（2024）」 and
    「某市公交数据(2024)」 are the same name."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# Two normalised names are similar when their Indel similarity — the share of characters
# they have in common in order: (len(a) + len(b) - Indel distance) / (len(a) + len(b)), the
# normalised form of rapidfuzz's `fuzz.ratio` — is at least this many percent (compared in
# integers: no rounding). 80 % keeps 「城市交通拥堵预测数据集」 and 「城市交通拥堵预测数据集
# （2025版）」 (81 %) and parts 「城市交通拥堵预测数据集」 from 「城市公交客流预测数据集」 (72 %).
# Used only together with a shared holder: a warning for the examiner, never a refusal.
SIMILAR_NAME_PERCENT: Final = 80


def name_similarity(a: str, b: str) -> int:
    """The Indel similarity of two names' normalised keys, in whole percent (rounded down;
    100 only when the keys are equal)."""
    ka, kb = name_key(a), name_key(b)
    total = len(ka) + len(kb)
    if not total:
        return 100
    common = total - Indel.distance(ka, kb)
    return (100 * common) // total


def similar_names(a: str, b: str) -> bool:
    """Whether two names are similar (see ``SIMILAR_NAME_PERCENT``): exact in integers."""
    ka, kb = name_key(a), name_key(b)
    total = len(ka) + len(kb)
    if not ka or not kb:
        return False
    return 100 * (total - Indel.distance(ka, kb)) >= SIMILAR_NAME_PERCENT * total


def registrations_named(events: Any, *, after: int) -> tuple[int, dict[str, int]]:
    """A feed page's last sequence and, per registration number its registration events
    name, the last sequence naming it. Refuses (FeedError) anything that is not a list of
    CloudEvents whose sequences grow from above ``after``."""
    if not isinstance(events, Sequence) or isinstance(events, (str, bytes)):
        raise FeedError("the page is not a JSON array")
    last = after
    named: dict[str, int] = {}
    for event in events:
        if not isinstance(event, Mapping):
            raise FeedError("an event is not a JSON object")
        seq = event.get("sequence")
        if not isinstance(seq, str) or not _SEQUENCE.fullmatch(seq):
            raise FeedError(f"bad sequence {str(seq)[:40]!r}")
        index = int(seq)
        if index <= last:
            raise FeedError(f"sequence {index} does not follow {last}")
        last = index
        kind = event.get("type")
        if not isinstance(kind, str):
            raise FeedError("an event has no type")
        data = event.get("data")
        if not kind.startswith(REGISTRATION_TYPES) or not isinstance(data, Mapping):
            continue
        number = data.get("registration_number") or event.get("subject")
        if isinstance(number, str) and _NUMBER.fullmatch(number):
            named[number] = index
    return last, named


def holder_codes(credential: Mapping[str, Any]) -> list[str]:
    """The holders' unified social credit codes a certificate shows (public, G§17)."""
    subject = credential.get("credentialSubject")
    holders = subject.get("holders") if isinstance(subject, Mapping) else None
    out = []
    for h in holders if isinstance(holders, list) else []:
        if not isinstance(h, Mapping) or h.get("kind") == "natural_person":
            continue  # a natural person's holder carries no code (never an ID number)
        code = h.get("creditCode")
        if isinstance(code, str) and re.fullmatch(r"[0-9A-Z]{18}", code):
            out.append(code)
    return out


def evidence_hash(credential: Mapping[str, Any]) -> str | None:
    """The evidence hash a certificate shows, normalised as applications' are (lower-case
    hex, no ``sha256:`` prefix), or None."""
    subject = credential.get("credentialSubject")
    evidence = subject.get("evidence") if isinstance(subject, Mapping) else None
    raw = evidence.get("hash") if isinstance(evidence, Mapping) else None
    value = str(raw or "").strip().lower().split(":", 1)[-1]
    return value if re.fullmatch(r"[0-9a-f]{64}", value) else None
