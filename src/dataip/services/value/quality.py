"""Data quality of a registration (数据质量评价, GB/T 36344-2018; issue 22 §1, R27).

The holder has the registration's sample files scored (:func:`assess`), stating what no
sample can show (standards followed, documentation, access method, availability, last
update); the update cycle and time span come from the registered form. Each assessment is
stored (``quality_assessments``); the holder and the examiner see the latest with its
evidence — counts and the holder's column names, never a cell's value — and the holder may
publish it (:func:`publish`) or withdraw it (:func:`withdraw`). The public sees the latest
published assessment with counts only (column names as the holder gave them can say more
than a count does, so they stay with the holder and the registry).

Which files are read: those of the registration's current version whose screening in the
sandbox succeeded (a file that failed screening counts as unreadable, and one still being
screened refuses the assessment, 409 ``screening_pending``). A file is read with the
screening readers and caps (``screening.read``) up to its first :data:`MAX_ROWS` rows, in
the request but outside any transaction. The log records a publication with the registration
number, the overall score and grade, and a commitment to the assessment — nothing typed.

:func:`latest_quality` is the entry point for other features (the valuation's quality
coefficient): the latest assessment of a registration, published or not, or None.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import IN_FORCE, RegState
from dataip.domain.errors import DomainError
from dataip.screening.errors import SAMPLE_LIMITS, ScreeningError
from dataip.screening.read import read_table
from dataip.services import screening
from dataip.services.after_registration.action import not_found
from dataip.services.after_registration.roles import is_holder
from dataip.services.applications.access import load as load_application
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.preconditions import Expected, check
from dataip.services.recording import commitment, record_event
from dataip.services.value import publication
from dataip.value import quality as q

__all__ = [
    "MAX_ROWS",
    "Declaration",
    "QualityResult",
    "QualityView",
    "assess",
    "latest_quality",
    "may_assess",
    "preview_application",
    "publish",
    "view",
    "withdraw",
]

MAX_ROWS = 10_000  # rows read of each sample file


@dataclass(frozen=True)
class Declaration:
    """The holder's declarations (申报) for what the sample cannot show."""

    standards: tuple[str, ...] = ()  # designations, e.g. "GB/T 4754-2017"
    documentation: bool = False
    access: str | None = None  # value.quality.ACCESS_METHODS
    availability_bp: int | None = None
    last_updated: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "standards": list(self.standards),
            "documentation": self.documentation,
            "access": self.access,
            "availability_bp": self.availability_bp,
            "last_updated": self.last_updated.isoformat() if self.last_updated else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Declaration:
        last = d.get("last_updated")
        return cls(
            standards=tuple(d.get("standards") or ()),
            documentation=bool(d.get("documentation")),
            access=d.get("access"),
            availability_bp=d.get("availability_bp"),
            last_updated=date.fromisoformat(last) if last else None,
        )


@dataclass(frozen=True)
class QualityResult:
    """The latest assessment of a registration, for other features (the valuation)."""

    assessment_id: int
    registration_id: int
    overall_bp: int
    grade: str  # value.quality.GRADES key
    indicators: dict[str, int | None]  # indicator key → its score in bp (None: not assessed)
    published: bool
    assessed_at: datetime
    assessment: q.Assessment


@dataclass(frozen=True)
class QualityView:
    registration_number: str
    result: QualityResult
    declaration: Declaration | None  # the holder's and the registry's view only
    full: bool  # evidence with column names (holder, registry)
    can_assess: bool
    can_publish: bool
    can_withdraw: bool


def _err(code: str, zh: str, en: str, status: int = 409) -> DomainError:
    return DomainError(code, zh, en, status=status)


def _not_assessed() -> DomainError:
    return _err("quality_not_found", "尚无数据质量评价", "no data-quality assessment", 404)


def _stale(current: int) -> DomainError:
    return DomainError(
        "stale_version",
        "已有更新的质量评价，请刷新后重试",
        "a newer quality assessment exists: reload and retry",
        status=412,
        details={"current_version": current},
    )


def _result(row: Any) -> QualityResult:
    a = q.Assessment.from_dict(row.result)
    return QualityResult(
        assessment_id=row.id,
        registration_id=row.registration_id,
        overall_bp=row.overall_bp,
        grade=row.grade,
        indicators={i.key: i.value_bp for i in a.indicators},
        published=row.published,
        assessed_at=row.assessed_at,
        assessment=a,
    )


