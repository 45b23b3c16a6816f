"""The registry's transparency log (透明日志, DESIGN §4; R6, R22/G§25): leaves from events, the
integrator, proofs, tiles, receipts and the audit.

* **Leaves** (:mod:`.leaves`). Every event is recorded with its leaf in the same transaction
  (:func:`stage`, called by ``recording.record_event``): RFC 8785 JSON of the event's public
  part and the SHA-256 values of its salted commitments — never the salts, never anything
  personal. The public part must fit its event type's closed schema
  (``domain.public_record``) and pass the screening detectors
  (``services.public_screening``), or the leaf is not written and the action fails. A leaf
  names the event row it commits to, so the audit can check one against the other.
* **Integrator** (:mod:`.integration`). :func:`integrate` takes staged leaves in event order,
  gives them log indices, stores every full-subtree hash (tiles are read straight from them,
  :mod:`.tree`), moves the tree size by compare-and-swap and signs a checkpoint — all in one
  transaction, under a lease so that running two integrators is harmless.
* **Reads** (:mod:`.proofs`). Proofs, tiles and entries are served for the latest checkpoint
  only, so what a client fetches is always consistent with a signed tree head.
* **Audit** (:mod:`.auditing`). ``dataip log audit``: the tree rebuilt from the stored leaves
  and checked against itself, its checkpoints and the event rows.

Every name is importable from here, as it was when this package was one module.
"""

from dataip.services.ledger.auditing import AuditReport, Finding, audit, unlogged_changes
from dataip.services.ledger.integration import (
    LEASE,
    LEASE_SECONDS,
    IntegrateReport,
    IntegratorLoop,
    LogKeys,
    integrate,
)
from dataip.services.ledger.integration import _integrate_batch as _integrate_batch
from dataip.services.ledger.leaves import (
    LEAF_VERSION,
    LEAF_VERSIONS,
    MAX_LEAF_BYTES,
    event_leaf,
    stage,
    stage_missing,
)
from dataip.services.ledger.proofs import (
    await_receipt,
    checkpoint_note,
    consistency,
    entry,
    inclusion,
    index_of_event,
    iter_leaves,
    receipt,
    receipts,
    status,
    tile,
)
from dataip.services.ledger.tree import LedgerCorrupt
from dataip.services.ports import ConcurrencyConflict

__all__ = [
    "LEAF_VERSION",
    "LEAF_VERSIONS",
    "LEASE",
    "LEASE_SECONDS",
    "MAX_LEAF_BYTES",
    "AuditReport",
    "ConcurrencyConflict",
    "Finding",
    "IntegrateReport",
    "IntegratorLoop",
    "LedgerCorrupt",
    "LogKeys",
    "audit",
    "await_receipt",
    "checkpoint_note",
    "consistency",
    "entry",
    "event_leaf",
    "inclusion",
    "index_of_event",
    "integrate",
    "iter_leaves",
    "receipt",
    "receipts",
    "stage",
    "stage_missing",
    "status",
    "tile",
    "unlogged_changes",
]
