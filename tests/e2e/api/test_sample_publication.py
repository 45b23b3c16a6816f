"""Issue 7, point 4 (R26): public pages and the public API show sample data only when the
holder opted in and screening found nothing, or the holder published the masked version."""

from __future__ import annotations

import json

from tests.support.api import Api, make_resident_id, problem

ID = make_resident_id("110105", "19800101", 3)
MOBILE = "13812345678"
PERSONAL = (
    f"姓名,身份证号,手机,城市\n张伟,{ID},{MOBILE},贵阳\n"
    f"李娜,{make_resident_id(order=5)},13987654321,遵义\n"
)
CLEAN = "城市,品类,销量\n贵阳,茶叶,320\n遵义,白酒,95\n"


def _registered(api: Api, sample: str, name: str = "样例.csv") -> tuple[object, str]:
    w = api.world()
    sha = api.upload(w.applicant, sample.encode(), name)
    return w, w.registered(sample_blobs=[sha])


def test_r26_a_clean_sample_is_published_as_read_only_when_the_holder_opts_in(api: Api) -> None:
    w, number = _registered(api, CLEAN)
    holder = w.applicant  # type: ignore[attr-defined]
    public = api.reg(None, number).json()
    assert public["sample"] is None and public["sample_choice"] is None
    mine = api.reg(holder, number).json()
    assert mine["sample_choice"] == "none" and "publish_sample" in mine["allowed_actions"]

    api.reg_ok(holder, number, "publish_sample", choice="raw")
    sample = api.reg(None, number).json()["sample"]
    assert sample["choice"] == "raw" and sample["certificate_version"] == 1
    (f,) = sample["files"]
    assert f["filename"] == "样例.csv" and f["masked"] is False
    assert [c["name"] for c in f["columns"]] == ["城市", "品类", "销量"]
    assert f["rows"] == [["贵阳", "茶叶", "320"], ["遵义", "白酒", "95"]]
    page = api.c.get(f"/registrations/{number}")
    assert page.status_code == 200 and "茶叶" in page.text

    # back to none: gone from the API and the page
    api.reg_ok(holder, number, "publish_sample", choice="none")
    assert api.reg(None, number).json()["sample"] is None
    assert "茶叶" not in api.c.get(f"/registrations/{number}").text


def test_r26_a_sample_with_personal_data_is_published_only_masked(api: Api) -> None:
    w, number = _registered(api, PERSONAL)
    holder = w.applicant  # type: ignore[attr-defined]
    before = api.reg(holder, number).json()["version"]
    body = problem(
        api.reg_act(holder, number, "publish_sample", choice="raw"), 409, "sample_not_clean"
    )
    assert {"resident_id", "mobile", "person_name"} <= set(body["details"]["kinds"])
    assert body["message_zh"] and body["message_en"]
    after = api.reg(holder, number).json()
    assert after["version"] == before and after["sample_choice"] == "none"  # nothing changed

    api.reg_ok(holder, number, "publish_sample", choice="masked")
    sample = api.reg(None, number).json()["sample"]
    (f,) = sample["files"]
    assert sample["choice"] == "masked" and f["masked"] is True
    techniques = {c["name"]: c["technique"] for c in f["columns"]}
    assert techniques["身份证号"] == "masking" and techniques["手机"] == "masking"
    assert techniques["城市"] is None  # nothing found there: shown as read
    assert f["rows"][0][3] == "贵阳"
    assert f["rows"][0][1].startswith("110105") and "*" in f["rows"][0][1]
    for text in (
        json.dumps(api.reg(None, number).json(), ensure_ascii=False),
        api.c.get(f"/registrations/{number}").text,
    ):
        assert ID not in text and MOBILE not in text and "张伟" not in text
    assert "贵阳" in api.c.get(f"/registrations/{number}").text


