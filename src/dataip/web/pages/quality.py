"""The data-quality section of a registration's page (数据质量评价, issue 22 §1): the holder's
form (the declarations), the scores per indicator with a bar, each sub-score with its
evidence and whether it was measured (实测) or declared (申报); the publish and withdraw
buttons only while they would succeed. The examiner sees the latest assessment; the public
the published one, counts only. Use cases in `services/value/quality.py`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.value import quality as svc
from dataip.value import quality as q
from dataip.web.api.quality import QualityDeclarationIn
from dataip.web.deps import EnvDep
from dataip.web.pages import flash
from dataip.web.pages.forms import csrf_refused, failure, signed_in, version_of
from dataip.web.pages.render import lang_of
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)

ACCESS_CHOICES = tuple((k, v[0], v[1]) for k, v in q.ACCESS_METHODS.items())
BASIS = {
    "measured": ("实测", "measured"),
    "declared": ("申报", "declared"),
    "not_applicable": ("不适用", "not applicable"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _points(value_bp: int | None) -> str:
    return "—" if value_bp is None else f"{value_bp / 100:.2f}"


def section(identity: Identity, env: Env, number: str, lang: str) -> dict[str, Any] | None:
    """What the page shows of the registration's quality, or None (nothing to show)."""
    try:
        v = svc.view(identity, env=env, number=number)
    except DomainError:
        v = None
    if v is None:
        if not _may_assess(identity, env, number):
            return None
        return {"result": None, "declaration": None, "can_assess": True, "access": _access(lang)}
    a, r = v.result.assessment, v.result
    indicators = _indicators(a, full=v.full, lang=lang)
    key, zh, en = q.grade(r.overall_bp)
    d = v.declaration
    return {
        "result": {
            "id": r.assessment_id,
            "overall_bp": r.overall_bp,
            "points": _points(r.overall_bp),
            "grade": en if lang == "en" else zh,
            "grade_key": key,
            "published": r.published,
            "assessed_at": r.assessed_at,
            "files": a.files,
            "rows": a.rows,
            "columns": a.columns,
            "truncated": a.truncated,
            "indicators": indicators,
            "full": v.full,
        },
        "declaration": d,
        "can_assess": v.can_assess,
        "can_publish": v.can_publish,
        "can_withdraw": v.can_withdraw,
        "access": _access(lang),
        "max_rows": svc.MAX_ROWS,
    }


def _indicators(a: q.Assessment, *, full: bool, lang: str) -> list[dict[str, Any]]:
    out = []
    for i in a.indicators:
        band = q.grade(i.value_bp) if i.value_bp is not None else None
        out.append(
            {
                "key": i.key,
                "name": _pick(q.INDICATORS[i.key][:2], lang),
                "weight": i.weight,
                "value_bp": i.value_bp,
                "points": _points(i.value_bp),
                "grade": _pick((band[1], band[2]), lang) if band else "",
                "subs": [
                    {
                        "name": _pick(q.SUBS[s.key][1:3], lang),
                        "basis": s.basis,
                        "basis_label": _pick(BASIS[s.basis], lang),
                        "points": _points(s.value_bp),
                        "evidence": (
                            (s.evidence_en if lang == "en" else s.evidence_zh)
                            if full
                            else (s.public_en if lang == "en" else s.public_zh)
                        ),
                        "formula": _pick(q.SUBS[s.key][3:5], lang),
                    }
                    for s in i.subs
                ],
            }
        )
    return out


def preview(identity: Identity, env: Env, application_id: int, lang: str) -> dict[str, Any]:
    """The examiner's preview of an application (measured only, not stored), shaped as
    :func:`section` shapes an assessment, without the holder's buttons."""
    a = svc.preview_application(identity, env=env, application_id=application_id)
    return {
        "result": {
            "id": None,
            "overall_bp": a.overall_bp,
            "points": _points(a.overall_bp),
            "grade": _pick(q.grade(a.overall_bp)[1:], lang),
            "published": False,
            "assessed_at": a.assessed_on,
            "files": a.files,
            "rows": a.rows,
            "columns": a.columns,
            "truncated": a.truncated,
            "indicators": _indicators(a, full=True, lang=lang),
            "full": False,  # no "not published" badge: a preview is never published
        },
        "declaration": None,
        "can_assess": False,
        "can_publish": False,
        "can_withdraw": False,
        "max_rows": svc.MAX_ROWS,
    }


