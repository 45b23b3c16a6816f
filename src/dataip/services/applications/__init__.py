"""Applications (登记申请): drafts, joint applicants, and what each caller may see.

* :mod:`.access` — who may see and act on an application, its context for the transition
  table, and the refusals (not found, stale, concurrent update, not the filer).
* :mod:`.drafts` — drafts, the form under correction, joint applicants and their consent.
* :mod:`.views` — the read model: one application's view, lists, versions, the archive of
  its events, the running publicity periods, the inbox.
* :mod:`.checks` — the examiner's checklist: completeness, evidence, sample proofs,
  screening, the same subjects' other filings.

The procedure's actions are :mod:`dataip.services.procedure`. Every name is importable from
here, as it was when this package was one module.
"""

from dataip.services.applications.access import (
    actors_for,
    conflict,
    context_for,
    is_invited,
    load,
    not_found,
    not_the_filer,
    stale,
)
from dataip.services.applications.checks import examination_checks
from dataip.services.applications.drafts import (
    DEPOSIT_PLATFORM,
    EDITABLE_STATES,
    MAX_FORM_BYTES,
    ApplicantIn,
    consent,
    create_draft,
    update_draft,
)
from dataip.services.applications.views import (
    ApplicationView,
    DashboardRow,
    consent_awaited,
    dashboard,
    history,
    holder_applicants,
    inbox,
    list_for,
    mark_read,
    notice_subjects,
    private_reads,
    public_applicants,
    state_label,
    under_publicity,
    versions,
    view,
)

__all__ = [
    "DEPOSIT_PLATFORM",
    "EDITABLE_STATES",
    "MAX_FORM_BYTES",
    "ApplicantIn",
    "ApplicationView",
    "DashboardRow",
    "actors_for",
    "conflict",
    "consent",
    "consent_awaited",
    "context_for",
    "create_draft",
    "dashboard",
    "examination_checks",
    "history",
    "holder_applicants",
    "inbox",
    "is_invited",
    "list_for",
    "load",
    "mark_read",
    "not_found",
    "not_the_filer",
    "notice_subjects",
    "private_reads",
    "public_applicants",
    "stale",
    "state_label",
    "under_publicity",
    "update_draft",
    "versions",
    "view",
]
