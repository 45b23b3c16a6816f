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

The forms are declared below as data (`ACTION_FORMS`), so adding an action to the table
means adding a row here, not a template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dataip.domain.after_registration import (
    CANCELLATION_GROUNDS,
    LICENCE_TYPES,
    OPEN_REQUEST_STATES,
    REVOCATION_GROUNDS,
    SAMPLE_PUBLICATION,
    UNILATERAL_BASES,
)
from dataip.domain.application import UPDATE_FREQUENCIES
from dataip.domain.errors import DomainError
from dataip.domain.events import event_label
from dataip.screening.mask import TECHNIQUE_LABELS
from dataip.services import after_registration as actions
from dataip.services import certificates, parties, registrations
from dataip.services.context import Env, Identity
from dataip.services.registrations import RegistrationView
from dataip.web.api.registration_schemas import RegistrationActionIn
from dataip.web.deps import EnvDep
from dataip.web.pages.account import page_identity
from dataip.web.pages.applicant import (
    PARTY_KIND_LABELS,
    _uploads,
    csrf_refused,
    failure,
    signed_in,
    version_of,
)
from dataip.web.pages.render import lang_of, render
from dataip.web.pages.security import csrf_ok

router = APIRouter(include_in_schema=False)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Field:
    """One field of an action's form. ``name`` is the payload key; a dotted name fills a
    nested object (``licensee.name``). Kinds: text, textarea, date, select, yuan (an amount
    in yuan, sent as integer fen), file, files, grounds (check boxes of numbered grounds),
    request, filing, holder, my_party (choices from the page's data), int, percent."""

    name: str
    label: Pair
    kind: str = "text"
    options: Mapping[str, Pair] | None = None
    required: bool = False


@dataclass(frozen=True)
class ActionForm:
    title: Pair
    hint: Pair | None = None
    fields: tuple[Field, ...] = ()
    confirm: bool = False  # cannot be undone: a required "I understand" box (no script)
    finish: Callable[[dict[str, Any]], None] | None = None  # reshape the payload
    listed: bool = True  # False: the page draws this form itself (the sample publication)


RIGHTS: dict[str, Pair] = {
    "usage": ("数据使用权", "right of use"),
    "operation": ("数据经营权", "right of operation"),
    "other": ("其他", "other"),
}
CONSENT_FOR: dict[str, Pair] = {
    "transfer": ("转让", "transfer"),
    "abandon": ("放弃", "abandonment"),
    "cancellation": ("注销", "cancellation"),
}
BASES: dict[str, Pair] = {
    "agreement": ("双方协议", "agreement of both parties"),
    **UNILATERAL_BASES,
}
REQUEST_OUTCOMES: dict[str, Pair] = {"approve": ("准予", "approve"), "refuse": ("驳回", "refuse")}
RE_EXAMINATION_OUTCOMES: dict[str, Pair] = {
    "uphold": ("维持原决定", "uphold the decision"),
    "overturn": ("撤销原决定", "overturn the decision"),
}
REQUEST_KINDS: dict[str, Pair] = {
    "change": ("变更", "change"),
    "transfer": ("转让", "transfer"),
    "cancellation": ("注销", "cancellation"),
    "revocation": ("撤销", "revocation"),
    "re_examination": ("复审", "re-examination"),
}

# the registry's own grounds (a holder's request and expiry have their own paths)
REGISTRY_CANCELLATION = {
    k: CANCELLATION_GROUNDS[k] for k in ("evident_defect", "right_extinguished")
}
REVOCATION_OPTIONS = {str(k): v for k, v in REVOCATION_GROUNDS.items()}

REASON = Field("reason", ("理由", "Reason"), "textarea", required=True)
CONTRACT = Field("contract_date", ("合同签订日期", "Contract date"), "date", required=True)
CONTRACT_FILE = Field("contract_blob", ("合同文件", "Contract document"), "file")
TERM = (
    Field("term_start", ("期限起始日", "Term starts"), "date"),
    Field("term_end", ("期限终止日", "Term ends"), "date"),
)


def _counterparty(key: str, who: Pair) -> tuple[Field, ...]:
    return (
        Field(f"{key}.kind", (f"{who[0]}类型", f"{who[1]}: kind"), "select", PARTY_KIND_LABELS),
        Field(f"{key}.name", (f"{who[0]}名称", f"{who[1]}: name"), required=True),
        Field(
            f"{key}.credit_code",
            (f"{who[0]}统一社会信用代码", f"{who[1]}: unified social credit code"),
        ),
    )


def _transfer(payload: dict[str, Any]) -> None:
    # the transferee is named by its number, as a co-applicant is (services/party_refs)
    number = payload.pop("transferee_id_number", None)
    share = payload.pop("transferee_share_bp", None)
    if number is not None:
        payload["transferees"] = [{"id_number": number, **({"share_bp": share} if share else {})}]