def _access(lang: str) -> list[tuple[str, str]]:
    return [(k, en if lang == "en" else zh) for k, zh, en in ACCESS_CHOICES]


def _may_assess(identity: Identity, env: Env, number: str) -> bool:
    """No assessment yet: the holder of a registration in force may make the first."""
    if identity.user_id is None or identity.is_registry:
        return False
    try:
        return svc.may_assess(identity, env=env, number=number)
    except DomainError:
        return False


def _declaration(data: FormData) -> svc.Declaration:
    def text(name: str) -> str:
        v = data.get(name)
        return v.strip() if isinstance(v, str) else ""

    availability: int | None = None
    if text("availability"):
        try:
            availability = int(Decimal(text("availability")) * 100)
        except (InvalidOperation, ValueError):
            raise DomainError(
                "invalid_availability",
                "可用率须为 0 至 100 之间的数",
                "availability must be a number from 0 to 100",
                status=422,
            ) from None
    body = QualityDeclarationIn.model_validate(
        {
            # one standard a line; split on line feeds only: str.splitlines() would also cut
            # at (and so drop) control characters such as U+000C or U+0085, which the API
            # model must see to refuse
            "standards": [
                s.strip(" ")
                for s in text("standards").replace("\r\n", "\n").split("\n")
                if s.strip(" ")
            ],
            "documentation": data.get("documentation") == "yes",
            "access": text("access") or None,
            "availability_bp": availability,
            "last_updated": text("last_updated") or None,
        }
    )
    return svc.Declaration(
        standards=tuple(body.standards),
        documentation=body.documentation,
        access=body.access,
        availability_bp=body.availability_bp,
        last_updated=body.last_updated,
    )


def _post(request: Request, env: Env, data: FormData, number: str, step: str) -> Response:
    from dataip.web.pages.holder import registration_refused  # the page this section is on

    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    try:
        if step == "assess":
            svc.assess(who, env=env, number=number, declaration=_declaration(data))
        elif step == "publish":
            svc.publish(who, env=env, number=number, if_match=version_of(data))
        else:
            svc.withdraw(who, env=env, number=number)
    except (DomainError, ValidationError) as e:
        return registration_refused(request, env, number, e)
    ref = {
        "assess": ("数据质量评价", "data-quality assessment"),
        "publish": ("公开数据质量评价", "data quality published"),
        "withdraw": ("撤回数据质量评价", "data quality withdrawn"),
    }[step]
    return flash.redirect(
        request, f"/registrations/{number}#quality", ok="recorded", ref=_pick(ref, lang_of(request))
    )


@router.post("/registrations/{number}/quality", response_class=HTMLResponse)
async def assess(request: Request, env: EnvDep, number: str) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_post, request, env, data, number, "assess")


@router.post("/registrations/{number}/quality/publish", response_class=HTMLResponse)
async def publish(request: Request, env: EnvDep, number: str) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_post, request, env, data, number, "publish")


@router.post("/registrations/{number}/quality/unpublish", response_class=HTMLResponse)
async def unpublish(request: Request, env: EnvDep, number: str) -> Response:
    data = await request.form(max_files=0)
    return await run_in_threadpool(_post, request, env, data, number, "withdraw")


@router.get("/workbench/applications/{application_id}/quality", response_class=HTMLResponse)
def application_preview(request: Request, env: EnvDep, application_id: int) -> Response:
    from dataip.web.pages.render import render

    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    if not who.is_registry:
        raise DomainError("forbidden", "仅登记机构工作人员可用", "registry staff only", status=403)
    lang = lang_of(request)
    try:
        quality = preview(who, env, application_id, lang)
    except DomainError as e:
        if e.status == 404:
            raise
        return render(
            request,
            "exam_quality.html",
            {"application_id": application_id, "quality": None, "error": failure(request, e)},
            status_code=e.status,
        )
    return render(
        request,
        "exam_quality.html",
        {"application_id": application_id, "quality": quality, "error": None},
    )
