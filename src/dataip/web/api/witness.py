"""The C2SP tlog-witness API (issue 21 §3): ``POST /witness/add-checkpoint``, and the
monitoring path ``GET /witness/<origin hash>/checkpoint``.

The wire format is the spec's, not JSON: the request is ``old N``, the consistency proof, a
blank line and the checkpoint; 200 answers the cosignature line(s); 409 answers the size this
witness last cosigned, ``text/x.tlog.size``. Other refusals (400, 403, 404, 413, 422, 503)
carry problem+json with a stable code, which the spec leaves free.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dataip.domain.errors import DomainError
from dataip.federation.witness import MAX_BODY_BYTES, SIZE_MEDIA_TYPE, size_body
from dataip.services.federation import witness as svc
from dataip.web.errors import from_domain, problem

router = APIRouter(prefix="/witness", tags=["witness (C2SP tlog-witness)"])

_NO_STORE = {"Cache-Control": "no-store"}


# Not in the OpenAPI document: the wire format is the C2SP spec's (a text body, a 409 that is
# `text/x.tlog.size`, not problem+json), and docs/federation.md describes it.
@router.post("/add-checkpoint", response_class=Response, include_in_schema=False)
async def add_checkpoint(request: Request) -> Response:
    """Cosign a listed peer's checkpoint if it extends what this witness cosigned before."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            await run_in_threadpool(
                svc.record_refusal,
                request.app.state.registry.env,
                code="request_too_large",
                status=413,
            )
            return problem(
                413,
                "request_too_large",
                "请求内容过大",
                f"an add-checkpoint body is at most {MAX_BODY_BYTES} bytes",
                details={"max_bytes": MAX_BODY_BYTES},
                instance=request.url.path,
            )
    env = request.app.state.registry.env
    try:
        line = await run_in_threadpool(svc.add_checkpoint, env, body)
    except DomainError as e:
        if e.code == "witness_old_size_mismatch":
            known = e.details.get("known_size")
            assert isinstance(known, int)
            # exactly `text/x.tlog.size` (tlog-witness), without the charset Starlette adds
            headers = {**_NO_STORE, "Content-Type": SIZE_MEDIA_TYPE}
            return Response(size_body(known), status_code=409, headers=headers)
        return from_domain(e, request.url.path)
    return Response(
        line.encode("utf-8"),
        media_type="text/plain; charset=utf-8",
        headers=_NO_STORE,
    )


@router.get("/{origin_hash}/checkpoint", include_in_schema=False)
def checkpoint(request: Request, origin_hash: str = Path(pattern="^[0-9a-f]{64}$")) -> Response:
    """The latest checkpoint this witness cosigned for the log (origin hash: lowercase hex
    SHA-256 of the origin), with the log's signature and the cosignature; 404 if none."""
    env = request.app.state.registry.env
    try:
        note = svc.latest_checkpoint(env, origin_hash)
    except DomainError as e:
        return from_domain(e, request.url.path)
    return Response(note.encode("utf-8"), media_type="text/plain; charset=utf-8", headers=_NO_STORE)
