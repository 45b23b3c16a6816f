"""Rules R1–R3 over HTTP: real-name parties, agents' powers of attorney, joint applications."""

from __future__ import annotations

from typing import Any

from stdnum.cn import ric

from tests.support.api import Api, complete_form, make_resident_id, make_uscc, problem
from tests.support.db import changed_tables, snapshot

PARTIES = "/api/v1/parties"


def _new_party(api: Api, who: str, kind: str, id_number: str, name: str = "张三") -> Any:
    return api.c.post(
        PARTIES,
        headers=api.h(who),
        json={"kind": kind, "name": name, "id_number": id_number, "address": "贵阳市观山湖区"},
    )


def _verify(api: Api, who: str, party_id: int, examiner: str) -> None:
    ev = api.upload(who, b"id card scan", "id.pdf")
    r = api.c.post(
        f"{PARTIES}/{party_id}/verification",
        headers=api.h(who),
        json={"method": "id_document", "evidence_blob": ev},
    )
    assert r.status_code == 200 and r.json()["verification_status"] == "pending", r.text
    r = api.c.post(
        f"{PARTIES}/{party_id}/verification/decision",
        headers=api.h(examiner),
        json={"approve": True},
    )
    assert r.status_code == 200 and r.json()["verification_status"] == "verified", r.text


def _inbox_kinds(api: Api, who: str) -> list[str]:
    return [n["kind"] for n in api.c.get("/api/v1/inbox", headers=api.h(who)).json()]


# --- R1: real-name registration (G§6) ---------------------------------------------------------


