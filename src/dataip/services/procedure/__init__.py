"""The statutory procedure (登记程序, G§9–G§17): one `perform` for every action of the
transition table, and `apply_action`, through which `tick` (``services/scheduler.py``)
applies the consequences of passed deadlines (G§12) and, when the profile says so, approves
applications whose publicity ended cleanly (G§16).

* :mod:`.transition` — `perform` and `apply_action`: the generic transition (deadlines,
  notices, the event) and the table of what each action adds (``_BEFORE``).
* :mod:`.submission` — submission, the correction notice and the corrected filing.
* :mod:`.publicity` — publicity and objections, the registry's decision on them and the
  court's judgment.
* :mod:`.decision` — refusal, withdrawal, approval and registration.
* :mod:`.step` — what an action adds to the transition, and its payload's text fields.

Every name is importable from here, as it was when this package was one module.
"""

from dataip.services.procedure.step import MAX_TEXT
from dataip.services.procedure.transition import apply_action, holder_recipients_of, perform

__all__ = ["MAX_TEXT", "apply_action", "holder_recipients_of", "perform"]
