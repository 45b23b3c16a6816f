"""What a restored registry must still be: the same log (its latest checkpoint extends the one
recorded with the backup, under the same key) and the same issuer (every certificate verifies).

The log is read the way `dataip log monitor` reads it from outside — checkpoint and tiles, each
proof computed from the tiles and checked against signed roots — but straight from the
database, so the check needs no running server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.client import LogClient, MonitorState
from dataip.ledger.errors import VerificationError
from dataip.ledger.note import Verifier
from dataip.services.context import Env
from dataip.services.ledger import checkpoint_note, tile


@dataclass(frozen=True)
class IssuedCertificate:
    number: str  # the registration number
    version: int
    token: str  # the vc+jwt as stored (with its log proof once attached)


def _fetch(env: Env) -> Callable[[str], bytes]:
    """`fetch(path)` for a LogClient: the checkpoint and tiles as the registry serves them."""

    def fetch(path: str) -> bytes:
        if path == "checkpoint":
            return checkpoint_note(env)[1].encode("utf-8")
        return tile(env, path.removeprefix("tile/"))[0]

    return fetch


def log_state(env: Env, verifier: Verifier) -> MonitorState:
    """The latest checkpoint, verified with the log's key, as a monitor remembers it."""
    client = LogClient(_fetch(env), [verifier])
    checkpoint, note = client.checkpoint()
    client.check_root(checkpoint)
    return MonitorState(
        checkpoint.origin, verifier.to_text(), checkpoint.size, checkpoint.root_hash, note
    )


def check_extends(env: Env, verifier: Verifier, old: MonitorState) -> Checkpoint:
    """The registry's latest checkpoint, once checked to be signed by `verifier` — which must
    be the key `old` was signed with — and to extend `old` (the same tree, or a larger one
    with a consistency proof built from this registry's tiles). Raises the ledger's
    ``VerificationError`` (``SplitView`` for a fork or rollback) when it does not."""
    if verifier.to_text() != old.verifier_key:
        raise VerificationError(
            f"the log key is {verifier.to_text()!r}, not the backed-up {old.verifier_key!r}"
        )
    client = LogClient(_fetch(env), [verifier], origin=old.origin)
    new, note = client.checkpoint()
    client.check_consistent(Checkpoint.parse(_body(old.checkpoint)), old.checkpoint, new, note)
    return new


def _body(note: str) -> str:
    return note.partition("\n\n")[0] + "\n"


def issued_certificates(env: Env, *, limit: int = 100_000) -> list[IssuedCertificate]:
    """Every issued certificate version (oldest first, at most `limit`)."""
    with env.read() as uow:
        return [
            IssuedCertificate(number, cert.version, cert.token)
            for number, cert in uow.certificates.issued(limit)
        ]
