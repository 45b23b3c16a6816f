"""Issue 19 §3 ("what is offered must work"): an objection (G§14) and a revocation request
(G§20) are made under a verified real name, so neither is offered to a signed-in caller none
of whose parties is verified — the action would be refused for who the caller is. Offered
once a party is verified; the pages say what is missing instead of showing a form."""

from __future__ import annotations

from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support.api import Api, problem


def test_r14_an_objection_is_not_offered_without_a_verified_party(api: Api) -> None:
    w = api.world()
    aid = w.publicised()
    someone = api.user("applicant")
    unverified = api.party(someone, kind="natural_person", name="未核验")
    assert "file_objection" not in api.get(someone, aid).json()["allowed_actions"]
    ev = api.upload(someone, b"evidence", "evidence.pdf")
    body = {"objector_party_id": unverified, "statement": "权属争议", "evidence_blobs": [ev]}
    problem(api.act(someone, aid, "file_objection", **body), 422, "party_not_verified")
    sign_in(api, someone)
    page = api.c.get(f"/publicity/{aid}").text
    assert "异议须实名提出：您名下尚无通过实名核验的主体" in page
    assert 'name="statement"' not in page
    # verified: offered, and it succeeds
    objector, pid, ev2 = w.objector()
    assert "file_objection" in api.get(objector, aid).json()["allowed_actions"]
    body = {"objector_party_id": pid, "statement": "权属争议", "evidence_blobs": [ev2]}
    assert api.ok(objector, aid, "file_objection", **body)["state"] == "objection_pending"


def test_r20_a_revocation_request_is_not_offered_without_a_verified_party(api: Api) -> None:
    w = api.world()
    number = w.registered()
    someone = api.user("applicant")
    unverified = api.party(someone, kind="natural_person", name="未核验")
    assert "request_revocation" not in api.reg(someone, number).json()["allowed_actions"]
    ev = api.upload(someone, b"evidence", "evidence.pdf")
    ask = {"party_id": unverified, "statement": "抄袭", "evidence_blobs": [ev]}
    problem(api.reg_act(someone, number, "request_revocation", **ask), 422, "party_not_verified")
    sign_in(api, someone)
    page = api.c.get(f"/registrations/{number}").text
    assert 'id="verify-first"' in page and "撤销申请须实名提出" in page
    assert 'id="act-request_revocation"' not in page
    objector, pid, ev2 = w.objector()
    assert "request_revocation" in api.reg(objector, number).json()["allowed_actions"]
    sign_in(api, objector)
    page = api.c.get(f"/registrations/{number}").text
    assert 'id="verify-first"' not in page and 'id="act-request_revocation"' in page
    ask = {"party_id": pid, "statement": "抄袭", "evidence_blobs": [ev2]}
    assert (
        api.reg_ok(objector, number, "request_revocation", **ask)["state"] == "revocation_pending"
    )


def _verify(api: Api, who: str, pid: int, examiner: str) -> None:
    ev = api.upload(who, b"id scan", "id.pdf")
    r = api.c.post(
        f"/api/v1/parties/{pid}/verification",
        headers=api.h(who),
        json={"method": "id_document", "evidence_blob": ev},
    )
    assert r.status_code == 200, r.text
    r = api.c.post(
        f"/api/v1/parties/{pid}/verification/decision",
        headers=api.h(examiner),
        json={"approve": True},
    )
    assert r.status_code == 200, r.text


def _hint(api: Api, who: str, number: str) -> str:
    sign_in(api, who)
    page = api.c.get(f"/registrations/{number}").text
    api.c.cookies.clear()
    return page


