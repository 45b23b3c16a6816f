"""Demo signals (issue 22 §4: "the demo has a populated ranking"): for every demo
registration in force, a month of plausible daily counts — views, searches, verifications,
downloads — written as closed days' counts, then the days closed (the demo's real filings
counted) and the ranking built. Deterministic (a seeded generator: these are demo numbers,
not secrets)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from dataip.domain.after_registration import IN_FORCE
from dataip.services.context import Env
from dataip.services.value import hotness

DAYS = 30


def populate(env: Env) -> int:
    """Write the demo's counts and build the ranking; how many registrations it ranks."""
    rng = random.Random(22)
    today = env.today()
    # the day's counts of one kind for every registration, written in one statement: a
    # statement per registration, day and kind was a quarter of `dataip demo`'s time
    daily: dict[tuple[date, str], dict[int, int]] = {}
    with env.uow() as uow:
        regs = [r for r in uow.registrations.page(limit=10_000) if r.state in IN_FORCE]
        for i, reg in enumerate(sorted(regs, key=lambda r: r.registration_number)):
            interest = rng.choice((2, 5, 9, 14, 20)) + i % 3  # some are hotter than others
            first = max(reg.registration_date, today - timedelta(days=DAYS))
            day = first
            while day < today:
                counts = {
                    "view": rng.randint(0, interest * 2),
                    "search": rng.randint(0, interest),
                    "verification": rng.randint(0, max(1, interest // 5)),
                    "certificate_download": rng.randint(0, max(1, interest // 6)),
                }
                for kind, n in counts.items():
                    if n:
                        daily.setdefault((day, kind), {})[reg.id] = n
                day += timedelta(days=1)
        for (day, kind), by_registration in sorted(daily.items()):
            uow.signals.add(day, kind, by_registration)
        uow.commit()
    return hotness.refresh(env).ranked
