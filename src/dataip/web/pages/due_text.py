"""A due date as a page shows it (期限显示): the date, what is left or how it stands, the
暂定 mark — one wording for the applicant's and the examiner's pages, the inbox and the
workbench (issue 19). What it shows comes from the stored state (`domain.due`), the count
from the calendar, where today never counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.domain.due import SHOWN_LABELS, DueState
from dataip.services.context import Env
from dataip.web.pages.render import day

__all__ = ["due", "due_text"]


def due(env: Env, lang: str, due_on: date, provisional: bool) -> dict[str, Any]:
    """An open deadline's due date as `due_text` shows it."""
    return due_text(env, lang, DueState(due_on=due_on, provisional=provisional))


def due_text(env: Env, lang: str, state: DueState) -> dict[str, Any]:
    """ "2026年10月10日前（剩余3个工作日）" while open — today never counts (R0.1: the period
    still ends at 24:00 on its last day) —, and otherwise what its stored state says: met,
    missed, ended, no longer required. Only an open obligation past its day is overdue,
    flagged in words as well as in red; 暂定 only while it is open (R0.4)."""
    today = env.today()
    shown = state.shown(today)
    n = env.calendar(exact=False).working_days_left(today, state.due_on)  # a display
    if shown == "running":
        left = f"{n} working days left" if lang == "en" else f"剩余{n}个工作日"
    elif shown == "overdue":
        left = f"overdue by {-n} working days" if lang == "en" else f"已逾期{-n}个工作日"
    else:
        left = SHOWN_LABELS[shown][1 if lang == "en" else 0]
        if shown == "met" and state.closed_on:
            left = (
                f"met on {day(state.closed_on, lang)}"
                if lang == "en"
                else f"已于{day(state.closed_on, lang)}办结"
            )
    if shown == "ended":
        text = (
            f"{day(state.due_on, lang)} ({left})"
            if lang == "en"
            else f"{day(state.due_on, lang)}（{left}）"
        )
    else:
        text = (
            f"by {day(state.due_on, lang)} ({left})"
            if lang == "en"
            else f"{day(state.due_on, lang)}前（{left}）"
        )
    return {
        "text": text,
        "overdue": shown == "overdue",
        "provisional": state.provisional and state.is_open,
        "state": shown,
    }
