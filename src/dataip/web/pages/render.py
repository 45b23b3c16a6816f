"""Page rendering: Jinja2 templates with Babel translations, Chinese first.

Message ids are English; `translations/zh_Hans_CN/LC_MESSAGES/messages.po` gives the Chinese,
which is what a page shows unless the visitor switched to English (`?lang=en`, remembered in
a cookie). The catalogue is compiled in memory at start-up (no binary .mo in the tree), and a
test extracts every message from the templates and the page modules and fails on one without
its Chinese.
"""

from __future__ import annotations

import functools
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dataip.web.pages import labels

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CATALOGUE = HERE / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
LANGS = ("zh-CN", "en")
LANG_COOKIE = "dataip_lang"
SHANGHAI = timezone(timedelta(hours=8))


@functools.cache
def _translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGS else "zh-CN"


def day(value: date | datetime | str | None, lang: str = "zh-CN") -> str:
    """`2026年11月23日` (Chinese pages) or `2026-11-23` (English)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def yuan(fen: int | None, lang: str = "zh-CN") -> str:
    """Integer fen as yuan with thousands separators: `¥1,234,567.89`."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}" + (" 元" if lang == "zh-CN" else "")


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = yuan
    labels.install(env)
    return env


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page in the visitor's language; the base layout gets the CSRF token, the
    signed-in user and the language switch."""
    lang = lang_of(request)
    translations = _translations(lang)
    template = _environment().get_template(name)
    ctx: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "_": translations.gettext,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "day": lambda v: day(v, lang),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "user": getattr(request.state, "page_user", None),
        "footer": request.app.state.registry.env.profile,
        "path": request.url.path,
    }
    ctx.update(context or {})
    _take_flash(request, ctx, translations)
    html = template.render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    from dataip.web.pages import flash  # here: flash -> security -> render

    flash.clear(request, response)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def _take_flash(request: Request, ctx: dict[str, Any], translations: NullTranslations) -> None:
    """The one-time message a redirect left (pages/flash): a confirmation as `flash`, a
    refusal as the page's error box unless the page has its own."""
    from dataip.web.pages import flash  # here: flash -> security -> render

    taken = flash.take(request)
    if not taken:
        return
    key = taken.get("ok")
    if isinstance(key, str) and key in flash.CONFIRMATIONS:
        ref = str(taken.get("ref") or "")
        ctx["flash"] = translations.gettext(flash.CONFIRMATIONS[key]) % {"ref": ref}
    elif isinstance(taken.get("error"), dict) and not ctx.get("error"):
        ctx["error"] = taken["error"]


def gettext_for(request: Request) -> Any:
    return _translations(lang_of(request)).gettext


__all__ = ["Markup", "day", "gettext_for", "lang_of", "render", "yuan"]
