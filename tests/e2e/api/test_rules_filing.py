"""Rules R4–R7 and R14 over HTTP: duplicates, the G§7 form, evidence, filing date and
service, refusal grounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.api import Api, complete_form, problem

Form = dict[str, Any]


def _submit_form(api: Api, form: Form) -> Any:
    """A verified applicant drafts `form` with a sample file of its own (a form names only
    its filer's uploads: issue 18) and submits it; returns the submit response."""
    w = api.world()
    a = api.draft(w.applicant, w.party, form={**form, "sample_blobs": [api.upload(w.applicant)]})
    return api.act(w.applicant, a["id"], "submit")


def _defects(r: Any) -> list[tuple[str, str]]:
    body = problem(r, 422, "incomplete_application")
    return [(d["field"], d["code"]) for d in body["details"]["defects"]]


def _form(api: Api, who: str, **over: Any) -> Form:
    return complete_form(sample=api.upload(who), **over)


def _history(api: Api, who: str, aid: int) -> list[dict[str, Any]]:
    r = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(who))
    assert r.status_code == 200, r.text
    return list(r.json())


def _inbox(api: Api, who: str) -> list[dict[str, Any]]:
    return list(api.c.get("/api/v1/inbox", headers=api.h(who)).json())


# --- R4: same subject vs. same data (G§5, G§13(3)) --------------------------------------------


def test_r4_same_subject_same_evidence_hash_while_pending_is_duplicate(api: Api) -> None:
    w = api.world()
    first = w.submitted()
    # Another name, but the evidence hash of the data already filed.
    a = api.draft(w.applicant, w.party, name="城市交通流量监测数据集")
    body = problem(api.act(w.applicant, a["id"], "submit"), 409, "duplicate_registration")
    assert body["details"] == {"applications": [first], "ground": 3}


def test_r4_same_subject_same_name_is_duplicate(api: Api) -> None:
    w = api.world()
    first = w.submitted()
    ev = {
        "platform": "贵州数据知识产权存证平台",
        "certificate_number": "GZ-002",
        "hash_value": "cd" * 32,
        "evidenced_on": "2026-09-01",
    }
    a = api.draft(w.applicant, w.party, evidence=ev)
    body = problem(api.act(w.applicant, a["id"], "submit"), 409, "duplicate_registration")
    assert body["details"]["applications"] == [first]


def test_r4_same_subject_same_data_after_registration_is_duplicate(api: Api) -> None:
    w = api.world()
    first = w.publicised()
    api.at("2026-10-13 09:00")
    assert api.ok(w.examiner, first, "approve")["state"] == "registered"
    a = api.draft(w.applicant, w.party)
    problem(api.act(w.applicant, a["id"], "submit"), 409, "duplicate_registration")


def test_r4_different_subject_with_the_same_data_may_file(api: Api) -> None:
    w = api.world()
    first = w.submitted()
    # Another subject that independently produced the same data set (same name, same hash).
    other = api.user("applicant")
    other_party = api.party(other, verify_by=w.examiner)
    a = api.draft(other, other_party)
    assert api.ok(other, a["id"], "submit")["state"] == "submitted"
    # Similar data alone is no refusal ground: the examiner sees no same-subject filing.
    assert api.get(w.examiner, a["id"]).json()["checks"]["same_subject_filings"] == []
    seen = api.get(w.examiner, first).json()["checks"]["same_subject_filings"]
    assert seen == []


@pytest.mark.parametrize("end", ["withdrawn", "deemed_withdrawn"])
def test_r4_refiling_after_withdrawal_is_allowed_but_flagged(api: Api, end: str) -> None:
    from dataip.services.scheduler import tick

    w = api.world()
    first = w.submitted()
    assert "refiled_after_withdrawal" not in _submitted_event(api, w.applicant, first)
    if end == "withdrawn":
        api.ok(w.applicant, first, "withdraw", reason="数据范围调整")
    else:
        api.ok(w.examiner, first, "accept")
        api.ok(w.examiner, first, "request_correction", defects=["补充字段说明"])
        api.at("2026-10-14 00:00")
        assert tick(env=api.c.app.state.registry.env).deemed_withdrawn == 1  # type: ignore[attr-defined]
    assert api.get(w.applicant, first).json()["state"] == end
    a = api.draft(w.applicant, w.party)
    assert api.ok(w.applicant, a["id"], "submit")["state"] == "submitted"
    assert _submitted_event(api, w.applicant, a["id"])["refiled_after_withdrawal"] is True
    # G§13(3): the examiner judges whether there was good reason; the earlier filing is listed.
    same = api.get(w.examiner, a["id"]).json()["checks"]["same_subject_filings"]
    assert [(s["id"], s["state"], s["same_evidence"]) for s in same] == [(first, end, True)]


