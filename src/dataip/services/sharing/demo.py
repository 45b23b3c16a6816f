"""Demo institutions (`dataip demo`, issue 20): a court's and a bank's OAuth clients registered
by the admin, and the court's reads of a registration with its case number — so the admin's
page of institutional clients and the holder's account of reads are not empty.

Everything goes through the real paths: fresh key pairs (their private halves are thrown away:
the demo clients cannot be used from outside), the admin's registration, an access token from
a `private_key_jwt` assertion signed by Authlib, and the accounted reads.
"""

from __future__ import annotations

from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.jwk import ECKey
from stdnum.cn import uscc

from dataip.services.context import Env, Identity
from dataip.services.sharing import institutions, reads, tokens

__all__ = ["populate"]

CASE_NUMBER = "（2026）黔01民初88号"
_ISSUER = "https://registry.demo.invalid"  # the demo's assertions are checked against it
_ORG = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(head: str, region: str, serial: int) -> str:
    org = "".join(_ORG[(serial * 104729 + i * 7919) % len(_ORG)] for i in range(9))
    body = head + region + org
    return body + uscc.calc_check_digit(body)


def _jwks(key: ECKey, kid: str) -> dict[str, object]:
    return {"keys": [{**key.as_dict(private=False), "kid": kid}]}


def _token(env: Env, client_id: str, key: ECKey, kid: str, scope: str) -> str:
    now = int(env.now().timestamp())
    assertion = private_key_jwt_sign(
        key,
        client_id,
        f"{_ISSUER}/oauth/token",
        alg="ES256",
        header={"kid": kid},
        issued_at=now,
        expires_at=now + 120,
    )
    issued = tokens.issue(
        env=env,
        form={
            "grant_type": "client_credentials",
            "client_assertion_type": tokens.ASSERTION_TYPE,
            "client_assertion": str(assertion),
            "scope": scope,
        },
        token_endpoint=f"{_ISSUER}/oauth/token",
        issuer=_ISSUER,
    )
    return issued.access_token


def populate(admin: Identity, *, env: Env, number: str) -> dict[str, str]:
    """Register the demo court and bank; the court reads registration `number`'s full record
    and archive for a case. Returns kind -> client_id."""
    court_key, bank_key = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    court = institutions.register(
        admin,
        env=env,
        kind="court",
        name="贵州省贵阳市中级人民法院（演示）",
        uscc=_uscc("11", "520100", 1),
        scopes=["registrations:read", "registrations:read-full", "freezes:write", "events:read"],
        jwks=_jwks(court_key, "court-key-1"),
    )
    bank = institutions.register(
        admin,
        env=env,
        kind="bank",
        name="贵阳银行股份有限公司（演示）",
        uscc=_uscc("91", "520100", 2),
        scopes=["registrations:read", "pledges:write", "events:read", "webhooks:manage"],
        jwks=_jwks(bank_key, "bank-key-1"),
    )
    token = _token(
        env, court.client_id, court_key, "court-key-1", "registrations:read registrations:read-full"
    )
    principal = tokens.authenticate(env=env, token=token)
    reads.full_record(principal, env=env, number=number, purpose=CASE_NUMBER)
    reads.archive(principal, env=env, number=number, purpose=CASE_NUMBER)
    _token(env, bank.client_id, bank_key, "bank-key-1", "registrations:read")
    return {"court": court.client_id, "bank": bank.client_id}
