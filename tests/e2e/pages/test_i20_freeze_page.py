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
