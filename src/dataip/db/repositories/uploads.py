"""Uploads (上传文件) and the screening of sample files: each user's upload of some bytes
(samples, proofs, powers of attorney; a file is always someone's, issue 18); what sample-data
screening found in a file (R26, issue 7); the queue of files waiting for a screening worker
(issue 18); and what a registration's public page shows of its samples (issue 7, point 4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo
from dataip.domain import model as m


class Blobs(_Repo[m.Blob]):
    """Uploads, one row per user and content (issue 18). There is deliberately no lookup by
    content alone for the services' forms: a file is always someone's."""

    cls = m.Blob

    def get(self, key: Any, *, for_update: bool = False) -> m.Blob | None:
        if not isinstance(key, int):  # a sha256 names content, not an upload: see owned()
            raise TypeError("Blobs.get takes an upload id; use owned(sha256, user_id)")
        return super().get(key, for_update=for_update)

    def owned(self, sha256: str, user_id: int | None) -> m.Blob | None:
        """The caller's own upload of these bytes, if any."""
        if user_id is None:
            return None
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256, c.uploaded_by == user_id)
        return self.s.scalars(stmt).first()

    def first_owned(self, sha256: str, user_ids: Sequence[int]) -> m.Blob | None:
        """These bytes as the first of `user_ids` (in that order) that uploaded them: a form's
        file as its author uploaded it."""
        if not user_ids:
            return None
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256, c.uploaded_by.in_(list(user_ids)))
        found = {b.uploaded_by: b for b in self.s.scalars(stmt)}
        return next((found[u] for u in user_ids if u in found), None)

    def earliest(self, sha256: str) -> m.Blob | None:
        """The first upload of these bytes — for the registry, which may read every upload."""
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256).order_by(c.id).limit(1)
        return self.s.scalars(stmt).first()


class ScreeningReports(_Repo[m.ScreeningReport]):
    cls = m.ScreeningReport

    def many(self, shas: Sequence[str]) -> dict[str, m.ScreeningReport]:
        if not shas:
            return {}
        c = t.screening_reports.c
        stmt = sa.select(m.ScreeningReport).where(c.blob_sha256.in_(sorted(set(shas))))
        return {r.blob_sha256: r for r in self.s.scalars(stmt)}


class ScreeningJobs(_Repo[m.ScreeningJob]):
    """The queue of sample files to screen (issue 18). Claims are compare-and-set updates on
    wall-clock UTC times, so exactly one worker holds a file until its claim lapses."""

    cls = m.ScreeningJob

    def request(self, shas: Sequence[str], at: Any, by: int | None = None) -> None:
        """Queue each file not queued yet (a concurrent request of the same file is not an
        error: the insert does nothing)."""
        if not shas:
            return
        rows = [
            {"blob_sha256": sha, "requested_at": at, "attempts": 0, "requested_by": by}
            for sha in shas
        ]
        insert = (
            postgresql.insert if self.s.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        self.s.execute(insert(t.screening_jobs).values(rows).on_conflict_do_nothing())

    def queued(self, shas: Sequence[str]) -> dict[str, m.ScreeningJob]:
        if not shas:
            return {}
        c = t.screening_jobs.c
        stmt = sa.select(m.ScreeningJob).where(c.blob_sha256.in_(sorted(set(shas))))
        return {j.blob_sha256: j for j in self.s.scalars(stmt)}

    def claimable(self, now: Any, limit: int) -> list[str]:
        """Files no one holds (never claimed, or the claim lapsed): the oldest request first,
        and of files requested together the smallest first (a few rows of CSV are not kept
        waiting behind a large workbook)."""
        c, b = t.screening_jobs.c, t.blobs.c
        size = sa.select(sa.func.min(b.size)).where(b.sha256 == c.blob_sha256).scalar_subquery()
        stmt = (
            sa.select(c.blob_sha256)
            .where(sa.or_(c.claimed_until.is_(None), c.claimed_until < now))
            .order_by(c.requested_at, size, c.blob_sha256)
            .limit(limit)
        )
        return list(self.s.scalars(stmt))

    def claim(self, sha: str, holder: str, now: Any, until: Any) -> int | None:
        """Take the file if no one holds it; the number of this attempt, or None."""
        c = t.screening_jobs.c
        stmt = (
            sa.update(t.screening_jobs)
            .where(
                c.blob_sha256 == sha,
                sa.or_(c.claimed_until.is_(None), c.claimed_until < now),
            )
            .values(claimed_by=holder, claimed_until=until, attempts=c.attempts + 1)
            .returning(c.attempts)
        )
        row = self.s.execute(stmt).first()
        return None if row is None else int(row[0])

    def release(self, sha: str, holder: str, *, done: bool) -> None:
        """Done: remove the file from the queue. Otherwise give it back for another worker."""
        c = t.screening_jobs.c
        where = (c.blob_sha256 == sha, c.claimed_by == holder)
        if done:
            self.s.execute(sa.delete(t.screening_jobs).where(*where))
        else:
            self.s.execute(sa.update(t.screening_jobs).where(*where).values(claimed_until=None))


class SamplePublications(_Repo[m.SamplePublication]):
    cls = m.SamplePublication
