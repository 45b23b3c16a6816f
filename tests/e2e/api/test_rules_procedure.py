"""Rules R8–R13, R15 and R17 over HTTP: acceptance, correction, publicity, objections,
approval, numbers, validity and withdrawal — on the official working-day calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.domain.numbering import parse_registration_number, validate_registration_number
from dataip.services.context import SHANGHAI, FixedClock
from dataip.services.scheduler import TickReport, tick
from tests.support.api import Api, World, complete_form, make_resident_id, problem

EARLY_EVIDENCE = {
    "platform": "贵州数据知识产权存证平台",
    "certificate_number": "GZ-001",
    "hash_value": "ab" * 32,
    "evidenced_on": "2025-12-01",
}


def _tick(api: Api) -> TickReport:
    return tick(env=api.c.app.state.registry.env)  # type: ignore[attr-defined]


def _due(out: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [d for d in out["deadlines"] if d["kind"] == kind]
    assert len(found) == 1, out["deadlines"]
    return dict(found[0])


def _inbox(api: Api, who: str, kind: str | None = None) -> list[dict[str, Any]]:
    items = api.c.get("/api/v1/inbox", headers=api.h(who)).json()
    return [n for n in items if kind is None or n["kind"] == kind]


def _object(api: Api, w: World, aid: int) -> str:
    who, pid, ev = w.objector()
    out = api.ok(
        who,
        aid,
        "file_objection",
        objector_party_id=pid,
        statement="该数据系我方采集",
        evidence_blobs=[ev],
    )
    assert out["state"] == "objection_pending"
    return who


# --- R8: acceptance within 3 working days (G§12) ----------------------------------------------


def test_r8_accept_due_in_3_working_days_counting_make_up_days(api: Api) -> None:
    w = api.world()
    api.at("2026-09-18 16:00")  # Friday; Sunday 20 Sep is a make-up working day
    aid = w.submitted()
    due = _due(api.get(w.examiner, aid).json(), "accept")
    assert (due["due_on"], due["party"], due["provisional"]) == ("2026-09-22", "registry", False)
    problem(api.act(w.applicant, aid, "accept"), 403, "forbidden_action")
    api.at("2026-09-21 09:00")
    out = api.ok(w.examiner, aid, "accept")
    assert out["state"] == "under_examination"
    # Acceptance closes the registry's timer and opens the next: examine within 3 WD of
    # receiving the (complete) materials — the filing date, not the acceptance (G§12).
    assert [(d["kind"], d["due_on"]) for d in out["deadlines"]] == [("examine", "2026-09-22")]
    notice = _inbox(api, w.applicant, "acceptance")
    assert len(notice) == 1 and notice[0]["application_id"] == aid


def test_r8_accept_due_skips_national_day(api: Api) -> None:
    w = api.world()
    api.at("2026-09-30 10:00")
    aid = w.submitted()
    # 3 working days after 30 Sep: 8, 9 Oct and Saturday 10 Oct (make-up).
    assert _due(api.get(w.applicant, aid).json(), "accept")["due_on"] == "2026-10-10"


def test_r8_registry_deadline_is_an_sla_timer_without_consequence(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    api.at("2026-10-20 10:00")  # long past the accept deadline of 8 Oct
    assert _tick(api).deemed_withdrawn == 0
    assert api.get(w.examiner, aid).json()["state"] == "submitted"
    assert api.ok(w.examiner, aid, "accept")["state"] == "under_examination"


# --- R9: one consolidated correction notice; 7 working days; deemed withdrawn (G§12) ---------


def test_r9_one_consolidated_correction_notice_lists_every_defect(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    defects: list[Any] = [
        "补充样例数据字段说明",
        {"field": "processing_rules", "zh": "算法说明过于简略", "en": "describe the algorithm"},
        {"field": "scope.coverage", "zh": "补充数据覆盖时间范围"},
    ]
    problem(api.act(w.examiner, aid, "request_correction"), 422, "missing_fields")
    out = api.ok(w.examiner, aid, "request_correction", defects=defects)
    assert out["state"] == "awaiting_correction"
    due = _due(out, "correction")
    assert (due["due_on"], due["party"]) == ("2026-10-13", "holder")
    notices = _inbox(api, w.applicant, "correction_notice")
    assert len(notices) == 1
    listed = notices[0]["body"]["defects"]
    assert [d["zh"] for d in listed] == [
        "补充样例数据字段说明",
        "算法说明过于简略",
        "补充数据覆盖时间范围",
    ]
    assert [d["field"] for d in listed] == [None, "processing_rules", "scope.coverage"]
    assert notices[0]["due_on"] == "2026-10-13"
    # Everything is told at once: no second notice while the first is open.
    problem(
        api.act(w.examiner, aid, "request_correction", defects=["再补充一项"]),
        409,
        "action_not_allowed_in_state",
    )
    assert len(_inbox(api, w.applicant, "correction_notice")) == 1


def test_r9_correction_notice_is_due_within_3_working_days_of_receiving_materials(
    api: Api,
) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")  # Monday
    aid = w.submitted()
    out = api.ok(w.examiner, aid, "accept")
    examine = _due(out, "examine")
    assert (examine["due_on"], examine["party"]) == ("2026-11-19", "registry")


def test_r9_correction_reply_via_patch_and_submit_correction_freezes_a_new_version(
    api: Api,
) -> None:
    w = api.world()
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    api.ok(w.examiner, aid, "request_correction", defects=["补充匿名化处理说明"])
    url = f"/api/v1/applications/{aid}"
    form = api.get(w.applicant, aid).json()["form"]
    # An incomplete reply is refused and changes nothing.
    form["processing_rules"] = ""
    api.c.patch(url, headers=api.h(w.applicant), json={"form": form})
    problem(api.act(w.applicant, aid, "submit_correction"), 422, "incomplete_application")
    assert api.get(w.applicant, aid).json()["state"] == "awaiting_correction"
    form["processing_rules"] = "清洗、标注、质量校验；个人信息经去标识化处理"
    version = api.get(w.applicant, aid).json()["version"]
    r = api.c.patch(
        url, headers={**api.h(w.applicant), "If-Match": f'"{version}"'}, json={"form": form}
    )
    assert r.status_code == 200, r.text
    # Applicants cannot change while correcting; a stale write is refused.
    problem(
        api.c.patch(url, headers=api.h(w.applicant), json={"applicants": [{"party_id": w.party}]}),
        409,
        "not_editable",
    )
    problem(
        api.c.patch(
            url, headers={**api.h(w.applicant), "If-Match": f'"{version}"'}, json={"form": form}
        ),
        412,
        "stale_version",
    )
    out = api.ok(w.applicant, aid, "submit_correction", note="已补充")
    assert out["state"] == "under_examination"
    assert [d["kind"] for d in out["deadlines"]] == ["examine"]
    versions = api.c.get(f"{url}/versions", headers=api.h(w.examiner)).json()
    assert [(v["number"], v["reason"]) for v in versions] == [(1, "submission"), (2, "correction")]
    assert versions[0]["form"]["processing_rules"] == "清洗、标注、质量校验"
    assert versions[1]["form"]["processing_rules"] == form["processing_rules"]
    # Once corrected, the form is frozen again.
    problem(api.c.patch(url, headers=api.h(w.applicant), json={"form": form}), 409, "not_editable")
    # Versions are private: the public never sees them.
    problem(api.c.get(f"{url}/versions"), 404, "application_not_found")


def test_r9_no_correction_in_7_working_days_is_deemed_withdrawn(api: Api) -> None:
    w = api.world()
    api.at("2026-11-02 10:00")  # Monday
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    out = api.ok(w.examiner, aid, "request_correction", defects=["补充样例数据"])
    assert _due(out, "correction")["due_on"] == "2026-11-11"
    api.at("2026-11-11 23:59")
    assert _tick(api).deemed_withdrawn == 0
    assert api.get(w.applicant, aid).json()["state"] == "awaiting_correction"
    api.at("2026-11-12 00:00")
    assert _tick(api).deemed_withdrawn == 1
    out = api.get(w.applicant, aid).json()
    assert out["state"] == "deemed_withdrawn" and out["deadlines"] == []
    assert len(_inbox(api, w.applicant, "deemed_withdrawn")) == 1
    assert _tick(api).deemed_withdrawn == 0  # idempotent
    problem(api.act(w.applicant, aid, "submit_correction"), 409, "action_not_allowed_in_state")


def test_r9_correction_on_the_last_day_is_in_time(api: Api) -> None:
    w = api.world()
    api.at("2026-11-02 10:00")
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    api.ok(w.examiner, aid, "request_correction", defects=["补充样例数据"])
    api.at("2026-11-11 23:59")
    api.ok(w.applicant, aid, "submit_correction")
    api.at("2026-11-12 00:00")
    assert _tick(api).deemed_withdrawn == 0
    assert api.get(w.applicant, aid).json()["state"] == "under_examination"


# --- R10: 5 working days of publicity; only the G§14 fields are public ------------------------


def test_r10_publicity_lasts_5_working_days(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")  # Monday: 17, 18, 19, 20, 23 Nov
    aid = w.publicised()
    out = api.get(None, aid).json()
    assert [(d["kind"], d["due_on"]) for d in out["deadlines"]] == [("publicity", "2026-11-23")]
    notice = _inbox(api, w.applicant, "publicity")
    assert len(notice) == 1 and notice[0]["application_id"] == aid


def test_r10_anonymous_sees_only_the_g14_public_fields(api: Api) -> None:
    w = api.world()
    sample = api.upload(w.applicant, b"plate,speed\nGA12345,42\n", "sample.csv")
    form = complete_form(sample=sample, other_notes="内部备注：仅供审查")
    a = api.draft(w.applicant, w.party, form=form)
    api.ok(w.applicant, a["id"], "submit")
    api.ok(w.examiner, a["id"], "accept")
    api.ok(w.examiner, a["id"], "publicise")
    r = api.get(None, a["id"])
    assert r.status_code == 200
    out = r.json()
    assert out["visibility"] == "public"
    assert out["form"] is None and out["industry_code"] is None
    assert out["checks"] == {} and out["objections"] == [] and out["outcome_reason"] is None
    pub = out["public_fields"]
    assert set(pub) == {
        "applicants",
        "name",
        "scenarios",
        "data_source",
        "scope",
        "processing_rules",
        "application_number",
    }
    assert pub["name"] == "城市交通拥堵预测数据集"
    assert pub["scenarios"] == {"values": ["transport"]}
    assert pub["data_source"] == {
        "kinds": {"values": ["enterprise"]},
        "methods": {"values": ["self_generated"]},
    }
    assert (
        pub["scope"]["coverage"] == "贵阳市" and pub["processing_rules"] == "清洗、标注、质量校验"
    )
    # Sample data, proofs, evidence details and the rest of the form stay private.
    for secret in (sample, "ab" * 32, "GZ-001", "内部备注", "支撑交通调度决策", "多源数据融合"):
        assert secret not in r.text, secret
    assert [d["kind"] for d in out["deadlines"]] == ["publicity"]
    problem(api.c.get(f"/api/v1/blobs/{sample}"), 401, "unauthenticated")
    # Another logged-in applicant is the public too.
    other = api.user("applicant")
    assert api.get(other, a["id"]).json()["visibility"] == "public"


def test_r10_natural_person_applicant_is_shown_masked_without_id_number(api: Api) -> None:
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    number = make_resident_id("520102", "19850315", 9)
    pid = api.party(
        applicant, kind="natural_person", name="张小明", id_number=number, verify_by=examiner
    )
    a = api.draft(applicant, pid)
    api.ok(applicant, a["id"], "submit")
    api.ok(examiner, a["id"], "accept")
    api.ok(examiner, a["id"], "publicise")
    r = api.get(None, a["id"])
    assert r.json()["applicants"] == [{"kind": "natural_person", "name": "张**"}]
    assert "张小明" not in r.text and number not in r.text


def test_r10_applications_before_publicity_are_invisible_to_the_public(api: Api) -> None:
    w = api.world()
    other = api.user("applicant")
    draft = api.draft(
        w.applicant,
        w.party,
        name="城市停车需求预测数据集",
        evidence={**EARLY_EVIDENCE, "hash_value": "cd" * 32},
    )["id"]
    sub = w.submitted()
    for who in (None, other):
        problem(api.get(who, draft), 404, "application_not_found")
        problem(api.get(who, sub), 404, "application_not_found")
        problem(
            api.c.get(f"/api/v1/applications/{sub}/history", headers=api.h(who)),
            404,
            "application_not_found",
        )
    api.ok(w.examiner, sub, "accept")
    problem(api.get(None, sub), 404, "application_not_found")
    assert api.c.get("/api/v1/applications").json()["items"] == []
    api.ok(w.examiner, sub, "publicise")
    assert api.get(None, sub).status_code == 200
    assert [x["id"] for x in api.c.get("/api/v1/applications").json()["items"]] == [sub]
    problem(api.get(None, draft), 404, "application_not_found")
    # The public archive holds no actor and nothing personal.
    history = api.c.get(f"/api/v1/applications/{sub}/history").json()
    assert history and all("actor_user_id" not in e for e in history)


# --- R11: objections during publicity (G§14, G§15) --------------------------------------------


def test_r11_objection_needs_a_verified_real_name(api: Api) -> None:
    w = api.world()
    aid = w.publicised()
    who = api.user("applicant")
    ev = api.upload(who, b"evidence", "evidence.pdf")
    problem(
        api.act(None, aid, "file_objection", statement="权属争议", evidence_blobs=[ev]),
        401,
        "unauthenticated",
    )
    unverified = api.party(who, kind="natural_person", name="李异议")
    problem(
        api.act(
            who,
            aid,
            "file_objection",
            objector_party_id=unverified,
            statement="权属争议",
            evidence_blobs=[ev],
        ),
        422,
        "party_not_verified",
    )
    # Not under someone else's name either, nor without naming one's own verified party.
    api.party(who, kind="natural_person", name="王异议", verify_by=w.examiner)
    problem(
        api.act(
            who,
            aid,
            "file_objection",
            objector_party_id=w.party,
            statement="权属争议",
            evidence_blobs=[ev],
        ),
        422,
        "party_not_found",
    )
    problem(
        api.act(who, aid, "file_objection", statement="权属争议", evidence_blobs=[ev]),
        422,
        "party_not_found",
    )
    assert api.get(None, aid).json()["state"] == "publicised"


def test_r11_objection_needs_evidence_and_a_statement(api: Api) -> None:
    w = api.world()
    aid = w.publicised()
    who, pid, ev = w.objector()
    problem(
        api.act(who, aid, "file_objection", objector_party_id=pid, statement="权属争议"),
        422,
        "evidence_required",
    )
    problem(
        api.act(
            who,
            aid,
            "file_objection",
            objector_party_id=pid,
            statement="权属争议",
            evidence_blobs=["0" * 64],
        ),
        422,
        "blob_not_found",
    )
    problem(
        api.act(who, aid, "file_objection", objector_party_id=pid, evidence_blobs=[ev]),
        422,
        "missing_fields",
    )
    assert api.get(None, aid).json()["state"] == "publicised"


def test_r11_an_applicant_cannot_object_to_its_own_application_nor_use_others_files(
    api: Api,
) -> None:
    w = api.world()
    sample = api.upload(w.applicant, b"a,b\n1,2\n", "own.csv")
    aid = w.publicised()
    ev = api.upload(w.applicant, b"evidence", "e.pdf")
    problem(
        api.act(
            w.applicant,
            aid,
            "file_objection",
            objector_party_id=w.party,
            statement="自己异议",
            evidence_blobs=[ev],
        ),
        409,
        "own_application",
    )
    who, pid, _ = w.objector()
    problem(
        api.act(
            who,
            aid,
            "file_objection",
            objector_party_id=pid,
            statement="权属争议",
            evidence_blobs=[sample],  # the applicant's upload, not the objector's
        ),
        422,
        "blob_not_found",
    )
    assert api.get(None, aid).json()["state"] == "publicised"


def test_r11_objection_only_during_publicity(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    aid = w.submitted()
    who, pid, ev = w.objector()
    payload = {"objector_party_id": pid, "statement": "权属争议", "evidence_blobs": [ev]}
    api.ok(w.examiner, aid, "accept")
    problem(api.act(who, aid, "file_objection", **payload), 404, "application_not_found")
    problem(
        api.act(w.examiner, aid, "file_objection", **payload), 409, "action_not_allowed_in_state"
    )
    api.ok(w.examiner, aid, "publicise")  # publicity ends 23 Nov
    api.at("2026-11-24 00:00")
    problem(api.act(who, aid, "file_objection", **payload), 409, "publicity_over")
    api.ok(w.examiner, aid, "approve")
    problem(api.act(who, aid, "file_objection", **payload), 409, "action_not_allowed_in_state")


def test_r11_registry_notifies_in_3_working_days_and_subject_answers_in_7(api: Api) -> None:
    w = api.world()
    api.at("2026-10-12 10:00")  # Monday; publicity ends 19 Oct
    aid = w.publicised()
    api.at("2026-10-13 10:00")
    _object(api, w, aid)
    out = api.get(w.examiner, aid).json()
    notify = _due(out, "notify_objection")
    assert (notify["due_on"], notify["party"]) == ("2026-10-16", "registry")
    assert [o["status"] for o in out["objections"]] == ["filed"]
    # G§15: the registry decides only after the subject has been told.
    problem(
        api.act(w.examiner, aid, "decide_objection", outcome="keep", reason="异议不成立"),
        409,
        "objection_not_notified",
    )
    problem(
        api.act(w.applicant, aid, "answer_objection", statement="数据自行采集"),
        409,
        "no_objection_to_answer",
    )
    api.at("2026-10-15 10:00")
    out = api.ok(w.examiner, aid, "notify_objection")
    answer = _due(out, "answer_objection")
    assert (answer["due_on"], answer["party"]) == ("2026-10-26", "holder")
    assert [d["kind"] for d in out["deadlines"] if d["kind"] == "notify_objection"] == []
    notice = _inbox(api, w.applicant, "objection_notice")
    assert len(notice) == 1 and notice[0]["due_on"] == "2026-10-26"
    assert datetime.fromisoformat(notice[0]["served_at"]) == datetime(
        2026, 10, 15, 10, 0, tzinfo=SHANGHAI
    )
    item = notice[0]["body"]["objections"][0]
    assert item["objector"] == "李异议" and item["statement"] == "该数据系我方采集"
    problem(api.act(w.applicant, aid, "answer_objection"), 422, "missing_fields")
    out = api.ok(w.applicant, aid, "answer_objection", statement="数据系自行采集，附采集日志")
    assert [d["kind"] for d in out["deadlines"] if d["kind"] == "answer_objection"] == []
    assert [o["answer"] for o in api.get(w.examiner, aid).json()["objections"]] == [
        "数据系自行采集，附采集日志"
    ]


def test_r11_registration_is_suspended_while_an_objection_is_open(api: Api) -> None:
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    api.at("2026-10-13 10:00")
    _object(api, w, aid)
    api.at("2026-10-20 10:00")  # publicity is over, the objection is not
    problem(api.act(w.examiner, aid, "approve"), 409, "action_not_allowed_in_state")
    api.ok(w.examiner, aid, "notify_objection")
    api.ok(w.applicant, aid, "answer_objection", statement="数据自行采集")
    problem(api.act(w.examiner, aid, "approve"), 409, "action_not_allowed_in_state")
    assert "approve" not in api.get(w.examiner, aid).json()["allowed_actions"]
    problem(api.act(w.examiner, aid, "decide_objection", reason="x"), 422, "outcome_required")
    problem(api.act(w.examiner, aid, "decide_objection", outcome="keep"), 422, "missing_fields")


def test_r11_keep_decision_informs_both_and_approval_follows(api: Api) -> None:
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    objector = _object(api, w, aid)
    api.ok(w.examiner, aid, "notify_objection")
    api.ok(w.applicant, aid, "answer_objection", statement="数据自行采集")
    out = api.ok(w.examiner, aid, "decide_objection", outcome="keep", reason="异议证据不足")
    assert out["state"] == "publicised"
    assert [o["outcome"] for o in out["objections"]] == ["keep"]
    for who in (w.applicant, objector):
        decision = _inbox(api, who, "objection_decision")
        assert len(decision) == 1 and decision[0]["body"]["outcome"] == "keep"
    # The original publicity period still runs (ends 19 Oct).
    problem(api.act(w.examiner, aid, "approve"), 409, "publicity_not_over")
    api.at("2026-10-20 09:00")
    assert api.ok(w.examiner, aid, "approve")["state"] == "registered"


def test_r11_revoke_decision_ends_the_application(api: Api) -> None:
    w = api.world()
    aid = w.publicised()
    objector = _object(api, w, aid)
    api.ok(w.examiner, aid, "notify_objection")
    out = api.ok(w.examiner, aid, "decide_objection", outcome="revoke", reason="异议成立")
    assert out["state"] == "revoked" and out["deadlines"] == [] and out["allowed_actions"] == []
    assert out["outcome_reason"] == "异议成立"
    assert len(_inbox(api, objector, "objection_decision")) == 1
    assert api.get(None, aid).json()["state"] == "revoked"


def test_r11_republicise_decision_opens_a_new_publicity_period(api: Api) -> None:
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    api.at("2026-10-14 10:00")
    _object(api, w, aid)
    api.ok(w.examiner, aid, "notify_objection")
    api.at("2026-10-21 10:00")  # after the first period (19 Oct)
    out = api.ok(
        w.examiner, aid, "decide_objection", outcome="republicise", reason="更正后重新公示"
    )
    assert out["state"] == "publicised"
    # 5 working days from 21 Oct: 22, 23, 26, 27, 28 Oct.
    assert [(d["kind"], d["due_on"]) for d in out["deadlines"]] == [("publicity", "2026-10-28")]
    problem(api.act(w.examiner, aid, "approve"), 409, "publicity_not_over")
    # Objections are open again during the new period.
    second, pid, ev = w.objector()
    api.at("2026-10-28 23:00")
    assert "file_objection" in api.get(second, aid).json()["allowed_actions"]
    api.at("2026-10-29 00:00")
    problem(
        api.act(
            second, aid, "file_objection", objector_party_id=pid, statement="x", evidence_blobs=[ev]
        ),
        409,
        "publicity_over",
    )
    assert api.ok(w.examiner, aid, "approve")["state"] == "registered"


@pytest.mark.parametrize(
    ("outcome", "state"),
    [("keep", "registered"), ("revoke", "revoked"), ("republicise", "publicised")],
)
def test_r11_unresolved_objection_awaits_judgment_then_registry_acts_on_it(
    api: Api, outcome: str, state: str
) -> None:
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    objector = _object(api, w, aid)
    api.ok(w.examiner, aid, "notify_objection")
    api.ok(w.applicant, aid, "answer_objection", statement="数据自行采集")
    out = api.ok(
        w.examiner,
        aid,
        "decide_objection",
        outcome="unresolved",
        reason="双方争议无法调解，请异议人提起诉讼或仲裁",
    )
    assert out["state"] == "awaiting_judgment"
    api.at("2026-11-20 10:00")
    problem(api.act(w.examiner, aid, "approve"), 409, "action_not_allowed_in_state")
    problem(
        api.act(w.examiner, aid, "record_judgment", outcome=outcome, reason="依判决处理"),
        422,
        "missing_fields",
    )
    out = api.ok(
        w.examiner,
        aid,
        "record_judgment",
        outcome=outcome,
        instrument="(2026)黔01民初123号民事判决书",
        reason="依判决处理",
    )
    assert len(_inbox(api, objector, "judgment")) == 1
    assert len(_inbox(api, w.applicant, "judgment")) == 1
    if outcome == "keep":
        out = api.ok(w.examiner, aid, "approve")
    if outcome == "republicise":
        assert _due(out, "publicity")["due_on"] == "2026-11-27"
    assert out["state"] == state


# --- R12: approval after a clean publicity (G§16) ---------------------------------------------


def test_r12_approve_after_publicity_with_no_objection(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    aid = w.publicised()  # publicity ends 23 Nov at 24:00
    api.at("2026-11-23 23:59")
    problem(api.act(w.examiner, aid, "approve"), 409, "publicity_not_over")
    api.at("2026-11-24 00:00")
    problem(api.act(w.applicant, aid, "approve"), 403, "forbidden_action")
    out = api.ok(w.examiner, aid, "approve")
    assert out["state"] == "registered" and out["deadlines"] == []
    reg = out["registration"]
    assert reg["registration_date"] == reg["announcement_date"] == "2026-11-24"
    notice = _inbox(api, w.applicant, "registration")
    assert len(notice) == 1 and notice[0]["body"]["certificate_number"] == reg["certificate_number"]
    # Announced: anyone finds it by either number.
    for number in (reg["certificate_number"], reg["registration_number"]):
        r = api.c.get(f"/api/v1/registrations/{number}")
        assert r.status_code == 200 and r.json()["name"] == "城市交通拥堵预测数据集"


def test_r12_default_profile_does_not_auto_approve(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    aid = w.publicised()
    api.at("2026-11-25 10:00")
    assert _tick(api).approved == 0
    assert api.get(None, aid).json()["state"] == "publicised"


@pytest.fixture
def beijing(tmp_path: Path) -> Iterator[Api]:
    """A second registry on the beijing-3y profile, in its own SQLite file."""
    from dataip.bootstrap import build, init_database
    from dataip.config import Settings
    from dataip.web.app import create_app

    clock = FixedClock(datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI))
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        profile="beijing-3y",
        database_url=f"sqlite:///{(tmp_path / 'beijing.sqlite3').as_posix()}",
        token_ttl_hours=24 * 3650,
    )
    reg = build(settings, clock=clock)
    init_database(reg)
    try:
        with TestClient(create_app(registry=reg)) as c:
            yield Api(c, clock)
    finally:
        reg.dispose()


def test_r12_tick_auto_approves_with_the_beijing_3y_profile(beijing: Api) -> None:
    api = beijing
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    # 15 calendar days of publicity from 12 Oct.
    assert _due(api.get(None, aid).json(), "publicity")["due_on"] == "2026-10-27"
    disputed = w.publicised(
        name="城市停车需求预测数据集", evidence={**EARLY_EVIDENCE, "hash_value": "cd" * 32}
    )
    _object(api, w, disputed)
    api.at("2026-10-27 23:59")
    assert _tick(api).approved == 0
    api.at("2026-10-28 00:00")
    assert _tick(api).approved == 1
    out = api.get(None, aid).json()
    assert out["state"] == "registered"
    assert out["registration"]["certificate_number"].startswith("2026101100")
    assert len(_inbox(api, w.applicant, "registration")) == 1
    # An open objection suspends registration, tick or not.
    assert api.get(w.examiner, disputed).json()["state"] == "objection_pending"
    assert _tick(api).approved == 0  # idempotent


# --- R13: numbers ------------------------------------------------------------------------------


def _register(api: Api, w: World, **form_over: Any) -> dict[str, Any]:
    aid = w.publicised(**form_over)
    api.later(days=20)
    return dict(api.ok(w.examiner, aid, "approve")["registration"])


def test_r13_certificate_number_is_year_month_registry_code_and_serial(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    first = _register(api, w)
    api.at("2026-10-10 10:00")
    second = _register(
        api, w, name="城市停车需求预测数据集", evidence={**EARLY_EVIDENCE, "hash_value": "cd" * 32}
    )
    assert (
        first["registration_date"] == "2026-10-18" and second["registration_date"] == "2026-10-30"
    )
    assert first["certificate_number"] == "20261052000000001"
    assert second["certificate_number"] == "20261052000000002"
    for reg in (first, second):
        n = reg["certificate_number"]
        assert len(n) == 17 and n.isdigit()


def test_r13_registration_number_is_16_chars_with_mod_11_2_check(api: Api) -> None:
    w = api.world()
    reg = _register(api, w)
    n = reg["registration_number"]
    assert len(n) == 16 and validate_registration_number(n) == n
    parts = parse_registration_number(n)
    assert (parts.year, parts.source_code, parts.applicant_type_code, parts.sequence) == (
        2026,
        "2",
        "2",
        1,
    )
    wrong = n[:15] + ("0" if n[15] != "0" else "1")
    problem(api.c.get(f"/api/v1/registrations/{wrong}"), 404, "registration_not_found")


def test_r13_registration_number_codes_the_source_and_applicant_type(api: Api) -> None:
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    pid = api.party(applicant, kind="natural_person", name="张小明", verify_by=examiner)
    a = api.draft(
        applicant,
        pid,
        source_kinds={"values": ["personal", "enterprise"]},
        anonymisation="姓名与手机号经哈希去标识化",
    )
    n = api.ok(applicant, a["id"], "submit")["application_number"]
    parts = parse_registration_number(n)
    assert (parts.source_code, parts.applicant_type_code) == ("4", "1")  # mixed, natural person


# --- R15: validity (G§18, R0.3) ----------------------------------------------------------------


def _register_on(api: Api, publicise_at: str, approve_at: str, **form_over: Any) -> dict[str, Any]:
    api.at(publicise_at)
    w = api.world()
    if form_over.get("source_proof_blobs"):  # the filer's own upload (issue 18)
        form_over["source_proof_blobs"] = [api.upload(w.applicant, b"licence", "licence.pdf")]
    aid = w.publicised(evidence=EARLY_EVIDENCE, **form_over)
    api.at(approve_at)
    return dict(api.ok(w.examiner, aid, "approve")["registration"])


def test_r15_validity_is_2_years_from_the_registration_date(api: Api) -> None:
    reg = _register_on(api, "2026-03-02 10:00", "2026-03-10 10:00")
    assert (reg["registration_date"], reg["valid_from"], reg["valid_until"]) == (
        "2026-03-10",
        "2026-03-10",
        "2028-03-09",
    )


def test_r15_leap_day_registration_ends_on_28_february(api: Api) -> None:
    reg = _register_on(api, "2028-02-14 10:00", "2028-02-29 10:00")
    assert (reg["registration_date"], reg["valid_until"]) == ("2028-02-29", "2030-02-28")


def test_r15_validity_ends_at_agreement_end(api: Api) -> None:
    proof = "ef" * 32
    reg = _register_on(
        api,
        "2026-09-28 10:00",
        "2026-10-13 10:00",
        acquisition_methods={"values": ["agreement"]},
        agreement_end_date="2027-06-30",
        source_proof_blobs=[proof],
    )
    assert (reg["valid_from"], reg["valid_until"]) == ("2026-10-13", "2027-06-30")


def test_r15_agreement_ending_after_two_years_does_not_cap(api: Api) -> None:
    reg = _register_on(
        api,
        "2026-09-28 10:00",
        "2026-10-13 10:00",
        acquisition_methods={"values": ["agreement"]},
        agreement_end_date="2030-01-01",
        source_proof_blobs=["ef" * 32],
    )
    assert reg["valid_until"] == "2028-10-12"


def test_r15_beijing_3y_profile_counts_3_years_from_the_announcement_date(beijing: Api) -> None:
    api = beijing
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    api.at("2026-10-30 10:00")
    reg = api.ok(w.examiner, aid, "approve")["registration"]
    assert reg["announcement_date"] == reg["valid_from"] == "2026-10-30"
    assert reg["valid_until"] == "2029-10-29"


# --- R17: withdrawal during the procedure (G§20) -----------------------------------------------


def _in_state(api: Api, w: World, state: str) -> int:
    if state in ("submitted", "under_examination", "awaiting_correction"):
        aid = w.submitted()
        if state != "submitted":
            api.ok(w.examiner, aid, "accept")
        if state == "awaiting_correction":
            api.ok(w.examiner, aid, "request_correction", defects=["补充说明"])
        return aid
    aid = w.publicised()
    if state in ("objection_pending", "awaiting_judgment"):
        _object(api, w, aid)
    if state == "awaiting_judgment":
        api.ok(w.examiner, aid, "notify_objection")
        api.ok(w.examiner, aid, "decide_objection", outcome="unresolved", reason="提起诉讼")
    return aid


IN_PROCEDURE = [
    "submitted",
    "under_examination",
    "awaiting_correction",
    "publicised",
    "objection_pending",
    "awaiting_judgment",
]


@pytest.mark.parametrize("state", IN_PROCEDURE)
def test_r17_withdrawal_allowed_in_every_in_procedure_state(api: Api, state: str) -> None:
    w = api.world()
    aid = _in_state(api, w, state)
    assert api.get(w.applicant, aid).json()["state"] == state
    assert "withdraw" in api.get(w.applicant, aid).json()["allowed_actions"]
    problem(api.act(w.examiner, aid, "withdraw", reason="x"), 403, "forbidden_action")
    out = api.ok(w.applicant, aid, "withdraw", reason="数据范围调整，拟重新申请")
    assert out["state"] == "withdrawn" and out["deadlines"] == []
    assert out["outcome_reason"] == "数据范围调整，拟重新申请"
    assert len(_inbox(api, w.applicant, "withdrawal")) == 1


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_r17_withdrawal_needs_a_reason(api: Api, reason: str | None) -> None:
    w = api.world()
    aid = w.submitted()
    payload = {} if reason is None else {"reason": reason}
    problem(api.act(w.applicant, aid, "withdraw", **payload), 422, "missing_fields")
    assert api.get(w.applicant, aid).json()["state"] == "submitted"


def test_r17_no_withdrawal_after_registration_or_other_end(api: Api) -> None:
    w = api.world()
    registered = _register(api, w)
    aid = api.c.get(
        "/api/v1/applications", params={"state": "registered"}, headers=api.h(w.applicant)
    ).json()["items"][0]["id"]
    assert registered["registration_number"]
    problem(
        api.act(w.applicant, aid, "withdraw", reason="不再需要"), 409, "action_not_allowed_in_state"
    )
    refused = w.submitted(
        name="城市停车需求预测数据集", evidence={**EARLY_EVIDENCE, "hash_value": "cd" * 32}
    )
    api.ok(w.examiner, refused, "refuse", grounds=[1], reason="不属于数据知识产权登记对象")
    problem(
        api.act(w.applicant, refused, "withdraw", reason="x"), 409, "action_not_allowed_in_state"
    )
    withdrawn = w.submitted(
        name="城市停车需求预测数据集", evidence={**EARLY_EVIDENCE, "hash_value": "cd" * 32}
    )
    api.ok(w.applicant, withdrawn, "withdraw", reason="数据范围调整")
    problem(
        api.act(w.applicant, withdrawn, "withdraw", reason="x"), 409, "action_not_allowed_in_state"
    )
    draft = api.draft(w.applicant, w.party)["id"]
    problem(api.act(w.applicant, draft, "withdraw", reason="x"), 409, "action_not_allowed_in_state")
