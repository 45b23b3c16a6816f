"""The open requests after registration as the examiner decides them (issue 19 §4): each
changed item as registered and as requested with its label, the reason; a transfer's parties
on both sides, its basis and instrument; a revocation's or cancellation's requester, grounds
and evidence; a re-examination's contested decision. Files by name, size and screening
result. A read model for `registration.html` (`_request_facts.html`); nothing decided here."""

from __future__ import annotations

from typing import Any

from dataip.services import request_facts
from dataip.services.context import Env, Identity
from dataip.web.pages.application_form import BLOB_LISTS
from dataip.web.pages.application_record import FIELD_LABELS, summary
from dataip.web.pages.labels import FORM_FIELDS, label, pick
from dataip.web.pages.render import day


def _summary(form: dict[str, Any], lang: str, env: Env) -> dict[str, str]:
    return {
        key: text for key, (_, text) in zip(FIELD_LABELS, summary(form, lang, env), strict=True)
    }


def _change_rows(f: request_facts.RequestFacts, lang: str, env: Env) -> list[dict[str, Any]]:
    old, new = _summary(f.old_form, lang, env), _summary(f.new_form, lang, env)
    rows = []
    for key in f.changed:
        row: dict[str, Any] = {"label": label("form_field", key, lang), "key": key}
        if key in BLOB_LISTS:
            row["old_files"] = [f.files.get(s) for s in f.old_form.get(key) or []]
            row["new_files"] = [f.files.get(s) for s in f.new_form.get(key) or []]
        elif key in FIELD_LABELS:
            row["old"], row["new"] = old.get(key, ""), new.get(key, "")
        else:  # an item the summary does not show: its value as given
            row["old"] = str(f.old_form.get(key) or "")
            row["new"] = str(f.new_form.get(key) or "")
        rows.append(row)
    for r in f.renames:
        rows.append(
            {
                "label": pick(FORM_FIELDS["subject"], lang),
                "key": "subject",
                "old": r["old"] or "",
                "new": r["new"] or "",
            }
        )
    return rows


def open_requests(identity: Identity, env: Env, number: str, lang: str) -> list[dict[str, Any]]:
    """The registration's open requests, labelled in ``lang``, for holders and the registry."""
    out = []
    for f in request_facts.open_requests(identity, env=env, number=number):
        c = f.contested
        out.append(
            {
                "id": f.id,
                "kind": f.kind,
                "title": f"#{f.id} {label('request_kind', f.kind, lang)}",
                "state": label("request_state", f.state, lang),
                "filed": day(f.filed_at, lang),
                "reason": f.reason,
                "requester": f.requester,
                "requester_kind": label("party_kind", (f.requester or {}).get("kind"), lang),
                "changes": _change_rows(f, lang, env) if f.kind == "change" else [],
                "transferors": f.transferors,
                "transferees": f.transferees,
                "basis": label("basis", f.basis, lang) if f.basis else "",
                "instrument": f.instrument,
                "evidence": f.evidence,
                "contested": (
                    {
                        "kind": label("request_kind", c["kind"], lang),
                        "outcome": label("outcome", c["outcome"], lang),
                        "reason": c["reason"],
                        "decided": day(c["decided_at"], lang) if c["decided_at"] else "",
                        "ex_officio": c["ex_officio"],
                        "grounds": [label("revocation_ground", g, lang) for g in c["grounds"]],
                    }
                    if c
                    else None
                ),
            }
        )
    return out
