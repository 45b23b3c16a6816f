"""Following the peers' event feeds for duplicates across registries (issue 21 §5; R4, G§10,
G§13(3); docs/federation.md).

:func:`follow` runs from ``dataip tick`` and ``dataip federation follow`` (cron), never in a
request. For every other registry on the trust list in force for which its admin registered
this registry as an institutional client (kind ``registry``, scope ``events:read``;
``dataip federation peer-client``), it:

1. asks the peer's token endpoint (``<issuer>/oauth/token``) for an access token by client
   credentials with a ``private_key_jwt`` assertion signed by this registry's client key
   (``DATAIP_PEER_CLIENT_KEY_FILE``; ``dataip federation client-jwks`` prints its public half
   for the peers' admins);
2. pages the peer's feed from the stored cursor (``GET <feed>?after=<cursor>``);
3. for each registration a page's registration events name, reads the public record
   (``GET <issuer>/api/v1/registrations/<n>``: state) and, while it is in force, the current
   certificate (``…/certificate``, vc+jwt, verified with the peer's listed keys: name,
   evidence hash, holders' credit codes) — the feed's events are thin, these are public;
4. stores those facts (``peer_registrations``) and advances the cursor in one transaction.

Every HTTP call: no redirects, a timeout, a size cap. Any failure (network, a status other
than 200, a page that is not a CloudEvents batch in log order, a certificate that does not
verify) stores nothing of that page and leaves the cursor where it was; the error is kept
for the operator (``peer_feeds.last_error``) and the next run starts from the same place.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.jwk import ECKey

from dataip.certs import vc
from dataip.certs.keys import keys_from_jwks
from dataip.domain.errors import DomainError
from dataip.federation.peers import (
    ENDED_STATES,
    FeedError,
    evidence_hash,
    holder_codes,
    name_key,
    name_similarity,
    registrations_named,
    similar_names,
)
from dataip.federation.trust_list import RegistryEntry
from dataip.services.context import Env
from dataip.services.federation import trust

__all__ = ["FollowReport", "client_jwks", "follow", "matches", "set_client"]

_log = logging.getLogger("dataip.federation.peers")
PAGE = 200  # events per feed page
MAX_PAGES = 50  # per peer and run: a long backlog is read over several runs
MAX_BYTES = 4 * 1024 * 1024  # a feed page, a record or a certificate
KID = "peer-client-1"
BATCH = "application/cloudevents-batch+json"


@dataclass
class FollowReport:
    followed: dict[str, int] = field(default_factory=dict)  # issuer → cursor after the run
    stored: int = 0  # registrations stored or replaced
    skipped: list[str] = field(default_factory=list)  # peers with no client registered
    failed: dict[str, str] = field(default_factory=dict)  # issuer → why


class _Failed(Exception):
    pass


# --- this registry's client key ---------------------------------------------------------------
def _key_path(env: Env) -> Path:
    path = trust.setup_of(env).peer_client_key_file
    if path is None:
        raise DomainError(
            "peer_client_not_configured",
            "未配置本机构访问其他登记机构的客户端密钥",
            "no peer client key file configured",
            status=503,
        )
    return path


def client_key(env: Env) -> ECKey:
    """This registry's ES256 client key at its peers, made on first use (0600)."""
    path = _key_path(env)
    if path.exists():
        return ECKey.import_key(json.loads(path.read_text("ascii")))
    key = ECKey.generate_key("P-256", private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return ECKey.import_key(json.loads(path.read_text("ascii")))
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(json.dumps(key.as_dict(private=True)))
    return key


def client_jwks(env: Env) -> dict[str, Any]:
    """The public JWKS a peer's admin registers for this registry (kind ``registry``)."""
    return {"keys": [{**client_key(env).as_dict(private=False), "kid": KID}]}


def set_client(env: Env, issuer: str, client_id: str | None) -> None:
    """Record the client_id a peer's admin gave this registry (None: stop following it)."""
    with env.uow() as uow:
        uow.peer_feeds.set_client(issuer.rstrip("/"), client_id)
        uow.commit()


# --- following --------------------------------------------------------------------------------
def _peers(env: Env) -> list[RegistryEntry]:
    try:
        listed = trust.current(env)
    except DomainError:
        return []
    own = env.certificate_keys.issuer_id.rstrip("/")
    return [r for r in listed.registries if r.issuer.rstrip("/") != own]


def follow(env: Env) -> FollowReport:
    """Read every followed peer's feed from its cursor; see the module's docstring."""
    report = FollowReport()
    peers = _peers(env)
    if not peers:
        return report
    with env.read() as uow:
        feeds = {f["issuer"]: f for f in uow.peer_feeds.all()}
    timeout = trust.setup_of(env).fetch_timeout
    for peer in peers:
        issuer = peer.issuer.rstrip("/")
        state = feeds.get(issuer)
        if state is None or not state["client_id"]:
            report.skipped.append(issuer)
            continue
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                cursor = _follow_one(env, client, peer, state, report)
            report.followed[issuer] = cursor
        except (_Failed, httpx.HTTPError, ValueError, DomainError) as exc:
            why = str(exc)[:500] or type(exc).__name__
            report.failed[issuer] = why
            _log.warning("peer feed %s: %s", issuer, why)
            with env.uow() as uow:
                uow.peer_feeds.failed(issuer, why, env.now())
                uow.commit()
    return report


def _follow_one(
    env: Env, client: httpx.Client, peer: RegistryEntry, state: dict[str, Any], report: FollowReport
) -> int:
    issuer = peer.issuer.rstrip("/")
    token = _token(env, client, issuer, str(state["client_id"]))
    cursor = int(state["cursor"])
    keys = keys_from_jwks(peer.jwks)
    for _ in range(MAX_PAGES):
        url = f"{peer.feed_url}?after={cursor}&limit={PAGE}"
        r = _get(client, url, {"Accept": BATCH, "Authorization": f"Bearer {token}"})
        try:
            last, named = registrations_named(json.loads(r), after=cursor)
        except (FeedError, ValueError) as exc:
            raise _Failed(f"feed page after {cursor}: {exc}") from None
        if last == cursor:
            break  # nothing new
        facts = [_facts(client, peer, keys, n, index) for n, index in sorted(named.items())]
        now = env.now()
        with env.uow() as uow:
            for f in facts:
                uow.peer_feeds.put_registration(**f, seen_at=now)
            if not uow.peer_feeds.advance(issuer, old=cursor, new=last, at=now):
                raise _Failed("another follower moved the cursor; nothing stored")
            uow.commit()
        report.stored += len(facts)
        cursor = last
    return cursor


def _get(client: httpx.Client, url: str, headers: dict[str, str]) -> bytes:
    with client.stream("GET", url, headers=headers) as r:
        if r.status_code != 200:
            raise _Failed(f"GET {url}: HTTP {r.status_code}")
        body = b""
        for chunk in r.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise _Failed(f"GET {url}: larger than {MAX_BYTES} bytes")
    return body


def _token(env: Env, client: httpx.Client, issuer: str, client_id: str) -> str:
    endpoint = f"{issuer}/oauth/token"
    now = int(env.now().timestamp())
    assertion = private_key_jwt_sign(
        client_key(env),
        client_id,
        endpoint,
        alg="ES256",
        header={"kid": KID},
        claims={"jti": uuid.uuid4().hex},
        issued_at=now,
        expires_at=now + 120,
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": str(assertion),
        "scope": "events:read",
    }
    r = client.post(endpoint, data=form)
    if r.status_code != 200:
        raise _Failed(f"token from {endpoint}: HTTP {r.status_code}")
    token = (
        r.json().get("access_token")
        if r.headers.get("content-type", "").startswith("application/json")
        else None
    )
    if not isinstance(token, str) or not token:
        raise _Failed(f"token from {endpoint}: no access_token")
    return token


def _facts(
    client: httpx.Client, peer: RegistryEntry, keys: Any, number: str, index: int
) -> dict[str, Any]:
    """The public facts of one peer registration: its record's state, and while it is in
    force its certificate's name, evidence hash and holders (verified with listed keys)."""
    base = f"{peer.issuer.rstrip('/')}/api/v1/registrations/{number}"
    record = json.loads(_get(client, base, {"Accept": "application/json"}))
    if not isinstance(record, dict) or not isinstance(record.get("state"), str):
        raise _Failed(f"{base}: not a registration record")
    state = record["state"][:32]
    name = str(record.get("name") or "")[:500]
    out: dict[str, Any] = {
        "issuer": peer.issuer.rstrip("/"),
        "registration_number": number,
        "name": name,
        "name_key": name_key(name)[:500],
        "evidence_hash": None,
        "holder_codes": "",
        "state": state,
        "in_force": state not in ENDED_STATES,
        "log_index": index,
    }
    if not out["in_force"]:
        return out
    token = _get(client, f"{base}/certificate", {"Accept": "application/vc+jwt"}).decode("ascii")
    try:
        got = vc.verify(token.strip(), keys, issuers=dict.fromkeys(keys, peer.issuer))
    except DomainError as exc:
        raise _Failed(f"{base}/certificate: {exc.code}") from None
    subject = got.credential.get("credentialSubject") or {}
    if subject.get("registrationNumber") != number:
        raise _Failed(f"{base}/certificate: names another registration")
    name = str(subject.get("name") or name)[:500]
    out |= {
        "name": name,
        "name_key": name_key(name)[:500],
        "evidence_hash": evidence_hash(got.credential),
        "holder_codes": " ".join(holder_codes(got.credential))[:2000],
    }
    return out


# --- what the examiner sees -------------------------------------------------------------------
def matches(
    env: Env,
    uow: Any,
    *,
    name: str,
    evidence: str | None,
    holder_codes: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The peers' registrations in force that match the application: the same evidence hash,
    the same normalised name, or a holder with the same credit code and a similar name
    (``federation.peers.similar_names``). Each: registry (name from the list in force),
    number, a link to the peer's public page, the peer's name, and what matched
    (``evidence``, ``name``, ``holder_similar_name`` with ``similarity`` in whole percent) —
    never the codes themselves."""
    key = name_key(name)
    codes = sorted({c for c in holder_codes if c})
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    if key or evidence:
        for row in uow.peer_feeds.matches(evidence_hash=evidence, name_key=key):
            rows[(row["issuer"], row["registration_number"])] = row
    for row in uow.peer_feeds.with_holders(codes):
        if key and similar_names(name, row["name"]):
            found = rows.setdefault((row["issuer"], row["registration_number"]), row)
            found["shared"] = row["shared"]
    if not rows:
        return []
    names = {r.issuer.rstrip("/"): r.name for r in _peers(env)}
    out = []
    for (issuer, number), row in sorted(rows.items()):
        matched = []
        if evidence and row["evidence_hash"] == evidence:
            matched.append("evidence")
        if key and row["name_key"] == key:
            matched.append("name")
        similarity = None
        if row.get("shared"):
            matched.append("holder_similar_name")
            similarity = name_similarity(name, row["name"])
        out.append(
            {
                "registry": names.get(issuer, issuer),
                "issuer": issuer,
                "registration_number": number,
                "name": row["name"],
                "state": row["state"],
                "url": f"{issuer}/registrations/{number}",
                "matched": matched,
                "similarity": similarity,
                "seen_at": row["seen_at"].isoformat(),
            }
        )
    return out
