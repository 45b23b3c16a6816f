"""The application form (申请表) as a page: every G§7 / R5 item, the joint applicants with
their agreed shares (共同申请, R3; named as G§5 and decision 0003 say) and the evidence items
(存证, R6 / G§8).

The posted fields are parsed into the API's own `ApplicationForm` and `ApplicantIn` (so page
and API accept exactly the same), files are stored first so a re-rendered form keeps them,
and a stored (or refused) form is flattened back into the page's field names. A joint
applicant is named by its credit code or resident ID number, the lead by a subject of one's
own (services/party_refs)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from dataip.domain.application import (
    ACQUISITION_METHODS,
    COMMITMENT_TEXT_EN,
    COMMITMENT_TEXT_ZH,
    DATA_FORMATS,
    PRACTICAL_VALUES,
    SCENARIOS,
    SOURCE_KINDS,
    UPDATE_FREQUENCIES,
)
from dataip.domain.identifiers import mask_resident_id
from dataip.services import applications, industry_names, reference
from dataip.services.context import Env, Identity
from dataip.web.api.application_schemas import ApplicantIn, ApplicationForm
from dataip.web.pages.forms import FormInvalid, _s, _uploads, my_parties, picker
from dataip.web.pages.render import gettext_for, lang_of

APPLICANT_ROWS = 5  # lead applicant + up to four joint applicants on the page
MAX_FILES = 20
ENUM_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "scenarios": SCENARIOS,
    "practical_values": PRACTICAL_VALUES,
    "source_kinds": SOURCE_KINDS,
    "acquisition_methods": ACQUISITION_METHODS,
    "data_formats": DATA_FORMATS,
}
TEXT_BLOCKS = {
    "scope": ("coverage", "records", "bytes", "time_span_start", "time_span_end"),
    "update": ("frequency", "term"),
    "evidence": (
        "platform",
        "certificate_number",
        "hash_value",
        "notary_body",
        "notarial_certificate_number",
        "evidenced_on",
        "deposit_number",
        "sample_proof_blob",
    ),
}
TEXTS = (
    "name",
    "industry_code",
    "intellectual_achievement",
    "agreement_end_date",
    "processing_rules",
    "anonymisation",
    "other_notes",
)
BLOB_LISTS = ("sample_blobs", "source_proof_blobs")


def industry_classes(env: Env) -> list[tuple[str, str]]:
    """Every GB/T 4754 class for the picker."""
    return [(r.code, r.name) for r in reference.industries_at(env=env, level="class")]


# --- parsing the posted form into the schema's shape ----------------------------------------


def raw_form(identity: Identity, env: Env, data: FormData, *, store: bool = True) -> dict[str, Any]:
    """The posted fields as the API's form (nested, strings left for the schema to coerce);
    files are stored first so a re-rendered form keeps them."""
    raw: dict[str, Any] = {k: _s(data, k) for k in TEXTS}
    for key in ENUM_FIELDS:
        raw[key] = {
            "values": [v for v in data.getlist(key) if isinstance(v, str) and v],
            "other_text": _s(data, f"{key}_other"),
        }
    raw["practical_values"]["description"] = _s(data, "practical_values_description")
    for block, keys in TEXT_BLOCKS.items():
        raw[block] = {k: _s(data, f"{block}_{k}") for k in keys}
    proof = _uploads(identity, env, data, "evidence_sample_proof_file", store)
    if proof:
        raw["evidence"]["sample_proof_blob"] = proof[0]
    for key in BLOB_LISTS:
        kept = [v for v in data.getlist(key) if isinstance(v, str) and v]
        raw[key] = list(dict.fromkeys(kept + _uploads(identity, env, data, f"{key}_files", store)))
    raw["commitment_accepted"] = data.get("commitment_accepted") == "yes"
    return raw


def _prune(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            v = {a: b for a, b in v.items() if b not in (None, [])}
            if not v:
                continue
        if v is not None:
            out[k] = v
    return out


def with_industry_code(env: Env, raw: dict[str, Any]) -> dict[str, Any]:
    """The form with the industry the visitor typed as its code: a class code stays as typed
    (completeness is checked on submission), a GB/T 4754 name — or the picker's
    "code name" — becomes its class's code; any other text is refused, naming the field."""
    text = raw.get("industry_code")
    if not text or (text.isascii() and text.isdigit() and len(text) <= 8):
        return raw
    row = industry_names.resolve_industry(env=env, text=text, level="class")
    return {**raw, "industry_code": row.code}