def latest_quality(
    uow: UnitOfWork, registration_id: int, *, published_only: bool = False
) -> QualityResult | None:
    """The registration's latest assessment (``published_only``: its latest published one),
    or None when it has none; read in the caller's unit of work."""
    row = uow.quality.latest(registration_id, published=published_only)
    return _result(row) if row is not None else None


def _find(uow: UnitOfWork, number: str) -> m.Registration:
    reg = uow.registrations.by_number(number)
    if reg is None:
        raise not_found()
    return reg


def _holder(uow: UnitOfWork, identity: Identity, reg: m.Registration) -> int:
    return publication.holder(
        uow,
        identity,
        reg,
        "仅登记主体可进行数据质量评价或公开",
        "only the holder assesses or publishes data quality",
    )


def _in_force(reg: m.Registration) -> None:
    if RegState(reg.state) not in IN_FORCE:
        raise _err(
            "action_not_allowed_in_state",
            "登记已失效，不能评价或公开数据质量",
            "the registration is no longer in force",
        )


def _check(d: Declaration) -> None:
    if d.access is not None and d.access not in q.ACCESS_METHODS:
        raise _err("invalid_access", "访问方式无效", "unknown access method", 422)
    if d.availability_bp is not None and not 0 <= d.availability_bp <= q.FULL:
        raise _err("invalid_availability", "可用率须在 0 至 100% 之间", "availability 0–100%", 422)


@dataclass(frozen=True)
class _Sample:
    sha: str
    filename: str
    screened_ok: bool


def _samples(uow: UnitOfWork, reg: m.Registration) -> tuple[list[_Sample], dict[str, Any]]:
    version = uow.registration_versions.latest(reg.id)
    form: dict[str, Any] = dict(version.form) if version is not None else {}
    return _files(uow, form), form


def _files(uow: UnitOfWork, form: dict[str, Any]) -> list[_Sample]:
    shas = screening.samples_of(form)
    if not shas:
        raise _err("no_sample", "该登记没有样例数据", "the registration has no sample data")
    screening.require_screened(uow, shas)
    reports = uow.screenings.many(shas)
    out = []
    for sha in shas:
        meta = screening.upload_of(uow, sha, None)
        row = reports.get(sha)
        ok = row is not None and row.error is None
        out.append(_Sample(sha, meta.filename if meta else "sample", ok))
    return out


def _tables(env: Env, samples: list[_Sample]) -> list[q.Table]:
    tables = []
    for s in samples:
        if not s.screened_ok:
            tables.append(q.Table((), (), readable=False))
            continue
        try:
            data = env.blobs.get(s.sha)
            t = read_table(data, filename=s.filename, limits=SAMPLE_LIMITS, max_rows=MAX_ROWS)
        except (OSError, KeyError, ScreeningError, MemoryError, RecursionError):
            tables.append(q.Table((), (), readable=False))
            continue
        tables.append(q.Table(t.columns, t.rows, truncated=t.truncated))
    return tables


def _declared(form: dict[str, Any], d: Declaration) -> q.Declared:
    scope = form.get("scope") or {}

    def day(key: str) -> date | None:
        v = scope.get(key)
        return date.fromisoformat(v) if isinstance(v, str) else None

    return q.Declared(
        update_cycle=(form.get("update") or {}).get("frequency"),
        last_updated=d.last_updated,
        span_start=day("time_span_start"),
        span_end=day("time_span_end"),
        standards=len(d.standards),
        documentation=d.documentation,
        access=d.access,
        availability_bp=d.availability_bp,
    )


def assess(identity: Identity, *, env: Env, number: str, declaration: Declaration) -> QualityView:
    """Score the registration's sample files with the holder's declarations and store it
    (unpublished). Refused, changing nothing: not the holder (403 ``not_the_holder``), an
    ended registration (409), no sample (409 ``no_sample``), a file still being screened
    (409 ``screening_pending``)."""
    _check(declaration)
    with env.read() as uow:
        reg = _find(uow, number)
        uid = _holder(uow, identity, reg)
        _in_force(reg)
        samples, form = _samples(uow, reg)
        version = reg.certificate_version
    result = q.assess(_tables(env, samples), _declared(form, declaration), today=env.today())
    digest = hashlib.sha256("\n".join(s.sha for s in samples).encode()).hexdigest()
    with env.uow() as uow:
        reg = _find(uow, number)
        uow.quality.add(
            registration_id=reg.id,
            certificate_version=version,
            assessed_at=env.now(),
            assessed_by=uid,
            overall_bp=result.overall_bp,
            grade=q.grade(result.overall_bp)[0],
            declared=declaration.to_dict(),
            result=result.to_dict(),
            samples_sha256=digest,
            published=False,
        )
        uow.commit()
    return view(identity, env=env, number=number)


