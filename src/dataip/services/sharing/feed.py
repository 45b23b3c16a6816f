"""The event feed (事件流, issue 20 §4): ``GET /api/v1/events?after=SEQ&limit=N``.

A page is one keyset query on the log's unique index (``log_entries.idx``) joined with the
events and their subjects' numbers — no per-event query — bounded to the latest signed
checkpoint, so every event served can be proven with an inclusion proof of its index. The
log only grows at its end and an integrator commits a batch of indices at once, so a cursor
(the last sequence read) never skips an event that commits later.

A page scans at most ``SCAN_WINDOW`` log positions: a client whose scopes see few of the
log's events still gets a prompt answer, perhaps empty, with a cursor further on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataip.services.context import Env
from dataip.sharing.cloudevents import stored_types, to_cloudevent, visible_types

MAX_LIMIT = 5000  # a page of 5,000 thin events is ~2.5 MB; fewer requests for a catch-up
DEFAULT_LIMIT = 100
SCAN_WINDOW = 50_000


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    next_after: int  # the cursor of the next page: the last log position this page covered
    published_size: int  # the latest checkpoint's tree size (the log's head)


def read(env: Env, *, scopes: frozenset[str], after: int, limit: int, source: str) -> FeedPage:
    """The CloudEvents a client with ``scopes`` sees after log position ``after`` (-1: from
    the start), at most ``limit`` of them, in log order."""
    limit = max(1, min(limit, MAX_LIMIT))
    visible = visible_types(scopes)
    start = max(after + 1, 0)
    with env.read() as uow:
        size = uow.feed.published_size()
        end = min(size, start + SCAN_WINDOW)
        rows = (
            uow.feed.page(start=start, end=end, event_types=stored_types(visible), limit=limit)
            if visible and start < end
            else []
        )
    events = []
    for row in rows:
        ce = to_cloudevent(row, source=source)
        if ce is not None and ce["type"] in visible:
            events.append(ce)
    next_after = rows[-1].log_index if len(rows) == limit else max(after, end - 1)
    return FeedPage(events=events, next_after=next_after, published_size=size)
