"""Institutional callers in tests (issue 20): real clients with real tokens.

:class:`Institution` is an institution's IT department: an ES256 or Ed25519 key pair made
here, a client registered by the admin over the API, and access tokens from ``POST
/oauth/token`` by client credentials with a ``private_key_jwt`` assertion (signed with
Authlib's client helper). :func:`as_institution` and the ``institution`` fixture give a
test the token of an institution of a kind with the scopes asked for (those its kind may be
granted), so the routes guarded by ``require_scopes(...)`` run exactly as for a court or a
bank. :func:`principal` is for calling the sharing services directly.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.jwk import ECKey, OKPKey

from dataip.sharing.scopes import EVENTS_READ, GRANTABLE, WEBHOOKS_MANAGE, Principal
from tests.support.api import Api, make_uscc

BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NAMES = {
    "bank": "浙江某银行股份有限公司",
    "court": "杭州市中级人民法院",
    "exchange": "贵阳大数据交易所有限责任公司",
    "registry": "浙江省数据知识产权登记机构",
    "agency": "贵州省大数据发展管理局",
    "appraisal": "贵州某资产评估有限公司",  # issue 22 §2
}
_seq = itertools.count(1)


def _key(alg: str) -> Any:
    return ECKey.generate_key("P-256") if alg == "ES256" else OKPKey.generate_key("Ed25519")


def _jwk(key: Any, kid: str) -> dict[str, Any]:
    return {**key.as_dict(private=False), "kid": kid}


class Institution:
    """An institution's IT department: its key pair, its client_id, its token requests."""

    def __init__(
        self, api: Api, admin: str, kind: str, scopes: list[str], alg: str = "ES256"
    ) -> None:
        self.api, self.alg = api, alg
        self.key, self.kid = _key(alg), f"{kind}-key-1"
        r = api.c.post(
            "/api/v1/admin/institutions",
            json={
                "kind": kind,
                "name": NAMES[kind],
                "uscc": make_uscc(len(kind) * 7919 + next(_seq)),
                "scopes": scopes,
                "jwks": {"keys": [_jwk(self.key, self.kid)]},
            },
            headers=api.h(admin),
        )
        assert r.status_code == 201, r.text
        self.client_id = r.json()["client_id"]
        meta = api.c.get("/.well-known/oauth-authorization-server").json()
        self.token_endpoint = meta["token_endpoint"]

    def assertion(self, *, key: Any = None, kid: str | None = None, **over: Any) -> str:
        now = int(self.api.clock.now().timestamp())
        kw: dict[str, Any] = {"issued_at": now, "expires_at": now + 120}
        kw.update({k: over.pop(k) for k in ("issued_at", "expires_at") if k in over})
        claims = {"jti": uuid.uuid4().hex, **over}
        return str(
            private_key_jwt_sign(
                key or self.key,
                self.client_id,
                over.pop("aud", self.token_endpoint),
                alg=self.alg,
                claims=claims,
                header={"kid": kid or self.kid},
                **kw,
            )
        )

    def request(self, assertion: str | None = None, scope: str | None = None) -> Any:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": BEARER,
            "client_assertion": assertion or self.assertion(),
        }
        if scope is not None:
            form["scope"] = scope
        return self.api.c.post("/oauth/token", data=form)

    def token(self, scope: str | None = None) -> str:
        r = self.request(scope=scope)
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        body = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 600
        return str(body["access_token"])


def principal(
    client_id: str = "bank-1",
    *,
    kind: str = "bank",
    scopes: frozenset[str] = frozenset({EVENTS_READ, WEBHOOKS_MANAGE}),
) -> Principal:
    """A principal for calling the sharing *services* directly (unit-level tests of the
    feed and webhook use cases); HTTP tests use real tokens (below)."""
    return Principal(
        client_id=client_id,
        institution_id=abs(hash(client_id)) % 10_000 + 1,
        kind=kind,
        name=f"{kind} {client_id}",
        scopes=scopes,
        token_id=f"jti-{client_id}",
    )


def headers_for(
    api: Api, kind: str = "bank", scopes: frozenset[str] | None = None
) -> dict[str, str]:
    """The Authorization header of a real access token of a new institution of `kind`
    holding `scopes` (default: all its kind may be granted; others are left out, as the
    admin could not grant them)."""
    wanted = GRANTABLE[kind] if scopes is None else scopes & GRANTABLE[kind]
    inst = Institution(api, api.user("registrar_admin"), kind, sorted(wanted))
    return {"Authorization": f"Bearer {inst.token()}"}


@contextmanager
def as_institution(
    api: Api, kind: str, *, scopes: frozenset[str] | None = None
) -> Iterator[dict[str, str]]:
    """The test's client presents a real access token of such an institution on every
    request until the block ends."""
    headers = headers_for(api, kind, scopes)
    before = api.c.headers.get("Authorization")
    api.c.headers["Authorization"] = headers["Authorization"]
    try:
        yield headers
    finally:
        if before is None:
            api.c.headers.pop("Authorization", None)
        else:
            api.c.headers["Authorization"] = before


class FreshToken(Mapping[str, str]):
    """The headers of a client that asks for a new token when its last one is about to
    expire on the registry's clock — as a real client does; tests move the clock by hours."""

    def __init__(self, inst: Institution) -> None:
        self._inst = inst
        self._token = inst.token()
        self._issued = inst.api.clock.now()

    def _header(self) -> str:
        if (self._inst.api.clock.now() - self._issued).total_seconds() > 540:
            self._token, self._issued = self._inst.token(), self._inst.api.clock.now()
        return f"Bearer {self._token}"

    def __getitem__(self, key: str) -> str:
        if key != "Authorization":
            raise KeyError(key)
        return self._header()

    def __iter__(self) -> Iterator[str]:
        return iter(("Authorization",))

    def __len__(self) -> int:
        return 1


MakeClient = Callable[..., Mapping[str, str]]


@pytest.fixture
def institution(api: Api) -> MakeClient:
    """``institution(client_id, kind=…, scopes=…)`` -> the headers to send as that client:
    each new `client_id` is a real institution registered by the admin, with a real token."""
    known: dict[str, FreshToken] = {}

    def make(
        client_id: str = "bank-1",
        *,
        kind: str = "bank",
        scopes: frozenset[str] = frozenset({EVENTS_READ, WEBHOOKS_MANAGE}),
    ) -> Mapping[str, str]:
        if client_id not in known:
            wanted = scopes & GRANTABLE[kind]
            known[client_id] = FreshToken(
                Institution(api, api.user("registrar_admin"), kind, sorted(wanted))
            )
        return known[client_id]

    return make
