"""The portal's pages over real HTTP through the ASGI app: Chinese first with an English
switch, the public record, certificate verification by token and by PDF, the log page, and
the safety rails (CSP and security headers, CSRF on every form, escaping, login throttling)."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import certificates, ledger
from dataip.web.pages.render import CATALOGUE, _translations
from tests.support.api import Api

PAGES = ("/", "/announcements", "/verify", "/log", "/login")


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the form carries a CSRF token"
    return m.group(1)


def test_r23_pages_are_chinese_first_with_an_english_switch_and_security_headers(
    api: Api,
) -> None:
    for path in PAGES:
        r = api.c.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert '<html lang="zh-CN">' in r.text
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    zh = api.c.get("/")
    assert "数据知识产权登记" in zh.text and "公告查询" in zh.text
    en = api.c.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Announcements" in en.text
    # the choice is remembered
    assert '<html lang="en">' in api.c.get("/verify").text
    assert '<html lang="zh-CN">' in api.c.get("/verify?lang=zh-CN").text
    # the API keeps its own shape: no page headers, problem+json errors
    assert "content-security-policy" not in api.c.get("/api/v1/announcements").headers


def test_r23_every_message_has_its_chinese_translation() -> None:
    pages = CATALOGUE.parents[3]
    ids = {
        msg
        for _, _, msg, _, _ in extract_from_dir(
            str(pages),
            method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
        )
    }
    assert len(ids) > 100  # the templates' messages were found
    zh = _translations("zh-CN")
    missing = sorted(m for m in ids if isinstance(m, str) and zh.gettext(m) == m)
    assert not missing, f"no Chinese for: {missing}"


def test_r23_every_form_field_has_a_label(api: Api) -> None:
    for path in ("/announcements", "/verify", "/login", "/"):
        html = api.c.get(path).text
        for field in re.finditer(r"<(input|textarea|select)\b([^>]*)>", html):
            attrs = field.group(2)
            if re.search(r'type="(hidden|submit|checkbox)"', attrs):
                continue  # checkboxes sit inside their <label>
            ident = re.search(r'id="([^"]+)"', attrs)
            assert ident, (path, attrs)
            assert f'for="{ident.group(1)}"' in html, (path, ident.group(1))


def test_r23_registration_page_shows_public_fields_status_and_log_entries(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    ledger.integrate(registry.env, registry.log_keys)
    r = api.c.get(f"/registrations/{number}")
    assert r.status_code == 200, r.text
    assert "城市交通拥堵预测数据集" in r.text and number in r.text
    assert "有效" in r.text and "下载证书 (PDF)" in r.text
    assert "/api/v1/log/entries/" in r.text  # each logged event links its proof
    pdf = api.c.get(f"/registrations/{number}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    home = api.c.get("/")
    assert "<svg" in home.text and "按月登记数量" in home.text
    found = api.c.get("/announcements", params={"q": number})
    assert number in found.text
    marked = api.c.get("/announcements", params={"q": "交通"})
    assert "<mark>交通</mark>" in marked.text  # the hit's words highlighted
    missing = api.c.get("/registrations/20269999999999999")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "出错了" in missing.text


def test_r24_verify_page_checks_a_pasted_token_and_an_uploaded_pdf(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    form = api.c.get("/verify").text
    csrf = _csrf(form)
    r = api.c.post("/verify", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 200, r.text
    assert "证书真实；当前状态：有效" in r.text and "发证记录已证明在透明日志中" in r.text
    pdf = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    ).content
    r = api.c.post(
        "/verify",
        data={"csrf_token": csrf},
        files={"pdf": ("cert.pdf", pdf, "application/pdf")},
    )
    assert r.status_code == 200 and "证书真实" in r.text
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    r = api.c.post("/verify", data={"csrf_token": csrf, "token": forged})
    assert r.status_code == 200 and "证书不真实" in r.text and "bad_signature" in r.text
    r = api.c.post(
        "/verify",
        data={"csrf_token": csrf},
        files={"pdf": ("x.pdf", b"%PDF-1.7 not really", "application/pdf")},
    )
    assert r.status_code == 422 and "没有附带的证书凭证" in r.text
    r = api.c.post("/verify", data={"csrf_token": csrf, "token": ""})
    assert r.status_code == 422
    # a script pasted as the token is shown as text, never run
    r = api.c.post("/verify", data={"csrf_token": csrf, "token": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text


def test_r24_forms_without_the_csrf_token_or_from_another_site_are_refused(
    api: Api, registry: Registry
) -> None:
    api.c.get("/verify")
    assert api.c.post("/verify", data={"token": "x"}).status_code == 403
    assert api.c.post("/verify", data={"csrf_token": "wrong", "token": "x"}).status_code == 403
    csrf = _csrf(api.c.get("/verify").text)
    r = api.c.post(
        "/verify",
        data={"csrf_token": csrf, "token": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert api.c.post("/login", data={"username": "a", "password": "b"}).status_code == 403


def test_login_sets_an_httponly_session_and_throttles_guessing(
    api: Api, client: TestClient
) -> None:
    w = api.world()
    csrf = _csrf(api.c.get("/login").text)
    ok = api.c.post(
        "/login",
        data={"csrf_token": csrf, "username": w.examiner, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/portal"
    cookie = ok.headers["set-cookie"]
    assert "dataip_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    portal = api.c.get("/portal")
    assert portal.status_code == 200 and "审查工作台" in portal.text and w.examiner in portal.text
    # the session's forms carry a new token (issue 18): the one from before sign-in is spent
    assert api.c.post("/logout", data={"csrf_token": csrf}).status_code == 403
    out = api.c.post("/logout", data={"csrf_token": _csrf(portal.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert api.c.get("/portal", follow_redirects=False).status_code == 303
    csrf = _csrf(api.c.get("/login").text)
    # an open redirect is not on offer
    r = api.c.post(
        "/login",
        data={
            "csrf_token": csrf,
            "username": w.examiner,
            "password": "pass-word-1",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/portal"
    csrf = _csrf(api.c.get("/portal").text)
    for _ in range(5):
        bad = api.c.post(
            "/login", data={"csrf_token": csrf, "username": "nobody", "password": "guess"}
        )
        assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    locked = api.c.post(
        "/login", data={"csrf_token": csrf, "username": "nobody", "password": "guess"}
    )
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-13-40"}, {"type": "no_such_kind"}, {"q": "x" * 101}],
)
def test_r23_bad_search_input_gets_a_clear_page_not_a_500(api: Api, params: dict[str, str]) -> None:
    r = api.c.get("/announcements", params=params)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
