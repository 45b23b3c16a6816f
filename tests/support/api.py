"""A small driver for the HTTP API, so tests read like the procedure they prove."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from stdnum.cn import ric, uscc

from dataip.services.context import SHANGHAI, FixedClock

_seq = itertools.count(1)
_ORG = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int, region: str = "520115") -> str:
    # n written in base 31, scrambled: distinct for every n below 31**9 (a credit code
    # names one subject, so two test parties must not share one by accident)
    x, org = (n * 104_729 + 7919) % len(_ORG) ** 9, ""
    for _ in range(9):
        x, digit = divmod(x, len(_ORG))
        org += _ORG[digit]
    body = "91" + region + org
    return body + uscc.calc_check_digit(body + "0")


def make_resident_id(region: str = "110105", birth: str = "19800101", order: int = 1) -> str:
    body = f"{region}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def problem(r: Any, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json answer with this status and stable code; return its body."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["code"] == code, body
    assert body["message_zh"] and body["message_en"], body
    return body


def complete_form(
    name: str = "城市交通拥堵预测数据集", *, sample: str, **over: Any
) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": name,
        "industry_code": "5411",
        "scenarios": {"values": ["transport"]},
        "practical_values": {"values": ["dispatch_decision"], "description": "支撑交通调度决策"},
        "intellectual_achievement": "多源数据融合与清洗规则",
        "source_kinds": {"values": ["enterprise"]},
        "acquisition_methods": {"values": ["self_generated"]},
        "processing_rules": "清洗、标注、质量校验",
        "scope": {"coverage": "贵阳市", "records": 1000, "bytes": 1 << 20},
        "update": {"frequency": "daily", "term": "持续更新"},
        "evidence": {
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-001",
            "hash_value": "ab" * 32,
            "evidenced_on": "2026-09-01",
        },
        "sample_blobs": [sample],
        "data_formats": {"values": ["csv"]},
        "commitment_accepted": True,
    }
    form.update(over)
    return form


class Api:
    def __init__(self, client: TestClient, clock: FixedClock) -> None:
        self.c = client
        self.clock = clock
        self.tokens: dict[str, str] = {}
        self.numbers: dict[int, str] = {}  # party id -> its credit code or resident ID
        self._admin: str | None = None

    # --- time -----------------------------------------------------------------------------
    def at(self, when: str) -> None:
        """Set the clock: '2026-09-28 10:00' in Asia/Shanghai."""
        self.clock.advance_to(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI))

    def later(self, **kw: float) -> None:
        self.clock.advance_to(self.clock.now() + timedelta(**kw))

    # --- accounts -------------------------------------------------------------------------
    def h(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def user(self, role: str = "applicant", name: str | None = None) -> str:
        """Create an account (staff via an admin) and log in; returns the username."""
        name = name or f"{role}{next(_seq)}"
        if role in ("examiner", "registrar_admin"):
            from dataip.services import accounts

            env = self.c.app.state.registry.env  # type: ignore[attr-defined]
            accounts.create_user_as_operator(
                env=env, username=name, password="pass-word-1", display_name=name, role=role
            )
        else:
            r = self.c.post(
                "/api/v1/accounts",
                json={
                    "username": name,
                    "password": "pass-word-1",
                    "display_name": name,
                    "role": role,
                },
            )
            assert r.status_code == 201, r.text
        r = self.c.post("/api/v1/auth/token", json={"username": name, "password": "pass-word-1"})
        assert r.status_code == 201, r.text
        self.tokens[name] = r.json()["access_token"]
        return name

    # --- files ----------------------------------------------------------------------------
    def upload(self, who: str, data: bytes = b"a,b\n1,2\n", name: str = "s.csv") -> str:
        r = self.c.post(
            "/api/v1/blobs", headers=self.h(who), files={"file": (name, data, "text/csv")}
        )
        assert r.status_code == 201, r.text
        return str(r.json()["sha256"])

    # --- parties --------------------------------------------------------------------------
    def party(
        self,
        who: str,
        *,
        kind: str = "legal_person",
        name: str | None = None,
        id_number: str | None = None,
        verify_by: str | None = None,
    ) -> int:
        n = next(_seq)
        if id_number is None:
            id_number = (
                make_resident_id(order=n % 999 + 1) if kind == "natural_person" else make_uscc(n)
            )
        r = self.c.post(
            "/api/v1/parties",
            headers=self.h(who),
            json={
                "kind": kind,
                "name": name or f"测试数据科技有限公司{n}",
                "id_number": id_number,
                "address": "贵阳市观山湖区",
            },
        )
        assert r.status_code == 201, r.text
        pid = int(r.json()["id"])
        self.numbers[pid] = id_number
        if verify_by:
            ev = self.upload(who, b"licence scan", "licence.pdf")
            r = self.c.post(
                f"/api/v1/parties/{pid}/verification",
                headers=self.h(who),
                json={"method": "business_licence", "evidence_blob": ev},
            )
            assert r.status_code == 200, r.text
            r = self.c.post(
                f"/api/v1/parties/{pid}/verification/decision",
                headers=self.h(verify_by),
                json={"approve": True},
            )
            assert r.status_code == 200, r.text
        return pid

    # --- applications ---------------------------------------------------------------------
    def draft(
        self,
        who: str,
        party_id: int,
        form: dict[str, Any] | None = None,
        applicants: list[dict[str, Any]] | None = None,
        **form_over: Any,
    ) -> dict[str, Any]:
        if form is None:
            form = complete_form(sample=self.upload(who), **form_over)
        r = self.c.post(
            "/api/v1/applications",
            headers=self.h(who),
            json={"form": form, "applicants": applicants or [{"party_id": party_id}]},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def get(self, who: str | None, app_id: int) -> Any:
        return self.c.get(f"/api/v1/applications/{app_id}", headers=self.h(who))

    def act(
        self,
        who: str | None,
        app_id: int,
        action: str,
        *,
        if_match: int | None = None,
        **payload: Any,
    ) -> Any:
        headers = self.h(who)
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return self.c.post(
            f"/api/v1/applications/{app_id}/actions/{action}", headers=headers, json=payload or None
        )

    def ok(self, who: str | None, app_id: int, action: str, **payload: Any) -> dict[str, Any]:
        r = self.act(who, app_id, action, **payload)
        assert r.status_code == 200, (action, r.text)
        return dict(r.json())

    def step(self, who: str, app_id: int, action: str, **payload: Any) -> None:
        """`ok` for building a state that a test then checks over HTTP, without the HTTP and
        the application's view the answer renders: the exhaustive walks build hundreds of
        fresh copies, and the view was most of each step. The route's own path otherwise —
        the caller resolved from its token, the body validated by the route's schema, the
        same service."""
        from dataip.services import procedure
        from dataip.web.api.application_schemas import ActionIn

        env, identity = self._as(who)
        body = ActionIn.model_validate(payload).model_dump(mode="json", exclude_none=True)
        procedure.perform(identity, env=env, application_id=app_id, action=action, payload=body)

    def _as(self, who: str) -> tuple[Any, Any]:
        """The registry's environment, and `who` as its token makes it (the route's way)."""
        from dataip.services import accounts

        env = self.c.app.state.registry.env  # type: ignore[attr-defined]
        return env, accounts.authenticate(env=env, token=self.tokens[who])

    # --- registrations (after registration, G§19–G§24) ---------------------------------
    def reg(self, who: str | None, number: str) -> Any:
        return self.c.get(f"/api/v1/registrations/{number}", headers=self.h(who))

    def reg_act(
        self,
        who: str | None,
        number: str,
        action: str,
        *,
        if_match: int | None = None,
        **payload: Any,
    ) -> Any:
        headers = self.h(who)
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return self.c.post(
            f"/api/v1/registrations/{number}/actions/{action}",
            headers=headers,
            json=payload or None,
        )

    def reg_step(self, who: str, number: str, action: str, **payload: Any) -> None:
        """`reg_ok` for building a state, as `step` is `ok`'s."""
        from dataip.services import after_registration
        from dataip.web.api.registration_schemas import RegistrationActionIn

        env, identity = self._as(who)
        body = RegistrationActionIn.model_validate(payload).model_dump(
            mode="json", exclude_none=True
        )
        after_registration.perform(identity, env=env, number=number, action=action, payload=body)

    def registration_of(self, app_id: int) -> str:
        """The registration number an approved application received."""
        env = self.c.app.state.registry.env  # type: ignore[attr-defined]
        with env.read() as uow:
            return str(uow.registrations.by_application(app_id).registration_number)

    def reg_ok(self, who: str | None, number: str, action: str, **payload: Any) -> dict[str, Any]:
        r = self.reg_act(who, number, action, **payload)
        assert r.status_code == 200, (action, r.text)
        return dict(r.json())

    def world(self) -> World:
        """An examiner, an applicant and its verified legal-person party."""
        examiner = self.user("examiner")
        applicant = self.user("applicant")
        party = self.party(applicant, verify_by=examiner)
        return World(self, examiner, applicant, party)


