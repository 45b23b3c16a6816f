"""Issue 20 §2: the assertion `jti` is kept in the database, so that concurrent token
requests with one assertion — on any server process — give exactly one token; and the
race rows for the admin's institution routes (`I20_CASES`, run by test_i18_create_races)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from authlib.oauth2.rfc7523 import private_key_jwt_sign
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from dataip.bootstrap import Registry
from dataip.services.context import Identity
from dataip.services.sharing import institutions
from tests.support.api import Api, World, make_uscc
from tests.support.db import count
from tests.support.race import race
from tests.support.routes import PREFIX

BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ADMIN = Identity(user_id=0, role="registrar_admin", username="operator")


def _bank(api: Api) -> tuple[Any, Any]:
    key = ECKey.generate_key("P-256")
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    inst = institutions.register(
        ADMIN,
        env=env,
        kind="bank",
        name="某银行",
        uscc=make_uscc(31337),
        scopes=["registrations:read"],
        jwks={"keys": [{**key.as_dict(private=False), "kid": "k1"}]},
    )
    return inst, key


def test_i20_one_assertion_raced_by_eight_gives_one_token(api: Api, registry: Registry) -> None:
    inst, key = _bank(api)
    endpoint = api.c.get("/.well-known/oauth-authorization-server").json()["token_endpoint"]
    now = int(api.clock.now().timestamp())
    assertion = private_key_jwt_sign(
        key,
        inst.client_id,
        endpoint,
        alg="ES256",
        claims={"jti": uuid.uuid4().hex},
        header={"kid": "k1"},
        issued_at=now,
        expires_at=now + 60,
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": BEARER,
        "client_assertion": assertion,
    }
    raw = TestClient(api.c.app, raise_server_exceptions=False)
    results = race(*[partial(raw.post, "/oauth/token", data=form)] * 8)
    assert not [r for r in results if isinstance(r, BaseException)], results
    codes = sorted((r.status_code, r.json().get("error")) for r in results)
    assert codes == [(200, None)] + [(401, "invalid_client")] * 7, codes
    assert count(registry, "institution_tokens") == 1
    assert count(registry, "institution_assertions") == 1


# --- rows for test_i18_create_races (every write route of the API is raced) ------------------


def _register(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    key = ECKey.generate_key("P-256")
    body = {
        "kind": "court",
        "name": "杭州市中级人民法院",
        "uscc": make_uscc(4711),
        "scopes": ["registrations:read"],
        "jwks": {"keys": [{**key.as_dict(private=False), "kid": "k1"}]},
    }
    admin = api.user("registrar_admin")
    return "POST", f"{PREFIX}/admin/institutions", api.h(admin), {"json": body}


def _suspend(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    inst, _ = _bank(api)
    admin = api.user("registrar_admin")
    url = f"{PREFIX}/admin/institutions/{inst.client_id}/actions/suspend"
    return "POST", url, api.h(admin), {}


def _keys(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    inst, _ = _bank(api)
    admin = api.user("registrar_admin")
    jwks = {"keys": [{**ECKey.generate_key("P-256").as_dict(private=False), "kid": "k2"}]}
    url = f"{PREFIX}/admin/institutions/{inst.client_id}/keys"
    return "PUT", url, api.h(admin), {"json": {"jwks": jwks}}


def _scopes(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    inst, _ = _bank(api)
    admin = api.user("registrar_admin")
    url = f"{PREFIX}/admin/institutions/{inst.client_id}/scopes"
    return "PUT", url, api.h(admin), {"json": {"scopes": ["registrations:read", "events:read"]}}


CASE_NUMBER = "（2026）黔01民初123号"


def _court(api: Api) -> dict[str, str]:
    from tests.support.institutions import Institution

    court = Institution(api, api.user("registrar_admin"), "court", ["freezes:write"])
    return {"Authorization": f"Bearer {court.token()}"}


def _freeze(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    number = w.registered()
    body = {"case_number": CASE_NUMBER, "court": "贵阳市中级人民法院", "ruling": "冻结"}
    url = f"{PREFIX}/institutions/registrations/{number}/freezes"
    return "POST", url, _court(api), {"json": body}


def _lift(api: Api, w: World) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    number = w.registered()
    headers = _court(api)
    body = {"case_number": CASE_NUMBER, "court": "贵阳市中级人民法院", "ruling": "冻结"}
    url = f"{PREFIX}/institutions/registrations/{number}/freezes"
    r = api.c.post(url, json=body, headers=headers)
    assert r.status_code == 201, r.text
    lift = f"{url}/{r.json()['number']}/lift"
    return "POST", lift, headers, {"json": {"case_number": CASE_NUMBER, "reason": "解除保全"}}


def i20_cases(case: Any) -> list[Any]:
    """The race rows, built with test_i18_create_races' own `Case`."""
    return [
        case("POST /admin/institutions", _register, "all"),
        case(
            "POST /admin/institutions/{client_id}/actions/{action}",
            _suspend,
            "one",
            {(409, "action_not_allowed_in_state"), (409, "concurrent_update")},
        ),
        case(
            "PUT /admin/institutions/{client_id}/keys", _keys, "some", {(409, "concurrent_update")}
        ),
        case(
            "PUT /admin/institutions/{client_id}/scopes",
            _scopes,
            "some",
            {(409, "concurrent_update")},
        ),
        # a court's preservation (issue 20 §7), with a real court client's token
        case(
            "POST /institutions/registrations/{number}/freezes",
            _freeze,
            "some",
            {(409, "concurrent_update")},
        ),
        case(
            "POST /institutions/registrations/{number}/freezes/{freeze_number}/lift",
            _lift,
            "one",
            {(409, "no_freeze_in_force"), (409, "concurrent_update")},
        ),
    ]


def test_i20_concurrent_reads_keep_the_chain_intact(api: Api, registry: Registry) -> None:
    """Eight private reads at once: eight records, each linked to the one before."""
    from dataip.services.sharing import reads
    from dataip.sharing.scopes import Principal

    w = api.world()
    number = w.registered()
    env = registry.env
    key = ECKey.generate_key("P-256")
    court = institutions.register(
        ADMIN,
        env=env,
        kind="court",
        name="某法院",
        uscc=make_uscc(8080),
        scopes=["registrations:read-full"],
        jwks={"keys": [{**key.as_dict(private=False), "kid": "k"}]},
    )
    who = Principal(court.client_id, court.id, "court", court.name, court.scopes, "t")
    read = partial(reads.full_record, who, env=env, number=number, purpose="（2026）浙01民初9号")
    results = race(*[read] * 8)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert count(registry, "institution_reads") == 8
    assert reads.verify(env=env) == []