def test_r19_a_one_sided_transfer_is_not_offered_without_a_verified_party(api: Api) -> None:
    """G§21: a transfer by one party alone (inheritance, a court's instrument …) is filed by
    the new right holder — someone else than the holder, so under a verified real name, as a
    revocation request is (G§20)."""
    w = api.world()
    number = w.registered()
    heir = api.user("applicant")
    pid = api.party(heir, kind="natural_person", name="继承人")
    assert "request_transfer" not in api.reg(heir, number).json()["allowed_actions"]
    ask = {
        "transferees": [{"party_id": pid, "share_bp": 10_000}],
        "basis": "court",
        "instrument": api.upload(heir, b"judgment", "judgment.pdf"),
        "reason": "生效判决",
    }
    version = api.reg(w.applicant, number).json()["version"]
    body = problem(api.reg_act(heir, number, "request_transfer", **ask), 422, "party_not_verified")
    assert "单方申请转让须实名提出" in body["message_zh"] and "transfer" in body["message_en"]
    assert api.reg(w.applicant, number).json()["version"] == version  # nothing changed
    page = _hint(api, heir, number)
    assert 'id="verify-first"' in page and "单方申请转让" in page
    assert 'id="act-request_transfer"' not in page
    # verified: offered, and it succeeds
    _verify(api, heir, pid, w.examiner)
    assert "request_transfer" in api.reg(heir, number).json()["allowed_actions"]
    # ... for the new right holder only: a verified stranger naming the heir is refused
    stranger, _, evidence = w.objector()
    by_stranger = {**ask, "transferees": [{"id_number": api.numbers[pid], "share_bp": 10_000}]}
    by_stranger["instrument"] = evidence
    problem(
        api.reg_act(stranger, number, "request_transfer", **by_stranger), 403, "forbidden_action"
    )
    page = _hint(api, heir, number)
    assert 'id="verify-first"' not in page and 'id="act-request_transfer"' in page
    d = api.reg_ok(heir, number, "request_transfer", **ask)
    assert d["requests"][-1]["kind"] == "transfer" and d["requests"][-1]["state"] == "pending"


def test_r19_holders_keep_their_two_sided_transfer_and_cancellation() -> None:
    """The real-name check is for requests on another's right: a holder's own transfer and
    cancellation are offered whatever the state of its subjects' verification (the table's
    guard asked directly; a holder's subject is verified when it applies, R1)."""
    from datetime import date

    from dataip.domain.after_registration import RegContext, RegState, allowed

    d = date(2026, 10, 20)
    ctx = RegContext(today=d, renewal_opens=d, renewal_closes=d, caller_verified=False)
    holder = allowed(RegState.VALID, {"holder", "public"}, ctx)
    assert {"request_transfer", "request_cancellation"} <= set(holder)
    assert "request_revocation" not in holder  # revocation by anyone is by real name
    public = allowed(RegState.VALID, {"public"}, ctx)
    assert not {"request_transfer", "request_cancellation", "request_revocation"} & set(public)


def test_r21_a_cancellation_by_the_new_right_holder_needs_a_verified_party(api: Api) -> None:
    """G§23: where a legal instrument extinguished the holder's right, the new right holder
    asks to cancel — under a verified real name, for a verified party of its own."""
    w = api.world()
    number = w.registered()
    someone = api.user("applicant")
    pid = api.party(someone, name="新权利人数据有限公司")
    assert "request_cancellation" not in api.reg(someone, number).json()["allowed_actions"]
    ask = {
        "reason": "权利已因生效判决灭失",
        "instrument": api.upload(someone, b"judgment", "judgment.pdf"),
        "party_id": pid,
    }
    version = api.reg(w.applicant, number).json()["version"]
    body = problem(
        api.reg_act(someone, number, "request_cancellation", **ask), 422, "party_not_verified"
    )
    assert "注销须实名提出" in body["message_zh"], body
    assert api.reg(w.applicant, number).json()["version"] == version
    page = _hint(api, someone, number)
    assert 'id="verify-first"' in page and "新权利人申请注销" in page
    assert 'id="act-request_cancellation"' not in page
    # one verified party offers it, but the request is made for a verified party
    other = api.party(someone, name="另一主体数据有限公司", verify_by=w.examiner)
    assert "request_cancellation" in api.reg(someone, number).json()["allowed_actions"]
    body = problem(
        api.reg_act(someone, number, "request_cancellation", **ask), 422, "party_not_verified"
    )
    assert api.reg(w.applicant, number).json()["version"] == version
    d = api.reg_ok(someone, number, "request_cancellation", **{**ask, "party_id": other})
    assert d["requests"][-1]["kind"] == "cancellation"
