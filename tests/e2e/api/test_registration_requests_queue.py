"""The examiner's queue of requests about registrations (G§20–G§24)."""

from __future__ import annotations

from tests.support.api import Api, problem


def test_r19_pending_requests_reach_the_examiners_queue_oldest_first(api: Api) -> None:
    w = api.world()
    first = w.registered()
    second = w.registered(
        name="城市停车泊位预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-002",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.at("2026-10-19 10:00")  # Monday
    change = {"changes": {"update": {"frequency": "weekly"}}, "reason": "更新频率调整"}
    api.reg_ok(w.applicant, second, "request_change", **change)
    api.at("2026-10-20 10:00")
    api.reg_ok(w.applicant, first, "request_change", **change)
    api.at("2026-10-22 10:00")  # Thursday
    r = api.c.get("/api/v1/examination/requests", headers=api.h(w.examiner))
    assert r.status_code == 200, r.text
    items = r.json()
    assert [i["registration_number"] for i in items] == [second, first]
    assert [i["kind"] for i in items] == ["change", "change"]
    assert [i["working_days_waiting"] for i in items] == [3, 2]
    # decided, it leaves the queue
    rid = items[0]["request_id"]
    api.reg_ok(
        w.examiner,
        second,
        "decide_request",
        request_id=rid,
        outcome="refuse",
        reason="变更理由不充分",
    )
    left = api.c.get("/api/v1/examination/requests", headers=api.h(w.examiner)).json()
    assert [i["registration_number"] for i in left] == [first]
    # applicants have no queue
    problem(api.c.get("/api/v1/examination/requests", headers=api.h(w.applicant)), 403, "forbidden")
