"""Other registries' certificates, recognised through the trust list in force (issue 21 §2,
R25; docs/federation.md).

* :func:`recognised` — the keys a certificate is verified with: this registry's own, and the
  certificate keys and log key of every registry on the list in force, each bound to its
  listed issuer (a listed key vouches for its own registry only);
* :func:`not_listed` — turns "no such key" into "this issuer is not on the list" when the
  certificate names an issuer the list does not hold (distinct from a forged certificate);
* :func:`check_agency` — the certificate number's agency code (digits 7–10) must be the
  listed code of the issuer that signed it;
* :func:`add_status` — a foreign certificate's current status, read from its issuer's W3C
  status list (URL from the signed certificate, under the listed issuer's address), fetched
  with httpx (no redirects, size cap, timeout), verified with the listed keys and cached in
  the database with its fetch time. Offline or past the cache's age, the answer is
  "authentic; status as of <fetch time>" with the list's age.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from dataip.certs import sm2, status_list, vc
from dataip.certs.keys import IssuerKey, keys_from_jwks
from dataip.certs.sm2 import Sm2Key
from dataip.domain.errors import DomainError
from dataip.federation.trust_list import RegistryEntry, TrustList
from dataip.ledger.note import Verifier
from dataip.services.context import Env
from dataip.services.federation import trust

__all__ = ["Recognised", "add_status", "check_agency", "not_listed", "recognised"]

MAX_STATUS_LIST_BYTES = 1024 * 1024
STATUS_SOURCE_LIST = "issuer_status_list"
FETCH_RETRY = timedelta(minutes=1)  # after a failed fetch, the cached list answers this long


@dataclass
class Recognised:
    """Keys by kid and the issuer each may sign for; log keys by issuer; the list used."""

    keys: dict[str, IssuerKey] = field(default_factory=dict)
    issuers: dict[str, str] = field(default_factory=dict)
    sm2_keys: dict[str, Sm2Key] = field(default_factory=dict)
    sm2_issuers: dict[str, str] = field(default_factory=dict)
    logs: dict[str, list[Verifier]] = field(default_factory=dict)
    listed: TrustList | None = None

    def entry(self, issuer: str) -> RegistryEntry | None:
        return self.listed.by_issuer(issuer) if self.listed is not None else None


def _in_force(env: Env) -> TrustList | None:
    try:
        return trust.current(env)
    except DomainError:  # none accepted, expired, or not configured: only our own keys
        return None


def recognised(env: Env) -> Recognised:
    """This registry's keys (and its legacy trusted issuers), then every other registry on
    the list in force. A kid already bound keeps its binding: a listed JWKS cannot take over
    a key of ours."""
    own = env.certificate_keys
    out = Recognised()
    out.keys, out.issuers = own.verifiers()
    out.sm2_keys, out.sm2_issuers = own.sm2_verifiers()
    out.listed = _in_force(env)
    for entry in out.listed.registries if out.listed is not None else ():
        if entry.issuer == own.issuer_id:
            continue
        for kid, key in _ed25519(entry).items():
            if kid not in out.keys:
                out.keys[kid], out.issuers[kid] = key, entry.issuer
        for kid, gm in _sm2(entry).items():
            if kid not in out.sm2_keys:
                out.sm2_keys[kid], out.sm2_issuers[kid] = gm, entry.issuer
        # the list's log key, not whatever the JWKS's `dataip_log` member says
        out.logs[entry.issuer] = [entry.log_verifier()]
    return out


def _ed25519(entry: RegistryEntry) -> dict[str, IssuerKey]:
    try:
        return keys_from_jwks(entry.jwks)
    except DomainError:
        return {}  # a listed JWKS we cannot read recognises nothing (the list is the operator's)


def _sm2(entry: RegistryEntry) -> dict[str, Sm2Key]:
    out: dict[str, Sm2Key] = {}
    for jwk in entry.jwks.get("keys", []):
        try:
            key = sm2.key_from_jwk(jwk) if isinstance(jwk, dict) else None
        except ValueError:
            key = None
        if key is not None:
            out[key.kid] = key
    return out


def claimed_issuer(text: str, fmt: str) -> str | None:
    """The issuer a vc+jwt or co-signed JSON names (unverified: only to say who it claims)."""
    import json

    try:
        if fmt == "jose+json":
            payload = json.loads(text).get("payload", "")
        else:
            payload = text.strip().split(".")[1]
        claims = json.loads(vc.unb64(payload))
    except (ValueError, IndexError, AttributeError, TypeError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss.rstrip("/") if isinstance(iss, str) and iss else None


def not_listed(env: Env, rec: Recognised, text: str, fmt: str, error: DomainError) -> DomainError:
    """`unknown_issuer_key` for a certificate whose claimed issuer is neither this registry
    nor on the list in force reads `issuer_not_listed`; any other error stays as it is."""
    if error.code != "unknown_issuer_key":
        return error
    issuer = claimed_issuer(text, fmt)
    if issuer is None or issuer == env.certificate_keys.issuer_id:
        return error
    if rec.entry(issuer) is not None or issuer in rec.issuers.values():
        return error  # listed, yet the key is not its: unknown key (forged or rotated out)
    if rec.listed is None:
        zh = f"签发机构 {issuer} 不是本登记机构，且本机构尚无有效的信任列表，无法承认其证书"
        en = (
            f"the issuer {issuer} is not this registry, and no trust list is in force here: "
            "its certificates cannot be recognised"
        )
    else:
        zh = (
            f"签发机构 {issuer} 不在现行信任列表（第 {rec.listed.sequence} 号）上，"
            "本机构不承认其证书"
        )
        en = (
            f"the issuer {issuer} is not on the trust list in force (sequence "
            f"{rec.listed.sequence}): this registry does not recognise its certificates"
        )
    return DomainError("issuer_not_listed", zh, en, status=422, details={"issuer": issuer})


def check_agency(
    env: Env, rec: Recognised, issuer: str, subject: dict[str, Any]
) -> RegistryEntry | None:
    """The listed entry of a foreign issuer, after checking that the certificate number's
    agency code (digits 7–10) is that entry's. None for this registry's own certificates
    (even though its own entry is on the list: their status is read from its database)."""
    entry = rec.entry(issuer)
    if entry is None or rec.listed is None or issuer == env.certificate_keys.issuer_id:
        return None
    number = subject.get("certificateNumber")
    try:
        by_number = rec.listed.by_certificate_number(str(number))
    except DomainError:
        by_number = None
    if by_number is None or by_number.issuer != entry.issuer:
        code = str(number)[6:10] if isinstance(number, str) else "?"
        raise DomainError(
            "agency_code_mismatch",
            f"证书编号中的登记机构代码 {code} 与签发机构 {entry.name}"
            f"（代码 {entry.agency_code}）不符",
            f"the certificate number's agency code {code} is not that of its issuer "
            f"{entry.issuer} ({entry.agency_code}) on the trust list",
            status=422,
        )
    return entry


# --- status -------------------------------------------------------------------------------


def _status_list_url(credential: dict[str, Any]) -> str | None:
    found = next(
        (
            e.get("statusListCredential")
            for e in vc.status_entries(credential)
            if e.get("type") == "BitstringStatusListEntry"
        ),
        None,
    )
    return found if isinstance(found, str) else None


def _fetch(url: str, *, timeout: float) -> str:
    """GET a status list credential: no redirects, at most 1 MiB. Raises httpx.HTTPError or
    ValueError."""
    with (
        httpx.Client(timeout=timeout, follow_redirects=False) as client,
        client.stream("GET", url, headers={"Accept": "application/vc+jwt"}) as r,
    ):
        if r.status_code != 200:
            raise ValueError(f"HTTP {r.status_code}")
        body = b""
        for chunk in r.iter_bytes():
            body += chunk
            if len(body) > MAX_STATUS_LIST_BYTES:
                raise ValueError(f"larger than {MAX_STATUS_LIST_BYTES} bytes")
    return body.decode("ascii").strip()


def _read_list(
    rec: Recognised, entry: RegistryEntry, read: _Reader, token: str, now: datetime
) -> status_list.CachedStatus:
    """Verify a status list with the issuer's listed keys and read the certificate's status."""
    keys = {k: v for k, v in rec.keys.items() if rec.issuers.get(k) == entry.issuer}
    got = vc.verify(token, keys, issuers={k: entry.issuer for k in keys})
    return read(got, now)


_Reader = Callable[[vc.Verified, datetime], status_list.CachedStatus]


def _where(entry: RegistryEntry, out: dict[str, Any]) -> tuple[str | None, _Reader]:
    """The status list's URL and how to read the certificate's position in it: from the
    vc+jwt's `credentialStatus`, or (the QR credential) from the position it carries, in the
    issuer's list layout (this software's: /api/v1/certificates/status-lists/<n>)."""
    issuer = entry.issuer
    if out.get("format") == "qr":
        index = out["certificate"].get("status_index")
        if not isinstance(index, int):
            return None, lambda got, now: status_list.status_at_index(0, issuer, got, now)
        url = status_list.list_url(issuer, status_list.locate(index)[0])
        return url, lambda got, now: status_list.status_at_index(index, issuer, got, now)
    credential = out["credential"]
    return _status_list_url(credential), lambda got, now: status_list.status_from_list(
        credential, issuer, got, now
    )


def add_status(
    env: Env, rec: Recognised, entry: RegistryEntry, out: dict[str, Any], *, online: bool
) -> None:
    """A foreign certificate's status from its issuer's status list (cached in
    `foreign_status_lists`): fetched again once older than the configured age; kept (and
    said to be "as of" its fetch time) when the issuer cannot be reached."""
    setup = trust.setup_of(env)
    url, read = _where(entry, out)
    now = env.now()
    if url is None or not url.startswith(entry.issuer + "/"):
        return  # names no status list, or one outside its issuer: status not checked
    with env.read() as uow:
        cached = uow.federation.status_list(url)
    got: status_list.CachedStatus | None = None
    fetched_at: datetime | None = None
    max_age = timedelta(seconds=setup.status_max_age)
    failed = setup.failed_fetches.get(url)
    resting = failed is not None and timedelta(0) <= now - failed < FETCH_RETRY
    if online and not resting and (cached is None or now - cached.fetched_at >= max_age):
        try:
            token = _fetch(url, timeout=setup.fetch_timeout)
            got = _read_list(rec, entry, read, token, now)
        except (httpx.HTTPError, ValueError, UnicodeError, DomainError):
            got = None  # unreachable or not authentic: fall back on the cached list
            setup.failed_fetches[url] = now
        else:
            setup.failed_fetches.pop(url, None)
            fetched_at = now
            with env.uow() as uow:
                uow.federation.put_status_list(
                    url=url, issuer=entry.issuer, token=token, fetched_at=now
                )
                uow.commit()
    if got is None and cached is not None:
        try:
            got = _read_list(rec, entry, read, cached.token, now)
            fetched_at = cached.fetched_at
        except DomainError:
            got = None
    out["registry"] = {"agency_code": entry.agency_code, "name": entry.name}
    if got is None or fetched_at is None:
        out["summary_zh"] = "证书真实；状态未核验（无法获取签发登记机构的状态列表）"
        out["summary_en"] = (
            "authentic; status not checked (the issuer's status list is unavailable)"
        )
        return
    age = int((now - fetched_at).total_seconds())
    stale = age >= setup.status_max_age
    zh, en = _label(got.status)
    out["status"] = {
        "status": got.status,
        "status_label": {"zh": zh, "en": en},
        "source": STATUS_SOURCE_LIST,
        "status_list": url,
        "list_valid_from": got.as_of,
        "list_freshness": got.freshness,
    }
    out["status_checked_at"] = fetched_at.isoformat()
    out["status_as_of"] = fetched_at.isoformat()
    out["status_age_seconds"] = age
    out["status_stale"] = stale
    if not stale:
        out["summary_zh"] = f"证书真实；当前状态：{zh}（签发登记机构 {entry.name} 的状态列表）"
        out["summary_en"] = f"authentic; current status: {en} (from {entry.issuer}'s status list)"
    else:
        at = fetched_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        minutes = age // 60
        out["summary_zh"] = f"证书真实；截至 {at} 的状态：{zh}（状态列表已获取 {minutes} 分钟）"
        out["summary_en"] = f"authentic; status as of {at}: {en} (the list is {minutes} min old)"


def _label(status: str) -> tuple[str, str]:
    from dataip.services.certificates import STATUS_LABELS

    return STATUS_LABELS.get(status, (status, status))