def _change(payload: dict[str, Any]) -> None:
    party = payload.pop("subject_party_id", None)
    name = payload.pop("subject_name", None)
    if party is not None and name:
        payload["subject"] = [{"party_id": party, "name": name}]


ACTION_FORMS: dict[str, ActionForm] = {
    "publish_sample": ActionForm(
        ("样例数据公开方式", "Sample data on the public page"),
        None,
        (Field("choice", ("公开方式", "Choice"), "select", SAMPLE_PUBLICATION, True),),
        listed=False,
    ),
    "renew": ActionForm(
        ("续展登记", "Renew the registration"),
        ("续展后有效期延长一个登记期限（G§19）", "Renewal extends validity by one term (G§19)"),
    ),
    "request_change": ActionForm(
        ("申请变更登记", "Request a change"),
        (
            "只填写需要变更的事项；变更经审查后生效（G§21）",
            "Fill in only what changes; it takes effect once examined (G§21)",
        ),
        (
            Field(
                "subject_party_id", ("名称变更的登记主体", "Holder whose name changed"), "holder"
            ),
            Field("subject_name", ("主体新名称", "The holder's new name")),
            Field(
                "changes.update.frequency",
                ("更新周期", "Update frequency"),
                "select",
                UPDATE_FREQUENCIES,
            ),
            Field(
                "changes.processing_rules",
                ("数据处理规则或算法说明", "Processing rules or algorithm"),
                "textarea",
            ),
            Field("changes.other_notes", ("其他说明", "Other notes"), "textarea"),
            Field("reason", ("变更理由", "Reason for the change"), "textarea"),
        ),
        finish=_change,
    ),
    "request_transfer": ActionForm(
        ("申请转让登记", "Request a transfer"),
        (
            "双方协议转让须受让方确认；继承、裁判文书等可由一方申请（G§21）",
            "A transfer by agreement awaits the transferee's confirmation; inheritance, "
            "judgments and similar grounds may be filed by one party (G§21)",
        ),
        (
            Field(
                "transferee_id_number",
                (
                    "受让方统一社会信用代码或居民身份证号码",
                    "Transferee's unified social credit code or resident ID number",
                ),
                required=True,
            ),
            Field("transferee_share_bp", ("受让份额（%）", "Share transferred (%)"), "percent"),
            Field("basis", ("转让依据", "Basis"), "select", BASES),
            Field("instrument", ("法律文书或协议", "Instrument or agreement"), "file"),
        ),
        finish=_transfer,
    ),
    "confirm_transfer": ActionForm(
        ("确认受让", "Confirm the transfer"),
        ("确认后转让提交登记机构审查", "Once confirmed the transfer goes to the registry"),
    ),
    "file_licence": ActionForm(
        ("许可使用备案", "File a licence"),
        (
            "合同签订之日起十个工作日内备案（G§22）",
            "File within 10 working days of the contract (G§22)",
        ),
        (
            CONTRACT,
            Field("licence_type", ("许可类型", "Licence type"), "select", LICENCE_TYPES, True),
            *_counterparty("licensee", ("被许可方", "Licensee")),
            Field("scope", ("许可范围", "Scope"), "textarea", required=True),
            Field("territory", ("许可地域", "Territory"), required=True),
            TERM[0],
            Field("term_end", ("期限终止日", "Term ends"), "date", required=True),
            Field("fee_fen", ("许可费（元）", "Fee (yuan)"), "yuan"),
            CONTRACT_FILE,
        ),
    ),
    "file_pledge": ActionForm(
        ("质押备案", "File a pledge"),
        (
            "合同签订之日起十个工作日内备案（G§22）",
            "File within 10 working days of the contract (G§22)",
        ),
        (
            CONTRACT,
            *_counterparty("pledgee", ("质权人", "Pledgee")),
            Field(
                "secured_amount_fen",
                ("担保债权数额（元）", "Secured amount (yuan)"),
                "yuan",
                required=True,
            ),
            *TERM,
            CONTRACT_FILE,
        ),
    ),
    "file_trade": ActionForm(
        ("交易备案", "File a trade"),
        (
            "合同签订之日起十个工作日内备案（G§22）",
            "File within 10 working days of the contract (G§22)",
        ),
        (
            CONTRACT,
            *_counterparty("counterparty", ("交易相对方", "Counterparty")),
            Field("right", ("交易权利", "Right traded"), "select", RIGHTS),
            Field("price_fen", ("交易价格（元）", "Price (yuan)"), "yuan"),
            *TERM,
            CONTRACT_FILE,
        ),
    ),
    "release_pledge": ActionForm(
        ("质押注销", "Release a pledge"),
        None,
        (
            Field("filing_number", ("质押备案", "Pledge filing"), "filing", required=True),
            Field("reason", ("理由", "Reason"), "textarea"),
        ),
    ),
    "record_pledgee_consent": ActionForm(
        ("记录质权人同意", "Record the pledgee's consent"),
        (
            "已出质的数据知识产权转让、放弃或注销须经质权人同意",
            "Transferring, abandoning or cancelling pledged data IP needs the pledgee's consent",
        ),
        (
            Field("filing_number", ("质押备案", "Pledge filing"), "filing", required=True),
            Field("for_action", ("同意事项", "Consent to"), "select", CONSENT_FOR, True),
            Field("instrument", ("质权人同意书", "The pledgee's consent"), "file", required=True),
        ),
    ),
    "abandon": ActionForm(
        ("放弃登记", "Abandon the registration"),
        ("放弃后登记终止且不可恢复（G§20）", "Abandoning ends the registration for good (G§20)"),
        (REASON,),
        confirm=True,
    ),
    "request_cancellation": ActionForm(
        ("申请注销登记", "Request cancellation"),
        (
            "登记主体可申请注销；因生效法律文书权利灭失的，由新权利人提交文书申请（G§23）",
            "The holder may ask to cancel; where a legal instrument extinguished the right, the "
            "new right holder asks with the instrument (G§23)",
        ),
        (
            REASON,
            Field(
                "party_id", ("申请人（非登记主体时）", "Requester (if not the holder)"), "my_party"
            ),
            Field("instrument", ("法律文书", "Legal instrument"), "file"),
        ),
        confirm=True,
    ),
    "request_revocation": ActionForm(
        ("申请撤销登记", "Request revocation"),
        (
            "须以实名提出，说明理由并附证据（G§20）",
            "Made under a verified real name, with reasons and evidence (G§20)",
        ),
        (
            Field("party_id", ("申请人", "Requester"), "my_party", required=True),
            Field("statement", ("理由", "Statement"), "textarea", required=True),
            Field("evidence_blobs", ("证据材料", "Evidence"), "files", required=True),
        ),
    ),
    "request_re_examination": ActionForm(
        ("申请复审", "Request re-examination"),
        (
            "收到撤销决定之日起十五日内提出（G§20）",
            "Within 15 days of the revocation decision (G§20)",
        ),
        (REASON,),
    ),
    "withdraw_request": ActionForm(
        ("撤回申请事项", "Withdraw a request"),
        None,
        (Field("request_id", ("申请事项", "Request"), "request", required=True),),
    ),
    "decide_request": ActionForm(
        ("审查申请事项", "Decide a request"),
        None,
        (
            Field("request_id", ("申请事项", "Request"), "request", required=True),
            Field("outcome", ("决定", "Decision"), "select", REQUEST_OUTCOMES, True),
            REASON,
        ),
    ),
    "decide_re_examination": ActionForm(
        ("复审决定", "Decide the re-examination"),
        None,
        (
            Field("outcome", ("决定", "Decision"), "select", RE_EXAMINATION_OUTCOMES, True),
            REASON,
        ),
    ),
    "cancel": ActionForm(
        ("注销登记", "Cancel the registration"),
        None,
        (
            Field("ground", ("注销事由", "Ground"), "select", REGISTRY_CANCELLATION, True),
            REASON,
        ),
        confirm=True,
    ),
    "revoke": ActionForm(
        ("撤销登记", "Revoke the registration"),
        None,
        (Field("grounds", ("撤销事由", "Grounds"), "grounds", REVOCATION_OPTIONS, True), REASON),
        confirm=True,
    ),
}


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
                f"#{r['id']} {_pick(REQUEST_KINDS.get(r['kind'], (r['kind'],) * 2), lang)}",
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


