"""The bank client both halves of bench/sharing.py use: registered by the operator, tokens by
client credentials with private_key_jwt. A module, not a benchmark (bench/ files starting
with `_` are modules the scripts import)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from authlib.oauth2.rfc7523 import private_key_jwt_sign
from fastapi.testclient import TestClient
from joserfc.jwk import OKPKey
from stdnum.iso7064 import mod_11_2

from dataip.bootstrap import Registry
from dataip.services.context import Identity
from dataip.services.sharing import institutions
from dataip.sharing.scopes import EVENTS_READ, WEBHOOKS_MANAGE

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
USCC = "91330100MA2B3C4D5N"


def reg_number(i: int) -> str:
    body = f"2026152{i:08d}"
    return body + mod_11_2.calc_check_digit(body)


class Bank:
    """An institution's IT department, as a real client: registered by the operator, then
    access tokens from ``POST /oauth/token`` by client credentials with a ``private_key_jwt``
    assertion (RFC 7523, Authlib's client helper) — no dependency of the app is replaced."""

    def __init__(self, reg: Registry, c: TestClient) -> None:
        self.reg, self.c = reg, c
        self.key = OKPKey.generate_key("Ed25519")
        jwk = {**self.key.as_dict(private=False), "kid": "bench-1"}
        inst = institutions.register(
            Identity(user_id=0, role="registrar_admin", username="bench"),
            env=reg.env,
            kind="bank",
            name="基准测试银行",
            uscc=USCC,
            scopes=[EVENTS_READ, WEBHOOKS_MANAGE],
            jwks={"keys": [jwk]},
        )
        self.client_id = inst.client_id
        self.endpoint = c.get("/.well-known/oauth-authorization-server").json()["token_endpoint"]
        self._token, self._at = "", 0.0

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self._at > 300:  # tokens live 10 minutes: renew at 5
            now = int(self.reg.env.now().timestamp())
            assertion = private_key_jwt_sign(
                self.key,
                self.client_id,
                self.endpoint,
                alg="EdDSA",
                claims={"jti": uuid.uuid4().hex},
                header={"kid": "bench-1"},
                issued_at=now,
                expires_at=now + 120,
            )
            r = self.c.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": JWT_BEARER,
                    "client_assertion": str(assertion),
                },
            )
            assert r.status_code == 200, r.text
            self._token, self._at = r.json()["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}


def client(reg: Registry) -> Iterator[tuple[TestClient, Bank]]:
    from dataip.web import app as web_app

    reg.settings.webhook_workers = 0  # the bench runs its own delivery
    reg.settings.webhook_allow_private_urls = True  # the receiver listens on 127.0.0.1
    app = web_app.create_app(registry=reg)
    with TestClient(app) as c:
        yield c, Bank(reg, c)