def _submitted_event(api: Api, who: str, aid: int) -> dict[str, Any]:
    events = [e for e in _history(api, who, aid) if e["type"] == "ApplicationSubmitted"]
    assert len(events) == 1
    return dict(events[0]["public"])


# --- R5: the items of G§7 ---------------------------------------------------------------------


def _drop(*path: str) -> Callable[[Form], None]:
    def f(form: Form) -> None:
        cur = form
        for p in path[:-1]:
            cur = cur[p]
        del cur[path[-1]]

    return f


def _set(value: Any, *path: str) -> Callable[[Form], None]:
    def f(form: Form) -> None:
        cur = form
        for p in path[:-1]:
            cur = cur[p]
        cur[path[-1]] = value

    return f


MISSING: list[tuple[str, Callable[[Form], None], tuple[str, str]]] = [
    ("1_name", _drop("name"), ("name", "required")),
    ("2_industry", _drop("industry_code"), ("industry_code", "required")),
    ("3_scenarios", _drop("scenarios"), ("scenarios", "required")),
    (
        "4_practical_values",
        _set([], "practical_values", "values"),
        ("practical_values", "required"),
    ),
    (
        "4_value_description",
        _drop("practical_values", "description"),
        ("practical_values.description", "required"),
    ),
    (
        "5_intellectual_achievement",
        _drop("intellectual_achievement"),
        ("intellectual_achievement", "required"),
    ),
    ("6_source_kinds", _drop("source_kinds"), ("source_kinds", "required")),
    ("6_acquisition_methods", _drop("acquisition_methods"), ("acquisition_methods", "required")),
    ("7_processing_rules", _drop("processing_rules"), ("processing_rules", "required")),
    ("8_scope_coverage", _drop("scope", "coverage"), ("scope.coverage", "required")),
    ("8_scope_records", _drop("scope", "records"), ("scope.records", "required")),
    ("9_update_frequency", _drop("update", "frequency"), ("update.frequency", "required")),
    ("9_update_term", _drop("update", "term"), ("update.term", "required")),
    ("10_evidence", _drop("evidence"), ("evidence", "evidence_required")),
    ("10_evidence_date", _drop("evidence", "evidenced_on"), ("evidence.evidenced_on", "required")),
    ("11_sample", _set([], "sample_blobs"), ("sample_blobs", "required")),
    ("12_data_formats", _drop("data_formats"), ("data_formats", "required")),
    ("commitment", _set(False, "commitment_accepted"), ("commitment_accepted", "required")),
]


@pytest.mark.parametrize(
    ("mutate", "defect"), [m[1:] for m in MISSING], ids=[m[0] for m in MISSING]
)
def test_r5_each_missing_item_is_a_defect(
    api: Api, mutate: Callable[[Form], None], defect: tuple[str, str]
) -> None:
    w = api.world()
    form = _form(api, w.applicant)
    mutate(form)
    a = api.draft(w.applicant, w.party, form=form)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [defect]
    assert api.get(w.applicant, a["id"]).json()["state"] == "draft"
    # The examiner's checklist starts from the same list.
    assert [(d["field"], d["code"]) for d in a["checks"]["defects"]] == [defect]


def test_r5_empty_form_lists_every_defect_at_once(api: Api) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, form={})
    fields = {f for f, _ in _defects(api.act(w.applicant, a["id"], "submit"))}
    assert fields == {
        "name",
        "industry_code",
        "scenarios",
        "practical_values",
        "source_kinds",
        "acquisition_methods",
        "data_formats",
        "practical_values.description",
        "intellectual_achievement",
        "processing_rules",
        "scope.coverage",
        "update.term",
        "scope.records",
        "update.frequency",
        "sample_blobs",
        "evidence",
        "commitment_accepted",
    }


