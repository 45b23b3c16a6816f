"""Issue 22 §3 under concurrency, on SQLite and PostgreSQL: eight identical page views at once
count once (the de-duplication insert is the arbiter), eight visitors at once count eight
(the daily count is an upsert: none lost), and eight views of one visitor racing its daily
cap never count past it."""

from __future__ import annotations

import dataclasses

from dataip.services.context import Env
from dataip.services.value import signals
from tests.e2e.api.test_r27_hotness import CHROME
from tests.support.api import Api
from tests.support.race import race

WRITERS = 8


def _counts(env: Env, day: str) -> dict[tuple[str, str], int]:
    from dataip.services.value import hotness

    page = hotness.daily_counts(env, first=None, last=None, limit=10_000)
    return {(n, k): c for d, _, n, k, c in page.rows if d.isoformat() == day}


def test_r27_concurrent_views_count_once_per_visitor_and_never_lose_one(api: Api, env: Env) -> None:
    w = api.world()
    number = w.registered()
    same = signals.Visit("198.51.100.1", CHROME)
    results = race(*[lambda: signals.record(env, same, "view", numbers=[number])] * WRITERS)
    assert sorted(results) == [0] * (WRITERS - 1) + [1]
    many = [signals.Visit(f"198.51.100.{10 + i}", CHROME) for i in range(WRITERS)]
    results = race(*[lambda v=v: signals.record(env, v, "view", numbers=[number]) for v in many])
    assert results == [1] * WRITERS
    # one visitor racing its cap of 3 over eight registrations' worth of searches
    capped = dataclasses.replace(
        env, profile=dataclasses.replace(env.profile, hotness={"visitor_daily_cap": 3})
    )
    ids = [number]
    hunter = signals.Visit("198.51.100.99", CHROME)
    kinds = ["search", "verification", "certificate_download", "view"] * 2
    results = race(*[lambda k=k: signals.record(capped, hunter, k, numbers=ids) for k in kinds])
    assert sum(r for r in results if isinstance(r, int)) == 3, results
    day = api.clock.now().date().isoformat()
    api.later(days=1)
    signals.close_days(env)
    got = _counts(env, day)
    assert got[(number, "view")] >= 1 + WRITERS
    assert sum(got.values()) == 1 + WRITERS + 3  # the cap's three, of whichever kinds won
