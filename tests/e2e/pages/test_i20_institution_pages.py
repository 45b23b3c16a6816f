"""Issue 20: the admin's page of institutional clients (Chinese first, labels not codes),
its suspend button, and the holder's section of institutional reads on the registration
page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from dataip.services.context import Identity
from dataip.services.sharing import institutions, reads
from dataip.sharing.scopes import Principal
from tests.support.api import Api, make_uscc

CASE = "（2026）浙01民初7号"


def _login(c: TestClient, username: str) -> None:
    page = c.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    r = c.post(
        "/login",
        data={"username": username, "password": "pass-word-1", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _court(api: Api, admin: str) -> Any:
    from joserfc.jwk import ECKey

    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    admin_id = Identity(user_id=1, role="registrar_admin", username=admin)
    key = {**ECKey.generate_key("P-256").as_dict(private=False), "kid": "k1"}
    return env, institutions.register(
        admin_id,
        env=env,
        kind="court",
        name="杭州市中级人民法院",
        uscc=make_uscc(4242),
        scopes=["registrations:read", "registrations:read-full"],
        jwks={"keys": [key]},
    )


def test_i20_admin_page_lists_institutions_in_chinese_and_suspends(api: Api) -> None:
    admin = api.user("registrar_admin")
    _, court = _court(api, admin)
    _login(api.c, admin)
    page = api.c.get("/admin/institutions")
    assert page.status_code == 200, page.text
    text = page.text
    assert "机构客户端" in text and "杭州市中级人民法院" in text
    assert "法院" in text and "有效" in text and "读取完整登记信息与档案（须说明用途）" in text
    assert "registrations:read" not in text and ">active<" not in text  # labels, not codes
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert csrf
    r = api.c.post(
        f"/admin/institutions/{court.client_id}/actions/suspend",
        data={"csrf_token": csrf.group(1)},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    assert "已暂停" in r.text and "恢复" in r.text


def test_i20_admin_page_is_for_admins_only(api: Api) -> None:
    applicant = api.user("applicant")
    _login(api.c, applicant)
    assert api.c.get("/admin/institutions").status_code == 403


def test_i20_holder_sees_the_court_read_on_the_registration_page(api: Api) -> None:
    w = api.world()
    number = w.registered()
    admin = api.user("registrar_admin")
    env, court = _court(api, admin)
    principal = Principal(
        client_id=court.client_id,
        institution_id=court.id,
        kind="court",
        name=court.name,
        scopes=court.scopes,
        token_id="t1",
    )
    reads.full_record(principal, env=env, number=number, purpose=CASE)
    _login(api.c, w.applicant)
    page = api.c.get(f"/registrations/{number}").text
    assert "机构查阅记录" in page and "杭州市中级人民法院" in page and CASE in page
    assert "完整登记信息" in page
    # the public does not see it
    api.c.cookies.clear()
    assert "机构查阅记录" not in api.c.get(f"/registrations/{number}").text
