"""Issue 20 §1–§3: institutions registered by the admin get tokens with `private_key_jwt`
(real ES256 / Ed25519 keys made here, assertions signed with Authlib's client helper) and
read registrations; private reads need a purpose and are accounted in a chain the holder
sees. Every refused request is problem+json and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from authlib.oauth2.rfc7523 import private_key_jwt_sign

from dataip.db import tables as t
from dataip.services.sharing import reads
from tests.support.api import Api, make_uscc, problem
from tests.support.institutions import BEARER, Institution, _jwk, _key

CASE = "（2026）浙01民初123号"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _state(api: Api) -> dict[str, Any]:
    """Everything the sharing capability stores, to prove a refusal changed nothing."""
    engine = api.c.app.state.registry.engine  # type: ignore[attr-defined]
    with engine.connect() as c:
        return {
            name: sorted(map(tuple, c.execute(sa.select(table)).all()), key=repr)
            for name, table in (
                ("institutions", t.institutions),
                ("assertions", t.institution_assertions),
                ("tokens", t.institution_tokens),
                ("reads", t.institution_reads),
                ("freezes", t.freezes),
                ("registrations", t.registrations),
            )
        }


@pytest.fixture
def world(api: Api) -> Any:
    w = api.world()
    w.number = w.registered()
    w.admin = api.user("registrar_admin")
    return w


def test_i20_metadata_per_rfc8414(api: Api) -> None:
    meta = api.c.get("/.well-known/oauth-authorization-server").json()
    assert meta["token_endpoint"] == meta["issuer"] + "/oauth/token"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert {"ES256", "EdDSA", "RS256"} <= set(
        meta["token_endpoint_auth_signing_alg_values_supported"]
    )
    assert "registrations:read-full" in meta["scopes_supported"]


def test_i20_bank_gets_a_token_and_reads_the_public_record(api: Api, world: Any) -> None:
    bank = Institution(api, world.admin, "bank", ["registrations:read", "events:read"], "ES256")
    token = bank.token("registrations:read")
    r = api.c.get(f"/api/v1/institutions/registrations/{world.number}", headers=_h(token))
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "public"
    assert r.json()["registration_number"] == world.number
    # a public read is not a private one: nothing accounted
    assert _state(api)["reads"] == []


def test_i20_court_reads_full_record_and_archive_and_the_holder_sees_it(
    api: Api, world: Any
) -> None:
    court = Institution(
        api,
        world.admin,
        "court",
        ["registrations:read", "registrations:read-full", "freezes:write"],
        "EdDSA",
    )
    token = court.token("registrations:read registrations:read-full")
    r = api.c.get(
        f"/api/v1/institutions/registrations/{world.number}",
        params={"view": "full", "purpose": CASE},
        headers=_h(token),
    )
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "full"
    assert r.headers["cache-control"] == "no-store"
    r = api.c.get(
        f"/api/v1/institutions/registrations/{world.number}/archive",
        params={"purpose": CASE},
        headers=_h(token),
    )
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "dataip-archive"

    seen = api.c.get(f"/api/v1/registrations/{world.number}/reads", headers=api.h(world.applicant))
    assert seen.status_code == 200, seen.text
    rows = seen.json()
    assert [(x["institution_name"], x["resource"], x["purpose"]) for x in rows] == [
        ("杭州市中级人民法院", "record", CASE),
        ("杭州市中级人民法院", "archive", CASE),
    ]
    assert rows[0]["client_id"] == court.client_id
    assert rows[0]["scope"] == "registrations:read-full"
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[0]["kind_label"] == {"zh": "法院", "en": "court"}
    # a stranger does not see who read it
    stranger = api.user("applicant")
    problem(
        api.c.get(f"/api/v1/registrations/{world.number}/reads", headers=api.h(stranger)),
        403,
        "forbidden",
    )
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    assert reads.verify(env=env) == []


def test_i20_refused_requests_change_nothing(api: Api, world: Any) -> None:
    bank = Institution(api, world.admin, "bank", ["registrations:read"], "ES256")
    court = Institution(
        api, world.admin, "court", ["registrations:read", "registrations:read-full"], "EdDSA"
    )
    bank_token = bank.token()
    court_token = court.token()
    narrow_token = court.token("registrations:read")  # the court asked for less than it holds
    replayed = bank.assertion()
    assert bank.request(replayed).status_code == 200
    # a suspended and a revoked client, each with a token issued while it was active
    suspended = Institution(api, world.admin, "exchange", ["registrations:read"], "EdDSA")
    revoked = Institution(
        api, world.admin, "court", ["registrations:read", "registrations:read-full"], "ES256"
    )
    suspended_token, revoked_token = suspended.token(), revoked.token()
    for inst, action in ((suspended, "suspend"), (revoked, "revoke")):
        r = api.c.post(
            f"/api/v1/admin/institutions/{inst.client_id}/actions/{action}",
            headers=api.h(world.admin),
        )
        assert r.status_code == 200, r.text
    now = int(api.clock.now().timestamp())
    other = _key("ES256")
    n = world.number
    reg = f"/api/v1/institutions/registrations/{n}"
    freeze = {"case_number": CASE, "court": "杭州市中级人民法院", "ruling": "冻结"}

    cases: list[tuple[str, Any, int, str]] = [
        (
            "expired assertion",
            lambda: bank.request(bank.assertion(issued_at=now - 400, expires_at=now - 100)),
            401,
            "invalid_client",
        ),
        ("replayed jti", lambda: bank.request(replayed), 401, "invalid_client"),
        (
            "wrong audience",
            lambda: bank.request(bank.assertion(aud="https://elsewhere.example/oauth/token")),
            401,
            "invalid_client",
        ),
        (
            "forged signature",
            lambda: bank.request(bank.assertion(key=other)),
            401,
            "invalid_client",
        ),
        (
            "unknown kid",
            lambda: bank.request(bank.assertion(kid="no-such-key")),
            401,
            "invalid_client",
        ),
        (
            "assertion living an hour",
            lambda: bank.request(bank.assertion(expires_at=now + 3600)),
            401,
            "invalid_client",
        ),
        (
            "unknown client",
            lambda: api.c.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": BEARER,
                    "client_assertion": private_key_jwt_sign(
                        other,
                        "bank-0000000000000000",
                        bank.token_endpoint,
                        alg="ES256",
                        header={"kid": "k"},
                        issued_at=now,
                        expires_at=now + 60,
                    ),
                },
            ),
            401,
            "invalid_client",
        ),
        (
            "no assertion",
            lambda: api.c.post("/oauth/token", data={"grant_type": "client_credentials"}),
            401,
            "invalid_client",
        ),
        (
            "password grant",
            lambda: api.c.post(
                "/oauth/token", data={"grant_type": "password", "username": "x", "password": "y"}
            ),
            400,
            "unsupported_grant_type",
        ),
        # RFC 6749 §5.2: a scope beyond the client's is 400 invalid_scope at the token endpoint
        (
            "scope escalation",
            lambda: bank.request(scope="registrations:read-full"),
            400,
            "invalid_scope",
        ),
        ("no token", lambda: api.c.get(reg), 401, "invalid_token"),
        (
            "made-up token",
            lambda: api.c.get(reg, headers=_h("dipi_nonsense")),
            401,
            "invalid_token",
        ),
        (
            "read-full without purpose",
            lambda: api.c.get(reg, params={"view": "full"}, headers=_h(court_token)),
            422,
            "purpose_required",
        ),
        (
            "court purpose not a case number",
            lambda: api.c.get(
                reg, params={"view": "full", "purpose": "看看"}, headers=_h(court_token)
            ),
            422,
            "invalid_purpose",
        ),
        (
            "bank asks for read-full",
            lambda: api.c.get(
                reg, params={"view": "full", "purpose": "贷款2026-001"}, headers=_h(bank_token)
            ),
            403,
            "insufficient_scope",
        ),
        (
            "bank asks for the archive",
            lambda: api.c.get(
                f"{reg}/archive", params={"purpose": "贷款2026-001"}, headers=_h(bank_token)
            ),
            403,
            "insufficient_scope",
        ),
        (
            "archive without purpose",
            lambda: api.c.get(f"{reg}/archive", headers=_h(court_token)),
            422,
            "purpose_required",
        ),
        (
            "evidence package with a blank purpose",
            lambda: api.c.get(
                f"{reg}/evidence-package", params={"purpose": " "}, headers=_h(court_token)
            ),
            422,
            "purpose_required",
        ),
        # a token is worth only the scopes asked for, even when the client holds more
        (
            "token beyond its scopes",
            lambda: api.c.get(
                reg, params={"view": "full", "purpose": CASE}, headers=_h(narrow_token)
            ),
            403,
            "insufficient_scope",
        ),
        (
            "freeze by a bank",
            lambda: api.c.post(f"{reg}/freezes", json=freeze, headers=_h(bank_token)),
            403,
            "insufficient_scope",
        ),
        (
            "freeze by a court without freezes:write",
            lambda: api.c.post(f"{reg}/freezes", json=freeze, headers=_h(court_token)),
            403,
            "insufficient_scope",
        ),
        ("suspended client asks", lambda: suspended.request(), 401, "invalid_client"),
        (
            "suspended client's token",
            lambda: api.c.get(reg, headers=_h(suspended_token)),
            401,
            "invalid_token",
        ),
        ("revoked client asks", lambda: revoked.request(), 401, "invalid_client"),
        (
            "revoked client's token",
            lambda: api.c.get(
                reg, params={"view": "full", "purpose": CASE}, headers=_h(revoked_token)
            ),
            401,
            "invalid_token",
        ),
    ]
    # each refused for its own reason, not by accident
    why = {
        "expired assertion": "expired",
        "replayed jti": "replay",
        "wrong audience": "'aud'",
        "forged signature": "signature",
        "unknown kid": "kid",
        "assertion living an hour": "at most 300 s",
        "unknown client": "does not exist",
        "no assertion": "client_assertion",
        "password grant": "grant_type",
        "scope escalation": "registrations:read-full",
        "no token": "required",
        "made-up token": "invalid or expired",
        "read-full without purpose": "purpose",
        "court purpose not a case number": "case number",
        "bank asks for read-full": "registrations:read-full",
        "bank asks for the archive": "registrations:read-full",
        "archive without purpose": "purpose",
        "evidence package with a blank purpose": "purpose",
        "token beyond its scopes": "registrations:read-full",
        "freeze by a bank": "freezes:write",
        "freeze by a court without freezes:write": "freezes:write",
        "suspended client asks": "suspended",
        "suspended client's token": "suspended",
        "revoked client asks": "revoked",
        "revoked client's token": "revoked",
    }
    for name, call, status, code in cases:
        before = _state(api)
        r = call()
        body = problem(r, status, code)
        assert why[name] in body["message_en"], (name, body)
        assert re.search(r"[\u4e00-\u9fff]", body["message_zh"]), (name, body)  # zh and en
        if r.request.url.path == "/oauth/token":
            assert body["error"] == code, (name, body)
            assert body["error_description"], name
        assert _state(api) == before, name

    # a suspended client gets no token, and its live token stops working at once
    r = api.c.post(
        f"/api/v1/admin/institutions/{bank.client_id}/actions/suspend", headers=api.h(world.admin)
    )
    assert r.status_code == 200 and r.json()["state"] == "suspended", r.text
    before = _state(api)
    problem(bank.request(), 401, "invalid_client")
    problem(api.c.get(reg, headers=_h(bank_token)), 401, "invalid_token")
    assert _state(api) == before
    api.c.post(
        f"/api/v1/admin/institutions/{bank.client_id}/actions/reactivate",
        headers=api.h(world.admin),
    )
    assert api.c.get(reg, headers=_h(bank_token)).status_code == 200
    # the token lives 10 minutes
    api.later(minutes=11)
    problem(api.c.get(reg, headers=_h(bank_token)), 401, "invalid_token")


def test_i20_keys_rotate_without_downtime(api: Api, world: Any) -> None:
    bank = Institution(api, world.admin, "bank", ["registrations:read"], "ES256")
    new = _key("ES256")
    path = f"/api/v1/admin/institutions/{bank.client_id}/keys"
    both = {"keys": [_jwk(bank.key, bank.kid), _jwk(new, "bank-key-2")]}
    r = api.c.put(path, json={"jwks": both}, headers=api.h(world.admin))
    assert r.status_code == 200 and r.json()["kids"] == ["bank-key-1", "bank-key-2"], r.text
    assert bank.request().status_code == 200  # the old key still works
    assert bank.request(bank.assertion(key=new, kid="bank-key-2")).status_code == 200
    r = api.c.put(
        path, json={"jwks": {"keys": [_jwk(new, "bank-key-2")]}}, headers=api.h(world.admin)
    )
    assert r.status_code == 200, r.text
    problem(bank.request(), 401, "invalid_client")  # the retired key no longer does
    assert bank.request(bank.assertion(key=new, kid="bank-key-2")).status_code == 200


def test_i20_admin_registration_is_checked(api: Api, world: Any) -> None:
    key = _key("ES256")
    good: dict[str, Any] = {
        "kind": "bank",
        "name": "某银行",
        "uscc": make_uscc(77),
        "scopes": ["registrations:read"],
        "jwks": {"keys": [_jwk(key, "k1")]},
    }
    h = api.h(world.admin)
    url = "/api/v1/admin/institutions"
    problem(
        api.c.post(url, json={**good, "scopes": ["registrations:read-full"]}, headers=h),
        422,
        "scope_not_grantable",
    )
    problem(
        api.c.post(url, json={**good, "uscc": "91330100000000000X"}, headers=h), 400, "invalid_uscc"
    )
    private = {"keys": [{**key.as_dict(private=True), "kid": "k1"}]}
    problem(api.c.post(url, json={**good, "jwks": private}, headers=h), 422, "invalid_jwks")
    problem(
        api.c.post(url, json={k: v for k, v in good.items() if k != "jwks"}, headers=h),
        422,
        "keys_required",
    )
    problem(api.c.post(url, json=good, headers=api.h(world.applicant)), 403, "forbidden")
    assert api.c.get(url, headers=h).json() == []
    r = api.c.post(url, json=good, headers=h)
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    assert r.json()["state_label"] == {"zh": "有效", "en": "active"}
    api.c.post(f"{url}/{cid}/actions/revoke", headers=h)
    problem(
        api.c.post(f"{url}/{cid}/actions/reactivate", headers=h), 409, "action_not_allowed_in_state"
    )


def test_i20_the_account_of_reads_detects_an_edited_or_deleted_record(api: Api, world: Any) -> None:
    court = Institution(
        api, world.admin, "court", ["registrations:read", "registrations:read-full"], "ES256"
    )
    token = court.token()
    for _ in range(3):
        r = api.c.get(
            f"/api/v1/institutions/registrations/{world.number}/archive",
            params={"purpose": CASE},
            headers=_h(token),
        )
        assert r.status_code == 200, r.text
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    engine = api.c.app.state.registry.engine  # type: ignore[attr-defined]
    assert reads.verify(env=env) == []
    c = t.institution_reads.c
    with engine.begin() as conn:  # someone with database access rewrites the purpose
        conn.execute(sa.update(t.institution_reads).where(c.seq == 2).values(purpose="无"))
    assert [(f.seq, f.problem) for f in reads.verify(env=env)] == [(2, "edited")]
    with engine.begin() as conn:  # ... then removes the record altogether
        conn.execute(sa.delete(t.institution_reads).where(c.seq == 2))
    assert [(f.seq, f.problem) for f in reads.verify(env=env)] == [
        (2, "missing"),
        (3, "broken_link"),
    ]
    with engine.begin() as conn:  # ... or only the last one
        conn.execute(sa.delete(t.institution_reads).where(c.seq == 3))
    assert (3, "truncated") in [(f.seq, f.problem) for f in reads.verify(env=env)]


def test_i20_client_with_a_jwks_url_gets_a_token(
    api: Api, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataip.services.sharing import tokens

    key = _key("ES256")
    published = {"keys": [_jwk(key, "exchange-1")]}
    fetched: list[str] = []
    monkeypatch.setattr(
        tokens, "_REMOTE", tokens.RemoteJwks(fetch=lambda uri: fetched.append(uri) or published)
    )
    r = api.c.post(
        "/api/v1/admin/institutions",
        json={
            "kind": "exchange",
            "name": "某数据交易所",
            "uscc": make_uscc(991),
            "scopes": ["registrations:read"],
            "jwks_uri": "https://exchange.example/.well-known/jwks.json",
        },
        headers=api.h(world.admin),
    )
    assert r.status_code == 201, r.text
    assert r.json()["jwks"] is None and r.json()["jwks_uri"].startswith("https://")
    ex = Institution.__new__(Institution)
    ex.api, ex.alg, ex.key, ex.kid = api, "ES256", key, "exchange-1"
    ex.client_id = r.json()["client_id"]
    ex.token_endpoint = api.c.get("/.well-known/oauth-authorization-server").json()[
        "token_endpoint"
    ]
    assert ex.token()
    assert fetched == ["https://exchange.example/.well-known/jwks.json"]


def test_i20_docs_python_client_with_authlib_gets_a_token(api: Api, world: Any) -> None:
    """docs/sharing.md's Python walk-through, as written: Authlib's httpx OAuth2Client with
    `private_key_jwt` (assertions kept to 2 minutes: Authlib's default hour is refused)."""
    from datetime import datetime

    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign

    from dataip.services.context import SHANGHAI

    class ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
        def sign(self, auth: Any, token_endpoint: str) -> Any:
            return private_key_jwt_sign(
                auth.client_secret,
                client_id=auth.client_id,
                token_endpoint=token_endpoint,
                alg=self.alg,
                header=self.headers,
                expires_in=120,
            )

    bank = Institution(api, world.admin, "bank", ["registrations:read"], "ES256")
    api.clock.advance_to(datetime.now(SHANGHAI))  # Authlib signs with the real time
    client = OAuth2Client(
        client_id=bank.client_id,
        client_secret=bank.key,  # the private key (joserfc ECKey); never sent
        token_endpoint_auth_method=ShortLivedPrivateKeyJWT(
            bank.token_endpoint, headers={"kid": bank.kid}, alg="ES256"
        ),
        scope="registrations:read",
        transport=api.c._transport,
        base_url="http://testserver",
    )
    token = client.fetch_token("http://testserver/oauth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["scope"] == "registrations:read"
    r = client.get(f"/api/v1/institutions/registrations/{world.number}")
    assert r.status_code == 200, r.text


def test_i20_narrowed_scopes_leave_live_tokens_at_once(api: Api, world: Any) -> None:
    bank = Institution(api, world.admin, "bank", ["registrations:read", "events:read"], "ES256")
    token = bank.token()
    reg = f"/api/v1/institutions/registrations/{world.number}"
    assert api.c.get(reg, headers=_h(token)).status_code == 200
    url = f"/api/v1/admin/institutions/{bank.client_id}/scopes"
    h = api.h(world.admin)
    problem(
        api.c.put(url, json={"scopes": ["pledges:write", "freezes:write"]}, headers=h),
        422,
        "scope_not_grantable",
    )
    r = api.c.put(url, json={"scopes": ["events:read"]}, headers=h)
    assert r.status_code == 200 and r.json()["scopes"] == ["events:read"], r.text
    problem(api.c.get(reg, headers=_h(token)), 403, "insufficient_scope")
    problem(bank.request(scope="registrations:read"), 400, "invalid_scope")
    # a client_id sent beside the assertion must be the assertion's
    r = api.c.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": BEARER,
            "client_assertion": bank.assertion(),
            "client_id": "bank-0000000000000000",
        },
    )
    problem(r, 401, "invalid_client")
