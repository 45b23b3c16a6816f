"""Needs and registrations to match, over HTTP (issue 23 §3–§4)."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, World

NEEDS = "/api/v1/needs"


def need_body(party: int, **over: Any) -> dict[str, Any]:
    """A need for bus ridership data (the clock at 2026-10-13 or later, until 2027-01)."""
    body: dict[str, Any] = {
        "party_id": party,
        "title": "公交线路调整需要分站点乘车人数",
        "scenario": "transport",
        "industry_code": "5411",
        "data_wanted": "我们正在优化公交线网，需要每条线路、每个站点在不同时段的上车人数和刷卡客流",
        "region_code": "52",
        "period_from": "2026-11-01",
        "period_to": "2027-10-31",
        "budget_band": "100k_1m",
        "expires_on": "2027-01-31",
    }
    body.update(over)
    return body


def user_with_email(api: Api, name: str, email: str) -> str:
    r = api.c.post(
        "/api/v1/accounts",
        json={
            "username": name,
            "password": "pass-word-1",
            "display_name": name,
            "role": "applicant",
            "email": email,
        },
    )
    assert r.status_code == 201, r.text
    r = api.c.post("/api/v1/auth/token", json={"username": name, "password": "pass-word-1"})
    assert r.status_code == 201, r.text
    api.tokens[name] = r.json()["access_token"]
    return name


def holder(api: Api, examiner: str, who: str, **form: Any) -> tuple[World, str]:
    """`who` (a user) with a verified party holding a registration of `form`; returns its
    world and the registration number (the clock is left at the approval, 2026-10-13)."""
    party = api.party(who, name=f"{who}数据有限公司", verify_by=examiner)
    w = World(api, examiner, who, party)
    return w, w.registered(**form)


BUS = {
    "name": "贵阳市公交IC卡刷卡客流数据集",
    "industry_code": "5411",
    "scenarios": {"values": ["transport"]},
    "processing_rules": "公交IC卡与移动支付刷卡记录按线路、站点、时段汇总，乘客标识去标识化",
}
METRO = {
    "name": "轨道交通站点进出站客流统计数据集",
    "industry_code": "5412",
    "scenarios": {"values": ["transport"]},
    "processing_rules": "地铁闸机进出站记录按站点和小时汇总",
}
CT = {
    "name": "胸部CT影像肺结节标注数据集",
    "industry_code": "8411",
    "scenarios": {"values": ["healthcare"]},
    "processing_rules": "胸部CT影像经脱敏处理后由放射科医师标注肺结节位置、大小与良恶性",
}


def inbox(api: Api, who: str, kind: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/inbox", headers=api.h(who))
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == kind]