def test_r5_complete_form_with_optional_notes_omitted_is_accepted(api: Api) -> None:
    w = api.world()
    form = _form(api, w.applicant)
    assert "other_notes" not in form  # item 13 is optional
    a = api.draft(w.applicant, w.party, form=form)
    assert a["checks"]["defects"] == [] and a["checks"]["name_ok"] is True
    assert api.ok(w.applicant, a["id"], "submit")["state"] == "submitted"


@pytest.mark.parametrize(
    "name", ["城市交通拥堵预测数据集", "企业信用风险评估数据库", "城市交通拥堵预测数据集合"]
)
def test_r5_name_in_scenario_plus_collection_form_is_accepted(api: Api, name: str) -> None:
    r = _submit_form(api, complete_form(name, sample="ab" * 32))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "name",
    ["交通数据", "Traffic", "Traffic dataset", "数据集", "城市交通拥堵预测", "城市交通拥堵预测表"],
)
def test_r5_name_not_in_scenario_plus_collection_form_is_a_defect(api: Api, name: str) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, name=name)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [("name", "name_pattern")]
    assert a["checks"]["name_ok"] is False


@pytest.mark.parametrize("code", ["54", "541", "G", "9999"])
def test_r5_industry_must_be_a_gbt4754_class(api: Api, code: str) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, industry_code=code)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [("industry_code", "not_a_class")]


@pytest.mark.parametrize("key", ["scenarios", "acquisition_methods", "data_formats"])
def test_r5_other_needs_a_description(api: Api, key: str) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, **{key: {"values": ["other"]}})
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [(key, "other_text_required")]
    b = api.draft(
        w.applicant,
        w.party,
        name="城市道路养护决策数据集",
        evidence={**complete_form(sample="")["evidence"], "hash_value": "ef" * 32},
        **{key: {"values": ["other"], "other_text": "城市道路养护"}},
    )
    assert api.ok(w.applicant, b["id"], "submit")["state"] == "submitted"


@pytest.mark.parametrize("kinds", [["personal"], ["public"], ["enterprise", "personal"]])
def test_r5_personal_or_public_data_requires_anonymisation(api: Api, kinds: list[str]) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, source_kinds={"values": kinds})
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [("anonymisation", "required")]
    form = _form(
        api,
        w.applicant,
        source_kinds={"values": kinds},
        anonymisation="姓名、身份证号经哈希去标识化，位置信息泛化至街道",
    )
    r = api.c.patch(
        f"/api/v1/applications/{a['id']}", headers=api.h(w.applicant), json={"form": form}
    )
    assert r.status_code == 200, r.text
    assert api.ok(w.applicant, a["id"], "submit")["state"] == "submitted"


def test_r5_enterprise_data_needs_no_anonymisation(api: Api) -> None:
    r = _submit_form(api, complete_form(sample="ab" * 32, source_kinds={"values": ["enterprise"]}))
    assert r.status_code == 200, r.text


def test_r5_agreement_acquired_data_requires_end_date_and_proof(api: Api) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, acquisition_methods={"values": ["agreement"]})
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [
        ("agreement_end_date", "required"),
        ("source_proof_blobs", "required"),
    ]
    proof = api.upload(w.applicant, b"data licence agreement", "agreement.pdf")
    form = _form(
        api,
        w.applicant,
        acquisition_methods={"values": ["agreement"]},
        agreement_end_date="2027-12-31",
        source_proof_blobs=[proof],
    )
    api.c.patch(f"/api/v1/applications/{a['id']}", headers=api.h(w.applicant), json={"form": form})
    assert api.ok(w.applicant, a["id"], "submit")["state"] == "submitted"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("scenarios", "values"), ["outer_space"]),
        (("practical_values", "values"), ["fun"]),
        (("source_kinds", "values"), ["government"]),
        (("acquisition_methods", "values"), ["scraped"]),
        (("data_formats", "values"), ["pdf"]),
        (("update", "frequency"), ["hourly"]),
    ],
)
def test_r5_enum_values_outside_the_lists_are_refused_at_draft_time(
    api: Api, path: tuple[str, str], value: Any
) -> None:
    w = api.world()
    form = _form(api, w.applicant)
    form[path[0]][path[1]] = value if path[1] == "values" else value[0]
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),
        json={"form": form, "applicants": [{"party_id": w.party}]},
    )
    body = problem(r, 422, "invalid_request")
    assert any(path[0] in e["loc"] for e in body["details"]["errors"]), body


