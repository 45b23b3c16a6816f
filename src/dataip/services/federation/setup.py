"""What the federation use cases are configured with (built by ``bootstrap``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dataip.federation.policy import Policy
from dataip.federation.trust_list import TrustList
from dataip.ledger.cosignature import CosignatureSigner
from dataip.ledger.note import Verifier


@dataclass
class FederationSetup:
    """The trust list's URL and operator key(s), and this registry's witness key.

    ``operator_keys`` holds more than one key while the operator rotates its key; a list
    signed by any of them is accepted. Parsed lists are kept in memory by (operator,
    sequence): the database says which list is in force, this only saves re-verifying it.
    """

    list_url: str = ""
    operator_keys: tuple[Verifier, ...] = ()
    witness: CosignatureSigner | None = None
    fetch_timeout: float = 10.0
    status_max_age: int = 600  # seconds: a foreign status list older than this is fetched again
    push_max_backoff: int = 3600  # seconds: the longest wait before pushing to a failing witness
    peer_client_key_file: Path | None = None  # our private_key_jwt key at the peers (§5)
    # the witness policy verifications report on (§4): a tlog-policy file, or k of the
    # registries on the list in force (0: none); derived policies kept by (operator, sequence, k)
    policy: Policy | None = None
    policy_quorum: int = 0
    derived_policies: dict[tuple[str, int, int], Policy] = field(default_factory=dict, repr=False)
    _parsed: dict[tuple[str, int], TrustList] = field(default_factory=dict, repr=False)
    # status-list URLs whose fetch failed, and when: not tried again for a minute, so that an
    # unreachable issuer does not cost every verification a timeout
    failed_fetches: dict[str, datetime] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def operators(self) -> tuple[str, ...]:
        return tuple(sorted({k.name for k in self.operator_keys}))

    def remembered(self, operator: str, sequence: int) -> TrustList | None:
        with self._lock:
            return self._parsed.get((operator, sequence))

    def remember(self, listed: TrustList) -> None:
        with self._lock:
            self._parsed[(listed.operator, listed.sequence)] = listed