def preview_application(identity: Identity, *, env: Env, application_id: int) -> q.Assessment:
    """The examiner's preview of an application's data quality before registration: its
    sample files measured as :func:`assess` does, with the form's update cycle and time span,
    and nothing the applicant has not been asked (those sub-scores are not applicable).
    Computed on request, not stored, not published. 403 ``forbidden`` for anyone but the
    registry, 404 ``application_not_found``, 409 ``no_sample`` / ``screening_pending``."""
    identity.require_registry()
    with env.read() as uow:
        app = load_application(uow, identity, application_id)
        form: dict[str, Any] = dict(app.form or {})
        samples = _files(uow, form)
    declared = replace(_declared(form, Declaration()), asked=False)
    return q.assess(_tables(env, samples), declared, today=env.today())


def may_assess(identity: Identity, *, env: Env, number: str) -> bool:
    """Whether :func:`assess` would be allowed now (the holder, in force, with a sample)."""
    with env.read() as uow:
        reg = _find(uow, number)
        if not is_holder(uow, identity, reg) or RegState(reg.state) not in IN_FORCE:
            return False
        version = uow.registration_versions.latest(reg.id)
        return bool(screening.samples_of(version.form if version is not None else {}))


def view(identity: Identity, *, env: Env, number: str) -> QualityView:
    """The holder and the registry: the latest assessment with its evidence; anyone else:
    the latest published one of a registration in force, counts only (404
    ``quality_not_found`` when there is none)."""
    with env.read() as uow:
        reg = _find(uow, number)
        holder = is_holder(uow, identity, reg)
        full = holder or identity.is_registry
        in_force = RegState(reg.state) in IN_FORCE
        # an ended registration's page shows no published quality (as it shows no sample)
        row = uow.quality.latest(reg.id, published=not full) if full or in_force else None
        if row is None:
            raise _not_assessed()
        published = uow.quality.latest(reg.id, published=True)
        return QualityView(
            registration_number=reg.registration_number,
            result=_result(row),
            declaration=Declaration.from_dict(row.declared) if full else None,
            full=full,
            can_assess=holder and in_force,
            can_publish=holder and in_force and not row.published,
            can_withdraw=holder and published is not None,
        )


def publish(identity: Identity, *, env: Env, number: str, if_match: Expected = None) -> QualityView:
    """Publish the latest assessment (``If-Match``: its id, the ETag of the GET), replacing
    any published before. 409 ``quality_already_published`` when it already is."""
    with env.uow() as uow:
        reg = _find(uow, number)
        uid = _holder(uow, identity, reg)
        _in_force(reg)
        row = uow.quality.latest(reg.id)
        if row is None:
            raise _not_assessed()
        check(if_match, row.id, _stale)
        publication.settle(
            not row.published and uow.quality.publish(row.id, env.now()),
            (
                "quality_already_published",
                "该质量评价已公开",
                "this quality assessment is already published",
            ),
        )
        uow.quality.withdraw_others(reg.id, row.id)
        record_event(
            uow,
            subject_type="registration",
            subject_id=reg.id,
            type="QualityPublished",
            at=env.now(),
            actor_user_id=uid,
            public={
                "registration_number": reg.registration_number,
                "overall_bp": row.overall_bp,
                "grade": q.grade(row.overall_bp)[0],
            },
            private={"assessment": commitment(row.result)},
        )
        uow.commit()
    return view(identity, env=env, number=number)


def withdraw(identity: Identity, *, env: Env, number: str) -> QualityView:
    """Withdraw the published assessment from the public page (409 ``quality_not_published``
    when none is published); the holder's view afterwards."""
    with env.uow() as uow:
        reg = _find(uow, number)
        uid = _holder(uow, identity, reg)
        publication.settle(
            uow.quality.withdraw(reg.id),
            ("quality_not_published", "没有已公开的质量评价", "no quality assessment is published"),
        )
        record_event(
            uow,
            subject_type="registration",
            subject_id=reg.id,
            type="QualityWithdrawn",
            at=env.now(),
            actor_user_id=uid,
            public={"registration_number": reg.registration_number},
        )
        uow.commit()
    return view(identity, env=env, number=number)
