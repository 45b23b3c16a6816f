"""Every value the portal shows a person goes through a label (issue 19 §5): states, kinds,
outcomes, grounds, event types, the fields of an announcement and their values — in Chinese
first, English second — so no page shows `in_force`, `licence`, `DraftCreated` or
`capped_by_agreement False`. Legal references read 《办法》第十四条 (English: Art. 14 of the
Measures), never G§14.

One module, one ``TABLES`` mapping of label tables by name, and the Jinja filters the layout
registers (`install`): ``value | label("filing_state")``, ``key | field_label`` and
``value | field_value(key)`` for an announcement's particulars, ``law(14)``. A value a table
does not know is shown as it is — and the page test (tests/e2e/pages/test_i19_no_raw_codes.py)
fails on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, pass_context
from markupsafe import Markup, escape

from dataip.domain.after_registration import REG_STATE_LABELS
from dataip.domain.after_registration_codes import (
    ANNOUNCEMENT_KINDS,
    CANCELLATION_GROUNDS,
    FILING_KINDS,
    LICENCE_TYPES,
    REVOCATION_GROUNDS,
    SAMPLE_PUBLICATION,
    UNILATERAL_BASES,
)
from dataip.domain.app_states import STATE_LABELS
from dataip.domain.application import UPDATE_FREQUENCIES
from dataip.domain.events import EVENT_LABELS
from dataip.domain.lifecycle import DEADLINE_LABELS
from dataip.domain.pledges import ENFORCEMENT_METHODS
from dataip.domain.registers import PROPERTY_RIGHTS, REGISTER_LABELS
from dataip.web.pages.screening_view import KIND_LABELS

Pair = tuple[str, str]


def pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


# --- legal references ----------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals as articles are numbered: 十四, 二十, 二十六."""
    if n < 10:
        return _DIGITS[n]
    tens, units = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[units] if units else ''}"


def law(article: int, lang: str = "zh-CN") -> str:
    """A reference to the binding measures (《贵州省数据知识产权登记管理办法》)."""
    if lang == "en":
        return f"Art. {article} of the Measures"
    return f"《办法》第{chinese_number(article)}条"


# --- label tables --------------------------------------------------------------------------

