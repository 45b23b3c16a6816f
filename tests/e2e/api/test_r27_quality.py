"""Issue 22 §1 (R27): the holder has the sample scored per GB/T 36344-2018 and may publish it;
the examiner sees it; the public sees it only when published, counts only; refusals change
nothing; a publication is logged with scores and a commitment, nothing typed."""

from __future__ import annotations

import json

from dataip.bootstrap import Registry
from tests.support.api import Api, make_uscc, problem
from tests.support.db import count

PREFIX = "/api/v1"
SAMPLE = (
    "编号,企业名称,统一社会信用代码,行政区划代码,成立日期,注册资本\n"
    f"1,贵阳甲科技有限公司,{make_uscc(1)},520102,2026-10-01,100.50\n"
    f"2,遵义乙贸易有限公司,{make_uscc(2)},520302,2026-10-05,\n"
    f"2,遵义乙贸易有限公司,{make_uscc(2)},520302,2026-10-05,\n"
    "3,安顺丙农业合作社,bad-code-value-xx,999999,2026/10/09,12.00\n"
)
DECLARED = {
    "standards": ["GB/T 4754-2017"],
    "documentation": True,
    "access": "download",
    "availability_bp": 9990,
}


def _registered(api: Api, sample: str = SAMPLE) -> tuple[object, str]:
    w = api.world()
    sha = api.upload(w.applicant, sample.encode("gb18030"), "企业名录.csv")
    return w, w.registered(sample_blobs=[sha])


def _url(number: str, tail: str = "") -> str:
    return f"{PREFIX}/registrations/{number}/quality{tail}"


def test_r27_holder_assesses_examiner_sees_public_only_once_published(api: Api) -> None:
    w, number = _registered(api)
    holder, examiner = w.applicant, w.examiner  # type: ignore[attr-defined]
    problem(api.c.get(_url(number)), 404, "quality_not_found")

    r = api.c.post(_url(number), headers=api.h(holder), json=DECLARED)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == f'"{body["assessment_id"]}"'
    assert body["published"] is False and body["allowed"]["publish"] is True
    assert [i["key"] for i in body["indicators"]] == [
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "accessibility",
    ]
    subs = {s["key"]: s for i in body["indicators"] for s in i["subs"]}
    # 4 rows × 6 columns = 24 cells, 1 blank (注册资本 of one row; the repeat's too: 2)
    assert subs["element_completeness"]["numerator"] == 22
    assert subs["element_completeness"]["denominator"] == 24
    assert subs["element_completeness"]["value_bp"] == 9167
    assert subs["element_completeness"]["basis"] == "measured"
    assert "注册资本" in subs["element_completeness"]["evidence"]["zh"]
    assert subs["duplicate_rate"]["value_bp"] == 7500  # 1 of 4 rows repeats an earlier one
    assert subs["data_standard"]["basis"] == "declared"
    assert subs["available"]["value_bp"] == 9990
    # the registered form says daily; the latest date is 2026-10-09, the assessment 2026-10-13
    assert subs["timeliness"]["numerator"] == 4 and subs["timeliness"]["denominator"] == 1
    assert subs["timeliness"]["value_bp"] == 10000 * (4 - 4) // 3
    assert body["declaration"]["access"] == "download"
    # no cell value ever appears in the assessment
    text = json.dumps(body, ensure_ascii=False)
    assert "贵阳甲科技" not in text and make_uscc(1) not in text

    seen = api.c.get(_url(number), headers=api.h(examiner))
    assert seen.status_code == 200 and seen.json()["allowed"] == {
        "assess": False,
        "publish": False,
        "withdraw": False,
    }
    assert "注册资本" in json.dumps(seen.json(), ensure_ascii=False)
    problem(api.c.get(_url(number)), 404, "quality_not_found")

    # publish with the ETag read; the public sees counts only, not the column names
    pub = api.c.post(
        _url(number, "/publish"), headers={**api.h(holder), "If-Match": r.headers["ETag"]}
    )
    assert pub.status_code == 200, pub.text
    assert pub.json()["published"] is True and pub.json()["allowed"]["withdraw"] is True
    public = api.c.get(_url(number))
    assert public.status_code == 200
    assert public.json()["overall_bp"] == body["overall_bp"]
    assert public.json()["declaration"] is None
    assert "注册资本" not in json.dumps(public.json(), ensure_ascii=False)

    problem(
        api.c.post(_url(number, "/publish"), headers=api.h(holder)),
        409,
        "quality_already_published",
    )
    out = api.c.post(_url(number, "/unpublish"), headers=api.h(holder))
    assert out.status_code == 200 and out.json()["published"] is False
    problem(api.c.get(_url(number)), 404, "quality_not_found")
    problem(
        api.c.post(_url(number, "/unpublish"), headers=api.h(holder)), 409, "quality_not_published"
    )


