"""The port to the body deciding a register's filings (issue 24 §1): what a forwarded filing
carries, what the body answers about it, and the Protocol its adapters implement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# the states a body reports, in its procedure's order; `received` is its acknowledgement
REMOTE_STATES = (
    "received",
    "under_examination",
    "publicised",
    "registered",
    "refused",
    "withdrawn",
)
TERMINAL_REMOTE_STATES = frozenset({"registered", "refused", "withdrawn"})


class AuthorityUnavailable(Exception):
    """The body could not be reached, or answered what this registry cannot read: nothing
    changes here; the next round asks again."""


@dataclass(frozen=True)
class Filing:
    """A data property filing as forwarded: the application number this registry gave, the
    right(s) claimed, the data's name, source and legality basis, the compliance statement,
    the applicants (name, kind, credit code; the body examines real names) and the evidence
    root. `sibling` is the data IP application number of a one-window filing."""

    reference: str
    rights: list[str]
    name: str
    data_source: str
    legality_basis: str
    compliance_statement: str
    applicants: list[dict[str, Any]]
    evidence_hash: str | None = None
    sibling: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "register": "data_property",
            "rights": list(self.rights),
            "name": self.name,
            "data_source": self.data_source,
            "legality_basis": self.legality_basis,
            "compliance_statement": self.compliance_statement,
            "applicants": [dict(a) for a in self.applicants],
            "evidence_hash": self.evidence_hash,
            "sibling": self.sibling,
        }


@dataclass(frozen=True)
class RemoteState:
    """What the body says of a filing: its state (`REMOTE_STATES`), and with a registration
    the certificate number it issued; with a refusal the grounds (G§13 numbers) and reason."""

    state: str
    certificate_number: str | None = None
    grounds: list[int] = field(default_factory=list)
    reason: str = ""


class PropertyAuthority(Protocol):
    def forward(self, filing: Filing) -> str:
        """Hand the filing over; the body's id for it. Raises AuthorityUnavailable."""
        ...

    def state(self, remote_id: str) -> RemoteState:
        """The filing's state at the body. Raises AuthorityUnavailable."""
        ...
