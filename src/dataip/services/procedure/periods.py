"""When a period of the procedure starts (期限起算), where that is not the transition itself.

R8 / G§12: the registry examines the materials within its period "from the day it receives
them" (在接到材料之日起). The profile says which receipt counts (`examination_starts`):

* ``materials_complete`` (Guizhou): the day the complete materials are received — the filing
  date for the first examination, the corrected filing's receipt after a correction, which
  starts a new period;
* ``submission``: the filing date, whatever follows — a correction does not restart the
  period (a target for the whole examination, as Zhejiang's 10 working days, Z§2.1).
"""

from __future__ import annotations

from datetime import datetime

from dataip.domain import model as m
from dataip.domain.lifecycle import DeadlineRule, Transition
from dataip.services.context import Env


def trigger_for(
    app: m.Application, t: Transition, rule: DeadlineRule, env: Env, now: datetime
) -> datetime:
    """The moment `rule`'s period (opened by `t`) counts from."""
    if rule.kind != "examine" or app.filed_at is None:
        return now
    if t.action == "submit_correction" and env.profile_for(app.register).examination_starts == (
        "materials_complete"
    ):
        return now  # the corrected filing completes the materials
    return app.filed_at  # the application was complete when received (it could not be filed else)
