"""The catalogue (issue 24 §3–§5, R32): identifiers that link and find a registration, its
catalogue metadata (schema.org / DCAT JSON-LD) and the paged DCAT catalogue a harvester walks.

* `index` — what a registration is found by (`refresh`, run in each announcement's transaction);
* `lookup` — the one search box's exact identifier lookups;
* `metadata` — the JSON-LD of a registration and of a catalogue page;
* `demo` — the demo's scientific data set with a CSTR and a DOI.
"""

from __future__ import annotations

from dataip.services.catalogue.index import identifiers_of, links, refresh
from dataip.services.catalogue.lookup import IdentifierMatch, find

__all__ = ["IdentifierMatch", "find", "identifiers_of", "links", "refresh"]
