"""Issue 18, section 4 (authorisation and identity) over HTTP: co-applicants are named by what
the filer knows and shown only once they consent; every file a form names is the caller's
own upload; only the filer edits a draft."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, complete_form, make_resident_id, make_uscc, problem
from tests.support.db import changed_tables, snapshot

APPS = "/api/v1/applications"
BOUNDS = "负责数据采集"


def _people(api: Api) -> tuple[str, str, int, str, int]:
    """An examiner; a victim with a verified natural person (钱多多); an attacker with its
    own verified company."""
    examiner = api.user("examiner")
    victim = api.user("applicant")
    vp = api.party(
        victim,
        kind="natural_person",
        name="钱多多",
        id_number=make_resident_id("520103", "19900202", 118),
        verify_by=examiner,
    )
    attacker = api.user("applicant")
    ap = api.party(attacker, verify_by=examiner)
    return examiner, victim, vp, attacker, ap


def _leaks(api: Api, r: Any, pid: int) -> list[str]:
    number = api.numbers[pid]
    masked = number[:6] + "*" * 8 + number[-4:]
    return [s for s in ("钱多多", "钱**", number, masked, '"verified"') if s in r.text]


def _joint(ap: int, other: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"party_id": ap, "share_bp": 5000, "rights_bounds": BOUNDS},
        {**other, "share_bp": 5000, "rights_bounds": "负责数据加工"},
    ]


def test_i18_a_co_applicant_named_by_party_id_reveals_nobody(api: Api) -> None:
    """The fault: PATCH of one's own draft naming party N as co-applicant answered with N's
    full name, masked ID and verification status — and ids are sequential. Now someone
    else's party is not nameable by id at all, and the answer is the one a party that does
    not exist gets."""
    _, _, vp, attacker, ap = _people(api)
    draft = api.draft(attacker, ap)
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    answers = []
    for pid in (vp, vp + 1000):
        before = snapshot(registry)
        patch = api.c.patch(
            f"{APPS}/{draft['id']}",
            headers=api.h(attacker),
            json={"applicants": _joint(ap, {"party_id": pid})},
        )
        post = api.c.post(
            APPS,
            headers=api.h(attacker),
            json={"form": draft["form"], "applicants": _joint(ap, {"party_id": pid})},
        )
        for r in (patch, post):
            assert not _leaks(api, r, vp), r.text
            answers.append((r.status_code, r.json()["code"], r.json()["message_en"]))
        assert changed_tables(before, snapshot(registry)) == {}
    assert set(answers) == {answers[0]}, answers
    assert answers[0][:2] == (422, "party_not_found")


def test_i18_co_applicants_are_named_by_number_and_shown_once_they_consent(api: Api) -> None:
    examiner, victim, vp, filer, fp = _people(api)
    r = api.c.post(
        APPS,
        headers=api.h(filer),
        json={
            "form": complete_form(sample=api.upload(filer)),
            "applicants": _joint(fp, {"id_number": api.numbers[vp]}),
        },
    )
    assert r.status_code == 201, r.text
    aid, version = r.json()["id"], r.json()["version"]
    lead, co = r.json()["applicants"]
    assert lead["party_id"] == fp and lead["name"] and lead["consented"]
    # Before consenting, the filer sees only what it gave: the number (masked, as every
    # resident ID is) and the share — not the name nor the verification status.
    assert co["consented"] is False and co["name"] is None and co["verification_status"] is None
    assert co["id_number"] == api.numbers[vp][:6] + "*" * 8 + api.numbers[vp][-4:]
    assert not [s for s in ("钱多多", "钱**", api.numbers[vp]) if s in r.text], r.text
    # The co-applicant sees the draft it is asked to join, and who asks.
    seen = api.get(victim, aid).json()
    assert [a["consented"] for a in seen["applicants"]] == [True, False]
    assert seen["applicants"][1]["name"] == "钱多多"
    r = api.c.post(f"{APPS}/{aid}/consent", headers={**api.h(victim), "If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text
    after = api.get(filer, aid).json()["applicants"][1]
    assert after["name"] == "钱多多" and after["verification_status"] == "verified"
    assert after["party_id"] == vp and after["consented"] is True
    assert api.numbers[vp] not in api.get(filer, aid).text
    assert api.ok(filer, aid, "submit")["state"] == "submitted"
    _ = examiner


def test_i18_a_number_of_no_verified_party_gets_the_not_found_answer(api: Api) -> None:
    examiner, _, _, filer, fp = _people(api)
    other = api.user("applicant")
    unverified = api.party(other)  # exists, not verified
    draft = api.draft(filer, fp)
    answers = []
    for number in (api.numbers[unverified], make_uscc(987_654)):
        r = api.c.patch(
            f"{APPS}/{draft['id']}",
            headers=api.h(filer),
            json={"applicants": _joint(fp, {"id_number": number})},
        )
        answers.append((r.status_code, r.json()["code"], r.json()["message_en"]))
    assert answers[0] == answers[1] and answers[0][:2] == (422, "party_not_found"), answers
    problem(
        api.c.patch(
            f"{APPS}/{draft['id']}",
            headers=api.h(filer),
            json={"applicants": _joint(fp, {"id_number": "91520115ABCDEFGH1X"})},
        ),
        422,
        "invalid_id_number",
    )
    _ = examiner


def test_i18_only_the_filer_edits_a_draft(api: Api) -> None:
    """The fault: a party named as co-applicant could, before consenting, edit the filer's
    draft and replace its applicant list. It may read the draft and consent; editing is the
    filer's alone, before and after the consent, and the invitee takes no action on it."""
    _, invitee, ip, filer, fp = _people(api)
    r = api.c.post(
        APPS,
        headers=api.h(filer),
        json={
            "form": complete_form(sample=api.upload(filer)),
            "applicants": _joint(fp, {"id_number": api.numbers[ip]}),
        },
    )
    assert r.status_code == 201, r.text
    aid, form = r.json()["id"], r.json()["form"]
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    before = snapshot(registry)
    takeover = [{"party_id": ip, "share_bp": 10_000}]
    for body in ({"applicants": takeover}, {"form": {**form, "name": "被篡改的数据集"}}):
        problem(
            api.c.patch(f"{APPS}/{aid}", headers=api.h(invitee), json=body), 403, "not_the_filer"
        )
    r = api.act(invitee, aid, "submit")
    assert r.status_code == 403, r.text
    assert changed_tables(before, snapshot(registry)) == {}
    assert api.get(invitee, aid).json()["allowed_actions"] == []
    api.c.post(f"{APPS}/{aid}/consent", headers=api.h(invitee))
    problem(
        api.c.patch(f"{APPS}/{aid}", headers=api.h(invitee), json={"applicants": takeover}),
        403,
        "not_the_filer",
    )
    r = api.c.patch(
        f"{APPS}/{aid}", headers=api.h(filer), json={"form": form | {"name": "新名称数据集"}}
    )
    assert r.status_code == 200, r.text


