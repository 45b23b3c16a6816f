"""Two writers at once: two examiners acting on one application, two `tick` runs. Exactly one
transition happens; the other writer is told so (412 `stale_version` or 409
`concurrent_update`) and nothing is applied twice. On PostgreSQL the transactions really
overlap; on SQLite writers serialise through BEGIN IMMEDIATE, and the loser sees the new
version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.domain.errors import DomainError
from dataip.services import procedure, scheduler
from dataip.services.context import Env, Identity
from dataip.services.procedure import transition
from tests.support.api import Api, World, complete_form
from tests.support.db import count

ROUNDS = 20
LOSER_CODES = {(412, "stale_version"), (409, "concurrent_update")}
REFUSE = {"grounds": [4], "reason": "未进行数据存证"}


def _race(*calls: Callable[[], Any], meet: bool = True, timeout: float = 60) -> list[Any]:
    """Run the calls in threads at once (released together when `meet`); each result is the
    call's return value or the exception it raised."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            if meet:
                start.wait(timeout=30)
            results[i] = call()
        except BaseException as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a writer hung: lock wait or deadlock"
    return results


def _examiner(api: Api, env: Env) -> Identity:
    from dataip.services import accounts

    name = api.user("examiner")
    user = accounts.identity_for(env=env, username=name)
    assert user.role == "examiner"
    return user


def _submitted(api: Api, w: World, n: int) -> tuple[int, int]:
    """A fresh submitted application (its own name and evidence, so never a duplicate)."""
    form = complete_form(
        f"第{n}号城市交通拥堵预测数据集",
        sample=api.upload(w.applicant, f"a,b\n{n},2\n".encode()),
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZ-C-{n}",
            "hash_value": f"{n:064x}",
            "evidenced_on": "2026-09-01",
        },
    )
    a = api.draft(w.applicant, w.party, form=form)
    out = api.ok(w.applicant, a["id"], "submit")
    return int(out["id"]), int(out["version"])


@pytest.fixture
def two_examiners(api: Api, env: Env) -> tuple[World, Identity, Identity]:
    w = api.world()
    return w, _examiner(api, env), _examiner(api, env)


class Meeting:
    """Where the two writers of a round meet: `inside` their transactions, right after
    loading the application (so both certainly read the same version), or `before` them."""

    def __init__(self, inside: bool) -> None:
        self.inside = inside
        self.barrier: threading.Barrier | None = None

    def round(self) -> threading.Barrier:
        """A fresh meeting point for one round's two writers."""
        self.barrier = threading.Barrier(2)
        return self.barrier

    def done(self) -> None:
        self.barrier = None


