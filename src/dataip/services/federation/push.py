"""Pushing this registry's checkpoints to its peers' witnesses (issue 21 §3, C2SP
tlog-witness, the log's side; docs/federation.md).

:func:`push` runs after each integrator round (the server's background publisher) and from
``dataip federation push`` (cron): for every other registry on the trust list in force it
sends the latest checkpoint to ``POST <witness url>/add-checkpoint`` with the size that
witness last cosigned and the RFC 6962 consistency proof from it. A 409 says which size the
witness knows: the request is sent once more from there. Each returned cosignature is
verified with the witness key on the list before it is stored (`witness_pushes`); a
failure — network, a refusal, a cosignature that does not verify — is stored too and puts the
next attempt off (doubling from a minute up to the configured maximum).

:func:`cosigned_checkpoint` is the newest checkpoint with every cosignature collected on it
(``GET /log/cosigned-checkpoint``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx

from dataip.domain.errors import DomainError
from dataip.federation.state import WitnessPush
from dataip.federation.trust_list import RegistryEntry, TrustList
from dataip.federation.witness import AddCheckpoint
from dataip.ledger.cosignature import verified_cosignatures
from dataip.ledger.errors import VerificationError
from dataip.ledger.note import format_note, parse_note
from dataip.services import ledger
from dataip.services.context import Env
from dataip.services.federation import trust

__all__ = ["PushReport", "cosigned_checkpoint", "push"]

_log = logging.getLogger("dataip.federation.push")
BACKOFF_START = 60  # seconds after the first failure; doubles with each further one
SIZE_TYPE = "text/x.tlog.size"


@dataclass
class PushReport:
    size: int = 0  # the checkpoint pushed
    cosigned: list[str] = field(default_factory=list)  # witnesses whose cosignature was stored
    current: list[str] = field(default_factory=list)  # already had this size cosigned
    deferred: list[str] = field(default_factory=list)  # backing off after failures
    failed: dict[str, str] = field(default_factory=dict)  # witness → why
    resent: dict[str, int] = field(default_factory=dict)  # witness → the size its 409 gave


@dataclass(frozen=True)
class _Answer:
    status: int
    body: str


class _Failed(Exception):
    pass


def _peers(env: Env) -> list[RegistryEntry]:
    """The other registries on the list in force (none without a list, or without a log)."""
    log = env.certificate_keys.log
    if log is None:
        return []
    try:
        listed: TrustList = trust.current(env)
    except DomainError:
        return []
    return [r for r in listed.registries if r.log_origin != log.name]


def push(env: Env, *, now_too: bool = False) -> PushReport:
    """Push the latest checkpoint to every peer's witness that has not cosigned it yet.
    `now_too`: also to the witnesses it is backing off from (an operator who knows they are
    back, e.g. once every registry has refreshed a new list)."""
    report = PushReport()
    peers = _peers(env)
    if not peers:
        return report
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        states = {p.witness: p for p in uow.federation.pushes()}
    if latest is None:
        return report
    size, _, note = latest
    report.size = size
    setup = trust.setup_of(env)
    for peer in peers:
        name = peer.witness_name
        state = states.get(name)
        if state is None or state.witness_key != peer.witness_key:
            # a new witness, or a new key: start over (a 409 tells us where it stands)
            state = _fresh(name, peer.witness_key)
        if state.size == size and state.checkpoint is not None:
            report.current.append(name)
            continue
        now = env.now()
        if not now_too and state.next_attempt_at is not None and now < state.next_attempt_at:
            report.deferred.append(name)
            continue
        try:
            line = _send(env, peer, state.size, size, note, report, timeout=setup.fetch_timeout)
            cosigned = _verified(note, line, peer)
        except _Failed as exc:
            why = str(exc)[:500]
            failures = state.failures + 1
            wait = min(setup.push_max_backoff, BACKOFF_START * 2 ** min(failures - 1, 20))
            _save(
                env,
                replace(
                    state,
                    failures=failures,
                    next_attempt_at=now + timedelta(seconds=wait),
                    last_error=why,
                ),
            )
            report.failed[name] = why
            _log.warning("witness %s: %s (next attempt in %ss)", name, why, wait)
            continue
        _save(
            env,
            replace(
                state,
                size=size,
                checkpoint=cosigned,
                cosigned_at=now,
                failures=0,
                next_attempt_at=None,
                last_error=None,
            ),
        )
        report.cosigned.append(name)
    return report


def _fresh(name: str, key: str) -> WitnessPush:
    return WitnessPush(
        witness=name,
        witness_key=key,
        size=0,
        checkpoint=None,
        cosigned_at=None,
        failures=0,
        next_attempt_at=None,
        last_error=None,
    )


def _save(env: Env, state: WitnessPush) -> None:
    with env.uow() as uow:
        uow.federation.save_push(state)
        uow.commit()


def _body(env: Env, old: int, size: int, note: str) -> bytes:
    proof: list[bytes] = []
    if 0 < old < size:
        proof = list(ledger.consistency(env, old, size)["proof"])
    return AddCheckpoint(old, tuple(proof), note).to_body()


def _post(url: str, body: bytes, *, timeout: float) -> _Answer:
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            r = client.post(url, content=body, headers={"Content-Type": "text/plain"})
            return _Answer(r.status_code, r.text[:4096])
    except httpx.HTTPError as exc:
        raise _Failed(f"cannot reach {url}: {exc or type(exc).__name__}") from None


def _send(
    env: Env,
    peer: RegistryEntry,
    old: int,
    size: int,
    note: str,
    report: PushReport,
    *,
    timeout: float,
) -> str:
    """The witness's cosignature line for our checkpoint; resends once after a 409."""
    url = f"{peer.witness_url}/add-checkpoint"
    answer = _post(url, _body(env, old, size, note), timeout=timeout)
    if answer.status == 409:
        try:
            known = int(answer.body.strip())
        except ValueError:
            raise _Failed(f"409 without a size from {url}") from None
        if not 0 <= known <= size:
            # the witness cosigned a larger tree of our log than we have: a fork, or we lost
            # data. Never hide it: this is for the operator to look at.
            raise _Failed(f"the witness knows size {known}, larger than our {size}")
        if known == size:
            raise _Failed(f"the witness already cosigned size {size} (its cosignature was lost)")
        report.resent[peer.witness_name] = known
        answer = _post(url, _body(env, known, size, note), timeout=timeout)
    if answer.status != 200:
        raise _Failed(f"HTTP {answer.status} from {url}: {answer.body[:200]}")
    return answer.body


