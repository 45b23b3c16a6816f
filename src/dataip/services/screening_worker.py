"""Who screens the queued sample files (issue 18), and how a request waits for them.

* :func:`run_one` screens one queued file: a short transaction claims it (a compare-and-set
  on ``screening_jobs``: one worker per file at a time, across processes and servers), the
  file is screened in a :class:`~dataip.screening.sandbox.Sandbox` with **no transaction
  open**, and a second short transaction stores the result and removes the file from the
  queue. A result already stored by today's screening code is kept (stored once).
* :class:`ScreeningLoop` — the server's workers: threads that each drive one sandbox process
  (the thread only waits on a pipe, so it holds no GIL while a file is screened), woken when
  a transaction that requested a file commits and every ``poll_seconds`` otherwise. A claim
  lapses ``budget.wall`` + 30 s after it was taken, so a file left by a server killed
  mid-file is screened again by the next worker that looks; after ``max_attempts`` claims it
  is recorded as ``screening_crashed`` rather than retried for ever.
* :func:`run_pending` — the same, once, for ``dataip tick`` and the CLI.
* :func:`settle` — wait (bounded) until files have results: the submission's wait. With a
  loop running in this process the request thread only waits; without one (the CLI, a test
  without a server) it screens the files itself, still in a sandbox and outside any
  transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dataip.domain import model as m
from dataip.screening import SAMPLE_LIMITS, Limits
from dataip.screening.errors import fail
from dataip.screening.sandbox import Budget, Outcome, Sandbox, engine_id
from dataip.services import screening
from dataip.services.blobstore import BlobUnavailable
from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict

_log = logging.getLogger("dataip.screening")
CLAIM_MARGIN = timedelta(seconds=30)


@dataclass
class ScreeningSetup:
    """The registry's screening settings (bootstrap reads them once) and its workers."""

    limits: Limits = SAMPLE_LIMITS
    budget: Budget = field(default_factory=Budget)
    workers: int = 1  # files a server screens at once (0: none; `dataip tick` does)
    submit_wait_seconds: float = 5.0
    poll_seconds: float = 2.0
    max_attempts: int = 3
    # screen in the calling thread when no loop runs here (False in a server: its request
    # threads only wait)
    inline: bool = True
    loop: ScreeningLoop | None = field(default=None, repr=False)
    _sandboxes: dict[str, Sandbox] = field(default_factory=dict, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def sandbox(self, name: str) -> Sandbox:
        with self._lock:
            box = self._sandboxes.get(name)
            if box is None or box.closed:
                box = self._sandboxes[name] = Sandbox(self.budget)
            return box

    def close_sandbox(self, name: str) -> None:
        with self._lock:
            box = self._sandboxes.pop(name, None)
        if box is not None:
            box.close()

    def close(self) -> None:
        for name in list(self._sandboxes):
            self.close_sandbox(name)

    def wake(self) -> None:
        """A file was queued (called after the queuing transaction commits)."""
        loop = self.loop
        if loop is not None:
            loop.wake()

    def stored(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_stored(self, seconds: float) -> None:
        with self._changed:
            self._changed.wait(seconds)


def setup(env: Env) -> ScreeningSetup:
    if env.screening is None:
        env.screening = ScreeningSetup()
    assert isinstance(env.screening, ScreeningSetup)
    return env.screening


def _wall() -> datetime:
    """Claims run on real time even under a fixed clock: a claim left by a killed worker must
    lapse."""
    return datetime.now(UTC)


def holder_name(tag: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{tag}"


# --- one file ---------------------------------------------------------------------------------


def run_one(env: Env, sha: str, *, sandbox: Sandbox, holder: str) -> bool:
    """Claim and screen one queued file; False if it is not queued or another worker holds
    it. Raises ``OSError`` only when the sandbox could not run (closed, or no process could
    be started): the file is then given back to the queue."""
    s = setup(env)
    now = _wall()
    with env.uow() as uow:
        attempt = uow.screening_jobs.claim(sha, holder, now, now + _claim_time(s))
        if attempt is None:
            return False
        job = uow.screening_jobs.get(sha)
        meta = screening.upload_of(uow, sha, job.requested_by if job else None)
        uow.commit()
    filename = meta.filename if meta is not None else "sample"
    started = time.monotonic()
    if attempt > s.max_attempts:
        outcome = _gave_up(attempt - 1)
    else:
        try:
            data = env.blobs.get(sha)
        except (OSError, KeyError):
            outcome = _missing()
        except BlobUnavailable:
            # The stored bytes fail their hash (logged by the store): not screened now. The
            # claim is kept until it lapses, so the files behind it go on; it is tried again
            # then (the store may have been repaired: `dataip blobs copy`), and after
            # max_attempts given up, as a file that crashes the sandbox is.
            return False
        else:
            try:
                outcome = sandbox.screen(data, filename=filename, limits=s.limits)
            except OSError:
                _give_back(env, sha, holder)
                raise
            finally:
                del data
    _store(env, sha, holder, outcome)
    _log.info(
        "sample screened",
        extra={
            "blob": sha,
            "code": outcome.code,
            "cpu_seconds": outcome.cpu_seconds,
            "seconds": round(time.monotonic() - started, 3),
            "attempt": attempt,
        },
    )
    s.stored()
    return True


def _claim_time(s: ScreeningSetup) -> timedelta:
    return timedelta(seconds=s.budget.wall) + CLAIM_MARGIN


def _store(env: Env, sha: str, holder: str, outcome: Outcome) -> None:
    """Store the result once and take the file off the queue, in one short transaction."""
    row = m.ScreeningReport(
        blob_sha256=sha,
        kinds=list(outcome.kinds),
        has_personal_data=outcome.has_personal_data,
        screened_at=env.now(),
        report=outcome.report,
        error=outcome.error,
        public=outcome.public,
        engine=engine_id(),
    )
    try:
        with env.uow() as uow:
            have = uow.screenings.get(sha)
            if have is None:
                uow.screenings.add(row)
            elif have.engine != row.engine or (have.error or {}).get("code") in screening.RETRIED:
                for name in ("kinds", "has_personal_data", "screened_at", "report", "error"):
                    setattr(have, name, getattr(row, name))
                have.public, have.engine = row.public, row.engine
            # else: another worker (whose claim had lapsed) stored today's result first
            uow.screening_jobs.release(sha, holder, done=True)
            uow.commit()
    except ConcurrencyConflict:  # the same race, at the insert: theirs is kept
        with env.uow() as uow:
            uow.screening_jobs.release(sha, holder, done=True)
            uow.commit()


def _give_back(env: Env, sha: str, holder: str) -> None:
    with env.uow() as uow:
        uow.screening_jobs.release(sha, holder, done=False)
        uow.commit()


def _missing() -> Outcome:
    return Outcome(
        error={
            "code": "sample_missing",
            "message_zh": "样例数据文件缺失",
            "message_en": "the sample file is missing",
            "details": {},
        }
    )


def _gave_up(attempts: int) -> Outcome:
    return Outcome(
        error=fail(
            "screening_crashed",
            f"筛查在 {attempts} 次尝试中都未完成（处理它的进程中途停止）",
            f"screening did not finish in {attempts} attempts (the process screening it stopped)",
            attempts=attempts,
        ).to_dict()
    )


# --- many files -------------------------------------------------------------------------------


def run_next(env: Env, *, sandbox: Sandbox, holder: str, batch: int = 5) -> int:
    """Screen the oldest claimable files (at most ``batch``); how many were screened."""
    with env.read() as uow:
        shas = uow.screening_jobs.claimable(_wall(), batch)
    return sum(run_one(env, sha, sandbox=sandbox, holder=holder) for sha in shas)


def run_pending(env: Env, *, max_files: int = 100) -> int:
    """Screen what is queued (for ``dataip tick`` and the CLI); how many files."""
    s = setup(env)
    sandbox = s.sandbox("inline")
    holder = holder_name(f"run-{id(sandbox)}")
    done = 0
    while done < max_files:
        try:
            n = run_next(env, sandbox=sandbox, holder=holder, batch=min(5, max_files - done))
        except OSError:  # no screening process could run: the files stay queued
            _log.exception("screening could not run")
            return done
        if n == 0:
            return done
        done += n
    return done


def settle(
    env: Env,
    shas: Iterable[str],
    *,
    timeout: float,
    owner: int | None = None,
    fresh: bool = False,
) -> bool:
    """Request the files that need screening and wait until each has a result, at most
    ``timeout`` seconds (the server: its loop screens; elsewhere: screened here). Must be
    called with no transaction open. Returns whether every file has its result."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return True
    s = setup(env)
    if _waiting(env, wanted, fresh):
        with env.uow() as uow:
            screening.request(uow, env, wanted, owner=owner, fresh=fresh)
            uow.commit()
    deadline = time.monotonic() + timeout
    if s.loop is None and s.inline:
        sandbox = s.sandbox("inline")
        holder = holder_name(f"settle-{id(sandbox)}")
        try:
            for sha in wanted:
                run_one(env, sha, sandbox=sandbox, holder=holder)
        except OSError:  # no screening process could run: the files stay queued
            _log.exception("screening could not run")
    while True:
        if not _waiting(env, wanted, fresh):
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        s.wait_stored(min(left, 0.25))  # a store here notifies; another process's, polled


def _waiting(env: Env, shas: Sequence[str], fresh: bool) -> bool:
    with env.read() as uow:
        reports = uow.screenings.many(list(shas))
        queued = uow.screening_jobs.queued(list(shas))
    if queued:
        return True
    today = engine_id()
    for sha in shas:
        row = reports.get(sha)
        if row is None or (fresh and row.engine != today):
            return True
    return False


# --- the server's workers ---------------------------------------------------------------------


class ScreeningLoop:
    """``workers`` threads screening queued files, each through its own sandbox process.
    ``stop()`` ends them: a file being screened is given back to the queue (its worker
    process killed) rather than waited for."""

    def __init__(self, env: Env, *, workers: int | None = None) -> None:
        self._env = env
        self._setup = setup(env)
        self._workers = self._setup.workers if workers is None else workers
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._names = [f"worker-{i}" for i in range(self._workers)]

    def start(self) -> None:
        self._setup.loop = self
        self._setup.inline = False
        for i, name in enumerate(self._names):
            t = threading.Thread(target=self._run, args=(name,), name=f"screening-{i}")
            t.daemon = True
            t.start()
            self._threads.append(t)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        for name, t in zip(self._names, self._threads, strict=True):
            t.join(timeout)
            if t.is_alive():  # in the middle of a file: kill its process, requeue the file
                self._setup.close_sandbox(name)
                t.join(timeout)
        if self._setup.loop is self:
            self._setup.loop = None
            self._setup.inline = True

    def _run(self, name: str) -> None:
        holder = holder_name(name)
        while not self._stop.is_set():
            ran = 0
            try:
                ran = run_next(self._env, sandbox=self._setup.sandbox(name), holder=holder)
            except OSError:
                if self._stop.is_set():
                    return
                _log.exception("screening worker could not run")
            except Exception:  # keep screening; the file stays queued for the next look
                _log.exception("screening worker failed")
            if not ran:
                self._wake.wait(self._setup.poll_seconds)
                self._wake.clear()
