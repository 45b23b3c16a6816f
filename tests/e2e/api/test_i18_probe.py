"""Issue 18, section 4: the probe. An unrelated user names another user's party (by its
sequential id) and another user's upload (by its sha256) in every route that takes a party
or a file — API and portal — and learns nothing: each answer is the one a reference to
nothing at all gets, no response carries the other user's names, numbers or file names, and
nothing is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.api import Api, World, complete_form, make_resident_id, make_uscc, problem
from tests.support.db import changed_tables, snapshot

SECRET = b"name,phone\nQian,13985012345\n"
ABSENT_PARTY = 99_999
ABSENT_BLOB = "0" * 64
REASON = "依法提出"


@dataclass
class Scene:
    api: Api
    prober: str
    agent: str
    party: int  # the prober's verified party
    second: int  # another verified party of the prober's
    unverified: int  # the prober's party awaiting verification
    own_file: str
    draft: int
    number: str  # the prober's registration (pledged)
    pledge: str
    free: str  # the prober's other registration (no pledge: transfers and cancellations)
    victim_number: str  # a registration the prober does not hold
    publicised: int  # an application under publicity (objections are open)
    secrets: tuple[str, ...]  # what must never show

    def act(self, action: str, number: str | None = None, **payload: Any) -> Any:
        return self.api.reg_act(self.prober, number or self.number, action, **payload)


def _scene(api: Api) -> tuple[Scene, int, str]:
    """The prober's world, and the victim's natural person and secret file."""
    api.at("2026-09-28 10:00")
    examiner = api.user("examiner")
    victim = api.user("applicant")
    number = make_resident_id("520103", "19900202", 118)
    vp = api.party(
        victim, kind="natural_person", name="钱多多", id_number=number, verify_by=examiner
    )
    vc = api.party(victim, name="机密数据科技有限公司", verify_by=examiner)
    secret = api.upload(victim, SECRET, "客户名单.csv")
    api.upload(victim, b"%PDF secret licence", "授权协议-机密.pdf")
    prober = api.user("applicant")
    party = api.party(prober, verify_by=examiner)
    w = World(api, examiner, prober, party)
    vw = World(api, examiner, victim, vc)
    mine = w.publicised(name="探测者的交通数据集")
    unpledged = w.publicised(
        name="探测者的停车数据集",
        evidence={**complete_form(sample=secret)["evidence"], "hash_value": "cd" * 32},
    )
    theirs = vw.publicised(form=complete_form("机密客户画像数据集", sample=secret))
    api.at("2026-10-13 09:00")
    reg = api.ok(examiner, mine, "approve")["registration"]["registration_number"]
    free = api.ok(examiner, unpledged, "approve")["registration"]["registration_number"]
    victim_reg = api.ok(examiner, theirs, "approve")["registration"]["registration_number"]
    pledged = api.reg_ok(
        prober,
        reg,
        "file_pledge",
        contract_date="2026-10-12",
        pledgee={"name": "贵阳质权银行", "credit_code": make_uscc(9001)},
        secured_amount_fen=1_000_000,
    )
    pledge = next(f["number"] for f in pledged["filings"] if f["kind"] == "pledge")
    # an application under publicity now (objections open)
    evidence = {**complete_form(sample=secret)["evidence"], "hash_value": "ef" * 32}
    pub = vw.publicised(name="公示中的机密数据集", evidence=evidence)
    scene = Scene(
        api=api,
        prober=prober,
        agent=api.user("agent"),
        party=party,
        second=api.party(prober, verify_by=examiner),
        unverified=api.party(prober),
        own_file=api.upload(prober, b"my own evidence", "mine.pdf"),
        draft=api.draft(prober, party, name="探测者的草稿数据集")["id"],
        number=reg,
        pledge=pledge,
        free=free,
        victim_number=victim_reg,
        publicised=pub,
        secrets=(
            "钱多多",
            "钱**",
            number,
            number[:6] + "*" * 8 + number[-4:],
            # (the victim's company is the applicant of its publicised filings: public)
            "客户名单",
            "授权协议-机密",
        ),
    )
    return scene, vp, secret


Probe = Callable[[Scene, Any], Any]
APPS = "/api/v1/applications"


def _create(s: Scene, **body: Any) -> Any:
    return s.api.c.post(APPS, headers=s.api.h(s.prober), json=body)


def _patch(s: Scene, **body: Any) -> Any:
    return s.api.c.patch(f"{APPS}/{s.draft}", headers=s.api.h(s.prober), json=body)


def _joint(s: Scene, ref: int) -> list[dict[str, Any]]:
    return [
        {"party_id": s.party, "share_bp": 5000, "rights_bounds": "采集"},
        {"party_id": ref, "share_bp": 5000, "rights_bounds": "加工"},
    ]


def _form(s: Scene, **over: Any) -> dict[str, Any]:
    return complete_form("探测用交通数据集", sample=s.own_file, **over)


def _objection(s: Scene, party: int, files: list[str]) -> Any:
    return s.api.act(
        s.prober,
        s.publicised,
        "file_objection",
        objector_party_id=party,
        statement="该数据集侵犯本人权益",
        evidence_blobs=files,
    )


PARTY_PROBES: dict[str, Probe] = {
    "create: co-applicant": lambda s, p: _create(s, form=_form(s), applicants=_joint(s, p)),
    "create: lead applicant": lambda s, p: _create(s, form=_form(s), applicants=[{"party_id": p}]),
    "patch: co-applicant": lambda s, p: _patch(s, applicants=_joint(s, p)),
    "read the party": lambda s, p: s.api.c.get(f"/api/v1/parties/{p}", headers=s.api.h(s.prober)),
    "ask for its verification": lambda s, p: s.api.c.post(
        f"/api/v1/parties/{p}/verification",
        headers=s.api.h(s.prober),
        json={"method": "id_document", "evidence_blob": s.own_file},
    ),
    "object under its name": lambda s, p: _objection(s, p, [s.own_file]),
    "transfer to it": lambda s, p: s.act("request_transfer", s.free, transferees=[{"party_id": p}]),
    "rename it as a holder": lambda s, p: s.act(
        "request_change", subject=[{"party_id": p, "name": "新名称"}], reason=REASON
    ),
    "cancel as its new right holder": lambda s, p: s.act(
        "request_cancellation",
        s.victim_number,
        party_id=p,
        reason=REASON,
        instrument=s.own_file,
    ),
    "ask revocation under its name": lambda s, p: s.act(
        "request_revocation",
        s.victim_number,
        party_id=p,
        statement="不符合登记条件",
        evidence_blobs=[s.own_file],
    ),
}

BLOB_PROBES: dict[str, Probe] = {
    "create: sample": lambda s, b: _create(
        s, form=complete_form(sample=b), applicants=[{"party_id": s.party}]
    ),
    "create: source proof": lambda s, b: _create(
        s, form=_form(s, source_proof_blobs=[b]), applicants=[{"party_id": s.party}]
    ),
    "create: sample proof": lambda s, b: _create(
        s,
        form=_form(s, evidence={**_form(s)["evidence"], "sample_proof_blob": b}),
        applicants=[{"party_id": s.party}],
    ),
    "patch: sample": lambda s, b: _patch(s, form=complete_form(sample=b)),
    "verification evidence": lambda s, b: s.api.c.post(
        f"/api/v1/parties/{s.unverified}/verification",
        headers=s.api.h(s.prober),
        json={"method": "id_document", "evidence_blob": b},
    ),
    "power of attorney": lambda s, b: s.api.c.post(
        "/api/v1/authorisations",
        headers=s.api.h(s.agent),
        json={"id_number": s.api.numbers[s.party], "poa_blob": b},
    ),
    "objection evidence": lambda s, b: _objection(s, s.party, [b]),
    "change: sample": lambda s, b: s.act(
        "request_change", changes={"sample_blobs": [b]}, reason=REASON
    ),
    "licence contract": lambda s, b: s.act(
        "file_licence",
        contract_date="2026-10-12",
        licence_type="non_exclusive",
        licensee={"name": "某应用公司", "credit_code": make_uscc(9002)},
        scope="分析",
        territory="贵州省",
        term_end="2027-10-11",
        fee_fen=0,
        contract_blob=b,
    ),
    "transfer instrument": lambda s, b: s.act(
        "request_transfer",
        s.free,
        transferees=[{"party_id": s.second}],
        basis="court",
        instrument=b,
    ),
    "cancellation instrument": lambda s, b: s.act(
        "request_cancellation", s.free, reason=REASON, instrument=b
    ),
    "pledgee's consent": lambda s, b: s.act(
        "record_pledgee_consent", filing_number=s.pledge, for_action="abandon", instrument=b
    ),
    "pledge release instrument": lambda s, b: s.act(
        "release_pledge", filing_number=s.pledge, reason=REASON, instrument=b
    ),
    "revocation evidence": lambda s, b: s.act(
        "request_revocation",
        s.victim_number,
        party_id=s.party,
        statement="不符合登记条件",
        evidence_blobs=[b],
    ),
    "download": lambda s, b: s.api.c.get(f"/api/v1/blobs/{b}", headers=s.api.h(s.prober)),
}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def _portal(s: Scene) -> str:
    c = s.api.c
    token = _csrf(c.get("/login").text)
    r = c.post(
        "/login",
        data={"csrf_token": token, "username": s.prober, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return _csrf(c.get("/portal").text)


def _page_fields(token: str, party: int, **over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "csrf_token": token,
        "applicant_party_0": str(party),
        "applicant_share_0": "100",
        "name": "探测用交通数据集",
        "op": "save",
    }
    return fields | over


PAGE_PROBES: dict[str, Callable[[Scene, str, Any], Any]] = {
    "form: a kept sample": lambda s, t, b: s.api.c.post(
        "/applications/new", data=_page_fields(t, s.party, sample_blobs=b)
    ),
    "form: a kept source proof": lambda s, t, b: s.api.c.post(
        "/applications/new", data=_page_fields(t, s.party, source_proof_blobs=b)
    ),
    "form: a co-applicant's id": lambda s, t, p: s.api.c.post(
        "/applications/new",
        data=_page_fields(
            t, s.party, applicant_share_0="50", applicant_party_1=str(p), applicant_share_1="50"
        ),
    ),
    "objection: evidence": lambda s, t, b: s.api.c.post(
        f"/publicity/{s.publicised}",
        data={
            "csrf_token": t,
            "objector_party_id": str(s.party),
            "statement": "该数据集侵犯本人权益",
            "evidence_blobs": b,
        },
    ),
}


PAGE_REFUSALS = {
    "form: a kept sample": "文件不存在或不是您上传的",
    "form: a kept source proof": "文件不存在或不是您上传的",
    "form: a co-applicant's id": "请填写有效的统一社会信用代码或居民身份证号码",
    "objection: evidence": "文件不存在或不是您上传的",
}


def _answer(r: Any) -> tuple[int, str]:
    if r.headers["content-type"].startswith("application/problem+json"):
        return r.status_code, r.json()["code"]
    return r.status_code, ""


def _learns_nothing(s: Scene, name: str, theirs: Any, absent: Any) -> None:
    for r in (theirs, absent):
        leaked = [x for x in s.secrets if x in r.text]
        assert not leaked, (name, leaked, r.text[:800])
        assert r.status_code >= 400, (name, r.status_code, r.text[:800])
    assert _answer(theirs) == _answer(absent), (name, theirs.text[:500], absent.text[:500])
    if _answer(theirs)[1]:
        assert theirs.json()["message_en"] == absent.json()["message_en"], name


def test_i18_probe_an_unrelated_user_learns_nothing_of_others_parties_or_files(api: Api) -> None:
    s, victim_party, victim_file = _scene(api)
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    token = _portal(s)
    before = snapshot(registry)
    for name, probe in PARTY_PROBES.items():
        _learns_nothing(s, name, probe(s, victim_party), probe(s, ABSENT_PARTY))
    for name, probe in BLOB_PROBES.items():
        _learns_nothing(s, name, probe(s, victim_file), probe(s, ABSENT_BLOB))
    for name, page in PAGE_PROBES.items():
        ref: Any = victim_party if "co-applicant" in name else victim_file
        absent: Any = ABSENT_PARTY if "co-applicant" in name else ABSENT_BLOB
        theirs = page(s, token, ref)
        _learns_nothing(s, name, theirs, page(s, token, absent))
        # refused for the reference itself (a page names a joint applicant by number only)
        assert PAGE_REFUSALS[name] in theirs.text, (name, theirs.text[-3000:])
    assert changed_tables(before, snapshot(registry)) == {}
    # Uploading the very same bytes makes them the prober's own file — under its own name,
    # with nothing of the victim's upload (name, time) shown.
    r = api.c.post(
        "/api/v1/blobs", headers=api.h(s.prober), files={"file": ("x.csv", SECRET, "text/csv")}
    )
    assert r.status_code == 201 and r.json()["filename"] == "x.csv"
    assert not [x for x in s.secrets if x in r.text]
    problem(
        api.c.get(f"/api/v1/parties/{victim_party}", headers=api.h(s.prober)),
        404,
        "party_not_found",
    )


def test_i18_the_probe_covers_every_route_that_takes_a_party_or_a_file() -> None:
    """A new request field naming a party or a file must join the probe: every field of the
    request schemas that is a sha256 or a party id is listed here, and probed above."""
    from dataip.schemas import application_form
    from dataip.web.api import application_schemas, parties, registration_schemas

    named = set()
    for module in (application_form, application_schemas, registration_schemas, parties):
        for obj in vars(module).values():
            fields = getattr(obj, "model_fields", None)
            if not fields or getattr(obj, "__module__", "") != module.__name__:
                continue
            if obj.__name__.endswith("Read"):  # responses, not requests
                continue
            for field, info in fields.items():
                typed = repr(info.annotation) + repr(info.metadata) + repr(info)
                if field.endswith("party_id") or "0-9a-f]{64}" in typed:
                    named.add(f"{obj.__name__}.{field}")
    assert named == {
        "ActionIn.evidence_blobs",  # objection evidence
        "ActionIn.objector_party_id",  # objection under a name
        "ApplicationForm.sample_blobs",
        "ApplicationForm.source_proof_blobs",
        "Evidence.sample_proof_blob",
        "PartyNamed.party_id",  # co-applicants (create, patch)
        "ApplicantIn.party_id",
        "TransfereeIn.party_id",  # transfer
        "SubjectChangeIn.party_id",  # rename a holder
        "RegistrationActionIn.party_id",  # cancellation, revocation
        "RegistrationActionIn.instrument",  # transfer, cancellation, pledge consent, release
        "RegistrationActionIn.contract_blob",  # licence
        "RegistrationActionIn.evidence_blobs",  # revocation
        "VerificationCreate.evidence_blob",
        "AuthorisationCreate.party_id",  # power of attorney: test_i18_power_of_attorney_...
        "AuthorisationCreate.poa_blob",
    }, sorted(named)


def test_i18_power_of_attorney_naming_someone_elses_party_shows_nothing_of_it(api: Api) -> None:
    """An agent names its principal by the credit code or ID number the principal gives it
    (G§5, issue 18): that a verified party of that number exists is all the filing tells;
    its private id names nothing. Nothing of the party is shown, and the agent acts for it
    only once an examiner has accepted the power of attorney."""
    examiner = api.user("examiner")
    victim = api.user("applicant")
    vp = api.party(victim, kind="natural_person", name="钱多多", verify_by=examiner)
    agent = api.user("agent")
    poa = api.upload(agent, b"power of attorney", "poa.pdf")
    r = api.c.post(
        "/api/v1/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[vp], "poa_blob": poa},
    )
    assert r.status_code == 201
    assert set(r.json()) == {"id", "party_id", "agent_user_id", "status", "created_at", "note"}
    assert "钱" not in r.text and api.numbers[vp][-4:] not in r.text
    # its private id names nothing: the same answer as a party that does not exist
    for pid in (vp, 99_999):
        by_id = {"party_id": pid, "poa_blob": poa}
        r = api.c.post("/api/v1/authorisations", headers=api.h(agent), json=by_id)
        problem(r, 422, "party_not_found")
    problem(api.c.get(f"/api/v1/parties/{vp}", headers=api.h(agent)), 404, "party_not_found")
    form = complete_form(sample=api.upload(agent))
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(agent),
        json={"form": form, "applicants": [{"party_id": vp}]},
    )
    problem(r, 403, "not_authorised_for_party")
