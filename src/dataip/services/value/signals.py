"""Collecting signals without tracking people (issue 22 §3; R27, Z§4.2's "search counts").

What is counted, per registration and day (`signal_daily`):

* `view` — its public page, once per visitor per day; the holder's and the registry's own
  views are not counted (the page knows who is looking);
* `search` — a text search of the announcements whose hits include it, once per visitor per
  day (however many queries return it);
* `verification` — a certificate of it verified authentic (API, `/verify` form, QR landing);
* `certificate_download` — its certificate PDF or credential fetched;
* `sample_download` — kept in the formula; the registry serves no public sample download
  yet, so the count is 0;
* `licence`, `pledge`, `trade` — filings filed that day, counted when the day closes from the
  filings themselves (with the filed amounts summed, for the statistics; the ranking uses
  counts only);
* `citation` — cited as an upstream source: a derivation link naming the registration,
  confirmed by its holder that day (issue 23 §1), counted when the day closes.

A visitor is a pseudonym: HMAC-SHA256 of the address and user agent under the day's random
salt (`value/visitors.py`); no address is stored, and the salt and every de-duplication row
are deleted when the day closes. Bots (by user agent) are ignored, and one visitor adds at
most `visitor_daily_cap` signals a day. Signals are statistics, not registrations: they
are never events and never reach the transparency log.

The write is one small transaction (an insert-if-new and two upserts) run after the page
was sent (a background task), and a failure is logged, never shown: statistics must not
break a public page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dataip.services.context import Env
from dataip.value import hotness, visitors

__all__ = ["Visit", "close_days", "closed_through", "record", "record_verification"]

_log = logging.getLogger("dataip.signals")
CLOSED = "signals:closed_through"  # counters: the last closed day, as a proleptic ordinal


@dataclass(frozen=True)
class Visit:
    """What a request says about its visitor: only ever hashed, never stored."""

    address: str
    user_agent: str

    @property
    def is_bot(self) -> bool:
        return visitors.is_bot(self.user_agent)


def record(
    env: Env,
    visit: Visit,
    kind: str,
    *,
    numbers: Sequence[str] = (),
    registration_ids: Sequence[int] = (),
) -> int:
    """Count one `kind` signal from `visit` for each registration named (by number or id);
    how many were counted (0 for a bot, a repeat, or past the visitor's cap). Never raises."""
    if kind not in hotness.PUBLIC_KINDS or visit.is_bot or not (numbers or registration_ids):
        return 0
    try:
        policy = hotness.policy_from_table(env.profile.hotness)
        day = env.today()
        with env.uow() as uow:
            ids = list(registration_ids)
            if numbers:
                ids += uow.signals.registration_ids(list(numbers)).values()
            if not ids:
                return 0
            who = visitors.visitor_id(uow.signals.salt(day), visit.address, visit.user_agent)
            counted = uow.signals.count(day, who, kind, ids, policy.visitor_daily_cap)
            uow.commit()
            return len(counted)
    except Exception:  # statistics never break a page
        _log.exception("signal not recorded: %s", kind)
        return 0


def record_verification(env: Env, visit: Visit, result: dict[str, object]) -> int:
    """A verification that found one of this registry's certificates authentic."""
    if not result.get("authentic") or result.get("issuer") != env.certificate_keys.issuer_id:
        return 0
    number = None
    for part in ("credential", "certificate"):
        body = result.get(part)
        if isinstance(body, dict):
            subject = body.get("credentialSubject", body)
            if isinstance(subject, dict):
                number = subject.get("registrationNumber") or subject.get("registration_number")
        if number:
            break
    if not isinstance(number, str):
        return 0
    return record(env, visit, "verification", numbers=[number])


def closed_through(env: Env) -> date | None:
    """The last closed day: its counts are final and published."""
    with env.read() as uow:
        value = uow.values(CLOSED).get(CLOSED)
    return date.fromordinal(value) if value else None


def close_days(env: Env, *, through: date | None = None) -> list[date]:
    """Close every day up to yesterday (or `through`), in one transaction: count the
    filings filed on those days, delete their salts and de-duplication rows. Idempotent
    (a second run finds nothing to close). The days closed."""
    policy = hotness.policy_from_table(env.profile.hotness)
    last = through or env.today() - timedelta(days=1)
    done = closed_through(env)
    # the first close counts the filings of the whole window
    start = done + timedelta(days=1) if done else last - timedelta(days=policy.window_days - 1)
    if start > last:
        return []
    with env.uow() as uow:
        rows = uow.signals.filings_between(start, last)
        rows += uow.signals.citations_between(start, last)
        uow.signals.replace_filings(start, last, rows)
        uow.signals.purge_through(last)
        uow.set_value(CLOSED, last.toordinal())
        uow.commit()
    return [start + timedelta(days=i) for i in range((last - start).days + 1)]
