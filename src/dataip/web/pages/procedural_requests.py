"""Procedural requests on the portal (程序性请求): what the applicant's page and the examiner's
workbench show of fast-track, extension and reinstatement requests (R8, G§12), the choices
their forms offer (labels, never codes) and how a posted form becomes the action's payload.
The rules stay in the services; this module only reads and parses."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData

from dataip.domain import procedural_requests as pr
from dataip.services.applications import ApplicationView
from dataip.services.context import Env, Identity
from dataip.web.pages.forms import _uploads, picker
from dataip.web.pages.render import day

HOLDER_REQUESTS = ("request_fast_track", "request_extension", "request_reinstatement")
REGISTRY_DECISIONS = (
    "grant_fast_track",
    "refuse_fast_track",
    "grant_extension",
    "refuse_extension",
    "reinstate",
    "refuse_reinstatement",
)


def _grounds(kind: str, env: Env) -> dict[str, tuple[str, str]]:
    if kind == "fast_track":
        return {g: pr.FAST_TRACK_GROUNDS[g] for g in env.profile.fast_track_grounds}
    return pr.RELIEF_GROUNDS


def context(env: Env, v: ApplicationView, lang: str) -> dict[str, Any]:
    """The requests as rows in the page's language, and the options of each form."""
    pick = picker(lang)
    rows = []
    for r in v.requests:
        grounds = pr.FAST_TRACK_GROUNDS if r.kind == "fast_track" else pr.RELIEF_GROUNDS
        rows.append(
            {
                "r": r,
                "kind": pick(pr.REQUEST_KIND_LABELS[r.kind]),
                "status": pick(pr.REQUEST_STATE_LABELS.get(r.status, (r.status, r.status))),
                "ground": pick(grounds.get(r.ground, (r.ground, r.ground))),
                "reason": pick(pr.REFUSAL_REASONS[r.reason_code]) if r.reason_code else "",
                "filed": day(r.filed_at, lang),
                "due": day(r.due_on, lang) if r.due_on else "",
            }
        )
    correction = next((d for d in v.deadlines if d.kind == "correction"), None)
    return {
        "requests": rows,
        "ground_options": {
            kind: [(code, pick(label)) for code, label in _grounds(kind, env).items()]
            for kind in pr.REQUEST_KINDS
        },
        "refusal_options": {
            kind: [(code, pick(pr.REFUSAL_REASONS[code])) for code in codes]
            for kind, codes in pr.REFUSAL_REASONS_BY_KIND.items()
        },
        "correction_due": day(correction.due_on, lang) if correction else "",
        "pending_kinds": sorted({r.kind for r in v.requests if r.status == "pending"}),
    }


def holder_payload(
    who: Identity, env: Env, data: FormData, action: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """(payload, what was typed) of an applicant's request: its ground, the words and the
    evidence uploaded with it (stored first, as the objection form does)."""
    typed = {k: _s(data, k) for k in ("ground", "statement")}
    payload: dict[str, Any] = {k: v for k, v in typed.items() if v}
    evidence = _uploads(who, env, data, "evidence_files", True)
    if evidence:
        payload["evidence_blobs"] = evidence
    return payload, typed


def registry_payload(data: FormData, action: str) -> dict[str, Any]:
    """An examiner's decision: the ground (own-motion fast track), the reason code of a
    refusal, an extension's new due date and the decision's note."""
    payload: dict[str, Any] = {}
    for key in ("ground", "reason_code", "note"):
        if _s(data, key):
            payload[key] = _s(data, key)
    raw = _s(data, "due_on")
    if raw:
        try:
            payload["due_on"] = date.fromisoformat(raw).isoformat()
        except ValueError:
            payload["due_on"] = raw  # refused by the schema as an invalid date
    return payload


def _s(data: FormData, key: str) -> str:
    v = data.get(key)
    return v.strip() if isinstance(v, str) else ""
