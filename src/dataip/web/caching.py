"""HTTP caching (RFC 9111) and conditional requests (RFC 9110 §13) for the public reads.

The rule: a URL whose content can change is never cached without revalidation. Only a
resource that can no longer change (a certificate version once its log proof is attached,
a full log tile) is `immutable`; one that names "the current" something (the latest
certificate, the checkpoint) answers `no-cache` with a validator, so every cache asks again
and gets a cheap 304 while nothing changed. Problem answers are never stored (errors.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request, Response

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
A_DAY = "public, max-age=86400"


def strong(opaque: str) -> str:
    return f'"{opaque}"'


def weak(opaque: str) -> str:
    return f'W/"{opaque}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(request: Request, etag: str) -> bool:
    """Whether `If-None-Match` names this representation's entity tag (weak comparison, as
    RFC 9110 §13.1.2 prescribes for it; `*` matches any). Written out because Starlette has
    only StaticFiles' private version of it, which splits quoted tags containing commas."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    want = _opaque(etag)
    return any(_opaque(tag) == want for tag in _tags(header))


def _tags(header: str) -> list[str]:
    """The entity tags of an If-None-Match list: `W/"a", "b,c"` → [`W/"a"`, `"b,c"`]."""
    out, i, n = [], 0, len(header)
    while i < n:
        while i < n and header[i] in " \t,":
            i += 1
        if i >= n:
            break
        start = i
        if header.startswith("W/", i):
            i += 2
        if i < n and header[i] == '"':
            end = header.find('"', i + 1)
            i = n if end < 0 else end + 1
        else:  # not a quoted tag: take it up to the next comma, it matches nothing we send
            while i < n and header[i] != ",":
                i += 1
        out.append(header[start:i])
    return out


def not_modified(headers: Mapping[str, str]) -> Response:
    """304 with the headers the 200 would have carried (RFC 9110 §15.4.5): ETag,
    Cache-Control, Vary, Content-Location."""
    keep = {"etag", "cache-control", "vary", "content-location", "expires"}
    return Response(
        status_code=304, headers={k: v for k, v in headers.items() if k.lower() in keep}
    )
