"""Standard Webhooks 1.0 signatures and the retry schedule (事件推送签名; issue 20 §5).

A message is signed over ``{webhook-id}.{webhook-timestamp}.{body}`` (the exact body bytes
sent) and the signatures are sent space-separated in ``webhook-signature``:

* ``v1a`` — Ed25519 (the default): the registry keeps the secret key (``whsk_`` + base64 of
  the 32-byte seed), the receiver verifies with the public key (``whpk_`` + base64 of the 32
  raw bytes) and cannot forge a message.
* ``v1`` — HMAC-SHA256 with a shared ``whsec_`` secret (24–64 random bytes, base64), for
  receivers whose stack only has the symmetric scheme.

The signing is ``cryptography``'s Ed25519 and the standard library's HMAC; :func:`verify`
follows the spec for tests and receivers written in Python. Pure: no storage, no HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "RETRY_SCHEDULE",
    "SCHEMES",
    "Signer",
    "SigningKey",
    "VerificationError",
    "headers",
    "new_key",
    "next_delay",
    "sign",
    "verify",
]

SCHEMES: Final = ("v1a", "v1")
SECRET_PREFIX: Final = "whsec_"
SECRET_KEY_PREFIX: Final = "whsk_"
PUBLIC_KEY_PREFIX: Final = "whpk_"
TOLERANCE_SECONDS: Final = 300

# Standard Webhooks' schedule: the first attempt at once, then retries after these delays;
# a message still failing after the last is given up (status "failed").
RETRY_SCHEDULE: Final[tuple[timedelta, ...]] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


class VerificationError(Exception):
    """The message's headers or signature do not verify."""


def next_delay(attempts_made: int) -> timedelta | None:
    """The wait before the next attempt after ``attempts_made`` failed ones; None: give up."""
    if attempts_made < len(RETRY_SCHEDULE):
        return RETRY_SCHEDULE[attempts_made]
    return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, prefix: str) -> bytes:
    if not text.startswith(prefix):
        raise VerificationError(f"a {prefix} key or secret was expected")
    try:
        return base64.b64decode(text[len(prefix) :], validate=True)
    except ValueError as e:
        raise VerificationError("the key or secret is not base64") from e


@dataclass(frozen=True)
class SigningKey:
    """What the registry signs one subscription's messages with: ``v1a`` and/or ``v1``."""

    schemes: tuple[str, ...]
    ed25519_secret: str | None = None  # whsk_...
    hmac_secret: str | None = None  # whsec_...

    @property
    def public_key(self) -> str | None:
        """``whpk_...``, what the receiver verifies ``v1a`` with."""
        if self.ed25519_secret is None:
            return None
        seed = _unb64(self.ed25519_secret, SECRET_KEY_PREFIX)
        pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        return PUBLIC_KEY_PREFIX + _b64(pub)


def new_key(schemes: tuple[str, ...] = ("v1a",)) -> SigningKey:
    """Fresh secrets for the schemes asked for (at least one, from :data:`SCHEMES`)."""
    if not schemes or any(s not in SCHEMES for s in schemes) or len(set(schemes)) != len(schemes):
        raise ValueError(f"schemes must be a non-empty subset of {SCHEMES}")
    ed = None
    if "v1a" in schemes:
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        ed = SECRET_KEY_PREFIX + _b64(seed)
    mac = SECRET_PREFIX + _b64(secrets.token_bytes(32)) if "v1" in schemes else None
    return SigningKey(schemes=tuple(schemes), ed25519_secret=ed, hmac_secret=mac)


def _content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    if "." in msg_id:
        raise ValueError("a message id must not contain '.'")
    return f"{msg_id}.{timestamp}.".encode() + body


def sign(key: SigningKey, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: one signature per scheme of ``key``."""
    content = _content(msg_id, timestamp, body)
    out = []
    for scheme in key.schemes:
        if scheme == "v1a" and key.ed25519_secret is not None:
            seed = _unb64(key.ed25519_secret, SECRET_KEY_PREFIX)
            sig = Ed25519PrivateKey.from_private_bytes(seed).sign(content)
            out.append("v1a," + _b64(sig))
        elif scheme == "v1" and key.hmac_secret is not None:
            secret = _unb64(key.hmac_secret, SECRET_PREFIX)
            out.append("v1," + _b64(hmac.new(secret, content, hashlib.sha256).digest()))
    return " ".join(out)


class Signer:
    """One subscription's keys, decoded once: a delivery worker signs thousands of messages
    a second with a few keys, and decoding the seed and building the key object each time
    cost as much as the Ed25519 signature itself."""

    def __init__(self, key: SigningKey) -> None:
        self._ed = (
            Ed25519PrivateKey.from_private_bytes(_unb64(key.ed25519_secret, SECRET_KEY_PREFIX))
            if "v1a" in key.schemes and key.ed25519_secret is not None
            else None
        )
        self._mac = (
            _unb64(key.hmac_secret, SECRET_PREFIX)
            if "v1" in key.schemes and key.hmac_secret is not None
            else None
        )
        self._order = key.schemes

    def sign(self, msg_id: str, timestamp: int, body: bytes) -> str:
        content = _content(msg_id, timestamp, body)
        out = []
        for scheme in self._order:
            if scheme == "v1a" and self._ed is not None:
                out.append("v1a," + _b64(self._ed.sign(content)))
            elif scheme == "v1" and self._mac is not None:
                out.append("v1," + _b64(hmac.new(self._mac, content, hashlib.sha256).digest()))
        return " ".join(out)

    def headers(self, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": self.sign(msg_id, timestamp, body),
        }


def headers(key: SigningKey, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, msg_id, timestamp, body),
    }


def verify(
    body: bytes,
    received: Mapping[str, str],
    *,
    now: int,
    public_key: str | None = None,
    secret: str | None = None,
) -> None:
    """Raise :class:`VerificationError` unless one signature of the message verifies with
    ``public_key`` (``whpk_``, v1a) or ``secret`` (``whsec_``, v1) and its timestamp is
    within five minutes of ``now`` (Unix seconds)."""
    h = {k.lower(): v for k, v in received.items()}
    msg_id, stamp, sigs = (
        h.get("webhook-id"),
        h.get("webhook-timestamp"),
        h.get("webhook-signature"),
    )
    # 1. the three headers
    if not (msg_id and stamp and sigs):
        raise VerificationError("missing webhook headers")
    # 2. the timestamp, against replays
    try:
        ts = int(stamp)
    except ValueError as e:
        raise VerificationError("invalid webhook-timestamp") from e
    if abs(now - ts) > TOLERANCE_SECONDS:
        raise VerificationError("webhook-timestamp outside the tolerance")
    # 3. any one signature of a scheme we hold a key for
    content = _content(msg_id, ts, body)
    for item in sigs.split(" "):
        scheme, _, value = item.partition(",")
        try:
            sig = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        if scheme == "v1a" and public_key is not None:
            pub = Ed25519PublicKey.from_public_bytes(_unb64(public_key, PUBLIC_KEY_PREFIX))
            try:
                pub.verify(sig, content)
                return
            except InvalidSignature:
                continue
        if scheme == "v1" and secret is not None:
            mac = hmac.new(_unb64(secret, SECRET_PREFIX), content, hashlib.sha256).digest()
            if hmac.compare_digest(mac, sig):
                return
    raise VerificationError("no matching signature")
