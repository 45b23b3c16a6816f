"""Issue 18: screening must not stall the registry — and must still reach the examiner.

Sample files are queued when a draft names them and screened by the server's workers in a
sandboxed process, never inside a request's transaction. These tests hold the registry to
that over HTTP (the ASGI app with its lifespan: its screening worker runs as in a server) and
through the services, on SQLite and PostgreSQL:

* no transaction stays open while a sample is screened (before the fix the submission's write
  transaction was open for the whole screening);
* a submission waits a bounded time, then is filed with the screening pending; the examiner
  and the applicant see the state, and the examination cannot pass until every file has its
  result (refusing or asking for a correction stays possible);
* a refused or crashed screening leaves state coherent: the submission does not hang, the
  examiner and the applicant see why, saving again retries what was not the file's fault;
* a file left by a killed worker is screened again (`dataip tick`, or any worker once the
  claim lapses), one worker per file at a time, the result stored once;
* publication and change approval use today's stored result, never parse a file in their
  transaction.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.domain import model as m
from dataip.services import scheduler, screening, screening_worker
from dataip.services.context import Env
from dataip.services.screening_worker import ScreeningSetup
from tests.support import samples
from tests.support.api import Api, problem

CLEAN = "城市,品类,销量\n贵阳,茶叶,320\n遵义,白酒,95\n".encode()
PERSONAL = "姓名,手机\n张伟,13812345678\n李娜,13987654321\n".encode()


def slow_workbook(rows: int = 99_000) -> bytes:
    """A clean workbook that takes a couple of seconds of CPU to screen (near the row cap:
    calamine reads a workbook within the caps in a second or two)."""
    return samples.xlsx(rows, 6, lambda r, c: "品类" if r == 0 else str(r % 997 + c))


class Gate:
    """Holds the app's screening workers at the door until opened: while closed, a file is
    claimed and waits, so "still screening" is a state the test sets, not a race against
    how fast this machine screens. Opened, every file is screened by the real sandbox."""

    def __init__(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        self._open = threading.Event()
        setup = setup_of(api)
        real = setup.sandbox

        def sandbox(name: str) -> Any:
            box = real(name)
            gate = self._open

            class Held:
                closed = box.closed

                def screen(self, *args: Any, **kwargs: Any) -> Any:
                    gate.wait(60)
                    return box.screen(*args, **kwargs)

            return Held()

        monkeypatch.setattr(setup, "sandbox", sandbox)

    def open(self) -> None:
        self._open.set()


def registry_of(api: Api) -> Registry:
    return api.c.app.state.registry  # type: ignore[attr-defined,no-any-return]


def setup_of(api: Api) -> ScreeningSetup:
    s = registry_of(api).env.screening
    assert isinstance(s, ScreeningSetup)
    return s


def screening_of(api: Api, who: str, aid: int) -> list[dict[str, Any]]:
    r = api.get(who, aid)
    assert r.status_code == 200, r.text
    return list(r.json()["checks"]["screening"])


def wait_for(cond: Callable[[], bool], timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_screened(api: Api, who: str, aid: int) -> list[dict[str, Any]]:
    wait_for(
        lambda: all(s["status"] in ("done", "failed") for s in screening_of(api, who, aid)),
        what="the screening",
    )
    return screening_of(api, who, aid)


def held(registry: Registry, sha: str) -> bool:
    with registry.engine.connect() as c:
        return bool(
            c.execute(
                sa.text(
                    "SELECT count(*) FROM screening_jobs WHERE blob_sha256 = :s"
                    " AND claimed_by IS NOT NULL"
                ),
                {"s": sha},
            ).scalar()
        )


def no_transaction_held(registry: Registry) -> bool:
    """Nobody holds a transaction open: on SQLite the write lock can be taken at once; on
    PostgreSQL no other session of this database has had a transaction open for 0.5 s."""
    url = registry.engine.url
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database or "", timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()
    with registry.engine.connect() as c:
        return not c.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND xact_start < now() - interval '0.5 second'"
            )
        ).scalar()


def sign_in(api: Api, username: str) -> None:
    page = api.c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    r = api.c.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


# --- over HTTP, with the app's worker -----------------------------------------------------------


def test_i18_no_transaction_is_open_while_a_submitted_sample_is_screened(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 60.0)  # wait out the screening
    w = api.world()
    sha = api.upload(w.applicant, slow_workbook(), "慢.xlsx")
    draft = api.draft(w.applicant, w.party, sample_blobs=[sha])
    answers: list[Any] = []
    submit = threading.Thread(
        target=lambda: answers.append(api.act(w.applicant, draft["id"], "submit"))
    )
    submit.start()
    checks = []
    while submit.is_alive():
        checks.append(no_transaction_held(registry_of(api)))
        time.sleep(0.1)
    (r,) = answers
    assert r.status_code == 200 and r.json()["state"] == "submitted", r.text
    assert len(checks) >= 5, "the screening was too quick to observe"
    assert all(checks), f"a transaction stayed open during {checks.count(False)} checks"
    (s,) = screening_of(api, w.examiner, draft["id"])
    assert s["status"] == "done" and s["report"]["rows"] > 0  # the wait covered it


def test_i18_a_submission_waits_a_bounded_time_then_is_filed_with_screening_pending(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 0.5)
    gate = Gate(api, monkeypatch)
    w = api.world()
    sha = api.upload(w.applicant, slow_workbook(), "慢.xlsx")
    draft = api.draft(w.applicant, w.party, sample_blobs=[sha])
    started = time.monotonic()
    assert api.ok(w.applicant, draft["id"], "submit")["state"] == "submitted"
    assert time.monotonic() - started < 4.0
    aid = draft["id"]
    (s,) = screening_of(api, w.examiner, aid)
    assert s["status"] in ("pending", "running") and s["screened"] is False, s
    assert s["report"] is None and s["requested_at"]
    # the examiner sees it, and the applicant too (on the application's page)
    sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert "样例数据筛查" in page and ("正在筛查" in page or "等待筛查" in page), page
    # acceptance is not held up; passing the examination is, and changes nothing
    api.ok(w.examiner, aid, "accept")
    before = api.get(w.examiner, aid).json()
    body = problem(api.act(w.examiner, aid, "publicise"), 409, "screening_pending")
    assert body["details"]["files"] == [sha]
    assert body["message_zh"] and body["message_en"]
    after = api.get(w.examiner, aid).json()
    assert (after["state"], after["version"]) == (before["state"], before["version"])
    gate.open()
    (s,) = wait_screened(api, w.examiner, aid)
    assert s["status"] == "done" and s["screened"] is True and s["screened_at"]
    assert "筛查完成" in api.c.get(f"/applications/{aid}").text
    assert api.ok(w.examiner, aid, "publicise")["state"] == "publicised"


def test_i18_a_refused_sample_is_shown_with_its_reason_and_the_examiner_decides(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, samples.zip_ratio_xlsx(), "导出.xlsx")
    started = time.monotonic()
    aid = w.submitted(sample_blobs=[sha])
    assert time.monotonic() - started < 15  # was 45.7 s inside the write transaction
    (s,) = wait_screened(api, w.examiner, aid)
    assert s["status"] == "failed" and s["screened"] is True
    assert s["error"]["code"] == "screening_too_large"
    assert "解压后" in s["error"]["message_zh"] and "decompressed" in s["error"]["message_en"]
    sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "无法筛查" in page and "screening_too_large" in page
    sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert "无法筛查" in page and "解压后" in page
    # a result, if not a report: the examination may pass (screening never refuses by itself)
    api.ok(w.examiner, aid, "accept")
    assert api.ok(w.examiner, aid, "publicise")["state"] == "publicised"


def test_i18_the_applicants_form_shows_each_samples_state(api: Api) -> None:
    w = api.world()
    personal = api.upload(w.applicant, PERSONAL, "客户.csv")
    broken = api.upload(w.applicant, b"\x00\xff" * 64 + b"\xfe\n", "broken.csv")
    draft = api.draft(w.applicant, w.party, sample_blobs=[personal, broken])
    wait_screened(api, w.applicant, draft["id"])
    sign_in(api, w.applicant)
    form = api.c.get(f"/applications/{draft['id']}/edit").text
    assert "客户.csv" in form and "broken.csv" in form
    assert "发现：" in form and "手机号码" in form and "姓名" in form
    assert "无法筛查" in form and "screening_bad_encoding" in form
    assert "13812345678" not in form  # what was found, never the value
    en = api.c.get(f"/applications/{draft['id']}/edit?lang=en").text
    assert "found: " in en and "mobile number" in en and "could not be screened" in en


def test_i18_a_worker_killed_mid_file_is_recorded_and_saving_again_screens_it(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, slow_workbook(), "慢.xlsx")
    draft = api.draft(w.applicant, w.party, sample_blobs=[sha])
    registry = registry_of(api)
    wait_for(lambda: held(registry, sha), what="a worker to take the file")
    box = setup_of(api).sandbox("worker-0")
    wait_for(lambda: box._worker is not None, what="the worker process")
    time.sleep(0.5)  # the file takes seconds: the worker is in the middle of it
    assert box._worker is not None
    box._worker.proc.send_signal(signal.SIGKILL)  # the kernel's OOM killer, say
    (s,) = wait_screened(api, w.applicant, draft["id"])
    assert s["status"] == "failed" and s["error"]["code"] == "screening_crashed"
    assert s["error"]["details"]["status"] == -signal.SIGKILL
    # not the file's fault: saving the draft again screens it again
    r = api.c.patch(
        f"/api/v1/applications/{draft['id']}",
        headers=api.h(w.applicant),
        json={"form": {**draft["form"], "name": "城市交通拥堵预测数据集（二）"}},
    )
    assert r.status_code == 200, r.text
    (s,) = wait_screened(api, w.applicant, draft["id"])
    assert s["status"] == "done" and s["error"] is None


def test_i18_publication_uses_todays_screening_and_waits_for_it_outside_the_transaction(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    sha = api.upload(w.applicant, slow_workbook(), "品类.xlsx")
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 60.0)  # a loaded machine
    number = w.registered(sample_blobs=[sha])
    registry = registry_of(api)

    def made_by_other_code() -> None:
        with registry.engine.begin() as c:
            c.execute(
                sa.text("UPDATE screening_reports SET engine = 'older' WHERE blob_sha256 = :s"),
                {"s": sha},
            )

    # the stored result was made by other screening code: published only once screened again
    made_by_other_code()
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 0.0)
    before = api.reg(w.applicant, number).json()
    body = problem(api.reg_act(w.applicant, number, "publish_sample", choice="raw"), 409,
                   "screening_pending")  # fmt: skip
    assert body["details"]["file"] == "品类.xlsx"
    after = api.reg(w.applicant, number).json()
    assert after["version"] == before["version"] and after["sample_choice"] == "none"
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 60.0)
    made_by_other_code()
    api.reg_ok(w.applicant, number, "publish_sample", choice="raw")  # waited, then published
    sample = api.reg(None, number).json()["sample"]
    assert sample["choice"] == "raw" and sample["files"][0]["filename"] == "品类.xlsx"
    with registry.engine.connect() as c:
        engine = c.execute(
            sa.text("SELECT engine FROM screening_reports WHERE blob_sha256 = :s"), {"s": sha}
        ).scalar()
    assert engine == screening_worker.engine_id()


def test_i18_a_change_is_approved_only_once_its_new_sample_is_screened(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    first = api.upload(w.applicant, CLEAN, "样例.csv")
    number = w.registered(sample_blobs=[first])
    gate = Gate(api, monkeypatch)
    new = api.upload(w.applicant, slow_workbook(), "新样例.xlsx")
    d = api.reg_ok(
        w.applicant, number, "request_change", changes={"sample_blobs": [new]}, reason="换样例"
    )
    rid = d["requests"][-1]["id"]
    monkeypatch.setattr(setup_of(api), "submit_wait_seconds", 0.0)  # no wait: refused
    version = api.reg(w.examiner, number).json()["version"]
    decide = {"request_id": rid, "outcome": "approve", "reason": "符合"}
    refused = api.reg_act(w.examiner, number, "decide_request", **decide)
    body = problem(refused, 409, "screening_pending")
    assert body["details"]["files"] == [new]
    assert api.reg(w.examiner, number).json()["version"] == version  # nothing changed
    gate.open()
    registry = registry_of(api)
    wait_for(lambda: not held(registry, new) and _stored(registry, new), what="the new sample")
    api.reg_ok(w.examiner, number, "decide_request", **decide)
    assert api.reg(w.examiner, number).json()["certificate_version"] == 2


def _stored(registry: Registry, sha: str) -> bool:
    with registry.engine.connect() as c:
        return bool(
            c.execute(
                sa.text("SELECT count(*) FROM screening_reports WHERE blob_sha256 = :s"),
                {"s": sha},
            ).scalar()
        )


# --- through the services: no server worker here -------------------------------------------------


def _queued_file(env: Env, data: bytes, name: str = "样例.csv") -> str:
    sha = env.blobs.put(data)
    with env.uow() as uow:
        uow.blobs.add(
            m.Blob(
                sha256=sha,
                size=len(data),
                media_type="text/csv",
                filename=name,
                uploaded_by=_user(uow),
                created_at=env.now(),
            )
        )
        screening.request(uow, env, [sha])
        uow.commit()
    return sha


def _user(uow: Any) -> int:
    user = uow.users.add(
        m.User(
            username=f"u{time.monotonic_ns()}",
            password_hash="x",
            display_name="上传者",
            role="applicant",
            created_at=datetime.now(UTC),
        )
    )
    uow.flush()
    return int(user.id)


def _abandon_claim(env: Env, sha: str, attempts: int) -> None:
    """As a server killed mid-file leaves it: claimed by a process that is gone, lapsed."""
    past = datetime.now(UTC) - timedelta(minutes=5)
    with env.uow() as uow:
        job = uow.screening_jobs.get(sha)
        job.claimed_by, job.claimed_until, job.attempts = "dead-host:1:worker-0", past, attempts
        uow.commit()


def test_i18_a_file_left_by_a_killed_worker_is_screened_again_by_tick(env: Env) -> None:
    sha = _queued_file(env, PERSONAL)
    _abandon_claim(env, sha, attempts=1)
    report = scheduler.tick(env=env)
    assert report.samples_screened == 1, report
    with env.read() as uow:
        row = uow.screenings.get(sha)
        assert uow.screening_jobs.get(sha) is None
    assert row is not None and row.error is None and "mobile" in row.kinds
    assert scheduler.tick(env=env).samples_screened == 0  # nothing left, nothing twice


def test_i18_a_file_that_stopped_every_worker_is_recorded_as_crashed_not_retried_for_ever(
    env: Env,
) -> None:
    sha = _queued_file(env, PERSONAL)
    _abandon_claim(env, sha, attempts=screening_worker.setup(env).max_attempts)
    assert screening_worker.run_pending(env) == 1
    with env.read() as uow:
        row = uow.screenings.get(sha)
        assert uow.screening_jobs.get(sha) is None
    assert row is not None and row.error is not None
    assert row.error["code"] == "screening_crashed" and row.error["details"]["attempts"] == 3
    assert "3" in row.error["message_zh"] and "3 attempts" in row.error["message_en"]


def test_i18_one_worker_per_file_at_a_time_and_the_result_is_stored_once(env: Env) -> None:
    sha = _queued_file(env, slow_workbook(5_000), "慢.xlsx")
    s = screening_worker.setup(env)
    ran: list[bool] = []

    def worker(name: str) -> None:
        box = s.sandbox(name)
        ran.append(screening_worker.run_one(env, sha, sandbox=box, holder=name))

    threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(3):
        s.close_sandbox(f"t{i}")
    assert sorted(ran) == [False, False, True]
    with env.read() as uow:
        assert uow.screening_jobs.get(sha) is None
        assert set(uow.screenings.many([sha])) == {sha}
        # the same content named again: nothing to queue, the stored result serves
        assert screening.request(uow, env, [sha]) == []


def test_i18_every_kind_screening_finds_has_a_label_in_both_languages() -> None:
    from dataip.screening import KINDS
    from dataip.web.pages.screening_view import KIND_LABELS

    assert set(KIND_LABELS) == set(KINDS)
    assert all(zh and en and zh != en for zh, en in KIND_LABELS.values())
    assert set(screening.STATUS_LABELS) == {"pending", "running", "done", "failed", "not_screened"}
