"""Public pages (no account): home with statistics, announcement search, announcements,
registration records, certificate verification and the transparency log. Rules stay in the
services; these routes only read, call and render."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup

from dataip.certs import intake, qr
from dataip.domain.after_registration_codes import ANNOUNCEMENT_KINDS
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES
from dataip.services import announcements, certificates, ledger, reference, registrations
from dataip.web.deps import EnvDep
from dataip.web.pages import holder
from dataip.web.pages.charts import bar_chart, month_label
from dataip.web.pages.render import STATIC, gettext_for, lang_of, render
from dataip.web.pages.security import CSRF_FIELD, csrf_ok
from dataip.web.signals import count_after

router = APIRouter(include_in_schema=False)

MAX_VERIFY_UPLOAD = 5 * 1024 * 1024  # a certificate PDF is about 60 KB


def _label(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


@router.get("/favicon.ico")
def favicon() -> Response:
    """The registry's icon (a red seal with a star) at the address browsers ask for."""
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, env: EnvDep) -> Response:
    with env.shared_reads():  # one read-only unit of work for both (issue 25)
        stats = registrations.statistics(env=env)
        latest = announcements.search(env=env, query=announcements.AnnouncementQuery(limit=8))
    _ = gettext_for(request)
    lang = lang_of(request)
    return render(
        request,
        "home.html",
        {
            "stats": stats,
            "month_label": lambda key: month_label(key, lang),
            "latest": latest,
            "kinds": ANNOUNCEMENT_KINDS,
            "month_chart": bar_chart(
                [(month_label(m["month"], lang), m["count"]) for m in stats["by_month"]],
                title=_("Registrations by month"),
            ),
            "section_chart": bar_chart(
                [(f"{s['section']} {s['name']}", s["count"]) for s in stats["by_section"]],
                title=_("Registrations by industry section"),
                horizontal=True,
            ),
        },
    )


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "invalid_date", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD", status=422
        ) from None


@router.get("/announcements", response_class=HTMLResponse)
def announcement_list(
    request: Request,
    env: EnvDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    type: Annotated[list[str] | None, Query()] = None,
    industry: Annotated[str | None, Query(max_length=60)] = None,
    region: Annotated[str | None, Query(max_length=20)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    error = None
    hits: list[Any] = []
    kinds = tuple(k for k in (type or []) if k)
    with env.shared_reads():  # one read-only unit of work for the page (issue 25)
        try:
            query = announcements.AnnouncementQuery(
                kinds=kinds,
                date_from=_date(date_from),
                date_to=_date(date_to),
                industry=industry or None,
                region=region or None,
                text=q or None,
                cursor=cursor,
                limit=20,
            )
            hits = announcements.search(env=env, query=query)
        except DomainError as e:
            error = e
        # the filters take names: the sections and divisions, the provinces to pick from
        industry_names = [
            (r.code, r.name)
            for level in ("section", "division")
            for r in reference.industries_at(env=env, level=level)
        ]
    page = render(
        request,
        "announcements.html",
        {
            "hits": hits,
            "error": error,
            "kinds": ANNOUNCEMENT_KINDS,
            "form": {
                "q": q or "",
                "type": kinds,
                "industry": industry or "",
                "region": region or "",
                "from": date_from or "",
                "to": date_to or "",
            },
            "next_cursor": hits[-1].id if len(hits) == 20 else None,
            "industry_names": industry_names,
            "region_names": [(c, n) for c, n in PROVINCES.items() if c != "83"],
            # escaped HTML with the query's words in <mark> (services.announcements)
            "marks": {
                k: Markup(v["title_zh"]) for k, v in announcements.highlights(q, hits).items()
            },
        },
        status_code=422 if error else 200,
    )
    # issue 22 §3: a text search counts for each registration it returned
    hit_numbers = [h.registration_number for h in hits] if q else []
    return count_after(page, request, env, "search", numbers=hit_numbers)


@router.get("/announcements/{number}", response_class=HTMLResponse)
def announcement_page(request: Request, env: EnvDep, number: str) -> Response:
    a = announcements.get(env=env, number=number)
    filing = registrations.filing_now(env=env, announcement=a)  # in force, or no longer
    return render(
        request,
        "announcement.html",
        {
            "a": a,
            "kinds": ANNOUNCEMENT_KINDS,
            "industry_name": reference.industry_name(env=env, code=a.industry_code),
            "filing": filing,
        },
    )


@router.get("/registrations/{number}", response_class=HTMLResponse)
def registration_page(request: Request, env: EnvDep, number: str) -> Response:
    return holder.registration_response(request, env, number, count_view=True)


@router.get("/registrations/{number}/certificate.pdf")
def certificate_pdf(request: Request, env: EnvDep, number: str) -> Response:
    """The certificate PDF for a plain link (the API serves it by `Accept`)."""
    body = certificates.pdf(env=env, number=number)
    response = Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{number}.pdf"',
            "Cache-Control": "no-cache",
        },
    )
    return count_after(response, request, env, "certificate_download", numbers=[number])


@router.get("/verify", response_class=HTMLResponse)
def verify_form(
    request: Request, env: EnvDep, c: Annotated[str, Query(max_length=8192)] = ""
) -> Response:
    """The verification form; with `c` — the link a certificate's QR code holds — the QR
    credential is verified at once, with the current status (a phone's camera lands here)."""
    if not c:
        return render(request, "verify.html", {"result": None, "token": ""})
    error: DomainError | None = None
    result = None
    try:
        link = f"{qr.PATH}?{urlencode({qr.QUERY: c})}"
        result = certificates.verify(env=env, token=link, online=True)
    except DomainError as e:
        error = e
    page = render(
        request,
        "verify.html",
        {"result": result, "error": error, "token": "", "scanned": True},
        status_code=(error.status if error else 200),
    )
    return count_after(page, request, env, "verification", result=result) if result else page


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(
    request: Request,
    env: EnvDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    token: Annotated[str, Form(max_length=64 * 1024)] = "",
    pdf: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if not csrf_ok(request, csrf_token):
        return render(request, "error.html", {"code": "csrf"}, status_code=403)
    error: DomainError | None = None
    result = None
    try:
        if pdf is not None and pdf.filename:
            data = await pdf.read(MAX_VERIFY_UPLOAD + 1)
            if len(data) > MAX_VERIFY_UPLOAD:
                raise DomainError(
                    "upload_too_large", "文件过大（上限 5 MB）", "the file is over 5 MB", status=413
                )
            token = intake.from_file(data)  # the PDF's attached token, or a text file's
        token = token.strip()
        if not token:
            raise DomainError(
                "token_required",
                "请粘贴证书令牌或上传证书 PDF",
                "paste a certificate token or upload a certificate PDF",
                status=422,
            )
        result = certificates.verify(env=env, token=token, online=True)
    except DomainError as e:
        error = e
    with contextlib.suppress(Exception):
        if pdf is not None:
            await pdf.close()
    page = render(
        request,
        "verify.html",
        {"result": result, "error": error, "token": token},
        status_code=(error.status if error else 200),
    )
    return count_after(page, request, env, "verification", result=result) if result else page


@router.get("/log", response_class=HTMLResponse)
def log_page(request: Request, env: EnvDep) -> Response:
    try:
        size, note = ledger.checkpoint_note(env)
    except DomainError:
        size, note = 0, ""
    keys = env.certificate_keys
    return render(
        request,
        "log.html",
        {
            "size": size,
            "note": note,
            "origin": keys.log.name if keys.log is not None else "",
            "vkey": keys.log.to_text() if keys.log is not None else "",
            "base": keys.issuer_id,
        },
    )