def test_r5_commitment_statement_is_required(api: Api) -> None:
    w = api.world()
    form = _form(api, w.applicant)
    del form["commitment_accepted"]
    a = api.draft(w.applicant, w.party, form=form)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [
        ("commitment_accepted", "required")
    ]


# --- R6: evidenced or notarised before applying (G§8, G§13(4)) --------------------------------


def test_r6_no_evidence_is_a_defect(api: Api) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party, evidence={})
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [("evidence", "evidence_required")]
    # A platform record without its hash is no evidence either.
    b = api.draft(
        w.applicant,
        w.party,
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-001",
            "evidenced_on": "2026-09-01",
        },
    )
    assert _defects(api.act(w.applicant, b["id"], "submit")) == [("evidence", "evidence_required")]


def test_r6_notarisation_alone_is_evidence(api: Api) -> None:
    r = _submit_form(
        api,
        complete_form(
            sample="ab" * 32,
            evidence={
                "notary_body": "贵阳市公证处",
                "notarial_certificate_number": "(2026)黔筑证字第123号",
                "evidenced_on": "2026-09-15",
            },
        ),
    )
    assert r.status_code == 200, r.text


def test_r6_evidence_dated_after_filing_is_refused(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    ev = {**complete_form(sample="")["evidence"], "evidenced_on": "2026-09-29"}
    a = api.draft(w.applicant, w.party, evidence=ev)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [
        ("evidence.evidenced_on", "after_filing")
    ]
    # Filed after the evidence was made, the same form conforms.
    api.at("2026-09-30 09:00")
    assert api.ok(w.applicant, a["id"], "submit")["filing_date"] == "2026-09-30"


def test_r6_evidence_hash_must_be_a_digest(api: Api) -> None:
    w = api.world()
    ev = {**complete_form(sample="")["evidence"], "hash_value": "not-a-hash"}
    a = api.draft(w.applicant, w.party, evidence=ev)
    assert _defects(api.act(w.applicant, a["id"], "submit")) == [
        ("evidence.hash_value", "invalid_hash")
    ]


# --- R7: filing date and electronic service (G§10, G§11) --------------------------------------


@pytest.mark.parametrize(
    ("utc", "filing_date", "accept_due"),
    [
        # 23:30 in Shanghai is 15:30 UTC: still the 30th.
        (datetime(2026, 9, 30, 15, 30, tzinfo=UTC), "2026-09-30", "2026-10-10"),
        # 00:30 in Shanghai on the 30th is still the 29th in UTC.
        (datetime(2026, 9, 29, 16, 30, tzinfo=UTC), "2026-09-30", "2026-10-10"),
        (datetime(2026, 9, 28, 15, 59, tzinfo=UTC), "2026-09-28", "2026-10-08"),
        (datetime(2026, 9, 28, 16, 0, tzinfo=UTC), "2026-09-29", "2026-10-09"),
    ],
)
def test_r7_filing_date_is_the_day_received_in_asia_shanghai(
    api: Api, utc: datetime, filing_date: str, accept_due: str
) -> None:
    w = api.world()
    a = api.draft(w.applicant, w.party)
    api.clock.advance_to(utc)
    sub = api.ok(w.applicant, a["id"], "submit")
    assert sub["filing_date"] == filing_date
    assert sub["application_number"].startswith("2026")
    # R8 counts from the filing day in Shanghai, not the UTC day.
    assert [(d["kind"], d["due_on"]) for d in sub["deadlines"]] == [("accept", accept_due)]
    receipt = [n for n in _inbox(api, w.applicant) if n["kind"] == "receipt"]
    assert len(receipt) == 1
    assert datetime.fromisoformat(receipt[0]["served_at"]) == utc
    assert receipt[0]["body"]["filing_date"] == filing_date
    assert receipt[0]["body"]["application_number"] == sub["application_number"]


def test_r7_notices_are_served_in_the_inbox_and_deadlines_run_from_service(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.submitted()
    api.at("2026-09-29 10:00")
    api.ok(w.examiner, aid, "accept")
    api.at("2026-09-30 23:30")
    out = api.ok(w.examiner, aid, "request_correction", defects=["补充样例数据字段说明"])
    notices = [n for n in _inbox(api, w.applicant) if n["kind"] == "correction_notice"]
    assert len(notices) == 1
    n = notices[0]
    assert n["title_zh"] == "补正通知书" and n["application_id"] == aid
    assert datetime.fromisoformat(n["served_at"]) == datetime.fromisoformat(
        "2026-09-30T23:30:00+08:00"
    )
    # 7 working days from service on 30 Sep: 8, 9, 10 (Sat make-up), 12, 13, 14, 15 Oct —
    # not from acceptance on 29 Sep (which would give 14 Oct).
    assert n["due_on"] == "2026-10-15" and n["provisional"] is False
    due = next(d for d in out["deadlines"] if d["kind"] == "correction")
    assert due["due_on"] == "2026-10-15"
    assert datetime.fromisoformat(due["trigger_at"]) == datetime.fromisoformat(n["served_at"])
    # Notices are served on the holder only; the examiner's inbox stays empty.
    assert _inbox(api, w.examiner) == []
    r = api.c.post(f"/api/v1/inbox/{n['id']}/read", headers=api.h(w.applicant))
    assert r.status_code == 200 and r.json()["read_at"]
    problem(
        api.c.post(f"/api/v1/inbox/{n['id']}/read", headers=api.h(w.examiner)),
        404,
        "notice_not_found",
    )


def test_r7_the_inbox_keeps_one_applications_notices(api: Api) -> None:
    w = api.world()
    first = w.submitted()
    second = w.submitted(
        name="第二个数据集",
        evidence={
            "platform": "p",
            "certificate_number": "c2",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.ok(w.examiner, second, "accept")
    mine = api.c.get(
        "/api/v1/inbox", params={"application_id": second}, headers=api.h(w.applicant)
    ).json()
    assert {n["application_id"] for n in mine} == {second}
    assert {n["kind"] for n in mine} == {"receipt", "acceptance"}
    assert len(_inbox(api, w.applicant)) == len(mine) + 1  # the first's receipt
    assert first in {n["application_id"] for n in _inbox(api, w.applicant)}
    for bad in ({"application_id": 0}, {"limit": 0}, {"limit": 501}, {"application_id": "x"}):
        r = api.c.get("/api/v1/inbox", params=bad, headers=api.h(w.applicant))
        assert r.status_code == 422, bad


# --- R14: refusal names its G§13 ground(s) ----------------------------------------------------


def test_r14_refusal_requires_at_least_one_ground(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    problem(api.act(w.examiner, aid, "refuse", reason="未存证"), 422, "grounds_required")
    problem(
        api.act(w.examiner, aid, "refuse", grounds=[], reason="未存证"), 422, "grounds_required"
    )
    assert api.get(w.examiner, aid).json()["state"] == "under_examination"


@pytest.mark.parametrize("grounds", [[0], [8], [4, 8], [-1]])
def test_r14_refusal_grounds_must_be_1_to_7(api: Api, grounds: list[int]) -> None:
    w = api.world()
    aid = w.submitted()
    body = problem(
        api.act(w.examiner, aid, "refuse", grounds=grounds, reason="x"), 422, "invalid_ground"
    )
    assert body["details"]["valid"] == [1, 2, 3, 4, 5, 6, 7]


def test_r14_refusal_needs_a_reason_and_is_served_with_its_grounds(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    problem(api.act(w.examiner, aid, "refuse", grounds=[4]), 422, "missing_fields")
    out = api.ok(w.examiner, aid, "refuse", grounds=[6, 4, 4], reason="未存证且样例含个人信息")
    assert out["state"] == "refused" and out["grounds"] == [4, 6]
    assert out["deadlines"] == [] and out["allowed_actions"] == []
    refusal = [n for n in _inbox(api, w.applicant) if n["kind"] == "refusal"]
    assert len(refusal) == 1
    assert refusal[0]["body"]["grounds"] == [4, 6]
    assert refusal[0]["body"]["reason"] == "未存证且样例含个人信息"
    event = [e for e in _history(api, w.applicant, aid) if e["type"] == "ApplicationRefused"]
    assert event[0]["public"]["grounds"] == [4, 6]


@pytest.mark.parametrize("ground", [1, 2, 3, 4, 5, 6, 7])
def test_r14_each_of_the_seven_grounds_is_valid(api: Api, ground: int) -> None:
    w = api.world()
    aid = w.submitted()
    out = api.ok(w.examiner, aid, "refuse", grounds=[ground], reason="依第十三条不予登记")
    assert out["grounds"] == [ground]


def test_r14_only_the_registry_refuses(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    problem(api.act(w.applicant, aid, "refuse", grounds=[1], reason="x"), 403, "forbidden_action")
