"""Issue 19 §3: the examiner's queue selects exactly the actionable tasks in one query, so
running publicity periods (G§14: a period, not a task) cannot push real tasks out of it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.services import examination
from dataip.services.context import SHANGHAI, Identity
from tests.support.api import Api, complete_form

RUNNING = 1_000


def _evidence(i: int) -> dict[str, Any]:
    return {
        "platform": "p",
        "certificate_number": f"c{i}",
        "hash_value": f"{i:064x}",
        "evidenced_on": "2026-09-01",
    }


def _running_publicity_periods(registry: Registry, filer_user_id: int, ends: date) -> None:
    """RUNNING publicised applications whose publicity ends `ends` (today: still running),
    bulk-inserted behind the services' back (creating a thousand through the API would take
    minutes); only their rows matter to the queue."""
    now = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
    with registry.engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.applications.c.id), 0)))
        base = int(first.scalar_one()) + 1
        conn.execute(
            t.applications.insert(),
            [
                {
                    "id": base + i,
                    "filer_user_id": filer_user_id,
                    "state": "publicised",
                    "form": {},
                    "name": f"公示中第{i}号交通数据集",
                    "version_no": 1,
                    "fast_track": False,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(RUNNING)
            ],
        )
        conn.execute(
            t.deadlines.insert(),
            [
                {
                    "application_id": base + i,
                    "kind": "publicity",
                    "party": "registry",
                    "period_key": "publicity",
                    "trigger_at": now,
                    "due_on": ends,
                    "provisional": False,
                    "status": "open",
                }
                for i in range(RUNNING)
            ],
        )


@pytest.mark.tampers  # the thousand publicised applications have no logged history
def test_r12_queue_keeps_every_task_behind_a_thousand_running_publicity_periods(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    quiet = w.publicised(name="公示届满数据集", evidence=_evidence(1))  # publicity to 10 Oct
    api.at("2026-10-12 09:00")
    submitted = []
    for i in range(9):
        form = complete_form(
            f"{'甲乙丙丁戊己庚辛壬'[i]}区交通流量数据集",
            sample=api.upload(w.applicant),
            evidence=_evidence(100 + i),
        )
        r = api.c.post(
            "/api/v1/applications",
            headers=api.h(w.applicant),
            json={"form": form, "applicants": [{"party_id": w.party}]},
        )
        assert r.status_code == 201, r.text
        api.ok(w.applicant, r.json()["id"], "submit")
        if i == 8:  # R8: fast track granted by the registry (here on its own motion)
            api.ok(w.examiner, r.json()["id"], "grant_fast_track", ground="pledge_financing")
        submitted.append(int(r.json()["id"]))
    fast = submitted[-1]
    filer = api.c.get("/api/v1/me", headers=api.h(w.applicant)).json()["id"]
    # running until today inclusive: they sort before every accept task due later
    _running_publicity_periods(registry, filer, date(2026, 10, 12))

    q = api.c.get("/api/v1/examination/queue", headers=api.h(w.examiner)).json()
    ids = [i["application_id"] for i in q]
    assert len(q) == 10, q
    assert set(ids) == {quiet, *submitted}
    # fast track first, then the statutory due date: the approval (publicity ended 10 Oct),
    # then the accept tasks in filing order
    assert ids[0] == fast and q[0]["fast_track"] and q[0]["task"] == "accept"
    assert ids[1] == quiet and q[1]["task"] == "approve" and not q[1]["overdue"]
    assert ids[2:] == submitted[:-1]
    assert all(i["task"] == "accept" for i in q[2:])
    due = [i["due_on"] for i in q[1:]]
    assert due == sorted(due)

    # the limit applies after the filter, to the same order
    first3 = api.c.get(
        "/api/v1/examination/queue", headers=api.h(w.examiner), params={"limit": 3}
    ).json()
    assert [i["application_id"] for i in first3] == ids[:3]

    # once those periods end they are approval tasks and join the queue, after the fast
    # track and the earlier approval, before the accept tasks due later
    api.at("2026-10-13 09:00")
    with registry.env.read() as uow:
        examiner = uow.users.by_username(w.examiner)
    assert examiner is not None
    who = Identity(user_id=examiner.id, role=examiner.role, username=examiner.username)
    items = examination.queue(who, env=registry.env, limit=500)
    assert len(items) == 500
    assert [i.application.id for i in items[:2]] == [fast, quiet]
    assert all(i.task == "approve" and i.deadline.due_on == date(2026, 10, 12) for i in items[2:])
