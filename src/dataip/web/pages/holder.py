"""After registration, on the registration's page (G§19–G§24, issue 7, issue 8).

Everyone sees the public record. A signed-in visitor also sees one form per action the
registration's table allows them (`allowed_actions`): the holder renews, files licences,
pledges and trades, asks for changes, transfers, abandons or cancels and chooses what the
page shows of the sample data; a transferee confirms; anyone with a verified real name may
ask for revocation; the registry decides. Each form posts to
``/registrations/{number}/actions/{action}``, is parsed here into the API's own schema
(`RegistrationActionIn`) and goes to the same service as
``POST /api/v1/registrations/{number}/actions/{action}``. A refusal re-renders the page with
the bilingual message, the failing form open and what was typed; nothing changes.

The forms are declared as data (`ACTION_FORMS`) in `registration_forms.py`, so adding an
action to the table means adding a row there, not a template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.after_registration import OPEN_REQUEST_STATES, REAL_NAME_REQUESTS
from dataip.domain.after_registration_codes import SAMPLE_PUBLICATION
from dataip.domain.errors import DomainError
from dataip.domain.events import event_label
from dataip.screening.mask import TECHNIQUE_LABELS
from dataip.services import after_registration as actions
from dataip.services import certificates, parties, reference, registrations
from dataip.services.context import Env, Identity
from dataip.services.one_window import links as one_window_links
from dataip.services.registrations import RegistrationView
from dataip.web.api.registration_schemas import RegistrationActionIn
from dataip.web.deps import EnvDep
from dataip.web.pages import catalogue as catalogue_ui
from dataip.web.pages import directory as directory_ui
from dataip.web.pages import distribution as distribution_ui
from dataip.web.pages import flash, request_view
from dataip.web.pages import institutions as institutions_ui
from dataip.web.pages import needs as needs_ui
from dataip.web.pages import quality as quality_ui
from dataip.web.pages import valuations as valuations_ui
from dataip.web.pages.account import page_identity
from dataip.web.pages.form_errors import Labels
from dataip.web.pages.forms import (
    _uploads,
    csrf_refused,
    failed,
    failure,
    picker,
    signed_in,
    version_of,
)
from dataip.web.pages.labels import REQUEST_KINDS
from dataip.web.pages.registration_forms import (
    ACTION_FORMS,
    ActionForm,
    Field,
    Pair,
)
from dataip.web.pages.render import day, lang_of, render
from dataip.web.pages.security import csrf_ok
from dataip.web.signals import count_after

router = APIRouter(include_in_schema=False)

# --- the page -----------------------------------------------------------------------------


def _pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _choices(
    f: Field, v: RegistrationView, mine: Sequence[Any], lang: str
) -> list[tuple[str, str]]:
    """The options of a select: fixed ones, or the page's requests, filings, holders and
    the visitor's verified parties."""
    if f.options is not None:
        return [(k, _pick(p, lang)) for k, p in f.options.items()]
    if f.kind == "request":
        return [
            (
                str(r["id"]),
                f"#{r['id']} {_pick(REQUEST_KINDS.get(r['kind'], (r['kind'],) * 2), lang)}"
                f" · {day(r['filed_at'], lang)}",
            )
            for r in v.requests
            if r["state"] in OPEN_REQUEST_STATES
        ]
    if f.kind == "filing":
        return [
            (f_["number"], f_["number"])
            for f_ in v.filings
            if f_["kind"] == "pledge" and f_["state"] == "in_force"
        ]
    if f.kind == "proposal":  # issue 20 §6: a bank's pledge proposal awaiting the holder
        return [
            (p["number"], f"{p['number']} · {p['pledgee']['name']}")
            for p in v.pledge_proposals
            if p["state"] == "awaiting"
        ]
    if f.kind == "holder":
        return [(str(h["party_id"]), str(h["name"])) for h in v.holders if h.get("party_id")]
    if f.kind == "my_party":
        return [(str(p.id), p.name) for p in mine if p.verification_status == "verified"]
    return []