def registration_response(
    request: Request,
    env: Env,
    number: str,
    *,
    error: dict[str, Any] | None = None,
    typed: Mapping[str, Any] | None = None,
    open_action: str | None = None,
    status: int = 200,
) -> Response:
    """The registration's page as the visitor may see it: the public record, plus the forms
    of the actions the signed-in visitor may take."""
    identity = page_identity(request, env)
    v = registrations.view(identity, env=env, number=number)
    lang = lang_of(request)
    history = [
        {**e, "label": event_label(e["type"], lang)}
        for e in registrations.public_history(env=env, number=number)
    ]
    return render(
        request,
        "registration.html",
        {
            "v": v,
            "r": v.registration,
            "status": certificates.status(env=env, number=number),
            "history": history,
            "error": error,
            "forms": action_forms(v, identity, env, lang, typed, open_action),
            "technique_labels": {k: _pick(p, lang) for k, p in TECHNIQUE_LABELS.items()},
            "sample_choices": [(k, _pick(p, lang)) for k, p in SAMPLE_PUBLICATION.items()],
            "max_upload_mb": env.max_blob_bytes // (1024 * 1024),
        },
        status_code=status,
    )


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
            error=failure(request, e),
            typed=typed,
            open_action=action,
            status=e.status if isinstance(e, DomainError) else 422,
        )
    return RedirectResponse(f"/registrations/{number}", status_code=303)
