"""R26, R14.6, R5.7: every sample file is screened when the application is submitted or
corrected; the examiner sees the findings (masked), screening never refuses by itself, and no
public page or public API shows sample data."""

from __future__ import annotations

import json

from tests.support.api import Api, make_resident_id

ID = make_resident_id("110105", "19800101", 3)
MOBILE = "13812345678"
SAMPLE = (
    f"姓名,身份证号,手机,备注\n张伟,{ID},{MOBILE},无\n李娜,{make_resident_id(order=5)},"
    f"13987654321,联系电话{MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}\n"
).encode()


def _checks(api: Api, who: str, aid: int) -> dict[str, object]:
    r = api.get(who, aid)
    assert r.status_code == 200, r.text
    return dict(r.json().get("checks") or {})


def test_r26_samples_are_screened_at_submission_and_the_examiner_sees_masked_findings(
    api: Api,
) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE, "客户样例.csv")
    aid = w.submitted(sample_blobs=[sha])
    # R14.6 is the examiner's decision: the filing went in despite the findings
    assert api.get(w.applicant, aid).json()["state"] == "submitted"
    screening = _checks(api, w.examiner, aid)["screening"]
    assert isinstance(screening, list) and len(screening) == 1
    s = screening[0]
    assert s["screened"] is True and s["filename"] == "客户样例.csv"
    assert s["has_personal_data"] is True
    assert {"resident_id", "mobile", "person_name"} <= set(s["kinds"])
    assert s["grade"]["grade"] == "important"  # sensitive personal information
    text = json.dumps(s, ensure_ascii=False)
    assert ID not in text and MOBILE not in text and "张伟" not in text  # masked only
    # the holder sees the same masked findings (its own data: it may fix the sample); the
    # public sees no checklist at all
    assert _checks(api, w.applicant, aid)["screening"] == screening
    assert not api.get(None, aid).json().get("checks")


def test_r26_a_gb18030_sample_and_an_unreadable_one_are_screened_without_refusing(
    api: Api,
) -> None:
    w = api.world()
    gbk = api.upload(w.applicant, SAMPLE.decode().encode("gb18030"), "导出.csv")
    bad = api.upload(w.applicant, b"\x00\xff" * 64 + b"\xfe\n", "broken.csv")
    aid = w.submitted(sample_blobs=[gbk, bad])
    by_name = {s["filename"]: s for s in _checks(api, w.examiner, aid)["screening"]}  # type: ignore[union-attr]
    assert "resident_id" in by_name["导出.csv"]["kinds"]
    assert by_name["broken.csv"]["error"]["code"].startswith("screening_")
    assert api.get(w.applicant, aid).json()["state"] == "submitted"


def test_r26_no_public_page_or_public_api_shows_sample_data(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE, "客户样例.csv")
    aid = w.publicised(sample_blobs=[sha])
    public = [
        api.get(None, aid),
        api.c.get("/api/v1/applications"),
        api.c.get("/api/v1/announcements"),
        api.c.get("/announcements"),
        api.c.get("/"),
    ]
    for r in public:
        assert r.status_code == 200, r.text
        assert ID not in r.text and MOBILE not in r.text and "张伟" not in r.text
        assert "screening" not in r.text
    assert api.c.get(f"/api/v1/blobs/{sha}").status_code in (401, 403, 404)
    other = api.user("applicant")
    assert api.c.get(f"/api/v1/blobs/{sha}", headers=api.h(other)).status_code in (403, 404)
