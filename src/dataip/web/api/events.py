"""The event feed over HTTP (issue 20 §4): ``GET /api/v1/events`` answers a CloudEvents
batch (``application/cloudevents-batch+json``) in log order, with ``Link: rel="next"``.

The body is written straight to JSON by orjson (no response model): a page of a thousand events is
serialised once, which is what lets the feed page at tens of thousands of events a second.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from dataip.services.sharing import feed
from dataip.sharing.cloudevents import BATCH_MEDIA_TYPE, TYPES
from dataip.sharing.scopes import EVENTS_READ, Principal
from dataip.web.api.institution_auth import require_scopes
from dataip.web.deps import EnvDep

router = APIRouter(tags=["events"])

# One dependency object per route family, so a test (tests/support/institutions.py) can
# override it until the token check lands, and the coordinator can drop that override.
READ_EVENTS = require_scopes(EVENTS_READ)
EventsReader = Annotated[Principal, Depends(READ_EVENTS)]

_CLOUDEVENT = {
    "type": "object",
    "required": ["specversion", "id", "source", "type", "time", "sequence", "data"],
    "properties": {
        "specversion": {"type": "string", "const": "1.0"},
        "id": {"type": "string", "examples": ["leaf-1234"]},
        "source": {"type": "string", "format": "uri-reference"},
        "type": {"type": "string", "enum": sorted(TYPES)},
        "subject": {"type": "string", "description": "registration or application number"},
        "time": {"type": "string", "format": "date-time"},
        "datacontenttype": {"type": "string", "const": "application/json"},
        "sequence": {
            "type": "string",
            "pattern": "^[0-9]{16}$",
            "description": "the transparency-log leaf index, zero-padded (sequence extension)",
        },
        "data": {"type": "object", "additionalProperties": True},
    },
}


def source_of(request: Request) -> str:
    """The events' ``source``: the registry's public base URL."""
    return str(request.app.state.registry.settings.public_base_url).rstrip("/")


@router.get(
    "/events",
    response_class=Response,
    responses={
        200: {
            "description": (
                "CloudEvents 1.0 in structured JSON, in log order; `sequence` is each event's "
                'log index. `Link: <…?after=N&limit=L>; rel="next"` gives the next page.'
            ),
            "content": {BATCH_MEDIA_TYPE: {"schema": {"type": "array", "items": _CLOUDEVENT}}},
        }
    },
)
def events(
    request: Request,
    env: EnvDep,
    principal: EventsReader,
    after: Annotated[
        int, Query(ge=-1, le=2**62, description="the last sequence already read (-1: none)")
    ] = -1,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
) -> Response:
    """The event feed (事件流): the events the client's scopes allow, after a log position."""
    page = feed.read(
        env, scopes=principal.scopes, after=after, limit=limit, source=source_of(request)
    )
    body = orjson.dumps(page.events)
    next_url = str(request.url.include_query_params(after=page.next_after, limit=limit))
    return Response(
        body,
        media_type=BATCH_MEDIA_TYPE,
        headers={
            "link": f'<{next_url}>; rel="next"',
            "cache-control": "no-store",
            "dataip-log-size": str(page.published_size),
        },
    )


@router.get("/events/types")
def event_types() -> list[dict[str, Any]]:
    """The feed's event types and the scopes each needs (events:read, plus any listed)."""
    return [
        {"type": t, "zh": zh, "en": en, "scopes": sorted({EVENTS_READ, *needs})}
        for t, (zh, en, needs) in sorted(TYPES.items())
    ]
