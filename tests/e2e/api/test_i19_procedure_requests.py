"""Issue 19 §3 over HTTP: fast track is a request with a ground the registry grants or refuses
(R8, Z§2.1); the examination period starts when the complete materials are received, or at
submission, as the profile says (R8, G§12); a correction period is extended on a request made
before it ends, and a deemed-withdrawn application reinstated on a request made within the
profile's period (G§12's good reason)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dataip.services.context import Env
from dataip.services.scheduler import TickReport, tick
from tests.support.api import Api, World, problem


def _tick(api: Api) -> TickReport:
    return tick(env=api.c.app.state.registry.env)  # type: ignore[attr-defined]


def _due(out: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [d for d in out["deadlines"] if d["kind"] == kind]
    assert len(found) == 1, out["deadlines"]
    return dict(found[0])


def _inbox(api: Api, who: str, kind: str) -> list[dict[str, Any]]:
    return [n for n in api.c.get("/api/v1/inbox", headers=api.h(who)).json() if n["kind"] == kind]


def _queue(api: Api, w: World) -> list[int]:
    r = api.c.get("/api/v1/examination/queue", headers=api.h(w.examiner))
    assert r.status_code == 200, r.text
    return [i["application_id"] for i in r.json() if i["task"] == "accept"]


def _history(api: Api, who: str, aid: int) -> list[dict[str, Any]]:
    r = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(who))
    assert r.status_code == 200, r.text
    return list(r.json())


def _submitted(w: World, n: int) -> int:
    return w.submitted(
        name=f"城市交通拥堵预测{'甲乙丙丁戊己'[n]}数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZ-{n:03d}",
            "hash_value": f"{n + 1:02x}" * 32,
            "evidenced_on": "2026-09-01",
        },
    )


# --- R8 / Z§2.1: fast track -------------------------------------------------------------------


def test_r8_fast_track_needs_grounds(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    # a draft can no longer put itself first
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),
        json={"form": {}, "applicants": [{"party_id": w.party}], "fast_track": True},
    )
    problem(r, 422, "fast_track_needs_grounds")
    aid = _submitted(w, 0)
    assert "request_fast_track" in api.get(w.applicant, aid).json()["allowed_actions"]
    problem(api.act(w.applicant, aid, "request_fast_track"), 422, "ground_required")
    problem(
        api.act(w.applicant, aid, "request_fast_track", ground="friends"), 422, "invalid_ground"
    )
    # in the vocabulary but not among the grounds this profile admits
    bad = problem(
        api.act(w.applicant, aid, "request_fast_track", ground="trading"), 422, "invalid_ground"
    )
    assert bad["details"]["valid"] == ["pledge_financing", "litigation", "major_project"]
    # evidence is the requester's own upload
    stranger = api.user("applicant")
    theirs = api.upload(stranger, b"loan agreement", "loan.pdf")
    problem(
        api.act(
            w.applicant,
            aid,
            "request_fast_track",
            ground="pledge_financing",
            evidence_blobs=[theirs],
        ),
        422,
        "blob_not_found",
    )
    mine = api.upload(w.applicant, b"bank letter of intent", "bank.pdf")
    out = api.ok(
        w.applicant,
        aid,
        "request_fast_track",
        ground="pledge_financing",
        statement="贵阳银行拟以本数据知识产权质押授信",
        evidence_blobs=[mine],
    )
    # asked for, not granted: nothing is first yet
    assert out["fast_track"] is False
    [req] = out["requests"]
    assert (req["kind"], req["status"], req["ground"], req["evidence_blobs"]) == (
        "fast_track",
        "pending",
        "pledge_financing",
        [mine],
    )
    assert req["ground_label"]["zh"] == "用于数据知识产权质押融资"
    assert (_due(out, "decide_fast_track")["party"], _due(out, "decide_fast_track")["due_on"]) == (
        "registry",
        "2026-11-19",
    )
    assert "request_fast_track" not in out["allowed_actions"]
    problem(
        api.act(w.applicant, aid, "request_fast_track", ground="litigation"), 409, "request_pending"
    )
    # the applicant cannot grant it to itself
    problem(api.act(w.applicant, aid, "grant_fast_track"), 403, "forbidden_action")
    # the log publishes the ground's code, never the words
    requested = [e for e in _history(api, w.examiner, aid) if e["type"] == "FastTrackRequested"]
    assert requested and requested[0]["public"]["ground"] == "pledge_financing"
    assert "贵阳银行" not in str(requested[0])


def test_r8_only_granted_fast_track_reorders_queue(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    first = _submitted(w, 0)
    api.at("2026-11-17 10:00")
    second = _submitted(w, 1)
    api.at("2026-11-18 10:00")
    third = _submitted(w, 2)
    api.ok(w.applicant, third, "request_fast_track", ground="litigation")
    # a request alone moves nothing
    assert _queue(api, w) == [first, second, third]
    examiner_view = api.get(w.examiner, third).json()
    assert {"grant_fast_track", "refuse_fast_track"} <= set(examiner_view["allowed_actions"])
    out = api.ok(w.examiner, third, "grant_fast_track", note="已核实诉讼案件受理通知书")
    assert out["fast_track"] is True
    assert out["requests"][0]["status"] == "granted"
    assert [d["kind"] for d in out["deadlines"]] == ["accept"]  # the decision is made
    assert _queue(api, w) == [third, first, second]
    assert "grant_fast_track" not in out["allowed_actions"]
    problem(api.act(w.examiner, third, "grant_fast_track"), 409, "fast_track_already_granted")
    [notice] = _inbox(api, w.applicant, "fast_track_decision")
    assert notice["body"]["decision"] == "granted"


def test_r8_fast_track_refused_with_a_reason_code(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    first = _submitted(w, 0)
    api.at("2026-11-17 10:00")
    second = _submitted(w, 1)
    # nothing to refuse until it is asked for
    assert "refuse_fast_track" not in api.get(w.examiner, second).json()["allowed_actions"]
    problem(
        api.act(w.examiner, second, "refuse_fast_track", reason_code="evidence_insufficient"),
        409,
        "no_pending_request",
    )
    api.ok(w.applicant, second, "request_fast_track", ground="major_project")
    problem(api.act(w.examiner, second, "refuse_fast_track"), 422, "missing_fields")
    problem(
        api.act(w.examiner, second, "refuse_fast_track", reason_code="not_a_good_reason"),
        422,
        "invalid_reason_code",
    )
    out = api.ok(
        w.examiner,
        second,
        "refuse_fast_track",
        reason_code="evidence_insufficient",
        note="未提供项目立项文件",
    )
    assert out["fast_track"] is False
    [req] = out["requests"]
    assert (req["status"], req["reason_code"], req["reason_label"]["zh"]) == (
        "refused",
        "evidence_insufficient",
        "证明材料不足",
    )
    assert _queue(api, w) == [first, second]
    [notice] = _inbox(api, w.applicant, "fast_track_decision")
    assert (notice["body"]["decision"], notice["body"]["reason_code"]) == (
        "refused",
        "evidence_insufficient",
    )
    refused = [e for e in _history(api, w.examiner, second) if e["type"] == "FastTrackRefused"]
    assert refused[0]["public"]["reason_code"] == "evidence_insufficient"
    assert "立项" not in str(refused[0])
    # refused, it may be asked for again with better evidence
    assert "request_fast_track" in api.get(w.applicant, second).json()["allowed_actions"]


def test_r8_fast_track_on_own_motion(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    first = _submitted(w, 0)
    api.at("2026-11-17 10:00")
    second = _submitted(w, 1)
    assert "grant_fast_track" in api.get(w.examiner, second).json()["allowed_actions"]
    # on its own motion the registry names the ground too
    problem(api.act(w.examiner, second, "grant_fast_track"), 422, "ground_required")
    out = api.ok(w.examiner, second, "grant_fast_track", ground="major_project")
    assert out["fast_track"] is True
    [req] = out["requests"]
    assert (req["own_motion"], req["status"], req["ground"]) == (True, "granted", "major_project")
    assert _queue(api, w) == [second, first]
    holder = api.get(w.applicant, second).json()
    assert holder["fast_track"] is True and "request_fast_track" not in holder["allowed_actions"]
    problem(
        api.act(w.applicant, second, "request_fast_track", ground="litigation"),
        409,
        "fast_track_already_granted",
    )
    granted = [e for e in _history(api, w.examiner, second) if e["type"] == "FastTrackGranted"]
    assert granted[0]["public"]["own_motion"] is True


def test_r8_pending_fast_track_lapses_when_the_application_is_withdrawn(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    aid = _submitted(w, 0)
    api.ok(w.applicant, aid, "request_fast_track", ground="pledge_financing")
    out = api.ok(w.applicant, aid, "withdraw", reason="融资计划取消")
    assert out["requests"][0]["status"] == "lapsed"
    assert out["deadlines"] == []
    assert "refuse_fast_track" not in api.get(w.examiner, aid).json()["allowed_actions"]


# --- R8 / G§12: when the examination period starts ------------------------------------------


def _corrected(api: Api, w: World, n: int) -> dict[str, Any]:
    """Filed Mon 16 Nov, accepted the same day, correction requested Tue 17 Nov and submitted
    Mon 23 Nov; returns the application after the correction."""
    api.at("2026-11-16 10:00")
    aid = _submitted(w, n)
    out = api.ok(w.examiner, aid, "accept")
    # the materials were complete when received: 3 working days from the filing date
    assert _due(out, "examine")["due_on"] == "2026-11-19"
    api.at("2026-11-17 10:00")
    api.ok(w.examiner, aid, "request_correction", defects=["补充数据来源证明"])
    api.at("2026-11-23 10:00")
    return api.ok(w.applicant, aid, "submit_correction", note="已补充")


def test_r8_g12_examination_starts_when_the_complete_materials_are_received(
    api: Api, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    assert env.profile.examination_starts == "materials_complete"  # Guizhou's G§12
    complete = _corrected(api, w, 0)
    # the corrected filing completes the materials: 3 working days from Mon 23 Nov
    assert _due(complete, "examine")["due_on"] == "2026-11-26"
    monkeypatch.setattr(env, "profile", replace(env.profile, examination_starts="submission"))
    from_submission = _corrected(api, w, 1)
    # counted from the filing date, which a correction does not move: due Thu 19 Nov
    assert _due(from_submission, "examine")["due_on"] == "2026-11-19"


# --- G§12: relief for a good reason -----------------------------------------------------------


def _awaiting_correction(api: Api, w: World, n: int = 0) -> int:
    """Correction requested Mon 16 Nov: due in 7 working days, Wed 25 Nov."""
    api.at("2026-11-16 10:00")
    aid = _submitted(w, n)
    api.ok(w.examiner, aid, "accept")
    out = api.ok(w.examiner, aid, "request_correction", defects=["补充公证书"])
    assert _due(out, "correction")["due_on"] == "2026-11-25"
    return aid


def test_g12_extension_requested_in_time_holds_the_deemed_withdrawal_and_is_granted(
    api: Api,
) -> None:
    w = api.world()
    aid = _awaiting_correction(api, w)
    api.at("2026-11-24 10:00")
    problem(
        api.act(w.applicant, aid, "request_extension", ground="third_party_delay"),
        422,
        "missing_fields",
    )
    problem(
        api.act(w.applicant, aid, "request_extension", ground="pledge_financing", statement="x"),
        422,
        "invalid_ground",
    )
    out = api.ok(
        w.applicant,
        aid,
        "request_extension",
        ground="third_party_delay",
        statement="公证处出具公证书需10个工作日",
    )
    assert out["requests"][0]["status"] == "pending"
    assert _due(out, "decide_extension")["party"] == "registry"
    problem(
        api.act(w.applicant, aid, "request_extension", ground="force_majeure", statement="y"),
        409,
        "request_pending",
    )
    # the period passes while the registry decides: the request made in time holds it
    api.at("2026-11-26 10:00")
    assert _tick(api).deemed_withdrawn == 0
    assert api.get(w.examiner, aid).json()["state"] == "awaiting_correction"
    problem(api.act(w.examiner, aid, "grant_extension"), 422, "missing_fields")
    problem(
        api.act(w.examiner, aid, "grant_extension", due_on="2026-11-25"),
        422,
        "extension_not_later",
    )
    problem(
        api.act(w.examiner, aid, "grant_extension", due_on="2026-11-28"),  # a Saturday
        422,
        "due_not_working_day",
    )
    out = api.ok(w.examiner, aid, "grant_extension", due_on="2026-12-04", note="准予延期")
    correction = _due(out, "correction")
    assert (correction["due_on"], correction["provisional"]) == ("2026-12-04", False)
    assert [d["kind"] for d in out["deadlines"]] == ["correction"]
    assert (out["requests"][0]["status"], out["requests"][0]["due_on"]) == ("granted", "2026-12-04")
    [notice] = _inbox(api, w.applicant, "extension_decision")
    assert notice["due_on"] == "2026-12-04" and notice["body"]["decision"] == "granted"
    extended = [
        e for e in _history(api, w.examiner, aid) if e["type"] == "CorrectionPeriodExtended"
    ]
    assert extended[0]["public"]["due"] == {"correction": "2026-12-04"}
    assert extended[0]["public"]["previous_due"] == "2026-11-25"
    # the new period has its consequence again
    api.at("2026-12-04 23:00")
    assert _tick(api).deemed_withdrawn == 0
    api.at("2026-12-05 00:30")
    assert _tick(api).deemed_withdrawn == 1
    assert api.get(w.applicant, aid).json()["state"] == "deemed_withdrawn"


def test_g12_extension_must_be_requested_before_the_period_ends(api: Api) -> None:
    w = api.world()
    aid = _awaiting_correction(api, w)
    api.at("2026-11-25 23:00")  # the last day still counts
    assert "request_extension" in api.get(w.applicant, aid).json()["allowed_actions"]
    api.at("2026-11-26 08:00")  # over, but tick has not yet run
    assert "request_extension" not in api.get(w.applicant, aid).json()["allowed_actions"]
    bad = problem(
        api.act(w.applicant, aid, "request_extension", ground="force_majeure", statement="暴雨"),
        409,
        "correction_period_over",
    )
    assert bad["details"]["due_on"] == "2026-11-25"
    # nobody else asks for it on the applicant's behalf, nor decides what was not asked
    problem(
        api.act(w.examiner, aid, "request_extension", ground="force_majeure", statement="x"),
        403,
        "forbidden_action",
    )
    problem(
        api.act(w.examiner, aid, "grant_extension", due_on="2026-12-04"), 409, "no_pending_request"
    )


def test_g12_extension_refused_lets_the_period_run_out(api: Api) -> None:
    w = api.world()
    aid = _awaiting_correction(api, w)
    api.at("2026-11-20 10:00")
    api.ok(w.applicant, aid, "request_extension", ground="other_good_reason", statement="人员出差")
    out = api.ok(w.examiner, aid, "refuse_extension", reason_code="not_a_good_reason")
    assert out["requests"][0]["status"] == "refused"
    assert _due(out, "correction")["due_on"] == "2026-11-25"
    [notice] = _inbox(api, w.applicant, "extension_decision")
    assert notice["due_on"] == "2026-11-25" and notice["body"]["reason_code"] == "not_a_good_reason"
    api.at("2026-11-26 00:30")
    assert _tick(api).deemed_withdrawn == 1


def test_g12_pending_extension_lapses_when_the_correction_arrives(api: Api) -> None:
    w = api.world()
    aid = _awaiting_correction(api, w)
    api.at("2026-11-20 10:00")
    api.ok(w.applicant, aid, "request_extension", ground="third_party_delay", statement="等公证")
    out = api.ok(w.applicant, aid, "submit_correction", note="已补正")
    assert out["state"] == "under_examination"
    assert out["requests"][0]["status"] == "lapsed"
    assert [d["kind"] for d in out["deadlines"]] == ["examine"]


def _deemed_withdrawn(api: Api, w: World) -> int:
    aid = _awaiting_correction(api, w)
    api.at("2026-11-26 00:30")
    assert _tick(api).deemed_withdrawn == 1
    return aid


def test_g12_reinstatement_within_period(api: Api) -> None:
    w = api.world()
    aid = _deemed_withdrawn(api, w)
    api.at("2026-12-10 10:00")
    view = api.get(w.applicant, aid).json()
    assert view["state"] == "deemed_withdrawn"
    assert view["allowed_actions"] == ["request_reinstatement"]
    problem(
        api.act(w.applicant, aid, "request_reinstatement", ground="notice_not_received"),
        422,
        "missing_fields",
    )
    proof = api.upload(w.applicant, b"hospital certificate", "proof.pdf")
    out = api.ok(
        w.applicant,
        aid,
        "request_reinstatement",
        ground="force_majeure",
        statement="洪涝灾害致办公场所停电停网",
        evidence_blobs=[proof],
    )
    assert out["state"] == "deemed_withdrawn" and out["requests"][0]["status"] == "pending"
    assert _due(out, "decide_reinstatement")["party"] == "registry"
    assert "reinstate" in api.get(w.examiner, aid).json()["allowed_actions"]
    out = api.ok(w.examiner, aid, "reinstate", note="情况属实")
    assert out["state"] == "awaiting_correction"
    assert out["requests"][0]["status"] == "granted"
    # a new correction period: 7 working days from Thu 10 Dec
    correction = _due(out, "correction")
    assert (correction["due_on"], correction["party"]) == ("2026-12-21", "holder")
    [notice] = _inbox(api, w.applicant, "reinstatement")
    assert notice["due_on"] == "2026-12-21"
    out = api.ok(w.applicant, aid, "submit_correction", note="已补正")
    assert out["state"] == "under_examination"
    types = [e["type"] for e in _history(api, w.examiner, aid)]
    assert types[-3:] == ["ReinstatementRequested", "ApplicationReinstated", "CorrectionSubmitted"]


def test_g12_reinstatement_out_of_time(api: Api) -> None:
    w = api.world()
    aid = _deemed_withdrawn(api, w)
    # 60 calendar days from the deemed withdrawal on 26 Nov 2026: to 25 Jan 2027
    api.at("2027-01-25 22:00")
    assert api.get(w.applicant, aid).json()["allowed_actions"] == ["request_reinstatement"]
    api.at("2027-01-26 09:00")
    assert api.get(w.applicant, aid).json()["allowed_actions"] == []
    bad = problem(
        api.act(w.applicant, aid, "request_reinstatement", ground="force_majeure", statement="x"),
        409,
        "reinstatement_period_over",
    )
    assert bad["details"]["until"] == "2027-01-25"
    assert api.get(w.applicant, aid).json()["requests"] == []


def test_g12_reinstatement_refused(api: Api) -> None:
    w = api.world()
    aid = _deemed_withdrawn(api, w)
    api.at("2026-12-01 10:00")
    problem(api.act(w.examiner, aid, "reinstate"), 409, "no_pending_request")
    api.ok(w.applicant, aid, "request_reinstatement", ground="other_good_reason", statement="遗忘")
    out = api.ok(
        w.examiner, aid, "refuse_reinstatement", reason_code="not_a_good_reason", note="理由不成立"
    )
    assert out["state"] == "deemed_withdrawn"
    assert (out["requests"][0]["status"], out["requests"][0]["reason_code"]) == (
        "refused",
        "not_a_good_reason",
    )
    assert out["deadlines"] == []
    [notice] = _inbox(api, w.applicant, "reinstatement")
    assert notice["body"]["decision"] == "refused"