def industry_shown(env: Env, value: str) -> str:
    """What the industry field shows: a stored class code with its name (`5411 公共电汽车客运`),
    so the visitor sees what the code means; anything else as it was typed."""
    if value.isascii() and value.isdigit():
        row = industry_names.find_industry(env=env, text=value)
        if row is not None:
            return f"{row.code} {row.name}"
    return value


def validated_form(raw: dict[str, Any]) -> dict[str, Any]:
    """The same schema the API validates its body with."""
    return ApplicationForm.model_validate(_prune(raw)).as_form()


def raw_applicants(data: FormData) -> list[dict[str, Any]]:
    return [
        {
            "party": _s(data, f"applicant_party_{i}") or "",
            "share": _s(data, f"applicant_share_{i}") or "",
            "bounds": _s(data, f"applicant_bounds_{i}") or "",
            "name": None,
            "awaiting": False,
            "row": i,
        }
        for i in range(APPLICANT_ROWS)
    ]


def _named(position: int, value: str, shown: list[dict[str, Any]]) -> dict[str, Any]:
    """How a row names its party (services/party_refs): the lead by the subject picked from
    one's own; a joint applicant by its credit code or resident ID number — or, when the row
    still shows what the page showed for the applicant already there (a resident ID masked),
    that applicant."""
    if position == 0 and value.isdigit() and len(value) <= 10:
        return {"party_id": int(value)}
    before = shown[position] if position < len(shown) else None
    if before and before.get("party_id") and value == (before.get("id_number") or ""):
        return {"party_id": before["party_id"]}
    return {"id_number": value}


def validated_applicants(
    request: Request, rows: list[dict[str, Any]], shown: list[dict[str, Any]] | None = None
) -> list[Any]:
    """The rows as the API's applicants; `shown` are the draft's applicants as the page
    showed them."""
    _ = gettext_for(request)
    out: list[dict[str, Any]] = []
    problems: list[str | tuple[str, str]] = []
    filled = [r for r in rows if r["party"] or r["share"] or r["bounds"]]
    for n, r in enumerate(filled, start=1):
        share = r["share"] or ("100" if len(filled) == 1 else "")
        try:
            bp = Decimal(share) * 100
        except InvalidOperation:
            bp = Decimal("NaN")
        if not bp.is_finite() or bp != bp.to_integral_value():
            problems.append(
                (
                    _("Applicant %(n)d: the share is a percentage such as 50 or 33.33") % {"n": n},
                    f"applicant_share_{r['row']}",
                )
            )
            continue
        if not r["party"]:
            problems.append(
                (
                    _("Applicant %(n)d: give the credit code or resident ID number") % {"n": n},
                    f"applicant_party_{r['row']}",
                )
            )
            continue
        named = _named(n - 1, r["party"], shown or [])
        out.append({**named, "share_bp": int(bp), "rights_bounds": r["bounds"]})
    if problems:
        raise FormInvalid(problems)
    return [applications.ApplicantIn(**ApplicantIn.model_validate(x).model_dump()) for x in out]


# --- where a refusal points on the page (the error summary's links) -------------------------

#: a schema block without an input of its own: the input that starts it on the page
BLOCK_ANCHORS = {
    "scope": "scope_coverage",
    "update": "update_frequency",
    "evidence": "evidence_platform",
    "sample_blobs": "sample_blobs_files",
    "source_proof_blobs": "source_proof_blobs_files",
    "applicants": "applicant_party_0",
}


