"""Issue 22 §4: the hotness ranking's page (热度榜) — reachable from the navigation, Chinese
first with English, the formula stated in words and symbols with the profile's parameters,
each row's rank, name, holder, industry, score and signals; filters by section and region;
a refused filter is the page again with the reason, never a 500."""

from __future__ import annotations

import re

from dataip.services.context import Env
from dataip.services.value import hotness
from tests.e2e.api.test_r27_hotness import CHROME, FIREFOX, _ua
from tests.support.api import Api
from tests.support.visible_text import visible_text


def test_r27_the_ranking_page_states_the_formula_and_shows_the_signals(api: Api, env: Env) -> None:
    empty = api.c.get("/rankings/hot")
    assert empty.status_code == 200 and "暂无登记获得热度" in empty.text
    w = api.world()
    number = w.registered()
    api.at("2026-10-14 09:00")
    api.c.get(f"/registrations/{number}", headers=_ua(CHROME))
    api.c.get(f"/registrations/{number}", headers=_ua(FIREFOX))
    api.c.get(f"/registrations/{number}/certificate.pdf", headers=_ua(CHROME))
    api.at("2026-10-15 09:00")
    hotness.refresh(env)

    home = api.c.get("/").text
    assert 'href="/rankings/hot"' in home and "热度榜" in home
    r = api.c.get("/rankings/hot")
    assert r.status_code == 200
    text = visible_text(r.text)
    assert "统计截至2026年10月14日" in text
    # the row: rank, name (a link), the legal person holding it, the industry by name, the
    # score, the signals behind it
    row = re.search(rf'<tr data-number="{number}">(.*?)</tr>', r.text, flags=re.S)
    assert row is not None
    cells = visible_text(row.group(1))
    assert "城市交通拥堵预测数据集" in cells and "测试数据科技有限公司" in cells
    assert "5411 城市公共交通运输" in cells or "5411" in cells
    assert "4.000" in cells  # 2 views + 1 certificate download × 2, today's weight 1000
    assert "浏览 2" in cells and "证书下载 1" in cells
    # the formula, in symbols and in words, with the profile's parameters
    assert "2<sup>−a/30</sup>" in r.text and "Σ" in r.text
    assert "每 30 天减半" in text and "最近 90 个" in text and "每位访客每天最多计入 200 次" in text
    assert 'href="/api/v1/rankings/daily-counts.csv"' in r.text

    g = api.c.get("/rankings/hot", params={"section": "G"})
    assert g.status_code == 200 and f'data-number="{number}"' in g.text
    assert "G 交通运输、仓储和邮政业门类榜单" in visible_text(g.text)
    q = api.c.get("/rankings/hot", params={"section": "Q"})
    assert f'data-number="{number}"' not in q.text
    gz = api.c.get("/rankings/hot", params={"region": "52"})
    assert f'data-number="{number}"' in gz.text and "贵州省榜单" in visible_text(gz.text)
    bad = api.c.get("/rankings/hot", params={"section": "G", "region": "52"})
    assert bad.status_code == 422 and "请只选择行业门类或地区之一" in bad.text

    en = api.c.get("/rankings/hot", params={"lang": "en"})
    assert "Hotness ranking" in en.text and "halves every 30 days" in en.text  # remembered: last
