"""R0 on real calendar data, through the API: Spring Festival, make-up days, provisional
deadlines in a year not yet published (2027), and their recomputation once it is loaded."""

from __future__ import annotations

import re

from tests.support.api import Api, make_uscc, problem


def _due(app: dict, kind: str) -> dict:
    return next(d for d in app["deadlines"] if d["kind"] == kind)


def test_r0_1_spring_festival_2026_and_its_make_up_saturday(api: Api) -> None:
    w = api.world()
    api.at("2026-02-13 16:00")  # Friday before the 9-day break (Feb 15–23)
    evidence = {
        "platform": "p",
        "certificate_number": "c",
        "hash_value": "ef" * 32,
        "evidenced_on": "2026-01-05",
    }
    aid = w.submitted(evidence=evidence)
    # Sat Feb 14 is a make-up working day, then Feb 24, 25.
    assert _due(api.get(w.applicant, aid).json(), "accept")["due_on"] == "2026-02-25"


def test_r0_1_trigger_day_is_not_counted_even_when_served_at_midnight(api: Api) -> None:
    w = api.world()
    api.at("2026-10-12 00:00")  # Monday, service at the first instant of the day
    aid = w.submitted()
    assert _due(api.get(w.applicant, aid).json(), "accept")["due_on"] == "2026-10-15"


def test_r0_4_deadline_in_2027_is_provisional_and_recomputed_when_the_year_is_loaded(
    api: Api,
) -> None:
    admin = api.user("registrar_admin")
    w = api.world()
    api.at("2026-12-28 10:00")
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    out = api.ok(w.examiner, aid, "request_correction", defects=["补充更新周期说明"])
    due = _due(out, "correction")
    # 29, 30, 31 Dec; 1 Jan (statutory); 4, 5, 6, 7 Jan 2027 — flagged 暂定.
    assert (due["due_on"], due["provisional"]) == ("2027-01-07", True)
    notice = next(
        n
        for n in api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
        if n["kind"] == "correction_notice"
    )
    assert (notice["due_on"], notice["provisional"]) == ("2027-01-07", True)
    # The State Council publishes 2027: New Year's Day Fri 1 Jan plus the weekend; suppose
    # also a closure on Mon 4 Jan with a make-up Sunday 10 Jan (an illustrative arrangement).
    body = {
        "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
        "makeup_workdays": ["2027-01-10"],
        "source": "国办发明电〔2026〕示例号",
    }
    problem(
        api.c.put("/api/v1/calendar/years/2027", headers=api.h(w.examiner), json=body),
        403,
        "forbidden",
    )
    r = api.c.put("/api/v1/calendar/years/2027", headers=api.h(admin), json=body)
    assert r.status_code == 200 and r.json()["recomputed"] == 1
    due = _due(api.get(w.applicant, aid).json(), "correction")
    # 29, 30, 31 Dec; 5, 6, 7, 8 Jan — no longer provisional.
    assert (due["due_on"], due["provisional"]) == ("2027-01-08", False)
    history = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(w.applicant))
    recomputed = [e for e in history.json() if e["type"] == "DeadlineRecomputed"]
    assert recomputed[0]["public"] == {
        "kind": "correction",
        "from": "2027-01-07",
        "to": "2027-01-08",
        "provisional": False,
    }


def test_r0_admin_override_changes_later_computations(api: Api) -> None:
    admin = api.user("registrar_admin")
    w = api.world()
    r = api.c.put(
        "/api/v1/calendar/overrides/2026-10-09",
        headers=api.h(admin),
        json={"is_working_day": False, "note": "台风停工"},
    )
    assert r.status_code == 204
    api.at("2026-09-30 10:00")
    aid = w.submitted()
    # 8 Oct, (9 Oct closed), Sat 10 Oct make-up, Mon 12 Oct.
    assert _due(api.get(w.applicant, aid).json(), "accept")["due_on"] == "2026-10-12"
    r = api.c.get("/api/v1/calendar/due-date", params={"period": "accept", "trigger": "2026-09-30"})
    assert r.json() == {"due_on": "2026-10-12", "provisional": False}


