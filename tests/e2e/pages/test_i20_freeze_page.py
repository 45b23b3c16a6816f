"""Issue 20 §7: the registration page shows a court's preservation in Chinese — a badge, the
freezes with case number, court and state — and the announcements are titled 保全公告 and
解除保全公告; nothing of the ruling's text reaches the public page."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.visible_text import visible_text

CASE = "（2026）黔01民初123号"
RULING = "冻结被申请人名下数据知识产权（裁定主文）"


def test_i20_registration_page_shows_the_freeze_with_labels(api: Api) -> None:
    w = api.world()
    number = w.registered()
    registrar = api.user("registrar_admin")
    d = api.reg_ok(registrar, number, "freeze", case_number=CASE, court="贵阳中院", ruling=RULING)
    api.c.cookies.set("dataip_lang", "zh-CN")
    text = visible_text(api.c.get(f"/registrations/{number}").text)
    assert "司法保全中" in text and "司法保全" in text and CASE in text and "保全中" in text
    assert "贵阳中院" in text and RULING not in text and "in_force" not in text
    announcement = api.reg(None, number).json()["announcements"][-1]
    assert announcement["title_zh"].startswith("保全公告")
    page = visible_text(api.c.get(f"/announcements/{announcement['number']}").text)
    assert "案号" in page and CASE in page and "保全编号" in page and RULING not in page
    api.reg_ok(
        registrar,
        number,
        "lift_freeze",
        freeze_number=d["freezes"][0]["number"],
        case_number=CASE,
        reason="解除",
    )
    text = visible_text(api.c.get(f"/registrations/{number}").text)
    assert "司法保全中" not in text and "已解除" in text
    assert api.reg(None, number).json()["announcements"][-1]["title_zh"].startswith("解除保全公告")


def test_i20_registrar_freezes_from_the_registration_page(api: Api) -> None:
    import re

    w = api.world()
    number = w.registered()
    registrar = api.user("registrar_admin")
    c = api.c
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={"csrf_token": token.group(1), "username": registrar, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    c.cookies.set("dataip_lang", "zh-CN")
    page = c.get(f"/registrations/{number}").text
    assert (
        'id="act-freeze"' in page and "保全（冻结）" in page and 'id="act-lift_freeze"' not in page
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert csrf and version
    r = c.post(
        f"/registrations/{number}/actions/freeze",
        data={
            "csrf_token": csrf.group(1),
            "version": version.group(1),
            "case_number": "（2026）黔01民初77号",
            "court": "贵阳中院",
            "ruling": "冻结",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    [f] = api.reg(None, number).json()["freezes"]
    assert (f["case_number"], f["state"]) == ("（2026）黔01民初77号", "in_force")
    assert 'id="act-lift_freeze"' in c.get(f"/registrations/{number}").text