def _verified(note: str, answer: str, peer: RegistryEntry) -> str:
    """Our note with the witness's cosignature line(s) appended, if they verify with the
    listed witness key; raises _Failed otherwise (nothing is stored)."""
    lines = [ln for ln in answer.splitlines() if ln.strip()]
    if not lines or not all(ln.startswith("\u2014 ") for ln in lines):
        raise _Failed("the answer is not a cosignature line")
    cosigned = note + "".join(ln + "\n" for ln in lines)
    try:
        found = verified_cosignatures(cosigned, [peer.witness_verifier()])
    except VerificationError as exc:
        raise _Failed(f"the cosignature does not verify: {exc}") from None
    if not found:
        raise _Failed("no cosignature by the listed witness key")
    return cosigned


def cosigned_checkpoint(env: Env) -> str | None:
    """The newest of our checkpoints a peer's witness cosigned, with the log's signature and
    the cosignatures of every witness that cosigned that same checkpoint (None before any)."""
    with env.read() as uow:
        states = [p for p in uow.federation.pushes() if p.checkpoint]
    if not states:
        return None
    newest = max(states, key=lambda p: (p.size, p.cosigned_at or datetime.min))
    base = parse_note(newest.checkpoint or "")
    witnesses = {p.witness for p in states}
    signatures = [s for s in base.signatures if s.name not in witnesses]  # the log's
    for state in states:
        note = parse_note(state.checkpoint or "")
        if note.text == base.text:
            signatures += [s for s in note.signatures if s.name == state.witness]
    return format_note(base.text, list(dict.fromkeys(signatures)))
