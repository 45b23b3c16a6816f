"""Sample-data screening in the procedure (R26, R14.6, R5.7; issues 7 and 18): every sample
file is screened, and what was found is shown to the examiner beside the application.
Screening never refuses by itself: the examiner decides (a refusal for endangering personal
privacy is the examiner's, under G§13).

Issue 18: screening never runs inside a request's transaction. A transaction that names a file
as a sample — a draft saved, a submission, a correction, a change request — only *requests*
it (a row in ``screening_jobs``); a worker (:mod:`.screening_worker`) screens it in a
sandboxed process and stores the report in a short transaction of its own. Each file is
therefore in one of these states, shown to the examiner and to the applicant:

* ``pending`` — requested, waiting for a worker; ``running`` — a worker holds it;
* ``done`` — the report is stored; ``failed`` — the file could not be screened (a cap, a
  malformed file, a budget), with the reason's code and bilingual message;
* ``not_screened`` — neither requested nor screened (a draft saved before issue 18; it is
  requested when the draft is saved or submitted).

A submission waits a bounded time for its files (``procedure.perform``), then is filed with
whatever is still pending; the examiner cannot pass the examination (``publicise``) while a
sample is unscreened, but may refuse or ask for a correction at any time.

Reports hold masked examples only (``screening.Report.to_dict()``); the sample files themselves
stay private to the applicant and the registry, and no public page or public API shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.screening.sandbox import engine_id
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

PENDING, RUNNING, DONE, FAILED, NOT_SCREENED = (
    "pending",
    "running",
    "done",
    "failed",
    "not_screened",
)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    PENDING: ("等待筛查", "waiting to be screened"),
    RUNNING: ("正在筛查", "being screened"),
    DONE: ("筛查完成", "screened"),
    FAILED: ("无法筛查", "could not be screened"),
    NOT_SCREENED: ("尚未筛查（保存或提交时筛查）", "not screened yet (screened when saved)"),
}
# Failures that are not the file's fault: asking again (saving or submitting again) retries.
RETRIED = frozenset({"screening_timed_out", "screening_crashed"})


def samples_of(form: dict[str, Any] | None) -> list[str]:
    """The sample files a form names, in order, once each (nothing if it names no list)."""
    named = (form or {}).get("sample_blobs")
    if not isinstance(named, list):
        return []
    return [s for s in dict.fromkeys(named) if isinstance(s, str)]


def upload_of(uow: UnitOfWork, sha: str, owner: int | None) -> m.Blob | None:
    """The upload of these bytes whose name stands for the file (its format, its name in
    reports): ``owner``'s; with no owner (the registry re-screening), the first upload."""
    if owner is not None:
        return uow.blobs.owned(sha, owner)
    return uow.blobs.earliest(sha)


def request(
    uow: UnitOfWork,
    env: Env,
    shas: Iterable[str],
    *,
    owner: int | None = None,
    fresh: bool = False,
) -> list[str]:
    """Queue (in the caller's transaction) the files that need screening: never screened, or
    failed for a reason that was not the file's (a timeout, a crash); with ``fresh``, also
    those screened by other screening code than today's. ``owner``: whose uploads they are.
    Returns what was queued; a worker is woken once the caller commits."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return []
    reports = uow.screenings.many(wanted)
    today = engine_id()
    queue = []
    for sha in wanted:
        row = reports.get(sha)
        if (
            row is None
            or (row.error is not None and row.error.get("code") in RETRIED)
            or (fresh and row.engine != today)
        ):
            queue.append(sha)
    if queue:
        uow.screening_jobs.request(queue, env.now(), owner)
        wake = getattr(env.screening, "wake", None)
        if wake is not None:
            uow.after_commit(wake)
    return queue


def status_of(
    row: m.ScreeningReport | None, job: m.ScreeningJob | None, *, now: datetime | None = None
) -> str:
    if job is not None:
        now = now or datetime.now(UTC)
        claimed = job.claimed_until is not None and job.claimed_until > now
        return RUNNING if claimed else PENDING
    if row is None:
        return NOT_SCREENED
    return FAILED if row.error is not None else DONE


def states(uow: UnitOfWork, shas: Sequence[str]) -> dict[str, str]:
    """Each file's state (see the module's docstring)."""
    reports = uow.screenings.many(list(shas))
    jobs = uow.screening_jobs.queued(list(shas))
    now = datetime.now(UTC)
    return {s: status_of(reports.get(s), jobs.get(s), now=now) for s in shas}


def unscreened(uow: UnitOfWork, shas: Sequence[str]) -> list[str]:
    """The files with no stored result yet (pending, running or not screened)."""
    return [s for s, state in states(uow, shas).items() if state not in (DONE, FAILED)]


def require_screened(uow: UnitOfWork, shas: Sequence[str]) -> None:
    """Refuse (409 ``screening_pending``, nothing changed) while a file has no stored result.
    Every transaction that names a file as a sample has requested it, so the wait ends."""
    missing = unscreened(uow, shas)
    if missing:
        raise DomainError(
            "screening_pending",
            "样例数据尚未筛查完毕，请稍后再试",
            "the sample files are still being screened: try again shortly",
            status=409,
            details={"files": missing},
        )


def for_examiner(uow: UnitOfWork, app: m.Application) -> list[dict[str, Any]]:
    """The state and report of each of an application's sample files, for the examiner's
    checklist and the holder's own view (masked examples only)."""
    shas = samples_of(app.form)
    reports = uow.screenings.many(shas)
    jobs = uow.screening_jobs.queued(shas)
    now = datetime.now(UTC)
    out = []
    for sha in shas:
        meta = upload_of(uow, sha, app.filer_user_id)
        filename = meta.filename if meta else None
        row, job = reports.get(sha), jobs.get(sha)
        status = status_of(row, job, now=now)
        settled = row is not None and job is None
        # one report per content: the name in it is the first requester's, so the filer's
        # own is put in its place
        report = {**row.report, "filename": filename} if settled and row and row.report else None
        out.append(
            {
                "blob": sha,
                "filename": filename,
                "status": status,
                "screened": settled,
                "kinds": row.kinds if settled and row else [],
                "has_personal_data": row.has_personal_data if settled and row else None,
                "grade": (row.report or {}).get("grade_hint") if settled and row else None,
                "report": report,
                "error": row.error if settled and row else None,
                "screened_at": row.screened_at.isoformat() if settled and row else None,
                "requested_at": job.requested_at.isoformat() if job else None,
            }
        )
    return out
