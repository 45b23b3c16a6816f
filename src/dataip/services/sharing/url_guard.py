"""Where webhooks may go (推送地址校验, issue 20 §5): no server-side request forgery.

A webhook URL is chosen by a client, and the registry POSTs to it from inside its network; a
URL naming the registry's own host, its database, the cloud's metadata service or any
private address would let a client make the registry call it. So, unless the operator sets
``DATAIP_WEBHOOK_ALLOW_PRIVATE_URLS`` (tests; receivers on premises), a webhook URL must be
``https`` and every address its host resolves to must be a global unicast address — not
loopback, RFC 1918 private, link-local (169.254/16, fe80::/10), unique-local (fc00::/7),
multicast, unspecified, reserved or shared (100.64/10), nor an IPv4-mapped form of these.

It is checked twice: when the subscription is made (:func:`check`), and at every delivery
(:func:`pin`), because a host name may resolve elsewhere later (DNS rebinding). At delivery
the connection goes to the very address that was checked: the URL is rewritten to that
address, with the ``Host`` header and the TLS server name (SNI, and the certificate check)
kept on the host name, so no second look-up can send it anywhere else. Redirects are never
followed (Standard Webhooks: a 3xx is a failed attempt).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from dataip.domain.errors import DomainError

__all__ = ["Blocked", "Pinned", "check", "is_public", "pin"]

MAX_URL: Final = 2000
DNS_TTL_SECONDS: Final = 30.0


class Blocked(Exception):
    """The URL may not be delivered to; ``code`` says why (stable, logged as the error)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def is_public(address: str) -> bool:
    """True for a global unicast address a receiver on the Internet may have."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_global
        and not (
            ip.is_loopback
            or ip.is_private
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_unspecified
            or ip.is_reserved
        )
    )


_cache: dict[tuple[str, int], tuple[float, list[str]]] = {}
_cache_lock = threading.Lock()


def _resolve(host: str, port: int) -> list[str]:
    """The host's addresses (a literal is its own), cached briefly: a delivery worker sends
    thousands of messages a second to a few hosts."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    key = (host.lower(), port)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise Blocked("unresolvable", f"{host} does not resolve") from e
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise Blocked("unresolvable", f"{host} does not resolve")
    with _cache_lock:
        _cache[key] = (now + DNS_TTL_SECONDS, addresses)
    return addresses


def _parts(url: str, allow_private: bool) -> tuple[str, str, int]:
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(url) > MAX_URL:
        raise Blocked("scheme", "an absolute https URL is required")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise Blocked("scheme", "the URL's port is invalid") from e
    if parts.username or parts.password:
        raise Blocked("scheme", "credentials in the URL are not accepted")
    return parts.scheme, parts.hostname, port


def _public_addresses(host: str, port: int) -> list[str]:
    addresses = _resolve(host, port)
    private = [a for a in addresses if not is_public(a)]
    if private:
        raise Blocked("private_address", f"{host} resolves to a non-public address")
    return addresses


def check(url: str, *, allow_private: bool) -> None:
    """Refuse (problem+json, 422) a URL the registry must not deliver to."""
    try:
        _, host, port = _parts(url, allow_private)
        if not allow_private:
            _public_addresses(host, port)
    except Blocked as e:
        if e.code == "scheme":
            raise DomainError(
                "webhook_url_invalid",
                "推送地址须为 https 绝对地址",
                "the webhook URL must be an absolute https URL",
                status=422,
            ) from e
        raise DomainError(
            "webhook_url_forbidden",
            "推送地址指向本机、内网或保留地址，不予接受",
            "the webhook URL's host is, or resolves to, a loopback, private, link-local, "
            "multicast or reserved address",
            status=422,
            details={"reason": e.code},
        ) from e


@dataclass(frozen=True)
class Pinned:
    """Where one delivery connects: ``url`` (its host replaced by the checked address, or
    unchanged when private addresses are allowed), the ``Host`` header and TLS server name."""

    url: str
    host_header: str | None = None
    sni_hostname: str | None = None


def pin(url: str, *, allow_private: bool) -> Pinned:
    """Check ``url`` again at delivery and pin it to a checked address; raise
    :class:`Blocked` when it may not be delivered to."""
    scheme, host, port = _parts(url, allow_private)
    if allow_private:
        return Pinned(url)
    address = _public_addresses(host, port)[0]
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return Pinned(
        urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=host_header,
        sni_hostname=host,
    )
