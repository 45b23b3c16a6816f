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
