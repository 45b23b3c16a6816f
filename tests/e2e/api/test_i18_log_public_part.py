"""Issue 18 §1: personal data never reaches the public log — free text included.

A leaf's public part holds only what its event type declares (`domain.public_record`), of
closed kinds; every free-text field enters a leaf only as a salted commitment; the screening
detectors read the public part before a leaf is written, and `dataip log audit` reads every
stored one. A decision's text that must be public is announced, masked, never logged.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dataip
from dataip.bootstrap import Registry
from dataip.domain.after_registration import ACTIONS
from dataip.domain.lifecycle import TRANSITIONS
from dataip.domain.public_record import EVENT_SCHEMAS, check_public
from dataip.services import ledger, public_screening, reference, scheduler
from dataip.services.property_authority import forwarding
from dataip.services.property_authority.adapters import HttpAuthority
from tests.support import demo_world
from tests.support.api import Api, complete_form, make_uscc, problem
from tests.support.db import changed_tables, snapshot
from tests.support.property_authority import authority

# What an examiner or a filer may type into any free-text field (the example).
NAME = "钱多多"
RESIDENT_ID = "520103199002021188"
PHONE = "13985012345"
EMAIL = "qianduoduo@example.com"
MARK = "所述理由不成立"  # in every planted text: any free text that leaks carries it
PERSONAL = (NAME, RESIDENT_ID, PHONE, EMAIL, MARK)


def pii(what: str) -> str:
    return f"{what}：请求人{NAME}（身份证{RESIDENT_ID}，电话{PHONE}，邮箱{EMAIL}）{MARK}"


# --------------------------------------------------------------------------------------------
# every event type the code can record, from the code itself
# --------------------------------------------------------------------------------------------


def _strings(node: ast.expr) -> set[str] | None:
    """The string constants an expression can be (a constant, or a conditional of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body), _strings(node.orelse)
        return None if a is None or b is None else a | b
    return None


def event_types_in_code() -> set[str]:
    """The transition tables' events and every `type=` of a `record_event` call in the
    package. A call whose type is neither a string (or a choice of strings) nor a table
    row's `.event` fails here: declare it so the walk can cover it."""
    types = {t.event for t in TRANSITIONS} | {a.event for a in ACTIONS}
    root = Path(dataip.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "Event" and isinstance(func, ast.Attribute):
                # the model's Event (m.Event), not threading.Event
                name = "Event" if getattr(func.value, "id", "") == "m" else ""
            if name not in ("record_event", "Event"):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            where = f"{path.relative_to(root)}:{node.lineno}"
            if name == "Event":  # only recording.record_event builds events
                assert path.name == "recording.py", f"an event built outside record_event: {where}"
                continue
            found = _strings(kw["type"])
            if found is None:
                value = kw["type"]
                assert isinstance(value, ast.Attribute) and value.attr == "event", (
                    f"record_event with a type the test cannot read: {where}"
                )
            else:
                types |= found
    return types


def test_i18_every_event_type_in_the_code_has_a_declared_public_schema() -> None:
    in_code = event_types_in_code()
    assert len(in_code) >= 50
    assert in_code == set(EVENT_SCHEMAS), {
        "recorded but undeclared": sorted(in_code - set(EVENT_SCHEMAS)),
        "declared but never recorded": sorted(set(EVENT_SCHEMAS) - in_code),
    }


# --------------------------------------------------------------------------------------------
# the regression from the issue
# --------------------------------------------------------------------------------------------


class Log:
    """The leaves each step adds, read as anyone reads them: GET /api/v1/log/entries/{i}."""

    def __init__(self, api: Api, registry: Registry) -> None:
        self.api, self.registry, self.size = api, registry, 0

    def new(self) -> list[tuple[dict[str, Any], str]]:
        """(decoded leaf, the whole response text) of every leaf since the last call."""
        report = ledger.integrate(self.registry.env, self.registry.log_keys)
        out = []
        for i in range(self.size, report.size_after):
            r = self.api.c.get(f"/api/v1/log/entries/{i}")
            assert r.status_code == 200, r.text
            out.append((r.json()["leaf"], r.text))
        self.size = report.size_after
        return out


def _registered(api: Api, examiner: str, holder: str, party: int, n: int) -> str:
    aid = api.draft(
        holder,
        party,
        name=f"城市交通拥堵预测{'一二三四五六七八'[n]}号数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZ-{n:03d}",
            "hash_value": f"{n:02x}" * 32,
            "evidenced_on": "2026-09-01",
        },
    )["id"]
    api.ok(holder, aid, "submit")
    api.ok(examiner, aid, "accept")
    api.ok(examiner, aid, "publicise")
    return str(aid)


