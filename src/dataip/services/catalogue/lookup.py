"""R32, issue 24 §5: the one search box finds a registration by what people know.

Pattern first, then text: a search text that has the shape of an identifier — a CSTR, a DOI,
a registration, certificate or announcement number, a credit code, a filing's number
(`domain.resource_ids.classify`) — is looked up exactly in the identifier index and nothing
else; any other text is looked up as a legal person's full name (exactly, normalised) and
then searched as words in the announcements (`db/search.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dataip.domain.resource_ids import classify, name_key
from dataip.services.ports import UnitOfWork

__all__ = ["IdentifierMatch", "find"]


@dataclass(frozen=True)
class IdentifierMatch:
    """What the search text was taken for: `kind` (an identifier's kind, `holder_name`, or
    None for words only) and the registrations it names, newest first."""

    kind: str | None
    key: str
    registration_ids: list[int] = field(default_factory=list)

    @property
    def text_search(self) -> bool:
        """Whether the words of the text are searched too (not for an identifier)."""
        return self.kind in (None, "holder_name")


def find(uow: UnitOfWork, text: str) -> IdentifierMatch:
    found = classify(text)
    if found is not None:
        kind, key = found
        if kind == "announcement_number":  # announcements are found by number as they are
            return IdentifierMatch(kind, key, [])
        ids = uow.catalogue.lookup(None if kind == "number" else kind, key)
        return IdentifierMatch(kind, key, ids)
    key = name_key(text)[:200]
    ids = uow.catalogue.lookup("holder_name", key) if len(key) >= 2 else []
    return IdentifierMatch("holder_name" if ids else None, key, ids)