def form_anchor(field: str) -> str | None:
    """The id of the input a defect or schema error about `field` (`scope.records`,
    `scenarios.values.0`, `evidence`) is fixed in, for the error summary's link."""
    parts = [p for p in field.split(".") if p and p != "body"]
    if not parts:
        return None
    head = parts[0]
    if head in ENUM_FIELDS:
        if len(parts) > 1 and parts[1] == "other_text":
            return f"{head}_other"
        if head == "practical_values" and len(parts) > 1 and parts[1] == "description":
            return "practical_values_description"
        return f"{head}_{next(iter(ENUM_FIELDS[head]))}"
    if head in TEXT_BLOCKS and len(parts) > 1 and parts[1] in TEXT_BLOCKS[head]:
        return f"{head}_{parts[1]}"
    if head in TEXTS or head == "commitment_accepted":
        return head
    return BLOCK_ANCHORS.get(head)


# --- what the form template needs ------------------------------------------------------------


def form_values(form: dict[str, Any]) -> dict[str, Any]:
    """A stored (or posted) form flattened to the page's field names."""
    v: dict[str, Any] = {k: form.get(k) or "" for k in TEXTS}
    for key in ENUM_FIELDS:
        block = form.get(key) or {}
        v[key] = list(block.get("values") or [])
        v[f"{key}_other"] = block.get("other_text") or ""
    v["practical_values_description"] = (form.get("practical_values") or {}).get(
        "description"
    ) or ""
    for block, keys in TEXT_BLOCKS.items():
        b = form.get(block) or {}
        for k in keys:
            v[f"{block}_{k}"] = b.get(k) if b.get(k) is not None else ""
    for key in BLOB_LISTS:
        v[key] = list(form.get(key) or [])
    v["commitment_accepted"] = bool(form.get("commitment_accepted"))
    return v


def applicant_rows(applicants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft's applicants as the form's rows: the lead by its subject, the others by the
    number the filer gave (a resident ID masked), with the name once they have consented."""
    rows = [
        {
            "party": str(a["party_id"] or "") if pos == 0 else (a.get("id_number") or ""),
            "share": f"{Decimal(a['share_bp']) / 100:g}",
            "bounds": a.get("rights_bounds") or "",
            "name": a.get("name") if a.get("consented") else None,
            "awaiting": not a.get("consented"),
        }
        for pos, a in enumerate(applicants)
    ]
    empty = {"party": "", "share": "", "bounds": "", "name": None, "awaiting": False}
    return rows + [empty] * (APPLICANT_ROWS - len(rows))


def party_number(party: Any) -> str:
    """A subject's credit code, or its resident ID masked: how the portal names a subject to
    people (never by the registry's internal number)."""
    number = party.id_number or ""
    return mask_resident_id(number) if party.kind == "natural_person" else number


def lead_label(party: Any) -> str:
    """A subject of one's own as the lead-applicant picker names it: its name and credit code
    (a resident ID masked)."""
    number = party_number(party)
    return f"{party.name}（{number}）" if number else party.name


def form_context(request: Request, env: Env, identity: Identity) -> dict[str, Any]:
    lang = lang_of(request)
    pick = picker(lang)
    return {
        "enums": {k: [(c, pick(p)) for c, p in e.items()] for k, e in ENUM_FIELDS.items()},
        "frequencies": [(c, pick(p)) for c, p in UPDATE_FREQUENCIES.items()],
        "industries": industry_classes(env),
        "my_parties": my_parties(identity, env),
        "lead_options": [(p.id, lead_label(p)) for p in my_parties(identity, env)],
        "max_mb": env.max_blob_bytes // (1024 * 1024),
        "commitment": COMMITMENT_TEXT_EN if lang == "en" else COMMITMENT_TEXT_ZH,
        "rows": range(APPLICANT_ROWS),
    }