def action_forms(
    v: RegistrationView,
    identity: Identity,
    env: Env,
    lang: str,
    typed: Mapping[str, Any] | None = None,
    open_action: str | None = None,
) -> list[dict[str, Any]]:
    """What the template needs to draw the visitor's forms, in the table's order."""
    wanted = [a for a in v.allowed_actions if a in ACTION_FORMS and ACTION_FORMS[a].listed]
    needs_parties = any(f.kind == "my_party" for a in wanted for f in ACTION_FORMS[a].fields)
    mine = parties.list_parties(identity, env=env) if needs_parties else []
    out = []
    for action in wanted:
        spec = ACTION_FORMS[action]
        keep = typed if action == open_action else None
        out.append(
            {
                "action": action,
                "title": _pick(spec.title, lang),
                "hint": _pick(spec.hint, lang) if spec.hint else None,
                "confirm": spec.confirm,
                "open": action == open_action,
                "multipart": any(f.kind in ("file", "files") for f in spec.fields),
                "fields": [
                    {
                        "name": f.name,
                        "id": f"{action}-{f.name}".replace(".", "-"),
                        "label": _pick(f.label, lang),
                        "kind": f.kind,
                        "required": f.required,
                        "choices": _choices(f, v, mine, lang),
                        "value": (keep or {}).get(f.name, ""),
                        "values": list((keep or {}).get(f"{f.name}[]", [])),
                    }
                    for f in spec.fields
                ],
            }
        )
    return out


def registration_refused(
    request: Request, env: Env, number: str, e: Exception, labels: Labels | None = None
) -> Response:
    """The registration's page again after a form of one of its sections (quality,
    distribution, an agency asked) failed with `e`: the error box (naming the section's
    fields by `labels`) and the refusal's status."""
    again = failed(request, e, labels=labels)
    return registration_response(request, env, number, error=again.error, status=again.status)


def registration_response(
    request: Request,
    env: Env,
    number: str,
    *,
    error: dict[str, Any] | None = None,
    typed: Mapping[str, Any] | None = None,
    open_action: str | None = None,
    status: int = 200,
    count_view: bool = False,
) -> Response:
    """The registration's page as the visitor may see it: the public record, plus the forms
    of the actions the signed-in visitor may take. `count_view`: a public visitor's view is a
    signal (issue 22 §3); the holder's and the registry's own views are not."""
    identity = page_identity(request, env)
    lang = lang_of(request)
    # the panels below each read the registration and their rows: one read-only unit of
    # work for them all (issue 25: eleven of their own were most of the page's CPU)
    with env.shared_reads():
        v = registrations.view(identity, env=env, number=number)
        context = _registration_context(env, identity, v, number, lang, typed, open_action)
    context["error"] = error
    page = render(request, "registration.html", context, status_code=status)
    if count_view and v.visibility == "public":
        return count_after(page, request, env, "view", numbers=[number])
    return page


def _registration_context(
    env: Env,
    identity: Identity,
    v: RegistrationView,
    number: str,
    lang: str,
    typed: Mapping[str, Any] | None,
    open_action: str | None,
) -> dict[str, Any]:
    history = [
        {**e, "label": event_label(e["type"], lang)}
        for e in registrations.public_history(env=env, number=number)
    ]
    return {
        "v": v,
        "r": v.registration,
        "status": certificates.status(env=env, number=number),
        "jsonld": catalogue_ui.jsonld_script(env, number),  # issue 24 §4
        "register": one_window_links.page_facts(env, number),  # issue 24 §1–§2
        "history": history,
        "forms": action_forms(v, identity, env, lang, typed, open_action),
        # G§20, G§21, G§23: revocation and a one-sided transfer or cancellation are asked
        # under a verified real name; say which rather than offer forms that would be
        # refused (the service knows from the table's guard)
        "verify_first": (", " if lang == "en" else "、").join(
            _pick(REAL_NAME_REQUESTS[a][:2], lang) for a in v.needs_verification
        ),
        "technique_labels": {k: _pick(p, lang) for k, p in TECHNIQUE_LABELS.items()},
        "sample_choices": [(k, _pick(p, lang)) for k, p in SAMPLE_PUBLICATION.items()],
        "max_upload_mb": env.max_blob_bytes // (1024 * 1024),
        "industry_name": reference.industry_name(env=env, code=v.registration.industry_code),
        # what each open request asks, for the forms that decide or withdraw one
        "requests": (
            request_view.open_requests(identity, env, number, lang)
            if v.visibility == "full"
            else []
        ),
        # who read its private details or archive (issue 20 §3): holders and the registry
        "institution_reads": (
            institutions_ui.read_rows(identity, env, number, lang) if v.visibility == "full" else []
        ),
        "quality": quality_ui.section(identity, env, number, lang),  # issue 22 §1
        # issue 23 §1–§2: the derivation graph, sources, distributions and their forms
        "derivation": distribution_ui.panel(identity, env, number, lang),
        "valuations": valuations_ui.section(identity, env, number),  # issue 22 §2
        # issue 23 §4: the holder's matching needs (needs are public; shown to holders)
        "matching_needs": (
            needs_ui.for_registration(identity, env, number, lang)
            if v.visibility == "full" and not identity.is_registry
            else None
        ),
        # issue 23 §5: the holder asks a listed agency for a service
        "ask_agency": directory_ui.ask_section(identity, env, number, lang, v.registration.state),
        "file_href": (
            (lambda sha: f"/workbench/files/{sha}") if identity.is_registry else (lambda sha: None)
        ),
    }


