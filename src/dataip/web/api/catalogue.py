"""The DCAT catalogue (issue 24 §4): every public registration as a `dcat:Dataset`, paged for
harvesters, in JSON-LD or Turtle."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from dataip.services.catalogue import harvest
from dataip.web import caching
from dataip.web.deps import EnvDep

router = APIRouter(tags=["catalogue"])

JSONLD = "application/ld+json"
TURTLE = "text/turtle"


def turtle(document: dict[str, object]) -> str:
    """The JSON-LD as Turtle. rdflib reads the JSON-LD (its context is inline) and writes the
    Turtle: one source of truth for both forms, and Turtle's escaping done by a library that
    has been right about it for years."""
    import rdflib  # imported here: only a Turtle request pays for it

    graph = rdflib.Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    for prefix, iri in document["@context"].items():  # type: ignore[attr-defined]
        graph.bind(prefix, iri)
    return str(graph.serialize(format="turtle"))


@router.get(
    "/catalogue",
    response_class=Response,
    responses={
        200: {
            "content": {JSONLD: {}, TURTLE: {}},
            "description": "one page of the DCAT catalogue",
        },
        304: {"description": "`If-None-Match` names the page the cache holds"},
    },
)
def catalogue(
    env: EnvDep,
    request: Request,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}(\.\d{1,18})?$")] = None,
    modified_since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=harvest.MAX_LIMIT)] = 50,
    format: Annotated[str | None, Query(pattern=r"^(jsonld|ttl)$")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """The registry's `dcat:Catalog`: each public registration a `dcat:Dataset` /
    `schema:Dataset` (the same node its page embeds), ordered by the last change of its
    public record. JSON-LD (`application/ld+json`) by default; Turtle with
    `Accept: text/turtle` or `format=ttl`.

    Harvesting: start without `cursor`; follow `hydra:next` (also the `Link: rel="next"`
    header) until there is none. A walk's pages are bounded by its first page, so each
    registration comes once even if it changes meanwhile. The last page's `dataip:resume`
    link (`Link: rel="resume"`) starts the next, incremental harvest with what changed since;
    `modified_since` (ISO 8601) starts one from a time instead. `no-cache` with an `ETag`."""
    page = harvest.page(env=env, cursor=cursor, modified_since=modified_since, limit=limit)
    want_turtle = format == "ttl" or (format is None and accept is not None and TURTLE in accept)
    if want_turtle:
        body, media_type = turtle(page.document), f"{TURTLE}; charset=utf-8"
    else:
        body = json.dumps(page.document, ensure_ascii=False, separators=(",", ":"))
        media_type = JSONLD
    links = [f'<{page.first_url}>; rel="first"', f'<{page.resume_url}>; rel="resume"']
    if page.next_url:
        links.append(f'<{page.next_url}>; rel="next"')
    headers = {
        "ETag": caching.weak(hashlib.sha256(body.encode()).hexdigest()[:32]),
        "Cache-Control": caching.REVALIDATE,
        "Vary": "Accept",
        "Link": ", ".join(links),
    }
    if caching.none_match(request, headers["ETag"]):
        return caching.not_modified(headers)
    return Response(body, media_type=media_type, headers=headers)
