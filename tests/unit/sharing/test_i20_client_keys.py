"""Issue 20 §1: what the registry accepts as an institution's keys, and the client states."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import ECKey, OKPKey, RSAKey

from dataip.domain.errors import DomainError
from dataip.sharing.clients import check_jwks, check_jwks_uri, next_state


def _pub(key: Any, kid: str) -> dict[str, Any]:
    return {**key.as_dict(private=False), "kid": kid}


def test_i20_es256_ed25519_and_rsa_keys_are_accepted_public_only() -> None:
    keys = [
        _pub(ECKey.generate_key("P-256"), "a"),
        _pub(OKPKey.generate_key("Ed25519"), "b"),
        _pub(RSAKey.generate_key(2048), "c"),
    ]
    out = check_jwks({"keys": keys})
    assert [k["kid"] for k in out["keys"]] == ["a", "b", "c"]
    assert all("d" not in k and k["use"] == "sig" for k in out["keys"])


@pytest.mark.parametrize(
    "doc",
    [
        {"keys": []},
        {"nokeys": 1},
        {"keys": [{**ECKey.generate_key("P-256").as_dict(private=True), "kid": "a"}]},
        {"keys": [ECKey.generate_key("P-256").as_dict(private=False)]},  # no kid
        {"keys": [_pub(ECKey.generate_key("P-384"), "a")]},  # not ES256
        {"keys": [_pub(RSAKey.generate_key(1024), "a")]},  # too short
        {"keys": [_pub(ECKey.generate_key("P-256"), "a"), _pub(ECKey.generate_key("P-256"), "a")]},
        {"keys": [{**_pub(ECKey.generate_key("P-256"), "a"), "alg": "HS256"}]},
        {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "a"}]},
    ],
)
def test_i20_unusable_jwks_is_refused(doc: Any) -> None:
    with pytest.raises(DomainError) as e:
        check_jwks(doc)
    assert e.value.code == "invalid_jwks"


def test_i20_jwks_uri_must_be_https() -> None:
    assert check_jwks_uri("https://bank.example/jwks.json")
    with pytest.raises(DomainError):
        check_jwks_uri("http://bank.example/jwks.json")


def test_i20_client_state_transitions() -> None:
    assert next_state("active", "suspend") == "suspended"
    assert next_state("suspended", "reactivate") == "active"
    assert next_state("suspended", "revoke") == "revoked"
    for state, action in (("revoked", "reactivate"), ("active", "reactivate")):
        with pytest.raises(DomainError) as e:
            next_state(state, action)
        assert e.value.code == "action_not_allowed_in_state"
    with pytest.raises(DomainError) as e:
        next_state("active", "delete")
    assert e.value.code == "unknown_action"