FILING_STATES: dict[str, Pair] = {
    "in_force": ("有效", "in force"),
    "released": ("已解除", "released"),
    "ended": ("已终止", "ended"),
    "enforced": ("质权已实现", "enforced"),
}
FREEZE_STATES: dict[str, Pair] = {
    "in_force": ("保全中", "in force"),
    "lifted": ("已解除", "lifted"),
    "lapsed": ("期限届满", "term ended"),
}
FILING_KIND_SHORT: dict[str, Pair] = {
    "licence": ("许可使用", "licence"),
    "pledge": ("质押", "pledge"),
    "trade": ("交易", "trade"),
}
REQUEST_KINDS: dict[str, Pair] = {
    "change": ("变更", "change"),
    "transfer": ("转让", "transfer"),
    "cancellation": ("注销", "cancellation"),
    "revocation": ("撤销", "revocation"),
    "re_examination": ("复审", "re-examination"),
}
REQUEST_STATES: dict[str, Pair] = {
    "awaiting_consent": ("待受让方确认", "awaiting the transferee's consent"),
    "pending": ("待审查", "awaiting the registry's decision"),
    "approved": ("已准予", "approved"),
    "refused": ("已驳回", "refused"),
    "withdrawn": ("已撤回", "withdrawn"),
    "lapsed": ("已失效", "lapsed"),
}
DECISION_OUTCOMES: dict[str, Pair] = {
    "approve": ("准予", "approved"),
    "refuse": ("驳回", "refused"),
    "uphold": ("维持原决定", "decision upheld"),
    "overturn": ("撤销原决定", "decision overturned"),
}
OBJECTION_STATUSES: dict[str, Pair] = {
    "filed": ("已提出", "filed"),
    "notified": ("已通知登记主体", "subject notified"),
    "answered": ("登记主体已答复", "answered by the subject"),
    "decided": ("已作出决定", "decided"),
}
OBJECTION_OUTCOMES: dict[str, Pair] = {
    "keep": ("异议不成立，维持公示", "objection rejected: publicity stands"),
    "revoke": ("异议成立，撤销申请", "objection upheld: the application is revoked"),
    "republicise": ("更正后重新公示", "corrected: publicise again"),
    "unresolved": ("无法协调，待司法裁决", "unresolved: awaiting a court or arbitration"),
}
GRADES: dict[str, Pair] = {
    "general": ("一般数据", "general data"),
    "important": ("重要数据", "important data"),
    "core": ("核心数据", "core data"),
}
ROLES: dict[str, Pair] = {
    "applicant": ("申请人", "applicant"),
    "agent": ("代理机构", "agent"),
    "examiner": ("审查员", "examiner"),
    "registrar_admin": ("登记机构管理员", "registry administrator"),
}
RIGHTS: dict[str, Pair] = {
    "usage": ("数据使用权", "right of use"),
    "operation": ("数据经营权", "right of operation"),
    "other": ("其他", "other"),
}
TRANSFER_BASES: dict[str, Pair] = {"agreement": ("双方协议", "agreement of both parties")}
TRANSFER_BASES.update(UNILATERAL_BASES)
PARTY_KINDS: dict[str, Pair] = {
    "legal_person": ("法人", "legal person"),
    "unincorporated": ("非法人组织", "unincorporated organisation"),
    "natural_person": ("自然人", "natural person"),
}
# the application form's items as a change request names them (G§21)
FORM_FIELDS: dict[str, Pair] = {
    "name": ("数据知识产权名称", "name"),
    "industry_code": ("所属行业", "industry"),
    "scenarios": ("应用场景", "application scenarios"),
    "practical_values": ("实用价值", "practical value"),
    "intellectual_achievement": ("智力成果属性", "intellectual-achievement attributes"),
    "source_kinds": ("数据来源类型", "data source kinds"),
    "acquisition_methods": ("数据获得方式", "acquisition methods"),
    "agreement_end_date": ("协议截止日期", "agreement end date"),
    "processing_rules": ("数据处理规则或算法说明", "processing rules or algorithm"),
    "anonymisation": ("匿名化、去标识化处理说明", "anonymisation / de-identification"),
    "scope": ("数据规模和范围", "scope and scale"),
    "update": ("更新周期", "update cycle"),
    "evidence": ("存证或公证信息", "evidence or notarisation"),
    "sample_blobs": ("样例数据", "sample data"),
    "source_proof_blobs": ("数据来源证明材料", "source proof documents"),
    "data_formats": ("数据格式", "data formats"),
    "other_notes": ("其他说明", "other notes"),
    "commitment_accepted": ("承诺声明", "commitment statement"),
    "identifiers": ("科技资源标识与 DOI", "CSTR and DOI"),
    "property": ("数据产权事项", "data property items"),
    "subject": ("登记主体名称", "holder's name"),
}

TABLES: dict[str, Mapping[Any, Pair]] = {
    "announcement_kind": ANNOUNCEMENT_KINDS,
    "application_state": {s.value: p for s, p in STATE_LABELS.items()},
    "registration_state": {s.value: p for s, p in REG_STATE_LABELS.items()},
    "deadline": DEADLINE_LABELS,
    "event": EVENT_LABELS,
    "filing_kind": FILING_KIND_SHORT,
    "filing_announcement": FILING_KINDS,
    "filing_state": FILING_STATES,
    "freeze_state": FREEZE_STATES,
    "enforcement_method": ENFORCEMENT_METHODS,
    "request_kind": REQUEST_KINDS,
    "request_state": REQUEST_STATES,
    "outcome": DECISION_OUTCOMES,
    "objection_status": OBJECTION_STATUSES,
    "objection_outcome": OBJECTION_OUTCOMES,
    "grade": GRADES,
    "role": ROLES,
    "licence_type": LICENCE_TYPES,
    "right": RIGHTS,
    "basis": TRANSFER_BASES,
    "cancellation_ground": CANCELLATION_GROUNDS,
    "revocation_ground": REVOCATION_GROUNDS,
    "party_kind": PARTY_KINDS,
    "form_field": FORM_FIELDS,
    "update_frequency": UPDATE_FREQUENCIES,
    "sample_publication": SAMPLE_PUBLICATION,
    "finding_kind": KIND_LABELS,
    "register": dict(REGISTER_LABELS),  # issue 24 §1
    "property_right": dict(PROPERTY_RIGHTS),
}


def label(table: str, value: Any, lang: str) -> str:
    """``value``'s label in ``lang``; the value itself when the table does not know it."""
    if value is None:
        return ""
    pair = TABLES[table].get(value)
    if pair is None and isinstance(value, str) and value.isdigit():
        pair = TABLES[table].get(int(value))
    return pick(pair, lang) if pair is not None else str(value)


# --- an announcement's particulars ---------------------------------------------------------

