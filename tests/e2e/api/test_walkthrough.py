"""One application from draft to registered through HTTP only, and one into each end state."""

from __future__ import annotations

from tests.support.api import Api, problem


def test_walkthrough_draft_to_registered_over_http(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")  # Monday before National Day
    a = api.draft(w.applicant, w.party)
    assert a["state"] == "draft" and a["allowed_actions"] == ["submit", "withdraw"][:1]
    sub = api.ok(w.applicant, a["id"], "submit")
    assert sub["state"] == "submitted"
    assert sub["filing_date"] == "2026-09-28"
    assert len(sub["application_number"]) == 16
    assert sub["deadlines"][0]["kind"] == "accept"
    # R8: accept within 3 working days: 29, 30 Sep, then the holiday, then 8 Oct.
    assert sub["deadlines"][0]["due_on"] == "2026-10-08"
    api.at("2026-09-29 09:00")
    ex = api.ok(w.examiner, a["id"], "accept")
    assert ex["state"] == "under_examination"
    pub = api.ok(w.examiner, a["id"], "publicise")
    assert pub["state"] == "publicised"
    # R10: 5 working days from 29 Sep: 30 Sep, 8, 9 Oct, Sat 10 Oct (make-up), 12 Oct.
    publicity = next(d for d in pub["deadlines"] if d["kind"] == "publicity")
    assert publicity["due_on"] == "2026-10-12"
    problem(api.act(w.examiner, a["id"], "approve"), 409, "publicity_not_over")
    api.at("2026-10-13 09:00")
    reg = api.ok(w.examiner, a["id"], "approve")
    assert reg["state"] == "registered"
    r = reg["registration"]
    assert r["registration_date"] == "2026-10-13"
    assert r["valid_until"] == "2028-10-12"  # R15 / R0.3
    assert r["certificate_number"].startswith("2026105200")
    # The public sees the registration without logging in.
    anon = api.get(None, a["id"]).json()
    assert anon["visibility"] == "public" and anon["form"] is None
    inbox = api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
    kinds = [n["kind"] for n in inbox]
    assert {"receipt", "acceptance", "publicity", "registration"} <= set(kinds)


def test_walkthrough_into_refused(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    out = api.ok(w.examiner, aid, "refuse", grounds=[4, 6], reason="未存证且样例含个人信息")
    assert out["state"] == "refused" and out["grounds"] == [4, 6]
    assert out["allowed_actions"] == []


def test_walkthrough_into_withdrawn(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    problem(api.act(w.applicant, aid, "withdraw"), 422, "missing_fields")
    out = api.ok(w.applicant, aid, "withdraw", reason="数据范围调整")
    assert out["state"] == "withdrawn"


def test_walkthrough_into_deemed_withdrawn_by_tick(api: Api) -> None:
    from dataip.services.scheduler import tick

    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    out = api.ok(w.examiner, aid, "request_correction", defects=["补充样例数据字段说明"])
    due = next(d for d in out["deadlines"] if d["kind"] == "correction")
    # R9: 7 working days from 28 Sep: 29, 30 Sep, 8, 9, 10 (Sat make-up), 12, 13 Oct.
    assert due["due_on"] == "2026-10-13" and due["party"] == "holder"
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    api.at("2026-10-13 23:59")
    assert tick(env=env).deemed_withdrawn == 0
    api.at("2026-10-14 00:00")
    assert tick(env=env).deemed_withdrawn == 1
    assert api.get(w.applicant, aid).json()["state"] == "deemed_withdrawn"
    assert tick(env=env).deemed_withdrawn == 0  # idempotent


def test_walkthrough_into_revoked_after_objection(api: Api) -> None:
    w = api.world()
    aid = w.publicised()
    who, pid, ev = w.objector()
    out = api.ok(
        who, aid, "file_objection", objector_party_id=pid, statement="权属争议", evidence_blobs=[ev]
    )
    assert out["state"] == "objection_pending"
    api.ok(w.examiner, aid, "notify_objection")
    api.ok(w.applicant, aid, "answer_objection", statement="数据自行采集")
    out = api.ok(w.examiner, aid, "decide_objection", outcome="revoke", reason="异议成立")
    assert out["state"] == "revoked"
    inbox = api.c.get("/api/v1/inbox", headers=api.h(who)).json()
    assert [n["kind"] for n in inbox] == ["objection_decision"]


def test_r8_examiner_queue_orders_by_due_date_fast_track_first(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    first = w.submitted()
    api.at("2026-09-29 10:00")
    a = api.draft(
        w.applicant,
        w.party,
        name="电力负荷预测数据集",
        evidence={
            "platform": "p",
            "certificate_number": "c",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.c.patch(f"/api/v1/applications/{a['id']}", headers=api.h(w.applicant), json={})
    api.ok(w.applicant, a["id"], "submit")
    api.at("2026-10-09 10:00")  # first's accept was due 8 Oct: overdue
    q = api.c.get("/api/v1/examination/queue", headers=api.h(w.examiner)).json()
    assert [i["application_id"] for i in q] == [first, a["id"]]
    assert q[0]["overdue"] and q[0]["working_days_left"] == -1
    assert not q[1]["overdue"] and q[1]["due_on"] == "2026-10-09"
    assert q[1]["working_days_left"] == 0  # its last day: today never counts (issue 19)
    problem(api.c.get("/api/v1/examination/queue", headers=api.h(w.applicant)), 403, "forbidden")


def test_r12_approval_is_queued_once_publicity_ends_without_objection(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    quiet = w.publicised()  # publicity runs to Sat 10 Oct, a make-up working day (R0, R10)
    contested = w.publicised(
        name="城市交通流量数据集",
        evidence={
            "platform": "p",
            "certificate_number": "c",
            "hash_value": "ef" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    who, pid, ev = w.objector()
    api.ok(
        who,
        contested,
        "file_objection",
        objector_party_id=pid,
        statement="权属争议",
        evidence_blobs=[ev],
    )

    def tasks() -> dict[int, str]:
        q = api.c.get("/api/v1/examination/queue", headers=api.h(w.examiner)).json()
        return {i["application_id"]: (i["task"], i["overdue"]) for i in q}

    assert quiet not in tasks()  # publicity is running: nothing to do yet
    publicity = next(
        d for d in api.get(w.examiner, quiet).json()["deadlines"] if d["kind"] == "publicity"
    )
    assert publicity["due_on"] == "2026-10-10"
    api.at("2026-10-10 15:00")
    assert quiet not in tasks()  # its last day
    api.at("2026-10-12 09:00")
    assert tasks()[quiet] == ("approve", False)
    assert tasks()[contested][0] != "approve"  # the objection has its own task
    api.ok(w.examiner, quiet, "approve")
    assert quiet not in tasks()


def test_api_explorer_is_self_hosted(api: Api) -> None:
    html = api.c.get("/api/v1/docs").text
    assert "/api/v1/docs-static/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert api.c.get("/api/v1/docs-static/swagger-ui-bundle.js").status_code == 200
    assert 'href="/api/v1/docs"' in api.c.get("/").text  # the portal links the explorer
    assert api.c.get("/api/v1/openapi.json").json()["info"]["title"].startswith("dataip")