def _approve(api: Api, examiner: str, aid: str) -> str:
    return str(api.ok(examiner, int(aid), "approve")["registration"]["registration_number"])


def _requester(api: Api, examiner: str) -> tuple[str, int, str]:
    """钱多多, a natural person, verified; with an evidence upload."""
    who = api.user("applicant")
    pid = api.party(
        who, kind="natural_person", name=NAME, id_number=RESIDENT_ID, verify_by=examiner
    )
    return who, pid, api.upload(who, b"evidence", "evidence.pdf")


def test_i18_refused_revocation_reason_never_reaches_the_log(api: Api, registry: Registry) -> None:
    """The issue's reproduction: an examiner refuses a revocation request with a reason naming
    the requester, her ID number and phone; no log entry shows any of it."""
    examiner, holder = api.user("examiner"), api.user("applicant")
    party = api.party(holder, verify_by=examiner)
    api.at("2026-09-28 10:00")
    aid = _registered(api, examiner, holder, party, 0)
    api.at("2026-10-13 09:00")
    number = _approve(api, examiner, aid)
    log = Log(api, registry)
    log.new()
    who, pid, ev = _requester(api, examiner)
    d = api.reg_ok(
        who,
        number,
        "request_revocation",
        statement=pii("撤销申请"),
        evidence_blobs=[ev],
        party_id=pid,
    )
    rid = d["requests"][-1]["id"]
    reason = f"请求人{NAME}（身份证{RESIDENT_ID}，电话{PHONE}）{MARK}"
    d = api.reg_ok(
        examiner, number, "decide_request", request_id=rid, outcome="refuse", reason=reason
    )
    assert d["state"] == "valid"
    leaves = log.new()
    decided = [leaf for leaf, _ in leaves if leaf["type"] == "RequestDecided"]
    assert len(decided) == 1
    assert decided[0]["public"] == {
        "registration_number": number,
        "state": "valid",
        "request_id": rid,
        "request_kind": "revocation",
        "outcome": "refuse",
        "re_examination_due": decided[0]["public"]["re_examination_due"],
    }
    assert "reason" in decided[0]["commitments"]  # the text is committed to, not published
    for leaf, text in leaves:
        for token in (RESIDENT_ID, PHONE, NAME, reason, MARK):
            assert token not in text and token not in json.dumps(leaf, ensure_ascii=False)
    # the requester and the holder still read the reason in their decision notices
    notices = api.c.get("/api/v1/inbox", headers=api.h(who)).json()
    assert any(n["body"].get("reason") == reason for n in notices)


def test_i18_revocation_decision_is_announced_masked_and_logged_without_its_text(
    api: Api, registry: Registry
) -> None:
    """G§20: a revocation is announced with its reason — masked (the registry's masking of
    names and identifiers), on the announcement's API and page; the log commits to it."""
    examiner, holder = api.user("examiner"), api.user("applicant")
    party = api.party(holder, verify_by=examiner)
    api.at("2026-09-28 10:00")
    aid = _registered(api, examiner, holder, party, 1)
    api.at("2026-10-13 09:00")
    number = _approve(api, examiner, aid)
    log = Log(api, registry)
    log.new()
    who, pid, ev = _requester(api, examiner)
    rid = api.reg_ok(
        who,
        number,
        "request_revocation",
        statement=pii("撤销申请"),
        evidence_blobs=[ev],
        party_id=pid,
    )["requests"][-1]["id"]
    reason = f"经审查，请求人{NAME}（身份证{RESIDENT_ID}，电话{PHONE}，邮箱{EMAIL}）提交的证据属实"
    d = api.reg_ok(
        examiner, number, "decide_request", request_id=rid, outcome="approve", reason=reason
    )
    assert d["state"] == "revoked"
    for leaf, text in log.new():
        for token in (*PERSONAL[:4], "证据属实"):
            assert token not in text, (leaf["type"], token)
    items = api.c.get("/api/v1/announcements", params={"registration_number": number}).json()
    revocation = next(a for a in items["items"] if a["kind"] == "revocation")
    shown = api.c.get(f"/api/v1/announcements/{revocation['number']}")
    page = api.c.get(f"/announcements/{revocation['number']}")
    assert shown.status_code == 200 and page.status_code == 200
    assert revocation["body"]["reason"] == (
        "经审查，请求人钱**（身份证520103********1188，电话139****2345，"
        "邮箱q***@example.com）提交的证据属实"
    )
    for text in (shown.text, page.text):
        assert "520103********1188" in text and "139****2345" in text
        for token in (NAME, RESIDENT_ID, PHONE, EMAIL):
            assert token not in text