ANNOUNCEMENT_FIELDS: dict[str, Pair] = {
    "registration_number": ("登记号", "Registration number"),
    "certificate_number": ("证书号", "Certificate number"),
    "certificate_version": ("证书版本", "Certificate version"),
    "name": ("数据知识产权名称", "Data IP name"),
    "industry_code": ("所属行业", "Industry"),
    "holders": ("登记主体", "Holders"),
    "previous_holders": ("原登记主体", "Previous holders"),
    "state": ("登记状态", "Registration status"),
    "registration_date": ("登记日期", "Registration date"),
    "announcement_date": ("公告日期", "Announcement date"),
    "valid_from": ("有效期起始日", "Valid from"),
    "valid_until": ("有效期截止日", "Valid until"),
    "previous_valid_until": ("原有效期截止日", "Previous expiry"),
    "capped_by_agreement": (
        "有效期受数据来源协议截止日限制",
        "Validity capped by the data-source agreement",
    ),
    "announcement_number": ("公告编号", "Announcement number"),
    "filing_number": ("备案号", "Filing number"),
    "filing_kind": ("备案类型", "Filing kind"),
    "contract_date": ("合同签订日期", "Contract date"),
    "due_on": ("备案期限", "Filing due by"),
    "late": ("逾期备案", "Filed late"),
    "licence_type": ("许可类型", "Licence type"),
    "scope": ("许可范围", "Scope"),
    "territory": ("许可地域", "Territory"),
    "term_start": ("期限起始日", "Term starts"),
    "term_end": ("期限终止日", "Term ends"),
    "right": ("交易权利", "Right traded"),
    "licensee": ("被许可方", "Licensee"),
    "pledgee": ("质权人", "Pledgee"),
    "counterparty": ("交易相对方", "Counterparty"),
    "request_id": ("申请事项编号", "Request number"),
    "request_kind": ("申请事项", "Request"),
    "outcome": ("决定", "Decision"),
    "fields": ("变更事项", "Items changed"),
    "basis": ("转让依据", "Basis of the transfer"),
    "ground": ("注销事由", "Ground"),
    "grounds": ("撤销事由", "Grounds"),
    "ex_officio": ("依职权撤销", "Revoked ex officio"),
    "re_examination_due": ("申请复审截止日", "Re-examination may be requested until"),
    "ended_on": ("终止日期", "Ended on"),
    "result": ("复审后登记状态", "Status after re-examination"),
    "reason": ("理由", "Reasons"),
    # issue 20 §7: a court's preservation
    "freeze_number": ("保全编号", "Freeze number"),
    "case_number": ("案号", "Case number"),
    "court": ("人民法院", "Court"),
    # issue 20 §6: a bank's pledge
    "proposal_number": ("质押申请编号", "Pledge proposal number"),
    "zdw_reference": ("中登网登记证明编号", "Zhongdengwang registration number"),
    "method": ("质权实现方式", "Enforced by"),
    "enforced_on": ("质权实现日期", "Enforced on"),
}
_DATES = frozenset(
    {
        "registration_date",
        "announcement_date",
        "valid_from",
        "valid_until",
        "previous_valid_until",
        "contract_date",
        "due_on",
        "term_start",
        "term_end",
        "re_examination_due",
        "ended_on",
        "enforced_on",
    }
)
_ENUMS: dict[str, str] = {
    "state": "registration_state",
    "result": "registration_state",
    "filing_kind": "filing_announcement",
    "licence_type": "licence_type",
    "right": "right",
    "basis": "basis",
    "ground": "cancellation_ground",
    "grounds": "revocation_ground",
    "outcome": "outcome",
    "request_kind": "request_kind",
    "fields": "form_field",
    "method": "enforcement_method",
}
_PARTIES = frozenset({"holders", "previous_holders", "licensee", "pledgee", "counterparty"})
_CODES = frozenset(
    {
        "registration_number",
        "certificate_number",
        "announcement_number",
        "filing_number",
        "freeze_number",
        "proposal_number",
        "zdw_reference",
    }
)
# shown above the particulars already (title, number, name, industry)
ANNOUNCEMENT_HEADER = frozenset({"registration_number", "name", "industry_code"})


def _day(value: Any, lang: str) -> str:
    from dataip.web.pages.render import day  # render imports this module

    return day(value, lang)


def yes_no(value: Any, lang: str) -> str:
    if lang == "en":
        return "yes" if value else "no"
    return "是" if value else "否"


