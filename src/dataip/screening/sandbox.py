"""Screening in a process of its own, under a CPU-time, memory and wall-clock budget.

Screening is CPU-bound Python over a file an applicant chose: run in the server's process it
holds the GIL for as long as the file takes, and a file built to take long stalls every other
request. :class:`Sandbox` screens in a worker process instead — ``python -m
dataip.screening.sandbox``, which imports only this package — and the budgets are the
kernel's, not a check the screening code might never reach:

* **CPU time** — before each file the worker sets its soft ``RLIMIT_CPU`` to the CPU seconds
  it has used so far plus the budget; past it the kernel sends ``SIGXCPU``, whose default
  action ends the process, even inside a long C call (json, expat, the C scanner). The parent
  sees the signal in the exit status: ``screening_cpu_time``.
* **Memory** — the worker's address space is capped (``RLIMIT_AS``): an allocation past it
  is a ``MemoryError`` (``screening_out_of_memory``), and the worker is then replaced.
* **Wall clock** — the parent waits at most ``wall_seconds`` for a result and then kills the
  worker (``screening_timed_out``): a worker that is starved or stuck uses no CPU time.
* Core dumps are off (``RLIMIT_CORE`` 0) and any other death is ``screening_crashed``.
* The worker runs at a lower priority (``nice`` +10): on a busy machine the server's requests
  are scheduled first.

The worker is kept for the next file (starting Python and importing the package costs about
0.15 s; a file of a few rows takes milliseconds), and replaced after ``max_tasks`` files, a
memory error, or any death. Requests and results go over a pipe as pickles of built-in
types: both ends are this module, started by the parent, never data from outside. Why not
``multiprocessing``: its ``spawn`` and ``forkserver`` children re-import the parent's
``__main__`` (for ``dataip serve`` the whole application, about a second per child), and a
``ProcessPoolExecutor`` whose worker the kernel kills is broken for every later task.

What crosses back is what the registry stores: the report (masked examples only), the kinds,
and the rows as they may be published (masked; as read only when nothing was found), never
the parsed file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import resource
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

from dataip.screening.errors import Limits, ScreeningError, fail
from dataip.screening.screen import screen_bytes

__all__ = ["Budget", "Outcome", "Sandbox", "engine_id"]

NICENESS = 10


@functools.cache
def engine_id() -> str:
    """A fingerprint of the screening code (this package's Python and C sources): a stored
    result made by other code is not today's, and is made again before rows go public."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.glob("*.py"), *here.glob("*.c")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Budget:
    """What one file may cost: CPU seconds, bytes of address space of the worker, and wall
    seconds the parent waits (0: three times the CPU budget plus ten seconds)."""

    cpu_seconds: int = 30
    memory_bytes: int = 1 << 30
    wall_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.cpu_seconds < 1 or self.memory_bytes < (64 << 20) or self.wall_seconds < 0:
            raise ValueError("a screening budget needs ≥ 1 CPU second and ≥ 64 MiB")

    @property
    def wall(self) -> float:
        return self.wall_seconds or 3.0 * self.cpu_seconds + 10.0


@dataclass(frozen=True)
class Outcome:
    """The result of screening one file: a report, or the error that stopped it."""

    report: dict[str, Any] | None = None  # Report.to_dict(): masked examples only
    kinds: tuple[str, ...] = ()
    has_personal_data: bool = False
    # PublicSample.to_dict() per choice: "masked" always, "raw" only when nothing was found
    public: dict[str, Any] | None = None
    error: dict[str, Any] | None = None  # ScreeningError.to_dict()
    cpu_seconds: float = 0.0

    @property
    def code(self) -> str | None:
        return str(self.error["code"]) if self.error else None


def _error(code: str, zh: str, en: str, **details: Any) -> Outcome:
    return Outcome(error=fail(code, zh, en, **details).to_dict())


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    tx: Connection
    rx: Connection
    tasks: int = 0


@dataclass
class Sandbox:
    """A worker process that screens one file at a time under ``budget`` (thread-safe: one
    file at a time per sandbox; give each thread its own for parallel screening)."""

    budget: Budget = field(default_factory=Budget)
    max_tasks: int = 200
    python: str = sys.executable
    _worker: _Worker | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closed: bool = False

    def screen(
        self,
        data: bytes,
        *,
        filename: str,
        limits: Limits,
        pseudonym_key: bytes | None = None,
    ) -> Outcome:
        """Screen ``data`` in the worker. A file that cannot be screened, or that exceeds a
        budget, is an :class:`Outcome` with ``error``; only a worker that cannot be started
        at all (or a sandbox closed meanwhile) raises ``OSError``."""
        with self._lock:
            if self._closed:
                raise OSError("the screening sandbox is closed")
            worker = self._worker or self._start()
            request = (data, filename, limits, self.budget, pseudonym_key)
            try:
                worker.tx.send(request)
            except OSError:  # died since its last file: start another, once
                self._discard()
                worker = self._start()
                worker.tx.send(request)
            del data, request
            worker.tasks += 1
            outcome = self._result(worker)
            if isinstance(outcome, Outcome):
                if worker.tasks >= self.max_tasks or outcome.code == "screening_out_of_memory":
                    self._discard()
                return outcome
            return self._death(worker, timed_out=outcome == "timed_out")

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop the worker (a file being screened ends with ``OSError`` for its caller)."""
        self._closed = True
        worker = self._worker
        if worker is not None:
            with contextlib.suppress(OSError):
                worker.proc.kill()
        with self._lock:
            self._discard()

    # --- the parent's side ------------------------------------------------------------------

    def _start(self) -> _Worker:
        child_rx, parent_tx = Pipe(duplex=False)
        parent_rx, child_tx = Pipe(duplex=False)
        fds = (child_rx.fileno(), child_tx.fileno())
        try:
            proc = subprocess.Popen(
                [self.python, "-m", "dataip.screening.sandbox", *map(str, fds)],
                stdin=subprocess.DEVNULL,
                pass_fds=fds,
                close_fds=True,
            )
        finally:
            child_rx.close()
            child_tx.close()
        self._worker = _Worker(proc, parent_tx, parent_rx)
        return self._worker

    def _result(self, worker: _Worker) -> Outcome | str:
        """The worker's answer, or why there is none: ``timed_out`` (killed here) or
        ``died``."""
        try:
            if not worker.rx.poll(self.budget.wall):
                worker.proc.kill()
                return "timed_out"
            answer: dict[str, Any] = worker.rx.recv()
        except (EOFError, OSError):
            return "died"
        return Outcome(**answer)

    def _death(self, worker: _Worker, *, timed_out: bool) -> Outcome:
        """What a worker that gave no answer died of; the worker is discarded."""
        try:
            status = worker.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            status = worker.proc.wait()
        self._discard()
        if self._closed:
            raise OSError("the screening sandbox was closed while screening")
        b = self.budget
        if status == -signal.SIGXCPU:
            return _error(
                "screening_cpu_time",
                f"超过 {b.cpu_seconds} 秒 CPU 时间",
                f"more than {b.cpu_seconds} s of CPU time",
                limit=b.cpu_seconds,
            )
        if timed_out:
            return _error(
                "screening_timed_out",
                f"{b.wall:.0f} 秒内没有完成",
                f"not finished within {b.wall:.0f} s",
                limit=b.wall,
            )
        return _error(
            "screening_crashed",
            f"筛查进程退出（状态 {status}）",
            f"the screening process exited with status {status}",
            status=status,
        )

    def _discard(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        for conn in (worker.tx, worker.rx):
            conn.close()
        if worker.proc.poll() is None:
            worker.proc.kill()
        worker.proc.wait()


# --- the worker's side ------------------------------------------------------------------------


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _set_soft(kind: int, soft: int) -> None:
    """Set a soft limit, never above the hard one (RLIM_INFINITY: up to the hard one)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY and (soft == resource.RLIM_INFINITY or soft > hard):
        soft = hard
    resource.setrlimit(kind, (soft, hard))


def _screen_one(
    data: bytes, filename: str, limits: Limits, key: bytes | None, budget: Budget
) -> dict[str, Any]:
    try:
        report = screen_bytes(data, filename=filename, limits=limits, pseudonym_key=key)
        public = {"masked": report.public_sample(masked=True).to_dict(), "raw": None}
        if report.found_nothing:
            public["raw"] = report.public_sample(masked=False).to_dict()
        return {
            "report": report.to_dict(),
            "kinds": tuple(sorted(report.kinds)),
            "has_personal_data": report.has_personal_data,
            "public": public,
        }
    except ScreeningError as exc:
        return {"error": exc.to_dict()}
    except MemoryError:
        mib = budget.memory_bytes >> 20
        return {
            "error": fail(
                "screening_out_of_memory",
                f"超过 {mib} MiB 内存",
                f"more than {mib} MiB of memory",
                limit=budget.memory_bytes,
            ).to_dict()
        }
    except RecursionError:
        return {"error": fail("screening_too_deep", "嵌套过深", "nesting too deep").to_dict()}
    except Exception as exc:  # a bug, not the file's fault: the examiner still sees why
        name = type(exc).__name__
        return {
            "error": fail(
                "screening_crashed", f"筛查程序出错（{name}）", f"screening failed ({name})"
            ).to_dict()
        }


def serve(rx: Connection, tx: Connection) -> None:
    """The worker's loop: one request at a time until the parent closes the pipe."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    memory = 0
    while True:
        try:
            data, filename, limits, budget, key = rx.recv()
        except EOFError:
            return
        if budget.memory_bytes != memory:
            memory = budget.memory_bytes
            _set_soft(resource.RLIMIT_AS, memory)
        start = _cpu()
        # whole seconds: the budget counts from what this process has used so far
        _set_soft(resource.RLIMIT_CPU, math.ceil(start) + budget.cpu_seconds)
        answer = _screen_one(data, filename, limits, key, budget)
        del data
        answer["cpu_seconds"] = round(_cpu() - start, 3)
        _set_soft(resource.RLIMIT_CPU, resource.RLIM_INFINITY)
        try:
            tx.send(answer)
        except OSError:  # the parent is gone
            return


def main(argv: list[str]) -> int:
    rx = Connection(int(argv[0]), writable=False)
    tx = Connection(int(argv[1]), readable=False)
    # nothing the screening prints may reach the parent's stdout
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when this ends
    # background work: on a busy machine the server's requests go first
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    serve(rx, tx)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