# --------------------------------------------------------------------------------------------
# the walk: every event type, driven with personal data in every free-text field
# --------------------------------------------------------------------------------------------


def _form(api: Api, who: str, n: int) -> dict[str, Any]:
    """A complete form whose free-text items all carry personal data."""
    return complete_form(
        f"城市交通拥堵预测{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥'[n]}数据集",
        sample=api.upload(who, f"a,b\n{n},2\n".encode(), f"s{n}.csv"),
        practical_values={"values": ["dispatch_decision"], "description": pii("实用价值")},
        intellectual_achievement=pii("智力成果"),
        processing_rules=pii("处理规则"),
        scope={"coverage": pii("覆盖范围"), "records": 1000, "bytes": 1 << 20},
        update={"frequency": "daily", "term": pii("更新期限")},
        other_notes=pii("其他说明"),
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZ-{n:03d}",
            "hash_value": f"{n + 16:02x}" * 32,
            "evidenced_on": "2026-09-01",
        },
    )


class Walk:
    """Drives one of every event the code records, over HTTP (and `tick` as the scheduler
    runs it), planting personal data in every free-text field on the way."""

    def __init__(self, api: Api, registry: Registry) -> None:
        self.api, self.registry = api, registry
        self.n = 0

    def app(self, who: str, party: int, **kw: Any) -> int:
        self.n += 1
        return int(self.api.draft(who, party, form=_form(self.api, who, self.n), **kw)["id"])

    def run(self) -> None:
        api = self.api
        api.at("2026-09-28 10:00")
        admin, examiner = api.user("registrar_admin"), api.user("examiner")
        holder, other, agent = api.user("applicant"), api.user("applicant"), api.user("agent")
        self.examiner = examiner
        # an organisation's name is public (G§14: the applicant); a person's is not
        hp = api.party(holder, verify_by=examiner)
        op = api.party(other, verify_by=examiner)
        # a natural person: created, verification requested and approved with a note
        person = api.user("applicant")
        qp = self.natural_person(person, note=pii("核验意见"))
        # a verification rejected with a note
        rejected = self.natural_person(api.user("applicant"), approve=False, note=pii("驳回"))
        assert rejected
        # powers of attorney, accepted and rejected with notes
        for approve in (True, False):
            poa = api.upload(agent, b"poa", "poa.pdf")
            r = api.c.post(
                "/api/v1/authorisations",
                headers=api.h(agent),
                json={"id_number": api.numbers[hp], "poa_blob": poa},
            )
            assert r.status_code == 201, r.text
            r = api.c.post(
                f"/api/v1/authorisations/{r.json()['id']}/decision",
                headers=api.h(examiner),
                json={"approve": approve, "note": pii("委托审查")},
            )
            assert r.status_code == 200, r.text
        # evidence with a title
        r = api.c.post(
            "/api/v1/evidence",
            headers=api.h(holder),
            json={"root": "cd" * 32, "title": pii("存证")},
        )
        assert r.status_code == 201, r.text
        # reference tables
        r = api.c.put(
            "/api/v1/calendar/overrides/2026-12-31",
            headers=api.h(admin),
            json={"is_working_day": True, "note": pii("调休")[:200]},
        )
        assert r.status_code == 204, r.text
        r = api.c.put(
            "/api/v1/industries",
            headers=api.h(admin),
            params={"edition": reference.DEFAULT_EDITION},
            files={"file": ("i.csv", reference.shipped_industry_csv().encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text

        # drafts: a joint one, consented, then edited (the consent lapses)
        joint = api.draft(
            holder,
            hp,
            form=_form(api, holder, 0),
            applicants=[
                {"party_id": hp, "share_bp": 6000, "rights_bounds": pii("权利边界")},
                {"id_number": api.numbers[op], "share_bp": 4000, "rights_bounds": pii("权利边界")},
            ],
        )
        r = api.c.post(
            f"/api/v1/applications/{joint['id']}/consent",
            headers={**api.h(other), "If-Match": f'"{joint["version"]}"'},
        )
        assert r.status_code == 200, r.text
        form = _form(api, holder, 0) | {"other_notes": pii("修改")}
        r = api.c.patch(
            f"/api/v1/applications/{joint['id']}", headers=api.h(holder), json={"form": form}
        )
        assert r.status_code == 200, r.text

        # the procedure: refused, withdrawn, corrected then deemed withdrawn, objected to
        refused = self.app(holder, hp)
        api.ok(holder, refused, "submit")
        api.ok(examiner, refused, "refuse", grounds=[6], reason=pii("不予登记"))
        withdrawn = self.app(holder, hp)
        api.ok(holder, withdrawn, "submit")
        api.ok(holder, withdrawn, "withdraw", reason=pii("撤回"))
        corrected = self.app(holder, hp)
        api.ok(holder, corrected, "submit")
        api.ok(examiner, corrected, "accept")
        api.ok(
            examiner,
            corrected,
            "request_correction",
            defects=[pii("补正一"), {"zh": pii("补正二")}],
        )
        api.ok(holder, corrected, "submit_correction", note=pii("补正说明"))
        api.ok(examiner, corrected, "request_correction", defects=[pii("再补正")])
        objected = self.app(holder, hp)
        api.ok(holder, objected, "submit")
        api.ok(examiner, objected, "accept")
        api.ok(examiner, objected, "publicise")
        ev = api.upload(person, b"objection evidence", "objection.pdf")
        api.ok(
            person,
            objected,
            "file_objection",
            objector_party_id=qp,
            statement=pii("异议"),
            evidence_blobs=[ev],
        )
        api.ok(examiner, objected, "notify_objection")
        api.ok(holder, objected, "answer_objection", statement=pii("答复"))
        api.ok(examiner, objected, "decide_objection", outcome="unresolved", reason=pii("异议处理"))
        api.ok(
            examiner,
            objected,
            "record_judgment",
            outcome="keep",
            instrument=pii("（2026）黔01民初123号判决书"),
            reason=pii("判决"),
        )
        # five registrations
        regs = []
        for _ in range(5):
            aid = self.app(holder, hp)
            api.ok(holder, aid, "submit")
            api.ok(examiner, aid, "accept")
            api.ok(examiner, aid, "publicise")
            regs.append(aid)
        api.at("2026-10-13 09:00")
        # the last one announced a week later (G§16): `tick` publishes it on its date
        r1, r2, r3, r4, r5 = [
            str(
                api.ok(
                    examiner, a, "approve", **({"announcement_date": "2026-10-20"} if i else {})
                )["registration"]["registration_number"]
            )
            for i, a in zip([0, 0, 0, 0, 1], regs, strict=True)
        ]
        scheduler.tick(env=self.registry.env)  # the unanswered correction: deemed withdrawn
        self.after_registration(holder, other, op, person, qp, r1, r2, r3, r4)
        self.procedural_requests(holder, hp)
        # a deadline in a year whose holidays are not yet published, recomputed when they are
        api.at("2026-12-28 10:00")
        late = self.app(holder, hp)
        api.ok(holder, late, "submit")
        api.ok(examiner, late, "accept")
        api.ok(examiner, late, "request_correction", defects=[pii("年末补正")])
        r = api.c.put(
            "/api/v1/calendar/years/2027",
            headers=api.h(admin),
            json={
                "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
                "makeup_workdays": ["2027-01-10"],
                "source": pii("国办发明电")[:200],
            },
        )
        assert r.status_code == 200 and r.json()["recomputed"] >= 1, r.text
        # two years on: the renewal reminder, the renewal, and the registry's cancellation
        api.at("2028-09-13 09:00")
        scheduler.tick(env=self.registry.env)
        api.reg_ok(holder, r5, "renew")
        api.reg_ok(examiner, r5, "cancel", ground="evident_defect", reason=pii("注销"))

    def procedural_requests(self, holder: str, hp: int) -> None:
        """Fast track asked for, granted, refused and granted on the registry's own motion;
        correction periods extended and not; reinstatement granted and refused (R8, G§12)."""
        api, examiner = self.api, self.examiner
        api.at("2026-11-16 10:00")
        ev = api.upload(holder, b"loan letter", "loan.pdf")
        apps = []
        for _ in range(6):
            aid = self.app(holder, hp)
            api.ok(holder, aid, "submit")
            apps.append(aid)
        fast, slow, own, extended, refused, unexcused = apps
        for aid in (fast, slow):
            api.ok(
                holder,
                aid,
                "request_fast_track",
                ground="pledge_financing",
                statement=pii("质押融资"),
                evidence_blobs=[ev],
            )
        api.ok(examiner, fast, "grant_fast_track", note=pii("准予"))
        api.ok(
            examiner, slow, "refuse_fast_track", reason_code="no_priority_needed", note=pii("驳回")
        )
        api.ok(examiner, own, "grant_fast_track", ground="major_project", note=pii("依职权"))
        for aid in (extended, refused, unexcused):
            api.ok(examiner, aid, "accept")
            api.ok(examiner, aid, "request_correction", defects=[pii("补正")])
            api.ok(
                holder,
                aid,
                "request_extension",
                ground="third_party_delay",
                statement=pii("延期"),
                evidence_blobs=[ev],
            )
        api.ok(examiner, extended, "grant_extension", due_on="2026-12-04", note=pii("延期至"))
        api.ok(
            examiner, refused, "refuse_extension", reason_code="not_a_good_reason", note=pii("x")
        )
        api.ok(examiner, unexcused, "refuse_extension", reason_code="evidence_insufficient")
        api.at("2026-12-07 10:00")
        scheduler.tick(env=self.registry.env)  # all three deemed withdrawn
        for aid in (extended, refused):
            api.ok(
                holder,
                aid,
                "request_reinstatement",
                ground="force_majeure",
                statement=pii("恢复"),
                evidence_blobs=[ev],
            )
        api.ok(examiner, extended, "reinstate", note=pii("恢复理由成立"))
        api.ok(
            examiner,
            refused,
            "refuse_reinstatement",
            reason_code="not_a_good_reason",
            note=pii("y"),
        )

    def natural_person(self, who: str, *, note: str, approve: bool = True) -> int:
        api = self.api
        r = api.c.post(
            "/api/v1/parties",
            headers=api.h(who),
            json={
                "kind": "natural_person",
                "name": NAME,
                "id_number": RESIDENT_ID,
                "address": pii("贵州省贵阳市云岩区中华北路1号"),
            },
        )
        assert r.status_code == 201, r.text
        pid = int(r.json()["id"])
        ev = api.upload(who, b"id card scan", "id.pdf")
        r = api.c.post(
            f"/api/v1/parties/{pid}/verification",
            headers=api.h(who),
            json={"method": "id_document", "evidence_blob": ev},
        )
        assert r.status_code == 200, r.text
        r = api.c.post(
            f"/api/v1/parties/{pid}/verification/decision",
            headers=api.h(self.examiner),
            json={"approve": approve, "note": note},
        )
        assert r.status_code == 200, r.text
        return pid

    def after_registration(
        self, holder: str, other: str, op: int, person: str, qp: int, *numbers: str
    ) -> None:
        api, examiner = self.api, self.examiner
        r1, r2, r3, r4 = numbers
        api.at("2026-10-14 10:00")
        person_counterparty = {"kind": "natural_person", "name": NAME}
        api.reg_ok(
            holder,
            r1,
            "file_licence",
            contract_date="2026-10-13",
            licence_type="non_exclusive",
            licensee=person_counterparty,
            scope=pii("许可范围"),
            territory=pii("地域"),
            term_end="2028-06-30",
            fee_fen=1_200_000,
        )
        filing = api.reg_ok(
            holder,
            r1,
            "file_pledge",
            contract_date="2026-10-13",
            pledgee={"name": pii("质权人")[:200], "credit_code": make_uscc(902)},
            secured_amount_fen=500_000_000,
        )
        pledge = next(f for f in filing["filings"] if f["kind"] == "pledge")["number"]
        api.reg_ok(
            holder,
            r1,
            "file_trade",
            contract_date="2026-10-13",
            counterparty=person_counterparty,
            price_fen=30_000_000,
            right="usage",
        )
        _derivation(api, examiner, holder, r1, r2)  # issue 23 §1–§2
        _one_window(api, self.registry, other, op, self.n + 1)  # issue 24 §1–§2
        self.n += 1
        consent = api.upload(holder, b"pledgee consent", "consent.pdf")
        api.reg_ok(
            holder,
            r1,
            "record_pledgee_consent",
            filing_number=pledge,
            for_action="transfer",
            instrument=consent,
        )
        api.reg_ok(holder, r1, "release_pledge", filing_number=pledge, reason=pii("解除质押"))
        api.reg_ok(holder, r1, "publish_sample", choice="none")
        # issue 22 §1: data quality assessed with a typed declaration, published, withdrawn
        quality = f"/api/v1/registrations/{r1}/quality"
        r = api.c.post(quality, headers=api.h(holder), json={"standards": [pii("标准")]})
        assert r.status_code == 201, r.text
        for step in ("publish", "unpublish"):
            r = api.c.post(f"{quality}/{step}", headers=api.h(holder))
            assert r.status_code == 200, r.text
        holder_party = api.reg(holder, r1).json()["holders"][0]["party_id"]
        d = api.reg_ok(
            holder,
            r1,
            "request_change",
            changes={"processing_rules": pii("变更规则")},
            subject=[{"party_id": holder_party, "name": "贵阳新数据科技有限公司"}],
            reason=pii("变更"),
        )
        api.reg_ok(
            examiner,
            r1,
            "decide_request",
            request_id=d["requests"][-1]["id"],
            outcome="approve",
            reason=pii("准予变更"),
        )
        d = api.reg_ok(
            holder,
            r1,
            "request_transfer",
            transferees=[{"id_number": api.numbers[op], "share_bp": 10_000}],
            reason=pii("转让"),
        )
        rid = d["requests"][-1]["id"]
        api.reg_ok(other, r1, "confirm_transfer", request_id=rid)
        api.reg_ok(
            examiner,
            r1,
            "decide_request",
            request_id=rid,
            outcome="approve",
            reason=pii("准予转让"),
        )
        # revocation asked for, withdrawn; asked again, refused; re-examined, overturned
        ev = api.upload(person, b"revocation evidence", "revocation.pdf")
        ask = {"statement": pii("撤销请求"), "evidence_blobs": [ev], "party_id": qp}
        rid = api.reg_ok(person, r1, "request_revocation", **ask)["requests"][-1]["id"]
        api.reg_ok(person, r1, "withdraw_request", request_id=rid)
        rid = api.reg_ok(person, r1, "request_revocation", **ask)["requests"][-1]["id"]
        api.reg_ok(
            examiner, r1, "decide_request", request_id=rid, outcome="refuse", reason=pii("驳回")
        )
        api.reg_ok(person, r1, "request_re_examination", reason=pii("复审请求"))
        api.reg_ok(examiner, r1, "decide_re_examination", outcome="overturn", reason=pii("复审"))
        # the holder asks to cancel; the registry approves
        rid = api.reg_ok(holder, r2, "request_cancellation", reason=pii("注销请求"))["requests"][
            -1
        ]["id"]
        api.reg_ok(
            examiner,
            r2,
            "decide_request",
            request_id=rid,
            outcome="approve",
            reason=pii("准予注销"),
        )
        # revoked ex officio
        api.reg_ok(examiner, r3, "revoke", grounds=[1, 3], reason=pii("依职权撤销"))
        # a court's preservation (issue 20 §7): the case number is public, the ruling is not
        f = api.reg_ok(
            examiner,
            r4,
            "freeze",
            case_number="（2026）黔01民初9号",
            court="贵阳市中级人民法院",
            ruling=pii("冻结裁定"),
        )["freezes"][-1]["number"]
        api.reg_ok(
            examiner,
            r4,
            "lift_freeze",
            freeze_number=f,
            case_number="（2026）黔01民初9号",
            reason=pii("解除保全"),
        )
        # a bank's pledge (issue 20 §6): proposed, declined, withdrawn, confirmed, its
        # 中登网 number recorded, enforced — the references and reasons stay commitments
        from tests.e2e.api.test_i20_bank_pledges import Bank

        bank = Bank(api)
        signed = api.reg(holder, r4).json()["registration_date"]
        proposal = {"contract_date": signed, "loan_reference": pii("贷")[:100]}
        numbers = [bank.propose(r4, **proposal).json()["number"] for _ in range(3)]
        api.reg_ok(holder, r4, "decline_pledge", proposal_number=numbers[0], reason=pii("拒绝"))
        assert bank.post(r4, f"/proposals/{numbers[1]}/withdraw").status_code == 200
        filed = api.reg_ok(holder, r4, "confirm_pledge", proposal_number=numbers[2])
        pledge = filed["filings"][-1]["number"]
        bank.post(r4, f"/{pledge}/reference", {"zdw_reference": "04093727000235578371"})
        r = bank.post(
            r4,
            f"/{pledge}/enforcement",
            {
                "method": "sale",
                "enforced_on": signed,
                "amount_realised_fen": 1,
                "reference": pii("变卖")[:100],
            },
        )
        assert r.status_code == 200, r.text
        # issue 22 §2: a value reference — the amount and inputs are commitments
        r = api.c.post(
            f"/api/v1/registrations/{r4}/valuations",
            json={
                "quality_bp": 8000,
                "cost": {
                    "items": [{"item": "other", "amount_fen": 13_985_012_345}],
                    "profit_rate_bp": 1000,
                },
            },
            headers=api.h(holder),
        )
        assert r.status_code == 201, r.text
        # published afterwards and withdrawn: numbers only, the figure a commitment
        one = f"/api/v1/registrations/{r4}/valuations/{r.json()['number']}"
        for step in ("publish", "unpublish"):
            r = api.c.post(f"{one}/{step}", headers=api.h(holder))
            assert r.status_code == 200, r.text
        # abandoned
        api.reg_ok(holder, r4, "abandon", reason=pii("放弃"))


def _derivation(api: Api, examiner: str, holder: str, r1: str, r2: str) -> None:
    """Issue 23 §1–§2: an external source named with personal data, confirmed by the
    registry; a registration declared as a source and disputed with a reason full of it; the
    licence fee distributed — names and reasons stay commitments, amounts too."""
    base = f"/api/v1/registrations/{r1}"
    ext = {"kind": "external", "name": pii("来源")[:200], "weight_bp": 2000, "stage": "collection"}
    r = api.c.post(f"{base}/sources", headers=api.h(holder), json=ext)
    assert r.status_code == 201, r.text
    r = api.c.post(f"{base}/sources/{r.json()['id']}/confirm", headers=api.h(examiner))
    assert r.status_code == 200, r.text
    up = {"kind": "registration", "number": r2, "weight_bp": 1000, "stage": "processing"}
    r = api.c.post(f"{base}/sources", headers=api.h(holder), json=up)
    assert r.status_code == 201, r.text
    r = api.c.post(
        f"{base}/sources/{r.json()['id']}/dispute",
        headers=api.h(holder),
        json={"reason": pii("异议")},
    )
    assert r.status_code == 200, r.text
    licence = next(f for f in api.reg(holder, r1).json()["filings"] if f["kind"] == "licence")
    r = api.c.post(
        f"{base}/distributions", headers=api.h(holder), json={"filing_number": licence["number"]}
    )
    assert r.status_code == 201, r.text


def _one_window(api: Api, registry: Registry, holder: str, party: int, n: int) -> None:
    """Issue 24 §1–§2: a one-window filing whose data property items are full of personal
    data, submitted together; the data property part forwarded to its authority (a real
    HTTP server) — the log gets the registers' codes and the numbers, never the text."""
    form = _form(api, holder, n)
    form["property"] = {
        "rights": ["resource_holding"],
        "data_source": pii("数据来源"),
        "legality_basis": pii("合法性依据"),
        "compliance_statement": pii("合规声明"),
        "compliance_accepted": True,
    }
    r = api.c.post(
        "/api/v1/dossiers",
        headers=api.h(holder),
        json={
            "registers": ["data_ip", "data_property"],
            "form": form,
            "applicants": [{"party_id": party}],
        },
    )
    assert r.status_code == 201, r.text
    r = api.c.post(f"/api/v1/dossiers/{r.json()['id']}/submit", headers=api.h(holder))
    assert r.status_code == 200, r.text
    env = registry.env
    saved = (dict(env.registers), env.property_authority)
    with authority() as body:
        env.registers["data_property"] = dataclasses.replace(
            env.registers["data_property"], authority="forward"
        )
        env.property_authority = HttpAuthority(body.url)
        try:
            assert forwarding.forward(env) == 1
        finally:
            env.registers, env.property_authority = saved


def _leaves(api: Api, registry: Registry) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
    ledger.integrate(registry.env, registry.log_keys)
    size = ledger.status(registry.env)["published"]
    for i in range(size):
        r = api.c.get(f"/api/v1/log/entries/{i}")
        assert r.status_code == 200, r.text
        body = r.json()
        yield i, r.content, body["leaf"]


def test_i18_every_event_type_publishes_only_its_schema_and_screens_clean(
    api: Api, registry: Registry
) -> None:
    Walk(api, registry).run()
    seen: set[str] = set()
    for i, text, leaf in _leaves(api, registry):
        seen.add(leaf["type"])
        where = f"leaf {i} ({leaf['type']})"
        assert set(leaf["public"]) <= set(EVENT_SCHEMAS[leaf["type"]]), where
        check_public(leaf["type"], leaf["public"], leaf["commitments"])
        assert public_screening.hits_in_public(leaf["type"], leaf["public"]) == [], where
        for token in PERSONAL:
            assert token.encode() not in text and token not in json.dumps(
                leaf, ensure_ascii=False
            ), (where, token)
    expected = event_types_in_code()
    assert seen == expected, {
        "never driven": sorted(expected - seen),
        "not in the code": sorted(seen - expected),
    }
    report = ledger.audit(registry.env, registry.log_keys.verifier)
    assert report.ok, report.findings
    # what is announced of the decisions' texts (and of natural persons) is masked
    for a in api.c.get("/api/v1/announcements", params={"limit": 200}).json()["items"]:
        text = json.dumps(a, ensure_ascii=False)
        for token in (NAME, RESIDENT_ID, PHONE, EMAIL):
            assert token not in text, (a["kind"], token)


# --------------------------------------------------------------------------------------------
# defence in depth: the detectors at leaf time
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edition", "status", "code"),
    [
        ("GB 13985012345", 422, public_screening.PERSONAL_DATA),  # a designation, holding a phone
        ("2017版（钱多多）", 422, "log_public_not_allowed"),  # not a designation at all
    ],
)
def test_i18_an_identifier_in_a_public_field_fails_the_action_and_changes_nothing(
    api: Api, registry: Registry, edition: str, status: int, code: str
) -> None:
    admin = api.user("registrar_admin")
    before = snapshot(registry)
    r = api.c.put(
        "/api/v1/industries",
        headers=api.h(admin),
        params={"edition": edition},
        files={"file": ("i.csv", reference.shipped_industry_csv().encode(), "text/csv")},
    )
    body = problem(r, status, code)
    assert body["details"]["event_type"] == "IndustryTableLoaded"
    assert "13985012345" not in r.text and "钱多多" not in r.text  # the error never echoes it
    assert changed_tables(before, snapshot(registry)) == {}


def test_i18_record_event_with_personal_data_in_public_commits_nothing(
    registry: Registry, env: Any
) -> None:
    """The leaf builder's contract, below any action: a public part with an undeclared field,
    or an identifier where a code belongs, fails the commit and the transaction is rolled
    back (event, leaf and whatever else it changed)."""
    from dataip.services.recording import record_event

    before = snapshot(registry)
    for public in (
        {"reason": pii("理由")},  # undeclared
        {"kind": "13985012345"},  # not in the vocabulary
    ):
        with pytest.raises(Exception) as caught, env.uow() as uow:
            record_event(
                uow,
                subject_type="party",
                subject_id=1,
                type="PartyCreated",
                at=env.now(),
                actor_user_id=None,
                public=public,
            )
            uow.commit()
        assert getattr(caught.value, "code", None) == "log_public_not_allowed"
    assert changed_tables(before, snapshot(registry)) == {}


# --------------------------------------------------------------------------------------------
# the demo's whole log
# --------------------------------------------------------------------------------------------


def test_i18_the_demo_log_screens_clean(registry: Registry, env: Any) -> None:
    demo_world.populate(env)
    ledger.integrate(env, registry.log_keys)
    leaves = list(ledger.iter_leaves(env))
    assert len(leaves) > 50
    for i, _, leaf in leaves:
        doc = json.loads(leaf)
        check_public(doc["type"], doc["public"], doc["commitments"])
        assert public_screening.hits_in_leaf(leaf) == [], (i, doc["type"])
    report = ledger.audit(env, registry.log_keys.verifier)
    assert report.ok, report.findings
