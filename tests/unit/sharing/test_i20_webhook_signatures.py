"""Issue 20 §5: Standard Webhooks signatures (pure), checked against the independent
``standardwebhooks`` package for v1 and against the spec's construction for v1a."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks import Webhook, WebhookVerificationError

from dataip.sharing import webhooks as wh

BODY = b'{"specversion":"1.0","id":"leaf-1"}'


def test_i20_v1_matches_the_standardwebhooks_package() -> None:
    key = wh.new_key(("v1",))
    assert key.hmac_secret is not None and key.public_key is None
    now = int(time.time())
    headers = wh.headers(key, "msg_1_1", now, BODY)
    ours = headers["webhook-signature"]
    theirs = Webhook(key.hmac_secret).sign("msg_1_1", datetime.fromtimestamp(now, UTC), BODY)
    assert ours == theirs
    Webhook(key.hmac_secret).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(key.hmac_secret).verify(BODY + b" ", headers)


def test_i20_v1a_is_ed25519_over_id_timestamp_body() -> None:
    key = wh.new_key()
    assert key.schemes == ("v1a",) and key.hmac_secret is None
    assert key.public_key is not None and key.public_key.startswith("whpk_")
    now = int(time.time())
    sig = wh.sign(key, "msg_2_5", now, BODY)
    assert sig.startswith("v1a,") and " " not in sig
    pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key[5:]))
    pub.verify(base64.b64decode(sig[4:]), f"msg_2_5.{now}.".encode() + BODY)
    wh.verify(BODY, wh.headers(key, "msg_2_5", now, BODY), now=now, public_key=key.public_key)


def test_i20_both_schemes_in_one_header_and_refusals() -> None:
    key = wh.new_key(("v1a", "v1"))
    now = int(time.time())
    headers = wh.headers(key, "msg_3_9", now, BODY)
    assert [s.split(",")[0] for s in headers["webhook-signature"].split(" ")] == ["v1a", "v1"]
    wh.verify(BODY, headers, now=now, public_key=key.public_key)
    wh.verify(BODY, headers, now=now, secret=key.hmac_secret)
    Webhook(key.hmac_secret or "").verify(BODY, headers)  # skips the v1a entry
    other = wh.new_key(("v1a", "v1"))
    for bad in (
        dict(body=BODY + b"x", received=headers, public_key=key.public_key),
        dict(body=BODY, received=headers, public_key=other.public_key),
        dict(body=BODY, received=headers, secret=other.hmac_secret),
        dict(body=BODY, received={**headers, "webhook-id": "msg_3_8"}, public_key=key.public_key),
        dict(body=BODY, received={"webhook-id": "x"}, public_key=key.public_key),
    ):
        with pytest.raises(wh.VerificationError):
            wh.verify(now=now, **bad)  # type: ignore[arg-type]
    with pytest.raises(wh.VerificationError):  # a replay after the tolerance
        wh.verify(BODY, headers, now=now + 301, public_key=key.public_key)
    with pytest.raises(ValueError):
        wh.sign(key, "msg.with.dots", now, BODY)
    with pytest.raises(ValueError):
        wh.new_key(("v2",))


def test_i20_retry_schedule_is_standard_webhooks() -> None:
    waits = [wh.next_delay(n) for n in range(1, 9)]
    assert waits == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
        None,
    ]
