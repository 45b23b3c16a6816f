"""The application's record (申请记录) as the applicant's page and the examiner's workbench
both show it: its state, the running deadlines with the working days left (R0), the notices
served (电子送达, R7 / G§11) with their defects (补正通知书, G§12) and refusal grounds
(G§13), the history from the log, and every R5 item in the order of G§7.

A read model only: labels in the page's language, nothing decided here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from dataip.domain import procedural_requests as pr
from dataip.domain.application import UPDATE_FREQUENCIES
from dataip.domain.events import event_label
from dataip.domain.lifecycle import DEADLINE_LABELS
from dataip.domain.refusal_grounds import REFUSAL_GROUNDS
from dataip.services import applications, due_states, reference
from dataip.services.context import Env, Identity
from dataip.web.pages.application_form import BLOB_LISTS, ENUM_FIELDS, TEXTS
from dataip.web.pages.due_text import due as due  # re-exported: pages import it from here
from dataip.web.pages.due_text import due_text
from dataip.web.pages.forms import picker
from dataip.web.pages.render import SHANGHAI, day, lang_of

ACTION_LABELS: dict[str, tuple[str, str]] = {
    "submit": ("提交申请", "Submit"),
    "accept": ("受理", "Accept"),
    "request_correction": ("发出补正通知", "Request correction"),
    "submit_correction": ("提交补正", "Submit the correction"),
    "refuse": ("不予登记", "Refuse"),
    "publicise": ("公示", "Publicise"),
    "file_objection": ("提出异议", "File an objection"),
    "notify_objection": ("通知登记主体", "Notify the subject"),
    "answer_objection": ("答复异议", "Answer the objection"),
    "decide_objection": ("作出异议决定", "Decide the objection"),
    "record_judgment": ("录入司法裁决", "Record the judgment"),
    "approve": ("核准登记", "Approve"),
    "withdraw": ("撤回申请", "Withdraw"),
    # R8, G§12: procedural requests and the registry's decisions on them
    "request_fast_track": ("请求快速审查", "Ask for fast-track examination"),
    "grant_fast_track": ("准予快速审查", "Grant fast track"),
    "refuse_fast_track": ("不予快速审查", "Refuse fast track"),
    "request_extension": ("请求延长补正期限", "Ask for more time to correct"),
    "grant_extension": ("准予延长补正期限", "Extend the correction period"),
    "refuse_extension": ("不予延长", "Refuse the extension"),
    "request_reinstatement": ("请求恢复申请", "Ask for reinstatement"),
    "reinstate": ("准予恢复申请", "Reinstate the application"),
    "refuse_reinstatement": ("不予恢复", "Refuse reinstatement"),
}
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("数据知识产权名称", "Name"),
    "industry_code": ("所属行业（GB/T 4754-2017）", "Industry (GB/T 4754-2017)"),
    "scenarios": ("应用场景", "Application scenarios"),
    "practical_values": ("实用价值", "Practical value"),
    "intellectual_achievement": ("智力成果属性", "Intellectual-achievement attributes"),
    "source_kinds": ("数据来源类型", "Data source kinds"),
    "acquisition_methods": ("数据获得方式", "Acquisition methods"),
    "agreement_end_date": ("协议截止日期", "Agreement end date"),
    "processing_rules": ("数据处理规则或算法说明", "Processing rules or algorithm"),
    "anonymisation": ("匿名化、去标识化处理说明", "Anonymisation / de-identification"),
    "scope": ("数据规模和范围", "Scope and scale"),
    "update": ("更新周期", "Update cycle"),
    "evidence": ("存证或公证信息", "Evidence or notarisation"),
    "sample_blobs": ("样例数据", "Sample data"),
    "source_proof_blobs": ("数据来源证明材料", "Source proof documents"),
    "data_formats": ("数据格式", "Data formats"),
    "other_notes": ("其他说明", "Other notes"),
    "commitment_accepted": ("承诺声明", "Commitment statement"),
}


def industry_name(env: Env, code: str | None) -> str:
    return reference.industry_name(env=env, code=code)


def _notices_of(identity: Identity, env: Env, app_id: int) -> list[Any]:
    return applications.inbox(identity, env=env, application_id=app_id, limit=500)


def correction_defects(identity: Identity, env: Env, app_id: int) -> list[dict[str, Any]]:
    """The defects of the latest correction notice (补正通知书) served on the caller."""
    notices = [n for n in _notices_of(identity, env, app_id) if n.kind == "correction_notice"]
    if not notices:
        return []
    latest = max(notices, key=lambda n: (n.served_at, n.id))
    return list(latest.body.get("defects") or [])


def _enum_text(block: Any, table: dict[str, tuple[str, str]], pick: Any) -> str:
    if not isinstance(block, dict):
        return ""
    names = [pick(table[v]) if v in table else str(v) for v in block.get("values") or []]
    if block.get("other_text"):
        names.append(str(block["other_text"]))
    return "、".join(names)


def summary(form: dict[str, Any], lang: str, env: Env) -> list[tuple[str, str]]:
    """Every R5 item of a form as label and text, in the order of G§7."""
    pick = picker(lang)
    sep = "; " if lang == "en" else "；"
    values: dict[str, str] = {k: str(form.get(k) or "") for k in TEXTS}
    code = form.get("industry_code")
    values["industry_code"] = f"{code} {industry_name(env, code)}".strip() if code else ""
    for key, table in ENUM_FIELDS.items():
        values[key] = _enum_text(form.get(key), table, pick)
    desc = (form.get("practical_values") or {}).get("description")
    if desc:
        values["practical_values"] += sep + str(desc)
    sc = form.get("scope") or {}
    parts = [str(sc.get("coverage") or "")]
    if sc.get("records") is not None:
        parts.append(f"{sc['records']:,} " + ("records" if lang == "en" else "条"))
    if sc.get("bytes") is not None:
        parts.append(f"{sc['bytes']:,} " + ("bytes" if lang == "en" else "字节"))
    if sc.get("time_span_start") or sc.get("time_span_end"):
        parts.append(f"{sc.get('time_span_start') or ''} – {sc.get('time_span_end') or ''}")
    values["scope"] = sep.join(p for p in parts if p)
    up = form.get("update") or {}
    freq = up.get("frequency")
    values["update"] = sep.join(
        p
        for p in (
            pick(UPDATE_FREQUENCIES[freq]) if freq in UPDATE_FREQUENCIES else "",
            up.get("term") or "",
        )
        if p
    )
    ev = form.get("evidence") or {}
    values["evidence"] = sep.join(
        str(ev[k])
        for k in (
            "platform",
            "certificate_number",
            "hash_value",
            "notary_body",
            "notarial_certificate_number",
            "evidenced_on",
        )
        if ev.get(k)
    )
    for key in BLOB_LISTS:
        n = len(form.get(key) or [])
        values[key] = (f"{n} files" if lang == "en" else f"{n}个文件") if n else ""
    values["commitment_accepted"] = (
        ("signed" if lang == "en" else "已签署") if form.get("commitment_accepted") else ""
    )
    return [(pick(label), values.get(key, "")) for key, label in FIELD_LABELS.items()]


def record(request: Request, env: Env, who: Identity, app_id: int) -> dict[str, Any]:
    """What both the applicant's and the examiner's page show of one application."""
    lang = lang_of(request)
    pick = picker(lang)
    v = applications.view(who, env=env, application_id=app_id)
    a = v.application
    served = _notices_of(who, env, app_id)
    dues = due_states.notice_dues(who, env=env, notices=served)
    notices = [
        {
            "n": n,
            "title": n.title_en if lang == "en" else n.title_zh,
            "due": due_text(env, lang, dues[n.id]) if n.id in dues else None,
            "defects": [d.get("en" if lang == "en" else "zh") for d in n.body.get("defects") or []],
            "grounds": [
                pick(REFUSAL_GROUNDS[g])
                for g in n.body.get("grounds") or []
                if g in REFUSAL_GROUNDS
            ],
            "reason": n.body.get("reason") or n.body.get("note"),
            "decision": _request_decision(n.body, pick),
        }
        for n in served
    ]
    history = [
        {
            "at": h["occurred_at"],
            "label": event_label(h["type"], lang),
            "log_index": h["log_index"],
        }
        for h in applications.history(who, env=env, application_id=app_id)
    ]
    return {
        "v": v,
        "a": a,
        "state": pick(applications.state_label(a.state)),
        "deadlines": [
            {
                "label": pick(DEADLINE_LABELS.get(d.kind, (d.kind, d.kind))),
                "party": d.party,
                "due": due_text(env, lang, due_states.of_deadline(d)),
            }
            for d in v.deadlines
        ],
        "notices": notices,
        "history": history,
        "summary": summary(a.form, lang, env) if v.visibility == "full" else [],
        "action_label": lambda action: pick(ACTION_LABELS.get(action, (action, action))),
        "grounds": [(g, pick(p)) for g, p in REFUSAL_GROUNDS.items()],
        "time": lambda iso: _time(iso, lang),
    }


def _request_decision(body: dict[str, Any], pick: Any) -> str:
    """A decision on a fast-track, extension or reinstatement request (R8, G§12), in words."""
    decision = body.get("decision")
    if body.get("request") not in pr.REQUEST_KINDS or decision not in pr.REQUEST_STATE_LABELS:
        return ""
    out = str(pick(pr.REQUEST_STATE_LABELS[decision]))
    reason = body.get("reason_code")
    if reason in pr.REFUSAL_REASONS:
        out += "：" + str(pick(pr.REFUSAL_REASONS[reason]))
    return out


def _time(iso: str, lang: str) -> str:
    at = datetime.fromisoformat(iso).astimezone(SHANGHAI)
    return f"{day(at, lang)} {at:%H:%M}"
