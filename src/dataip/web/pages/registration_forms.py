"""The forms of the actions after registration (登记后事项), declared as data: renewal
(续展, G§19 / R16), change and transfer (变更、转让, G§21 / R19, the transferee's
confirmation), the licence, pledge and trade filings (许可、质押、交易备案, G§22 / R20) with
the pledge's release and the pledgee's consent, ending a registration (abandonment 放弃 —
G§20 / R17 —, cancellation 注销 — G§23 / R21 —, revocation 撤销 — G§20 / R18), requests and
decisions, re-examination (复审, G§20 / R18), and the sample publication (issue 7).

One `ActionForm` per action of the registration's table (`allowed_actions`), each a tuple of
`Field`s named by the payload key of the API's `RegistrationActionIn`; adding an action to
the table means adding a row here, not a template. `holder.py` draws and parses them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dataip.domain.after_registration_codes import (
    CANCELLATION_GROUNDS,
    LICENCE_TYPES,
    REVOCATION_GROUNDS,
    SAMPLE_PUBLICATION,
)
from dataip.domain.application import UPDATE_FREQUENCIES
from dataip.web.pages.labels import RIGHTS, TRANSFER_BASES
from dataip.web.pages.signup import PARTY_KIND_LABELS

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


CONSENT_FOR: dict[str, Pair] = {
    "transfer": ("转让", "transfer"),
    "abandon": ("放弃", "abandonment"),
    "cancellation": ("注销", "cancellation"),
}
REQUEST_OUTCOMES: dict[str, Pair] = {"approve": ("准予", "approve"), "refuse": ("驳回", "refuse")}
RE_EXAMINATION_OUTCOMES: dict[str, Pair] = {
    "uphold": ("维持原决定", "uphold the decision"),
    "overturn": ("撤销原决定", "overturn the decision"),
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
        (
            "续展后有效期延长一个登记期限（《办法》第十九条）",
            "Renewal extends validity by one term (Art. 19 of the Measures)",
        ),
    ),
    "request_change": ActionForm(
        ("申请变更登记", "Request a change"),
        (
            "只填写需要变更的事项；变更经审查后生效（《办法》第二十一条）",
            "Fill in only what changes; it takes effect once examined (Art. 21 of the Measures)",
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
            # R32 (issue 24 §3): a scientific data set's identifiers elsewhere
            Field(
                "changes.identifiers.cstr",
                (
                    "科技资源标识（CSTR，如 CSTR:31253.11.sciencedb.00245）",
                    "CSTR (e.g. CSTR:31253.11.sciencedb.00245)",
                ),
            ),
            Field(
                "changes.identifiers.doi",
                ("DOI（如 10.57760/sciencedb.00245）", "DOI (e.g. 10.57760/sciencedb.00245)"),
            ),
            Field("reason", ("变更理由", "Reason for the change"), "textarea"),
        ),
        finish=_change,
    ),
    "request_transfer": ActionForm(
        ("申请转让登记", "Request a transfer"),
        (
            "双方协议转让须受让方确认；继承、裁判文书等可由一方申请（《办法》第二十一条）",
            "A transfer by agreement awaits the transferee's confirmation; inheritance, "
            "judgments and similar grounds may be filed by one party (Art. 21 of the Measures)",
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
            Field("basis", ("转让依据", "Basis"), "select", TRANSFER_BASES),
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
            "合同签订之日起十个工作日内备案（《办法》第二十二条）",
            "File within 10 working days of the contract (Art. 22 of the Measures)",
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
            "合同签订之日起十个工作日内备案（《办法》第二十二条）",
            "File within 10 working days of the contract (Art. 22 of the Measures)",
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
            "合同签订之日起十个工作日内备案（《办法》第二十二条）",
            "File within 10 working days of the contract (Art. 22 of the Measures)",
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
    # issue 20 §7: the registry records a court's preservation and its lifting
    "freeze": ActionForm(
        ("保全（冻结）", "Record a court's preservation (freeze)"),
        (
            "依人民法院的保全裁定和协助执行通知书办理；保全期间不得转让、许可、质押、交易、放弃或注销",
            "On the court's ruling and notice of assistance: no transfer, licence, pledge, "
            "trade, abandonment or cancellation while it is in force",
        ),
        (
            Field("case_number", ("案号", "Case number"), required=True),
            Field("court", ("人民法院", "Court"), required=True),
            Field(
                "ruling", ("裁定主文", "Operative part of the ruling"), "textarea", required=True
            ),
            Field("term_end", ("保全期限届满日", "Preservation ends"), "date"),
        ),
    ),
    "lift_freeze": ActionForm(
        ("解除保全", "Lift a preservation"),
        None,
        (
            Field("freeze_number", ("保全编号", "Freeze number"), required=True),
            Field(
                "case_number",
                ("解除保全裁定案号", "Case number of the lifting ruling"),
                required=True,
            ),
            Field("reason", ("理由", "Reason"), "textarea", required=True),
        ),
    ),
    # issue 20 §6: a bank's pledge proposal awaits the holder's answer
    "confirm_pledge": ActionForm(
        ("确认银行质押备案申请", "Confirm a bank's pledge"),
        (
            "确认后即办理质押备案并公告；备案期限自合同签订之日起计算（《办法》第二十二条）",
            "Confirming files the pledge and announces it; the filing period runs from the "
            "contract date (Art. 22 of the Measures)",
        ),
        (
            Field("proposal_number", ("质押申请", "Proposal"), "proposal", required=True),
            CONTRACT_FILE,
        ),
    ),
    "decline_pledge": ActionForm(
        ("拒绝银行质押备案申请", "Decline a bank's pledge"),
        None,
        (
            Field("proposal_number", ("质押申请", "Proposal"), "proposal", required=True),
            Field("reason", ("理由", "Reason"), "textarea"),
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
        (
            "放弃后登记终止且不可恢复（《办法》第二十条）",
            "Abandoning ends the registration for good (Art. 20 of the Measures)",
        ),
        (REASON,),
        confirm=True,
    ),
    "request_cancellation": ActionForm(
        ("申请注销登记", "Request cancellation"),
        (
            "登记主体可申请注销；因生效法律文书权利灭失的，由新权利人提交文书申请（《办法》第二十三条）",
            "The holder may ask to cancel; where a legal instrument extinguished the right, the "
            "new right holder asks with the instrument (Art. 23 of the Measures)",
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
            "须以实名提出，说明理由并附证据（《办法》第二十条）",
            "Made under a verified real name, with reasons and evidence (Art. 20 of the Measures)",
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
            "收到撤销决定之日起十五日内提出（《办法》第二十条）",
            "Within 15 days of the revocation decision (Art. 20 of the Measures)",
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