def _sign_in(api: Api, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', api.c.get("/login").text)
    assert token
    form = {"csrf_token": token.group(1), "username": username, "password": "pass-word-1"}
    assert api.c.post("/login", data=form, follow_redirects=False).status_code == 303


def _filing_row(api: Api, number: str, filing: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", api.c.get(f"/registrations/{number}").text, re.S)
    (row,) = [r for r in rows if filing in r]
    return row


def test_r0_4_pledge_filing_due_date_and_late_flag_follow_the_loaded_2027_arrangement(
    api: Api,
) -> None:
    """Issue 19 §2: a pledge contracted on Fri 2026-12-18 is due, 10 working days on,
    on 2027-01-04 — provisional, 2027 being unpublished — and one filed that Monday is on
    time. The State Council then makes Sunday 2027-01-03 a make-up working day: the due
    date becomes 2027-01-03, final, and the filing is late. Every place shows it."""
    admin = api.user("registrar_admin")
    w = api.world()
    number = w.registered()
    api.at("2027-01-04 10:00")
    pledgee = {
        "kind": "legal_person",
        "name": "贵阳银行股份有限公司",
        "credit_code": make_uscc(901),
    }
    out = api.reg_ok(
        w.applicant,
        number,
        "file_pledge",
        contract_date="2026-12-18",
        pledgee=pledgee,
        secured_amount_fen=500_000_000,
        term_end="2028-12-17",
    )
    (pledge,) = out["filings"]
    assert (pledge["due_on"], pledge["provisional"], pledge["late"]) == (
        "2027-01-04",
        True,
        False,
    )
    _sign_in(api, w.applicant)
    row = _filing_row(api, number, pledge["number"])
    assert "2027年1月4日" in row and "暂定" in row and "逾期备案" not in row
    body = {
        "holidays": ["2027-01-01", "2027-01-02"],
        "makeup_workdays": ["2027-01-03"],
        "source": "国办发明电〔2026〕示例号",
    }
    r = api.c.put("/api/v1/calendar/years/2027", headers=api.h(admin), json=body)
    assert r.status_code == 200 and r.json()["recomputed"] == 1
    row = _filing_row(api, number, pledge["number"])
    assert "2027年1月3日" in row and "暂定" not in row and "逾期备案" in row
    (pledge,) = api.reg(w.applicant, number).json()["filings"]
    assert (pledge["due_on"], pledge["provisional"], pledge["late"]) == (
        "2027-01-03",
        False,
        True,
    )
    archive = api.c.get(f"/api/v1/registrations/{number}/archive", headers=api.h(w.applicant))
    assert archive.status_code == 200, archive.text
    (event,) = [e for e in archive.json()["events"] if e["type"] == "DeadlineRecomputed"]
    assert event["public"] == {
        "kind": "filing",
        "registration_number": number,
        "filing_number": pledge["number"],
        "from": "2027-01-04",
        "to": "2027-01-03",
        "provisional": False,
        "late": True,
    }
    # loading the same arrangement again changes nothing and records nothing
    r = api.c.put("/api/v1/calendar/years/2027", headers=api.h(admin), json=body)
    assert r.json()["recomputed"] == 0


def test_r0_4_re_examination_window_in_2027_is_provisional_and_recomputed(api: Api) -> None:
    """G§20's 15 days from a revocation decision served on 2026-12-18 end on 2027-01-04
    (Sat 2 Jan → the next working day, Mon 4 Jan, provisional); with Sun 3 Jan a make-up
    working day they end on Sun 3 Jan — on the request and on the decision notice."""
    admin = api.user("registrar_admin")
    w = api.world()
    number = w.registered()
    api.at("2026-12-18 10:00")
    out = api.reg_ok(w.examiner, number, "revoke", grounds=[1], reason="登记后发现重复登记")
    (decision,) = [q for q in out["requests"] if q["kind"] == "revocation"]
    assert (decision["re_examination_due"], decision["re_examination_provisional"]) == (
        "2027-01-04",
        True,
    )
    body = {
        "holidays": ["2027-01-01", "2027-01-02"],
        "makeup_workdays": ["2027-01-03"],
        "source": "国办发明电〔2026〕示例号",
    }
    r = api.c.put("/api/v1/calendar/years/2027", headers=api.h(admin), json=body)
    assert r.status_code == 200 and r.json()["recomputed"] == 1
    (decision,) = [q for q in api.reg(w.applicant, number).json()["requests"]]
    assert (decision["re_examination_due"], decision["re_examination_provisional"]) == (
        "2027-01-03",
        False,
    )
    (notice,) = [
        n
        for n in api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
        if n["kind"] == "revocation_decision"
    ]
    assert (notice["due_on"], notice["provisional"], notice["due_status"]) == (
        "2027-01-03",
        False,
        "running",
    )
