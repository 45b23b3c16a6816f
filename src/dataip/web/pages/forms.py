"""Posting a portal form (提交表单): what every page that takes a form shares — the
signed-in visitor (or a redirect to sign in), the CSRF refusal (`posted`: both at once),
reading the form off the event loop (`handled`), the version the form was rendered from
(If-Match, so a stale form is refused as the API refuses it), the bilingual error box of a
re-rendered form (`failure`; `failed` with the status, as a `Shown` page), the posted text
fields, the uploads stored first (so a re-rendered form keeps them), the visitor's own
subjects and the language picker.

No rule of the measures lives here; the applicant's, the examiner's, the objector's, the
parties' and the holder's pages all post through these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from dataip.domain.errors import DomainError
from dataip.services import blobs, parties
from dataip.services.context import Env, Identity
from dataip.web.pages.account import page_identity
from dataip.web.pages.render import gettext_for, lang_of, render
from dataip.web.pages.security import csrf_ok


class FormInvalid(Exception):
    """Input the page could not even turn into the schema's shape (e.g. a share of 'abc');
    each item a message, or a message and the form field (its input's id) it is about."""

    def __init__(self, items: list[str | tuple[str, str]]) -> None:
        super().__init__("; ".join(i if isinstance(i, str) else i[0] for i in items))
        self.items = items


Anchor = Callable[[str], "str | None"]


def plain_anchor(field: str) -> str | None:
    """The input a schema field is typed into, when the form names its inputs after the
    schema (`scope.records` -> `scope_records`)."""
    return field.replace(".", "_") or None


def failure(request: Request, e: Exception, anchor: Anchor | None = None) -> dict[str, Any]:
    """The error box (error summary) of a re-rendered form, in the page's language: one
    message and its items, each `{"text", "field"}` where `field` is the id of the input it
    is about (the summary links there), or None. `anchor` maps a schema field (`scope.records`)
    to that id; without it the items are not linked."""
    _ = gettext_for(request)
    en = lang_of(request) == "en"
    link = anchor or (lambda _field: None)
    if isinstance(e, DomainError):
        found: Any = e.details.get("defects") or []
        items = [
            _item(str(d.get("en" if en else "zh") or d.get("zh")), link(str(d.get("field") or "")))
            for d in found
            if isinstance(d, dict)
        ]
        message = e.message_en if en else e.message_zh
        field = e.details.get("field")
        if not items and isinstance(field, str) and link(field):
            items = [_item(message, link(field))]  # one field: the summary links to it
            message = _("Some entries are not valid.")
        return {"message": message, "code": e.code, "items": items}
    if isinstance(e, ValidationError):
        items = []
        for err in e.errors():
            field = ".".join(str(x) for x in err["loc"])
            items.append(_item(field + ": " + _in_language(str(err["msg"]), en), link(field)))
        return {"message": _("Some entries are not valid."), "code": "invalid_form", "items": items}
    assert isinstance(e, FormInvalid)
    items = [_item(i) if isinstance(i, str) else _item(i[0], i[1]) for i in e.items]
    return {"message": _("Some entries are not valid."), "code": "invalid_form", "items": items}


@dataclass(frozen=True)
class Shown:
    """How a page with forms is shown: first (nothing typed, no error, 200), or again after
    a form on it failed (`failed`): the error box, what was typed, the failure's status."""

    error: dict[str, Any] | None = None
    typed: dict[str, Any] | None = None
    status: int = 200


FIRST = Shown()


def failed(request: Request, e: Exception, typed: dict[str, Any] | None = None) -> Shown:
    """The page shown again after a form failed with `e`: its error box (`failure`) and the
    status a refusal answers with (a schema's refusal is 422)."""
    status = e.status if isinstance(e, DomainError) else 422
    return Shown(error=failure(request, e), typed=typed, status=status)


def _item(text: str, field: str | None = None) -> dict[str, Any]:
    return {"text": text, "field": field or None}


def _in_language(msg: str, en: bool) -> str:
    """Our own schema messages are "中文 / English" (dataip.schemas.text): the page's half."""
    zh, sep, english = msg.partition(" / ")
    return (english if en else zh) if sep else msg


def signed_in(request: Request, env: Env) -> Identity | Response:
    identity = page_identity(request, env)
    if identity.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return identity


def posted(
    request: Request,
    env: Env,
    data: FormData,
    visitor: Callable[[Request, Env], Identity | Response] = signed_in,
) -> Identity | Response:
    """Who posted the form: the visitor (`signed_in`, or another gate such as the registry's)
    when the form carries this session's CSRF token; else the redirect to sign in or the
    CSRF refusal, to answer with as it is."""
    who = visitor(request, env)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, _s(data, "csrf_token")):
        return csrf_refused(request)
    return who


async def handled(
    request: Request,
    env: Env,
    handle: Callable[..., Response],
    *args: Any,
    max_files: int = 1000,
) -> Response:
    """Read the posted form and handle it off the event loop (the services are synchronous):
    `handle(request, env, data, *args)`."""
    data = await request.form(max_files=max_files)
    return await run_in_threadpool(handle, request, env, data, *args)


def version_of(data: FormData) -> int | None:
    """The version the form was rendered from (If-Match): a stale form is refused."""
    v = data.get("version")
    return int(v) if isinstance(v, str) and v.isdigit() and len(v) < 10 else None


def csrf_refused(request: Request) -> Response:
    return render(request, "error.html", {"code": "csrf"}, status_code=403)


def picker(lang: str) -> Any:
    return lambda pair: pair[1] if lang == "en" else pair[0]


def my_parties(identity: Identity, env: Env) -> list[Any]:
    if identity.is_registry:
        return []
    return parties.list_parties(identity, env=env)


def _s(data: FormData, key: str) -> str | None:
    v = data.get(key)
    return v.strip() if isinstance(v, str) and v.strip() else None


def _uploads(identity: Identity, env: Env, data: FormData, key: str, store: bool) -> list[str]:
    """Store the files posted under `key` (size-capped by the blob service); their digests."""
    out: list[str] = []
    if not store:
        return out
    for f in data.getlist(key):
        if isinstance(f, UploadFile) and f.filename:
            body = f.file.read(env.max_blob_bytes + 1)
            if body:
                b = blobs.upload(
                    identity,
                    env=env,
                    data=body,
                    filename=f.filename,
                    media_type=f.content_type or "application/octet-stream",
                )
                out.append(b.sha256)
    return out
