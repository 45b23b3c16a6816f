"""How a due date stands (期限状态): what a page, the inbox or the API shows of a deadline or of
a served notice's reply date, read from the deadline's stored state — never from the calendar
alone. A deadline closed by the act it waited for is met (已办结) however late that was; one
whose consequence was applied is missed (已逾期未办理); one made moot is no longer required
(无需办理); a period that simply runs (公示期) is over (已届满), never "overdue". Only an open
obligation past its last day is overdue (已逾期), and only then do its working days count
backwards.

Pure: the caller supplies today and the calendar's count (``WorkingDayCalendar.
working_days_left``, where today never counts, R0.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["DEADLINE_STATUSES", "SHOWN_LABELS", "DueState", "Shown"]

# The stored states of a deadline (deadlines.status).
DEADLINE_STATUSES: dict[str, tuple[str, str]] = {
    "open": ("进行中", "open"),
    "met": ("已办结", "met"),
    "expired": ("已逾期未办理", "missed"),
    "ended": ("已届满", "ended"),
    "cancelled": ("无需办理", "no longer required"),
}

Shown = Literal["running", "last_day", "overdue", "met", "missed", "ended", "cancelled"]

# What a person reads (the due date and the count are shown beside it).
SHOWN_LABELS: dict[str, tuple[str, str]] = {
    "running": ("进行中", "open"),
    "last_day": ("今日24时届满", "ends today at 24:00"),
    "overdue": ("已逾期", "overdue"),
    "met": ("已办结", "met"),
    "missed": ("已逾期未办理", "missed"),
    "ended": ("已届满", "ended"),
    "cancelled": ("无需办理", "no longer required"),
}


@dataclass(frozen=True)
class DueState:
    """A due date and the stored state of what it waits for.

    ``status`` is the deadline's stored state (:data:`DEADLINE_STATUSES`); ``obligation``
    is False for a period nobody owes an act in (公示期); ``closed_on`` is the day the
    deadline was closed, if it was."""

    due_on: date
    provisional: bool
    status: str = "open"
    obligation: bool = True
    closed_on: date | None = None

    def shown(self, today: date) -> Shown:
        """What the due date is shown as today."""
        if self.status == "met":
            return "met"
        if self.status == "expired":
            return "missed"
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "ended" or (not self.obligation and today > self.due_on):
            return "ended"
        if today > self.due_on:
            return "overdue"
        return "last_day" if today == self.due_on else "running"

    @property
    def is_open(self) -> bool:
        return self.status == "open"
