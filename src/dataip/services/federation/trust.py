"""The trust list this registry follows (issue 21 §1): fetched over HTTP, verified against the
configured operator key, kept in the database (so every server process agrees on the list in
force) until it expires.

* :func:`refresh` fetches the list and hands it to :func:`accept`;
* :func:`accept` verifies a list (operator signature, body, validity, no roll-back below the
  newest accepted sequence, no second list under one sequence) and stores it;
* :func:`current` is the list in force: the newest accepted, refused once it has expired;
* :func:`own_entry` is this registry's entry, as the operator needs it to list the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from dataip.domain.errors import DomainError
from dataip.federation.trust_list import RegistryEntry, TrustList, open_trust_list
from dataip.ledger.note import MAX_NOTE_SIZE
from dataip.services.context import Env
from dataip.services.federation.setup import FederationSetup

__all__ = ["Accepted", "accept", "current", "current_or_none", "own_entry", "refresh", "setup_of"]


@dataclass(frozen=True)
class Accepted:
    listed: TrustList
    stored: bool  # False: this very list was already the one stored under its sequence


def setup_of(env: Env) -> FederationSetup:
    setup = getattr(env, "federation", None)
    return setup if isinstance(setup, FederationSetup) else FederationSetup()


def _not_configured(what: str) -> DomainError:
    return DomainError(
        "trust_list_not_configured",
        "未配置信任列表（DATAIP_FEDERATION_LIST_URL、DATAIP_FEDERATION_OPERATOR_KEY）",
        f"no trust list is configured: set {what}",
        status=503,
    )


def _newest_sequence(uow: Any, setup: FederationSetup) -> int | None:
    stored = [uow.federation.newest_trust_list(name) for name in setup.operators]
    sequences = [s.sequence for s in stored if s is not None]
    return max(sequences) if sequences else None


def accept(env: Env, note: str | bytes) -> Accepted:
    """Verify a signed list and store it; raises the ``trust_list_*`` refusals, storing
    nothing. Accepting the list already stored under its sequence changes nothing."""
    setup = setup_of(env)
    if not setup.operator_keys:
        raise _not_configured("DATAIP_FEDERATION_OPERATOR_KEY")
    now = env.now()
    with env.uow() as uow:
        # 1. Verify against the operator key(s), above the newest sequence accepted.
        newest = _newest_sequence(uow, setup)
        listed, _ = open_trust_list(note, setup.operator_keys, now=now, newest_sequence=newest)
        text = note.decode("utf-8") if isinstance(note, bytes) else note
        # 2. One sequence, one list: the operator cannot show two lists under one number.
        same = uow.federation.trust_list(listed.operator, listed.sequence)
        if same is not None:
            if same.note != text:
                raise _equivocation(listed.sequence)
            setup.remember(listed)
            return Accepted(listed, stored=False)
        # 3. Store it; a concurrent process storing the same list is not an error.
        stored = uow.federation.add_trust_list(
            operator=listed.operator,
            sequence=listed.sequence,
            issued=listed.issued,
            expires=listed.expires,
            note=text,
            fetched_at=now,
        )
        if not stored:
            raced = uow.federation.trust_list(listed.operator, listed.sequence)
            if raced is None or raced.note != text:
                raise _equivocation(listed.sequence)
        uow.commit()
    setup.remember(listed)
    return Accepted(listed, stored=stored)


def _equivocation(sequence: int) -> DomainError:
    return DomainError(
        "trust_list_conflict",
        f"运营方以同一序号 {sequence} 发布了两份不同的信任列表",
        f"the operator issued two different trust lists under sequence {sequence}",
        status=409,
        details={"sequence": sequence},
    )


def fetch(url: str, *, timeout: float) -> bytes:
    """GET the signed list; at most a signed note's size. Raises ``trust_list_unavailable``."""
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": "text/plain"}) as r,
        ):
            if r.status_code != 200:
                raise _unavailable(url, f"HTTP {r.status_code}")
            body = b""
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_NOTE_SIZE:
                    raise _unavailable(url, f"larger than {MAX_NOTE_SIZE} bytes")
            return body
    except httpx.HTTPError as exc:
        raise _unavailable(url, str(exc) or type(exc).__name__) from None


def _unavailable(url: str, why: str) -> DomainError:
    return DomainError(
        "trust_list_unavailable",
        "无法获取信任列表",
        f"cannot fetch the trust list from {url}: {why}",
        status=502,
        details={"url": url},
    )


def refresh(env: Env) -> Accepted:
    """Fetch the list from the configured URL and :func:`accept` it."""
    setup = setup_of(env)
    if not setup.list_url:
        raise _not_configured("DATAIP_FEDERATION_LIST_URL")
    return accept(env, fetch(setup.list_url, timeout=setup.fetch_timeout))


def current_or_none(env: Env) -> TrustList | None:
    """The newest accepted list, expired or not (None if none was ever accepted)."""
    setup = setup_of(env)
    if not setup.operator_keys:
        return None
    with env.read() as uow:
        stored = [uow.federation.newest_trust_list(name) for name in setup.operators]
    found = [s for s in stored if s is not None]
    if not found:
        return None
    newest = max(found, key=lambda s: s.sequence)
    listed = setup.remembered(newest.operator, newest.sequence)
    if listed is None:
        # Verified when accepted; verified again here, the database being another party.
        listed, _ = open_trust_list(newest.note, setup.operator_keys, now=newest.fetched_at)
        setup.remember(listed)
    return listed


def current(env: Env, *, now: datetime | None = None) -> TrustList:
    """The list in force; raises ``trust_list_missing`` or ``trust_list_expired``."""
    listed = current_or_none(env)
    if listed is None:
        raise DomainError(
            "trust_list_missing",
            "尚未获取信任列表（运行 dataip federation refresh）",
            "no trust list has been accepted yet (run `dataip federation refresh`)",
            status=503,
        )
    listed.check_valid_at(now or env.now())
    return listed


def own_entry(
    env: Env, *, issuer: str, log_origin: str, log_key: str, witness_url: str
) -> RegistryEntry:
    """This registry's entry: its agency code (the profile's registry code, digits 7–10 of
    its certificate numbers), name, certificate JWKS, log, event feed and witness."""
    setup = setup_of(env)
    if setup.witness is None:
        raise _not_configured("DATAIP_WITNESS_KEY_FILE")
    issuer = issuer.rstrip("/")
    return RegistryEntry(
        agency_code=env.profile.registry_code,
        name=env.profile.registry_name_zh,
        issuer=issuer,
        jwks=env.certificate_keys.jwks(),
        log_origin=log_origin,
        log_key=log_key,
        feed_url=f"{issuer}/api/v1/events",
        witness_key=setup.witness.verifier().to_text(),
        witness_url=witness_url.rstrip("/"),
    )