@pytest.fixture
def meeting(
    request: pytest.FixtureRequest, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> Meeting:
    if request.param == "before":
        return Meeting(inside=False)
    if registry.engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers serialise on BEGIN IMMEDIATE; they cannot overlap")
    meeting = Meeting(inside=True)
    real_load = transition.load  # where perform looks it up

    def load_then_meet(*args: Any, **kw: Any) -> Any:
        app = real_load(*args, **kw)
        if meeting.barrier is not None:  # only the racing writers, not the setup
            meeting.barrier.wait(timeout=30)
        return app

    monkeypatch.setattr(transition, "load", load_then_meet)
    return meeting


EVENTS = {"accept": "ApplicationAccepted", "refuse": "ApplicationRefused"}
TARGETS = {"accept": "under_examination", "refuse": "refused"}


@pytest.mark.parametrize("meeting", ["before", "inside"], indirect=True)
def test_two_examiners_at_once_exactly_one_wins(
    api: Api,
    registry: Registry,
    two_examiners: tuple[World, Identity, Identity],
    meeting: Meeting,
) -> None:
    w, one, two = two_examiners
    env = registry.env
    outcomes: set[tuple[int, str]] = set()
    for n in range(ROUNDS):
        aid, version = _submitted(api, w, n)
        events_before = count(registry, "events", subject_type="application", subject_id=aid)
        actions = ("accept", "accept") if n % 2 == 0 else ("accept", "refuse")
        calls = [
            partial(
                procedure.perform,
                who,
                env=env,
                application_id=aid,
                action=action,
                if_match=version,  # both read this version
                payload=REFUSE if action == "refuse" else None,
            )
            for who, action in zip((one, two), actions, strict=True)
        ]
        if meeting.inside:
            meeting.round()
        results = _race(*calls, meet=not meeting.inside)
        meeting.done()

        won = [i for i, r in enumerate(results) if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, (n, results)
        err = lost[0]
        assert isinstance(err, DomainError), (n, repr(err))
        assert (err.status, err.code) in LOSER_CODES, (n, repr(err))
        outcomes.add((err.status, err.code))
        winner = actions[won[0]]

        # One consistent state: the winner's transition, once.
        view = api.get(w.applicant, aid).json()
        assert view["state"] == TARGETS[winner] and view["version"] == version + 1, view
        for action, event in EVENTS.items():
            expected = 1 if action == winner else 0
            assert count(registry, "events", subject_id=aid, type=event) == expected, (n, event)
        total = count(registry, "events", subject_type="application", subject_id=aid)
        assert total == events_before + 1
        open_kinds = sorted(d["kind"] for d in view["deadlines"] if d["status"] == "open")
        assert open_kinds == (["examine"] if winner == "accept" else []), view["deadlines"]
        notice = "acceptance" if winner == "accept" else "refusal"
        assert count(registry, "notices", application_id=aid, kind=notice) == 1
    if meeting.inside:
        # Both read the same version, so the database's version check decided every round.
        assert outcomes == {(409, "concurrent_update")}


def test_two_examiners_over_http_at_once(api: Api, registry: Registry) -> None:
    """The same race through the API: one 200, one problem+json 412/409, one transition."""
    from fastapi.testclient import TestClient

    w = api.world()
    second = api.user("examiner")
    other = TestClient(api.c.app)
    for n in range(ROUNDS // 2):
        aid, version = _submitted(api, w, 1000 + n)
        url = f"/api/v1/applications/{aid}/actions/accept"
        r1, r2 = _race(
            partial(api.c.post, url, headers={**api.h(w.examiner), "If-Match": f'"{version}"'}),
            partial(other.post, url, headers={**api.h(second), "If-Match": f'"{version}"'}),
        )
        statuses = sorted([r1.status_code, r2.status_code])
        assert statuses[0] == 200 and statuses[1] in (409, 412), (r1.text, r2.text)
        loser = r1 if r1.status_code != 200 else r2
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert (loser.status_code, loser.json()["code"]) in LOSER_CODES
        assert count(registry, "events", subject_id=aid, type="ApplicationAccepted") == 1
        assert api.get(w.applicant, aid).json()["version"] == version + 1


# --- tick -------------------------------------------------------------------------------------


def _awaiting_correction(api: Api, w: World, n: int) -> int:
    aid, _ = _submitted(api, w, 2000 + n)
    api.ok(w.examiner, aid, "accept")
    api.ok(w.examiner, aid, "request_correction", defects=["补充样例数据字段说明"])
    return aid


@pytest.mark.parametrize("lease", ["with-lease", "lease-bypassed"])
def test_two_ticks_at_once_apply_each_consequence_once(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch, lease: str
) -> None:
    """Two `dataip tick` runs at once (two cron hosts, or one slow run overlapping the next):
    every lapsed correction period makes one deemed withdrawal, never two. With the lease
    bypassed (an expired lease under clock skew) the version check alone must hold."""
    if lease == "lease-bypassed":
        from dataip.db.uow import SqlAlchemyUnitOfWork

        monkeypatch.setattr(SqlAlchemyUnitOfWork, "try_lease", lambda *a, **k: True)
    env = registry.env
    w = api.world()
    api.at("2026-09-28 10:00")
    apps: list[int] = []
    for rnd in range(4):
        batch = [_awaiting_correction(api, w, 10 * rnd + n) for n in range(5)]
        apps += batch
        due = next(
            d["due_on"]
            for d in api.get(w.applicant, batch[0]).json()["deadlines"]
            if d["kind"] == "correction"
        )
        # The day after the correction period ends (R9), just past midnight.
        api.at(f"{date.fromisoformat(due) + timedelta(days=1)} 00:30")
        reports = _race(partial(scheduler.tick, env=env), partial(scheduler.tick, env=env))
        for r in reports:
            assert isinstance(r, scheduler.TickReport), repr(r)
        assert sum(r.deemed_withdrawn for r in reports) == 5, reports
        for aid in apps:
            assert api.get(w.applicant, aid).json()["state"] == "deemed_withdrawn"
            assert count(registry, "events", subject_id=aid, type="ApplicationDeemedWithdrawn") == 1
            assert count(registry, "notices", application_id=aid, kind="deemed_withdrawn") == 1
    assert count(registry, "events", type="ApplicationDeemedWithdrawn") == len(apps) == 20
    assert count(registry, "leases") == 0