# --- posting a form -----------------------------------------------------------------------


def _number(value: str, zh: str, en: str, scale: int) -> int:
    try:
        d = Decimal(value) * scale
    except InvalidOperation:
        d = Decimal("NaN")
    if not d.is_finite() or d != d.to_integral_value() or d < 0:
        raise DomainError("invalid_form", zh, en, status=422)
    return int(d)


def _put(payload: dict[str, Any], dotted: str, value: Any) -> None:
    *path, last = dotted.split(".")
    for key in path:
        payload = payload.setdefault(key, {})
    payload[last] = value


def parse_action(identity: Identity, env: Env, spec: ActionForm, data: FormData) -> dict[str, Any]:
    """The posted form as the API's payload (uploads stored, amounts in fen)."""
    payload: dict[str, Any] = {}
    for f in spec.fields:
        if f.kind == "file":
            shas = _uploads(identity, env, data, f.name, True)
            if shas:
                _put(payload, f.name, shas[0])
            continue
        if f.kind == "files":
            shas = _uploads(identity, env, data, f.name, True)
            if shas:
                _put(payload, f.name, shas)
            continue
        if f.kind == "grounds":
            picked = [int(x) for x in data.getlist(f.name) if isinstance(x, str) and x.isdigit()]
            if picked:
                _put(payload, f.name, picked)
            continue
        raw = data.get(f.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            continue
        label_zh, label_en = f.label
        if f.kind == "yuan":
            _put(
                payload,
                f.name,
                _number(
                    value,
                    f"{label_zh}须为金额，如 1200.50",
                    f"{label_en}: an amount such as 1200.50",
                    100,
                ),
            )
        elif f.kind == "percent":
            _put(
                payload,
                f.name,
                _number(
                    value,
                    f"{label_zh}须为百分比，如 50",
                    f"{label_en}: a percentage such as 50",
                    100,
                ),
            )
        elif f.kind in ("int", "request", "holder", "my_party"):
            _put(
                payload,
                f.name,
                _number(value, f"{label_zh}须为编号", f"{label_en}: a number", 1),
            )
        else:
            _put(payload, f.name, value)
    if spec.finish is not None:
        spec.finish(payload)
    return payload


def _typed(data: FormData, spec: ActionForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in spec.fields:
        if f.kind in ("file", "files"):
            continue
        if f.kind == "grounds":
            out[f"{f.name}[]"] = [x for x in data.getlist(f.name) if isinstance(x, str)]
        else:
            raw = data.get(f.name)
            out[f.name] = raw if isinstance(raw, str) else ""
    return out


@router.post("/registrations/{number}/actions/{action}", response_class=HTMLResponse)
async def registration_action(request: Request, env: EnvDep, number: str, action: str) -> Response:
    data = await request.form(max_files=50)
    return await run_in_threadpool(_act, request, env, data, number, action)


def _act(request: Request, env: Env, data: FormData, number: str, action: str) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    token = data.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return csrf_refused(request)
    spec = ACTION_FORMS.get(action)
    typed = _typed(data, spec) if spec else {}
    try:
        if spec is None:
            raise DomainError(
                "unknown_action", f"未知的操作：{action}", f"unknown action: {action}", status=404
            )
        payload = parse_action(who, env, spec, data)
        body = RegistrationActionIn.model_validate(payload)
        actions.perform(
            who,
            env=env,
            number=number,
            action=action,
            payload=body.model_dump(mode="json", exclude_none=True),
            if_match=version_of(data),
        )
    except (DomainError, ValidationError) as e:
        return registration_response(
            request,
            env,
            number,
            error=failure(
                request, e, labels={f.name: f.label for f in spec.fields} if spec else None
            ),
            typed=typed,
            open_action=action,
            status=e.status if isinstance(e, DomainError) else 422,
        )
    return flash.redirect(
        request, f"/registrations/{number}", ok="recorded", ref=picker(lang_of(request))(spec.title)
    )