def party_text(p: Mapping[str, Any], lang: str) -> Markup:
    """A holder or counterparty as a person reads it: name, credit code, share."""
    out = escape(p.get("name") or "")
    if p.get("credit_code"):
        label_ = "统一社会信用代码" if lang != "en" else "credit code"
        out += Markup(' <span class="muted">{}</span> <span class="mono">{}</span>').format(
            label_, p["credit_code"]
        )
    if p.get("share_bp") not in (None, 10_000):
        out += Markup(" · {}%").format(f"{int(p['share_bp']) / 100:.2f}")
    return Markup(out)


def field_value(key: str, value: Any, lang: str) -> Markup | str:
    """One announced fact as text, by what the key holds."""
    if key in _DATES:
        return _day(value, lang)
    if isinstance(value, bool):
        return yes_no(value, lang)
    if key in _ENUMS:
        table = _ENUMS[key]
        sep = ", " if lang == "en" else "、"
        if isinstance(value, list):
            return sep.join(label(table, v, lang) for v in value)
        return label(table, value, lang)
    if key in _PARTIES:
        items = value if isinstance(value, list) else [value]
        return Markup("<br>").join(party_text(p, lang) for p in items if isinstance(p, Mapping))
    if key in _CODES:
        return Markup('<span class="mono">{}</span>').format(value)
    if isinstance(value, list):
        return ("、" if lang != "en" else ", ").join(str(v) for v in value)
    return str(value)


def particulars(body: Mapping[str, Any], lang: str) -> list[tuple[str, Markup | str]]:
    """An announcement's body as (label, value) rows, in the table's order, empty ones and
    the header's left out; a key the table does not know keeps its name (the page test
    fails on it)."""
    keys = [k for k in ANNOUNCEMENT_FIELDS if k in body] + [
        k for k in body if k not in ANNOUNCEMENT_FIELDS
    ]
    rows = []
    for k in keys:
        v = body[k]
        if k in ANNOUNCEMENT_HEADER or v in (None, "", [], {}):
            continue
        name = pick(ANNOUNCEMENT_FIELDS[k], lang) if k in ANNOUNCEMENT_FIELDS else k
        rows.append((name, field_value(k, v, lang)))
    return rows


# --- files (issue 19 §4: by name, size and screening result) ------------------------------

NOT_SAMPLE: Pair = ("非样例数据，不作筛查", "not sample data: not screened")


def filesize(n: int | None, lang: str = "zh-CN") -> str:
    """Bytes as people read them: 812 字节, 12.4 KB, 3.1 MB."""
    if n is None:
        return ""
    if n < 1024:
        return f"{n} bytes" if lang == "en" else f"{n} 字节"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def screening_text(f: Any, lang: str) -> str:
    """A file's screening result in words: its state, and for a screened sample what was
    found (or that nothing was)."""
    from dataip.services.screening import DONE, STATUS_LABELS

    state = getattr(f, "screening", None)
    if state is None:
        return pick(NOT_SAMPLE, lang)
    text = pick(STATUS_LABELS.get(state, (state, state)), lang)
    if state == DONE:
        kinds = [label("finding_kind", k, lang) for k in getattr(f, "kinds", ()) or ()]
        if kinds:
            found = ", ".join(kinds) if lang == "en" else "、".join(kinds)
            text += f": found {found}" if lang == "en" else f"：发现{found}"
        else:
            text += ": no personal information found" if lang == "en" else "：未发现个人信息"
    return text


# --- Jinja ---------------------------------------------------------------------------------


def install(env: Environment) -> None:
    """The filters and globals every template may use; the page's ``lang`` decides."""

    @pass_context
    def _label(ctx: Any, value: Any, table: str) -> str:
        return label(table, value, ctx.get("lang", "zh-CN"))

    @pass_context
    def _law(ctx: Any, article: int) -> str:
        return law(article, ctx.get("lang", "zh-CN"))

    @pass_context
    def _particulars(ctx: Any, body: Mapping[str, Any]) -> list[tuple[str, Any]]:
        return particulars(body, ctx.get("lang", "zh-CN"))

    @pass_context
    def _yes_no(ctx: Any, value: Any) -> str:
        return yes_no(value, ctx.get("lang", "zh-CN"))

    @pass_context
    def _filesize(ctx: Any, n: int | None) -> str:
        return filesize(n, ctx.get("lang", "zh-CN"))

    @pass_context
    def _screening_text(ctx: Any, f: Any) -> str:
        return screening_text(f, ctx.get("lang", "zh-CN"))

    env.filters["filesize"] = _filesize
    env.filters["screening_text"] = _screening_text
    env.filters["label"] = _label
    env.filters["particulars"] = _particulars
    env.filters["yes_no"] = _yes_no
    env.globals["law"] = _law