def test_r27_refusals_change_nothing(api: Api, registry: Registry) -> None:
    w, number = _registered(api)
    holder, examiner = w.applicant, w.examiner  # type: ignore[attr-defined]
    stranger = api.user("applicant")
    problem(api.c.post(_url(number), json={}), 401, "unauthenticated")
    problem(api.c.post(_url(number), headers=api.h(stranger), json={}), 403, "not_the_holder")
    problem(api.c.post(_url(number), headers=api.h(examiner), json={}), 403, "not_the_holder")
    problem(
        api.c.post(_url("2026110000000001"), headers=api.h(holder)), 404, "registration_not_found"
    )
    problem(api.c.post(_url(number, "/publish"), headers=api.h(holder)), 404, "quality_not_found")
    bad = api.c.post(_url(number), headers=api.h(holder), json={"access": "telepathy"})
    problem(bad, 422, "invalid_request")
    bad = api.c.post(_url(number), headers=api.h(holder), json={"availability_bp": 10001})
    problem(bad, 422, "invalid_request")
    assert count(registry, "quality_assessments") == 0

    first = api.c.post(_url(number), headers=api.h(holder), json={}).json()
    api.c.post(_url(number), headers=api.h(holder), json=DECLARED)
    stale = api.c.post(
        _url(number, "/publish"),
        headers={**api.h(holder), "If-Match": f'"{first["assessment_id"]}"'},
    )
    problem(stale, 412, "stale_version")
    assert count(registry, "quality_assessments") == 2
    assert api.c.get(_url(number)).status_code == 404


def test_r27_the_log_carries_scores_and_a_commitment_only(api: Api, registry: Registry) -> None:
    w, number = _registered(api)
    holder = w.applicant  # type: ignore[attr-defined]
    body = api.c.post(_url(number), headers=api.h(holder), json=DECLARED).json()
    api.c.post(_url(number, "/publish"), headers=api.h(holder))
    with registry.env.read() as uow:
        reg = uow.registrations.by_number(number)
        events = [e for e in uow.events.for_subject("registration", reg.id) if "Quality" in e.type]
    (e,) = events
    assert e.type == "QualityPublished"
    assert e.public == {
        "registration_number": number,
        "overall_bp": body["overall_bp"],
        "grade": body["grade_key"],
    }
    text = json.dumps(e.private, ensure_ascii=False)
    assert "注册资本" not in text and "GB/T" not in text


def test_r27_a_registration_without_readable_rows_scores_zero_completeness(api: Api) -> None:
    w, number = _registered(api, "编号,名称\n")
    holder = w.applicant  # type: ignore[attr-defined]
    body = api.c.post(_url(number), headers=api.h(holder), json={}).json()
    completeness = next(i for i in body["indicators"] if i["key"] == "completeness")
    assert completeness["value_bp"] == 0
    assert 0 <= body["overall_bp"] <= 10000


def test_r27_an_assessment_with_an_idempotency_key_is_made_once(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    holder = w.applicant  # type: ignore[attr-defined]
    headers = {**api.h(holder), "Idempotency-Key": "quality-1"}
    first = api.c.post(_url(number), headers=headers, json=DECLARED)
    again = api.c.post(_url(number), headers=headers, json=DECLARED)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["assessment_id"] == first.json()["assessment_id"]
    assert count(registry, "quality_assessments") == 1


def test_r27_an_ended_registration_shows_no_quality_to_the_public(api: Api) -> None:
    w, number = _registered(api)
    holder = w.applicant  # type: ignore[attr-defined]
    api.c.post(_url(number), headers=api.h(holder), json=DECLARED)
    api.c.post(_url(number, "/publish"), headers=api.h(holder))
    assert api.c.get(_url(number)).status_code == 200
    api.reg_ok(holder, number, "abandon", reason="不再经营该数据")
    problem(api.c.get(_url(number)), 404, "quality_not_found")
    mine = api.c.get(_url(number), headers=api.h(holder)).json()
    assert mine["allowed"] == {"assess": False, "publish": False, "withdraw": True}
    problem(
        api.c.post(_url(number), headers=api.h(holder), json={}), 409, "action_not_allowed_in_state"
    )
    assert api.c.post(_url(number, "/unpublish"), headers=api.h(holder)).status_code == 200


def test_r27_the_examiner_previews_an_application_before_registration(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE.encode("gb18030"), "企业名录.csv")  # type: ignore[attr-defined]
    aid = w.submitted(sample_blobs=[sha])
    url = f"{PREFIX}/applications/{aid}/quality"
    problem(api.c.get(url, headers=api.h(w.applicant)), 403, "forbidden")
    r = api.c.get(url, headers=api.h(w.examiner))
    assert r.status_code == 200, r.text
    body = r.json()
    subs = {s["key"]: s for i in body["indicators"] for s in i["subs"]}
    assert subs["element_completeness"]["value_bp"] == 9167
    # nothing asked of the applicant yet: the declared sub-scores are not applicable
    for key in ("data_standard", "metadata", "accessible", "available"):
        assert subs[key]["basis"] == "not_applicable", key
    assert body["indicators"][-1]["value_bp"] == 10000  # only the readable sample counts
    assert count(registry, "quality_assessments") == 0