def test_r26_only_the_holder_chooses_and_bad_choices_change_nothing(api: Api) -> None:
    w, number = _registered(api, CLEAN)
    holder, examiner = w.applicant, w.examiner  # type: ignore[attr-defined]
    stranger = api.user("applicant")
    problem(api.reg_act(stranger, number, "publish_sample", choice="raw"), 403, "forbidden_action")
    problem(api.reg_act(examiner, number, "publish_sample", choice="raw"), 403, "forbidden_action")
    assert api.reg_act(None, number, "publish_sample", choice="raw").status_code == 401
    assert api.reg_act(holder, number, "publish_sample", choice="all").status_code == 422
    problem(api.reg_act(holder, number, "publish_sample"), 422, "missing_fields")
    version = api.reg(holder, number).json()["version"]
    problem(
        api.reg_act(holder, number, "publish_sample", if_match=version - 1, choice="raw"),
        412,
        "stale_version",
    )
    assert api.reg(None, number).json()["sample"] is None
    api.reg_ok(holder, number, "publish_sample", choice="raw")
    assert api.reg(None, number).json()["sample"] is not None


def test_r26_the_choice_is_logged_and_an_ended_registration_shows_no_sample(api: Api) -> None:
    w, number = _registered(api, CLEAN)
    holder = w.applicant  # type: ignore[attr-defined]
    api.reg_ok(holder, number, "publish_sample", choice="raw")
    history = api.c.get(f"/registrations/{number}").text
    assert "设置样例数据公开方式" in history  # the event's label (SamplePublicationChosen)
    api.reg_ok(holder, number, "abandon", reason="不再经营该数据")
    public = api.reg(None, number).json()
    assert public["state"] == "abandoned" and public["sample"] is None
    assert "茶叶" not in api.c.get(f"/registrations/{number}").text
    r = api.reg_act(holder, number, "publish_sample", choice="raw")
    problem(r, 409, "action_not_allowed_in_state")


def test_r26_an_approved_change_republishes_and_a_transfer_withdraws_the_sample(
    api: Api,
) -> None:
    w, number = _registered(api, CLEAN)
    holder, examiner = w.applicant, w.examiner  # type: ignore[attr-defined]
    api.reg_ok(holder, number, "publish_sample", choice="raw")

    def change_to(sample: str) -> None:
        sha = api.upload(holder, sample.encode(), "新样例.csv")
        d = api.reg_ok(holder, number, "request_change", changes={"sample_blobs": [sha]})
        rid = d["requests"][-1]["id"]
        api.reg_ok(
            examiner, number, "decide_request", request_id=rid, outcome="approve", reason="同意"
        )

    # new clean rows: published the same way, from the new version's file
    change_to("城市,品类,销量\n六盘水,猕猴桃,77\n")
    sample = api.reg(None, number).json()["sample"]
    assert sample["certificate_version"] == 2 and sample["files"][0]["rows"] == [
        ["六盘水", "猕猴桃", "77"]
    ]
    # the new file has personal data: "as read" is no longer possible, so it is withdrawn
    change_to(PERSONAL)
    assert api.reg(None, number).json()["sample"] is None
    assert api.reg(holder, number).json()["sample_choice"] == "none"
    api.reg_ok(holder, number, "publish_sample", choice="masked")
    assert api.reg(None, number).json()["sample"]["choice"] == "masked"
    # a transfer: the new holder decides afresh
    other = api.user("applicant")
    pid = api.party(other, verify_by=examiner)
    d = api.reg_ok(
        holder,
        number,
        "request_transfer",
        transferees=[{"id_number": api.numbers[pid], "share_bp": 10_000}],
    )
    api.reg_ok(other, number, "confirm_transfer")
    api.reg_ok(
        examiner,
        number,
        "decide_request",
        request_id=d["requests"][-1]["id"],
        outcome="approve",
        reason="双方一致",
    )
    assert api.reg(None, number).json()["sample"] is None
    assert api.reg(other, number).json()["sample_choice"] == "none"