# --- files: every blob a form names is the caller's own upload ------------------------------


SECRET = b"name,phone\nQian,13985012345\n"


def test_i18_a_draft_cannot_name_another_users_upload(api: Api) -> None:
    """The fault: a draft listed another user's upload as its sample by sha256, showed the
    owner's filename and screening rows, and published them after approval."""
    _, victim, _, attacker, ap = _people(api)
    theirs = api.upload(victim, SECRET, "客户名单.csv")
    absent = "0" * 64
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    mine = api.upload(attacker)
    forms = {
        "sample_blobs": lambda sha: complete_form(sample=sha),
        "source_proof_blobs": lambda sha: complete_form(sample=mine, source_proof_blobs=[sha]),
        "evidence.sample_proof_blob": lambda sha: complete_form(
            sample=mine,
            evidence={**complete_form(sample=mine)["evidence"], "sample_proof_blob": sha},
        ),
    }
    draft = api.draft(attacker, ap)
    for field, form_with in forms.items():
        answers = []
        for sha in (theirs, absent):
            before = snapshot(registry)
            post = api.c.post(
                APPS,
                headers=api.h(attacker),
                json={"form": form_with(sha), "applicants": [{"party_id": ap}]},
            )
            patch = api.c.patch(
                f"{APPS}/{draft['id']}", headers=api.h(attacker), json={"form": form_with(sha)}
            )
            for r in (post, patch):
                body = problem(r, 422, "blob_not_found")
                assert body["details"]["field"] == field, body
                assert "客户名单" not in r.text
                answers.append(r.json()["message_en"])
            assert changed_tables(before, snapshot(registry)) == {}
        assert len(set(answers)) == 1, answers