def test_r1_unverified_party_cannot_submit(api: Api) -> None:
    applicant = api.user("applicant")
    pid = api.party(applicant)  # recorded, not verified
    a = api.draft(applicant, pid)
    body = problem(api.act(applicant, a["id"], "submit"), 422, "party_not_verified")
    assert body["details"]["parties"] == [pid]
    # Asking for verification is not enough: the examiner has to confirm it.
    ev = api.upload(applicant, b"licence scan", "licence.pdf")
    r = api.c.post(
        f"{PARTIES}/{pid}/verification",
        headers=api.h(applicant),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    assert r.json()["verification_status"] == "pending"
    problem(api.act(applicant, a["id"], "submit"), 422, "party_not_verified")
    assert api.get(applicant, a["id"]).json()["state"] == "draft"


def test_r1_examiner_confirms_verification_then_party_can_submit(api: Api) -> None:
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    pid = api.party(applicant)
    ev = api.upload(applicant, b"licence scan", "licence.pdf")
    api.c.post(
        f"{PARTIES}/{pid}/verification",
        headers=api.h(applicant),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    # The examiner's queue holds the pending party; the applicant cannot verify itself.
    queue = api.c.get(PARTIES, headers=api.h(examiner)).json()
    assert [p["id"] for p in queue] == [pid]
    problem(
        api.c.post(
            f"{PARTIES}/{pid}/verification/decision",
            headers=api.h(applicant),
            json={"approve": True},
        ),
        403,
        "forbidden",
    )
    r = api.c.post(
        f"{PARTIES}/{pid}/verification/decision", headers=api.h(examiner), json={"approve": True}
    )
    assert r.status_code == 200, r.text
    assert r.json()["verification_status"] == "verified" and r.json()["verified_at"]
    a = api.draft(applicant, pid)
    assert api.ok(applicant, a["id"], "submit")["state"] == "submitted"


def test_r1_examiner_rejection_needs_a_note_and_keeps_party_unverified(api: Api) -> None:
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    pid = api.party(applicant)
    ev = api.upload(applicant, b"blurred scan", "licence.pdf")
    api.c.post(
        f"{PARTIES}/{pid}/verification",
        headers=api.h(applicant),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    url = f"{PARTIES}/{pid}/verification/decision"
    problem(
        api.c.post(url, headers=api.h(examiner), json={"approve": False}), 422, "missing_fields"
    )
    r = api.c.post(url, headers=api.h(examiner), json={"approve": False, "note": "扫描件不清晰"})
    assert r.json()["verification_status"] == "rejected"
    a = api.draft(applicant, pid)
    problem(api.act(applicant, a["id"], "submit"), 422, "party_not_verified")


def test_r1_resident_id_with_bad_check_digit_is_refused(api: Api) -> None:
    applicant = api.user("applicant")
    good = make_resident_id("520102", "19850315", 7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    body = problem(_new_party(api, applicant, "natural_person", bad), 400, "invalid_resident_id")
    assert body["details"]["reason"] == "checksum"
    assert _new_party(api, applicant, "natural_person", good).status_code == 201


def test_r1_resident_id_with_impossible_birth_date_is_refused(api: Api) -> None:
    applicant = api.user("applicant")
    body17 = "520102" + "19850230" + "007"
    number = body17 + ric.calc_check_digit(body17 + "0")
    body = problem(_new_party(api, applicant, "natural_person", number), 400, "invalid_resident_id")
    assert body["details"]["reason"] == "birth_date"


def test_r1_uscc_with_bad_check_char_is_refused(api: Api) -> None:
    applicant = api.user("applicant")
    good = make_uscc(42)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    body = problem(
        _new_party(api, applicant, "legal_person", bad, "某某数据有限公司"), 400, "invalid_uscc"
    )
    assert body["details"]["reason"] == "checksum"
    r = _new_party(api, applicant, "legal_person", good, "某某数据有限公司")
    assert r.status_code == 201 and r.json()["id_number"] == good


def test_r1_county_code_younger_than_holder_is_accepted_with_warning_for_examiner(
    api: Api,
) -> None:
    # 450327 灌阳县 exists from 1998; a holder born in 1996 may still carry it (re-issued card).
    body17 = "450327" + "19960101" + "001"
    number = body17 + ric.calc_check_digit(body17 + "0")
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    r = _new_party(api, applicant, "natural_person", number, "王小明")
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["warnings"] == ["county_unknown_for_birth_year"]
    _verify(api, applicant, pid, examiner)
    a = api.draft(applicant, pid)
    api.ok(applicant, a["id"], "submit")
    seen = api.get(examiner, a["id"]).json()
    assert seen["visibility"] == "full"
    assert seen["applicants"][0]["warnings"] == ["county_unknown_for_birth_year"]
    party = api.c.get(f"{PARTIES}/{pid}", headers=api.h(examiner)).json()
    assert party["warnings"] == ["county_unknown_for_birth_year"]


def test_r1_applicant_never_sees_another_applicants_party(api: Api) -> None:
    alice = api.user("applicant")
    bob = api.user("applicant")
    pid = api.party(alice)
    assert api.c.get(f"{PARTIES}/{pid}", headers=api.h(alice)).status_code == 200
    problem(api.c.get(f"{PARTIES}/{pid}", headers=api.h(bob)), 404, "party_not_found")
    assert api.c.get(PARTIES, headers=api.h(bob)).json() == []
    # Nor can Bob ask for its verification or file an application in its name.
    ev = api.upload(bob, b"forged", "x.pdf")
    problem(
        api.c.post(
            f"{PARTIES}/{pid}/verification",
            headers=api.h(bob),
            json={"method": "business_licence", "evidence_blob": ev},
        ),
        404,
        "party_not_found",
    )
    form = complete_form(sample=api.upload(bob))
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(bob),
        json={"form": form, "applicants": [{"party_id": pid}]},
    )
    problem(r, 403, "not_authorised_for_party")


def test_r1_natural_persons_id_number_is_masked_for_examiners_viewing_an_application(
    api: Api,
) -> None:
    examiner = api.user("examiner")
    applicant = api.user("applicant")
    number = make_resident_id("520102", "19850315", 7)
    pid = _new_party(api, applicant, "natural_person", number, "赵六").json()["id"]
    _verify(api, applicant, pid, examiner)
    a = api.draft(applicant, pid)
    api.ok(applicant, a["id"], "submit")
    r = api.get(examiner, a["id"])
    shown = r.json()["applicants"][0]["id_number"]
    assert shown == number[:6] + "*" * 8 + number[-4:]
    assert number not in r.text
    r = api.c.get(f"{PARTIES}/{pid}", headers=api.h(examiner))
    assert r.json()["id_number"] == shown and number not in r.text
    # The holder itself sees its own number on its party record.
    assert api.c.get(f"{PARTIES}/{pid}", headers=api.h(applicant)).json()["id_number"] == number


# --- R2: agents act under an accepted power of attorney (G§5) ---------------------------------


def test_r2_agent_needs_an_accepted_power_of_attorney_to_file(api: Api) -> None:
    w = api.world()
    agent = api.user("agent")
    form = complete_form(sample=api.upload(agent))
    payload = {"form": form, "applicants": [{"party_id": w.party}]}
    problem(
        api.c.post("/api/v1/applications", headers=api.h(agent), json=payload),
        403,
        "not_authorised_for_party",
    )
    # Only agents file powers of attorney.
    poa = api.upload(agent, b"power of attorney", "poa.pdf")
    problem(
        api.c.post(
            "/api/v1/authorisations",
            headers=api.h(w.applicant),
            json={"id_number": api.numbers[w.party], "poa_blob": poa},
        ),
        403,
        "forbidden",
    )
    r = api.c.post(
        "/api/v1/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[w.party], "poa_blob": poa},
    )
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    auth_id = r.json()["id"]
    # Filed but not yet accepted: still not authorised.
    problem(
        api.c.post("/api/v1/applications", headers=api.h(agent), json=payload),
        403,
        "not_authorised_for_party",
    )
    queue = api.c.get("/api/v1/authorisations", headers=api.h(w.examiner)).json()
    assert [x["id"] for x in queue] == [auth_id]
    problem(
        api.c.post(
            f"/api/v1/authorisations/{auth_id}/decision",
            headers=api.h(agent),
            json={"approve": True},
        ),
        403,
        "forbidden",
    )
    r = api.c.post(
        f"/api/v1/authorisations/{auth_id}/decision",
        headers=api.h(w.examiner),
        json={"approve": True},
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    r = api.c.post("/api/v1/applications", headers=api.h(agent), json=payload)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert api.ok(agent, aid, "submit")["state"] == "submitted"
    # The party's owner sees the application its agent filed, and is served its notices.
    own = api.get(w.applicant, aid)
    assert own.status_code == 200 and own.json()["visibility"] == "full"
    listed = api.c.get("/api/v1/applications", headers=api.h(w.applicant)).json()["items"]
    assert [x["id"] for x in listed] == [aid]
    assert "receipt" in _inbox_kinds(api, w.applicant)
    assert "receipt" in _inbox_kinds(api, agent)
    # Another agent without a power of attorney sees nothing of it.
    other = api.user("agent")
    problem(api.get(other, aid), 404, "application_not_found")


def test_r2_rejected_power_of_attorney_does_not_authorise(api: Api) -> None:
    w = api.world()
    agent = api.user("agent")
    poa = api.upload(agent, b"unsigned power of attorney", "poa.pdf")
    auth_id = api.c.post(
        "/api/v1/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[w.party], "poa_blob": poa},
    ).json()["id"]
    r = api.c.post(
        f"/api/v1/authorisations/{auth_id}/decision",
        headers=api.h(w.examiner),
        json={"approve": False, "note": "未签章"},
    )
    assert r.json()["status"] == "rejected"
    form = complete_form(sample=api.upload(agent))
    problem(
        api.c.post(
            "/api/v1/applications",
            headers=api.h(agent),
            json={"form": form, "applicants": [{"party_id": w.party}]},
        ),
        403,
        "not_authorised_for_party",
    )


# --- R3: joint applications (G§5, Z§4.3, JS25§2) ----------------------------------------------


def _joint(api: Api) -> tuple[str, str, str, int, int]:
    examiner = api.user("examiner")
    alice, bob = api.user("applicant"), api.user("applicant")
    pa = api.party(alice, verify_by=examiner)
    pb = api.party(bob, verify_by=examiner)
    return examiner, alice, bob, pa, pb


def _post_joint(api: Api, who: str, applicants: list[dict[str, Any]]) -> Any:
    form = complete_form(sample=api.upload(who))
    return api.c.post(
        "/api/v1/applications", headers=api.h(who), json={"form": form, "applicants": applicants}
    )


def test_r3_joint_shares_must_sum_to_100_percent(api: Api) -> None:
    _, alice, _, pa, pb = _joint(api)
    body = problem(
        _post_joint(
            api,
            alice,
            [
                {"party_id": pa, "share_bp": 6000, "rights_bounds": "负责数据采集与对外许可"},
                {"id_number": api.numbers[pb], "share_bp": 3000, "rights_bounds": "负责数据加工"},
            ],
        ),
        422,
        "shares_not_100",
    )
    assert body["details"]["total_bp"] == 9000
    problem(
        _post_joint(
            api,
            alice,
            [
                {"party_id": pa, "share_bp": 6000, "rights_bounds": "负责数据采集与对外许可"},
                {"id_number": api.numbers[pb], "share_bp": 5000, "rights_bounds": "负责数据加工"},
            ],
        ),
        422,
        "shares_not_100",
    )
    # A sole applicant holds 100 % by default.
    problem(_post_joint(api, alice, [{"party_id": pa, "share_bp": 5000}]), 422, "shares_not_100")


def test_r3_joint_applicants_must_state_rights_bounds(api: Api) -> None:
    _, alice, _, pa, pb = _joint(api)
    problem(
        _post_joint(
            api,
            alice,
            [
                {"party_id": pa, "share_bp": 5000, "rights_bounds": "负责数据采集"},
                {"id_number": api.numbers[pb], "share_bp": 5000},
            ],
        ),
        422,
        "rights_bounds_required",
    )
    problem(
        _post_joint(
            api,
            alice,
            [
                {"party_id": pa, "share_bp": 5000, "rights_bounds": "  "},
                {"id_number": api.numbers[pb], "share_bp": 5000, "rights_bounds": "负责数据加工"},
            ],
        ),
        422,
        "rights_bounds_required",
    )


def _seventy_thirty(api: Api, alice: str, pa: int, pb: int) -> Any:
    """Alice files a joint draft: her party leads with 70%, Bob's holds 30%."""
    return _post_joint(
        api,
        alice,
        [
            {"party_id": pa, "share_bp": 7000, "rights_bounds": "负责数据采集与对外许可"},
            {"id_number": api.numbers[pb], "share_bp": 3000, "rights_bounds": "仅享有收益分配"},
        ],
    )


def test_r3_co_applicant_must_consent_before_submit(api: Api) -> None:
    examiner, alice, bob, pa, pb = _joint(api)
    r = _seventy_thirty(api, alice, pa, pb)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    consent = {x["party_id"]: x["consented"] for x in r.json()["applicants"]}
    assert consent == {pa: True, pb: False}
    body = problem(api.act(alice, aid, "submit"), 422, "co_applicant_consent_missing")
    assert body["details"]["parties"] == [pb]
    # A stranger cannot consent for Bob.
    stranger = api.user("applicant")
    problem(
        api.c.post(f"/api/v1/applications/{aid}/consent", headers=api.h(stranger)),
        404,
        "application_not_found",
    )
    # G§5: Bob consents to the draft he read, so he says which version (428 otherwise).
    url = f"/api/v1/applications/{aid}/consent"
    problem(api.c.post(url, headers=api.h(bob)), 428, "precondition_required")
    version = api.get(bob, aid).json()["version"]
    r = api.c.post(url, headers={**api.h(bob), "If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text
    assert all(x["consented"] for x in r.json()["applicants"])
    sub = api.ok(alice, aid, "submit")
    assert sub["state"] == "submitted"
    assert sub["application_number"][5] == "4"  # applicant-type code: joint
    # Shares and bounds are recorded on the certificate's holders (Z§4.3).
    api.ok(examiner, aid, "accept")
    api.ok(examiner, aid, "publicise")
    api.later(days=14)
    holders = api.ok(examiner, aid, "approve")["registration"]["holders"]
    assert [(h["party_id"], h["share_bp"], h["rights_bounds"]) for h in holders] == [
        (pa, 7000, "负责数据采集与对外许可"),
        (pb, 3000, "仅享有收益分配"),
    ]
    # Both co-applicants are served the registration notice.
    assert "registration" in _inbox_kinds(api, bob)


def test_r3_consent_is_to_the_draft_read_and_lapses_when_the_form_changes(api: Api) -> None:
    """G§5: a co-applicant consents to the filing it read. A consent sent with an older
    If-Match is refused (412, nothing recorded); once the filer changes the form, the
    co-applicant's consent lapses (logged on the edit) and is asked for again."""
    _examiner, alice, bob, pa, pb = _joint(api)
    r = _seventy_thirty(api, alice, pa, pb)
    assert r.status_code == 201, r.text
    aid, version, form = r.json()["id"], r.json()["version"], r.json()["form"]
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    before = snapshot(registry)
    stale = api.c.post(
        f"/api/v1/applications/{aid}/consent",
        headers={**api.h(bob), "If-Match": f'"{version + 1}"'},
    )
    problem(stale, 412, "stale_version")
    assert changed_tables(before, snapshot(registry)) == {}
    r = api.c.post(
        f"/api/v1/applications/{aid}/consent",
        headers={**api.h(bob), "If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.text
    assert all(x["consented"] for x in r.json()["applicants"])
    # Alice changes the data set's name: Bob's consent lapses, hers stands.
    r = api.c.patch(
        f"/api/v1/applications/{aid}",
        headers=api.h(alice),
        json={"form": {**form, "name": "城市道路拥堵预测数据集"}},
    )
    assert r.status_code == 200, r.text
    assert {x["party_id"]: x["consented"] for x in r.json()["applicants"]} == {
        pa: True,
        pb: False,
    }
    history = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(alice)).json()
    events = [e for e in history if e["type"] == "FormEdited"]
    assert events[-1]["public"] == {"consents_withdrawn": [pb]}
    body = problem(api.act(alice, aid, "submit"), 422, "co_applicant_consent_missing")
    assert body["details"]["parties"] == [pb]
    # Saving the same form again changes nothing, so a fresh consent stands.
    version = api.get(bob, aid).json()["version"]
    r = api.c.post(
        f"/api/v1/applications/{aid}/consent",
        headers={**api.h(bob), "If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.text
    r = api.c.patch(
        f"/api/v1/applications/{aid}",
        headers=api.h(alice),
        json={"form": {**form, "name": "城市道路拥堵预测数据集"}},
    )
    assert all(x["consented"] for x in r.json()["applicants"])
    assert api.ok(alice, aid, "submit")["state"] == "submitted"
