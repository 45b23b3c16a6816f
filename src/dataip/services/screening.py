"""Sample-data screening in the procedure (R26, R14.6, R5.7; issue 7): every sample file is
screened when the application is submitted or corrected, and what was found is shown to the
examiner beside the application. Screening never refuses by itself: the examiner decides
(a refusal for endangering personal privacy is the examiner's, under G§13).

Reports hold masked examples only (`screening.Report.to_dict()`); the sample files themselves
stay private to the applicant and the registry, and no public page or public API shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dataip.domain import model as m
from dataip.screening import ScreeningError, screen_bytes
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork


def ensure(
    uow: UnitOfWork, env: Env, shas: Iterable[str], *, owner: int | None = None
) -> list[m.ScreeningReport]:
    """The screening report of each sample file, screening those not yet screened (in the
    caller's transaction). A file that cannot be read is recorded with its error: the
    examiner sees why, and the applicant can replace it. `owner` is the user whose uploads
    the files are (their names tell the format)."""
    out = []
    for sha in dict.fromkeys(shas):  # in order, once each
        row = uow.screenings.get(sha)
        if row is None:
            row = uow.screenings.add(_screen(uow, env, sha, owner))
        out.append(row)
    return out


def _screen(uow: UnitOfWork, env: Env, sha: str, owner: int | None) -> m.ScreeningReport:
    meta = uow.blobs.owned(sha, owner) or uow.blobs.earliest(sha)
    now = env.now()
    try:
        data = env.blobs.get(sha)
        report = screen_bytes(
            data,
            filename=meta.filename if meta else "sample",
            declared_records=None,
        )
    except ScreeningError as e:
        return m.ScreeningReport(
            blob_sha256=sha,
            kinds=[],
            has_personal_data=False,
            screened_at=now,
            error=e.to_dict(),
        )
    except (OSError, KeyError):
        return m.ScreeningReport(
            blob_sha256=sha,
            kinds=[],
            has_personal_data=False,
            screened_at=now,
            error={
                "code": "sample_missing",
                "message_zh": "样例数据文件缺失",
                "message_en": "the sample file is missing",
            },
        )
    return m.ScreeningReport(
        blob_sha256=sha,
        kinds=sorted(report.kinds),
        has_personal_data=report.has_personal_data,
        screened_at=now,
        report=report.to_dict(),
    )


def for_examiner(uow: UnitOfWork, app: m.Application) -> list[dict[str, Any]]:
    """The reports of an application's sample files, for the examiner's checklist (files not
    yet screened — a draft — are listed as such)."""
    out = []
    for sha in app.form.get("sample_blobs") or []:
        meta = uow.blobs.owned(sha, app.filer_user_id)
        filename = meta.filename if meta else None
        row = uow.screenings.get(sha)
        # one report per content: the name in it is whoever's upload was screened first,
        # so the filer's own name is put in its place (issue 18)
        report = {**row.report, "filename": filename} if row and row.report else None
        out.append(
            {
                "blob": sha,
                "filename": filename,
                "screened": row is not None,
                "kinds": row.kinds if row else [],
                "has_personal_data": row.has_personal_data if row else None,
                "grade": (row.report or {}).get("grade_hint") if row else None,
                "report": report,
                "error": row.error if row else None,
            }
        )
    return out