def test_i18_identical_bytes_are_two_uploads_each_with_its_own_filename(api: Api) -> None:
    examiner, victim, _, attacker, ap = _people(api)
    theirs = api.upload(victim, SECRET, "客户名单.csv")
    # the victim files it: the content is screened under the victim's file name
    vc = api.party(victim, verify_by=examiner)
    filed = api.draft(victim, vc, form=complete_form(sample=theirs))
    api.ok(victim, filed["id"], "submit")
    api.later(hours=1)
    r = api.c.post(
        "/api/v1/blobs",
        headers=api.h(attacker),
        files={"file": ("mine.csv", SECRET, "text/csv")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == theirs and r.json()["filename"] == "mine.csv"
    assert "客户名单" not in r.text
    assert r.json()["created_at"].startswith("2026-09-28T11:00")  # its own upload's time
    a = api.draft(attacker, ap, form=complete_form(sample=theirs, name="另一个交通数据集"))
    seen = api.get(attacker, a["id"])
    files = seen.json()["checks"]["screening"]
    # one screening report per content (already made), shown under the attacker's own name
    assert [(f["filename"], f["screened"]) for f in files] == [("mine.csv", True)]
    assert files[0]["report"]["filename"] == "mine.csv"
    assert "客户名单" not in seen.text
    # the victim's upload keeps its name
    again = api.c.post(
        "/api/v1/blobs",
        headers=api.h(victim),
        files={"file": ("客户名单-副本.csv", SECRET, "text/csv")},
    )
    assert again.json()["filename"] == "客户名单.csv"  # the same user's same bytes: one record
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    from tests.support.db import count

    assert count(registry, "blobs", sha256=theirs) == 2


def test_i18_files_named_after_registration_are_the_callers_own(api: Api) -> None:
    """Evidence of a revocation request, a licence's contract, a transfer's instrument, a
    change's new sample: each must be the caller's upload."""
    w = api.world()
    number = w.registered()
    victim = api.user("applicant")
    theirs = api.upload(victim, SECRET, "客户名单.csv")
    stranger = api.user("applicant")
    sp = api.party(stranger, kind="natural_person", name="路人甲", verify_by=w.examiner)
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    tries = [
        (
            stranger,
            "request_revocation",
            {"party_id": sp, "statement": "不符合登记条件", "evidence_blobs": [theirs]},
        ),
        (
            w.applicant,
            "file_licence",
            {
                "contract_date": "2026-10-12",
                "licence_type": "non_exclusive",
                "licensee": {
                    "kind": "legal_person",
                    "name": "某某公司",
                    "credit_code": make_uscc(5),
                },
                "scope": "分析",
                "territory": "贵州省",
                "term_start": "2026-10-12",
                "term_end": "2027-10-11",
                "fee_fen": 0,
                "contract_blob": theirs,
            },
        ),
        (w.applicant, "request_change", {"changes": {"sample_blobs": [theirs]}}),
        (
            stranger,
            "request_transfer",
            {
                "transferees": [{"party_id": sp}],
                "basis": "court",
                "instrument": theirs,
            },
        ),
    ]
    for who, action, payload in tries:
        before = snapshot(registry)
        r = api.reg_act(who, number, action, **payload)
        problem(r, 422, "blob_not_found")
        assert "客户名单" not in r.text
        assert changed_tables(before, snapshot(registry)) == {}, action
