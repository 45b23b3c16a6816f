"""Issue 20 §1: keys published at a JWKS URL are cached, fetched again when an assertion
names a new `kid` (rotation by publishing the new key first), and the last good set serves
when the URL fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey

from dataip.domain.errors import DomainError
from dataip.services.sharing.tokens import RemoteJwks


def _doc(*kids: str) -> dict[str, Any]:
    return {
        "keys": [{**ECKey.generate_key("P-256").as_dict(private=False), "kid": k} for k in kids]
    }


class _Url:
    def __init__(self, doc: Any) -> None:
        self.doc, self.calls = doc, 0

    def __call__(self, uri: str) -> Any:
        self.calls += 1
        if isinstance(self.doc, Exception):
            raise self.doc
        return self.doc


def test_i20_remote_jwks_cached_and_refetched_for_a_new_kid() -> None:
    now = [1000.0]
    url = _Url(_doc("a"))
    remote = RemoteJwks(fetch=url, ttl=300, clock=lambda: now[0])
    assert [k["kid"] for k in remote.keys("https://x/jwks", kid="a")["keys"]] == ["a"]
    remote.keys("https://x/jwks", kid="a")
    assert url.calls == 1  # cached
    url.doc = _doc("a", "b")
    now[0] += 10
    kids = [k["kid"] for k in remote.keys("https://x/jwks", kid="b")["keys"]]
    assert kids == ["a"]  # fetched again at most every 30 s
    now[0] += 30
    assert [k["kid"] for k in remote.keys("https://x/jwks", kid="b")["keys"]] == ["a", "b"]
    assert url.calls == 2
    url.doc = httpx.ConnectError("down")
    now[0] += 400
    assert [k["kid"] for k in remote.keys("https://x/jwks")["keys"]] == ["a", "b"]


def test_i20_remote_jwks_unreachable_first_time_is_invalid_client() -> None:
    remote = RemoteJwks(fetch=_Url(httpx.ConnectError("down")))
    with pytest.raises(DomainError) as e:
        remote.keys("https://x/jwks")
    assert e.value.code == "invalid_client" and e.value.status == 401