class World:
    def __init__(self, api: Api, examiner: str, applicant: str, party: int) -> None:
        self.api, self.examiner, self.applicant, self.party = api, examiner, applicant, party

    def submitted(self, **form_over: Any) -> int:
        a = self.api.draft(self.applicant, self.party, **form_over)
        self.api.ok(self.applicant, a["id"], "submit")
        return int(a["id"])

    def publicised(self, **form_over: Any) -> int:
        aid = self.submitted(**form_over)
        self.api.ok(self.examiner, aid, "accept")
        self.api.ok(self.examiner, aid, "publicise")
        return aid

    def registered(self, **form_over: Any) -> str:
        """Publicise at 2026-09-28 10:00, approve at 2026-10-13 09:00 (valid to 2028-10-12);
        returns the registration number. The clock is left at the approval."""
        self.api.at("2026-09-28 10:00")
        aid = self.publicised(**form_over)
        self.api.at("2026-10-13 09:00")
        reg = self.api.ok(self.examiner, aid, "approve")["registration"]
        return str(reg["registration_number"])

    def joint_draft(self) -> tuple[str, dict[str, Any]]:
        """A draft of the applicant's (60 %) with a verified co-applicant (40 %), named by its
        credit code as a filer names someone else's party (issue 18); returns the
        co-applicant's username and the draft as created (not yet consented)."""
        co = self.api.user("applicant")
        co_party = self.api.party(co, verify_by=self.examiner)
        draft = self.api.draft(
            self.applicant,
            self.party,
            applicants=[
                {"party_id": self.party, "share_bp": 6000, "rights_bounds": "甲方行使使用权"},
                {
                    "id_number": self.api.numbers[co_party],
                    "share_bp": 4000,
                    "rights_bounds": "乙方行使收益权",
                },
            ],
        )
        return co, draft

    def changed(self, number: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """R19: the holder requests a change (default: the update frequency) and the examiner
        approves it — certificate version n+1. Returns the registration as decided."""
        d = self.api.reg_ok(
            self.applicant,
            number,
            "request_change",
            changes=changes or {"update": {"frequency": "weekly"}},
            reason="更新频率调整",
        )
        return self.api.reg_ok(
            self.examiner,
            number,
            "decide_request",
            request_id=d["requests"][-1]["id"],
            outcome="approve",
            reason="符合变更条件",
        )

    def transferred(self, number: str) -> str:
        """R19: transferred by agreement to a new verified holder, who confirms; approved.
        Returns the new holder's username."""
        buyer = self.api.user("applicant")
        party = self.api.party(buyer, name="贵阳受让数据有限公司", verify_by=self.examiner)
        d = self.api.reg_ok(
            self.applicant,
            number,
            "request_transfer",
            transferees=[{"id_number": self.api.numbers[party], "share_bp": 10_000}],
            reason="数据资产出售",
        )
        self.api.reg_ok(buyer, number, "confirm_transfer")
        self.api.reg_ok(
            self.examiner,
            number,
            "decide_request",
            request_id=d["requests"][-1]["id"],
            outcome="approve",
            reason="双方一致",
        )
        return buyer

    def objector(self) -> tuple[str, int, str]:
        who = self.api.user("applicant")
        pid = self.api.party(who, kind="natural_person", name="李异议", verify_by=self.examiner)
        ev = self.api.upload(who, b"evidence", "evidence.pdf")
        return who, pid, ev
