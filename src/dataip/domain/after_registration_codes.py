"""The code lists of life after registration (G§19–G§24), with their Chinese and English
labels: the grounds of a one-sided transfer, of revocation and of cancellation, what the
public page shows of a sample, what a pledgee consents to, licence types, filing kinds and
announcement kinds. The table that uses them is `after_registration`."""

from __future__ import annotations

# G§21: the grounds on which one party alone may file a transfer.
UNILATERAL_BASES: dict[str, tuple[str, str]] = {
    "inheritance": ("继承", "inheritance"),
    "bequest": ("接受遗赠", "bequest"),
    "court": ("人民法院生效法律文书", "court judgment or ruling"),
    "arbitration": ("仲裁委员会生效法律文书", "arbitral award"),
    "administrative": ("行政机关或授权组织生效公文", "administrative instrument"),
    "other": ("法律法规规定的其他情形", "other legal ground"),
}

# G§20: the registry revokes ex officio on these grounds.
REVOCATION_GROUNDS: dict[int, tuple[str, str]] = {
    1: ("登记后发现有不予登记情形", "a ground for refusal found after registration"),
    2: (
        "对数据流通、交易、使用、分配、治理及安全管理等造成严重阻碍或不利影响",
        "serious obstruction of data circulation, trading, use, distribution, governance or "
        "security",
    ),
    3: ("其他不符合法律法规规定的情形", "other non-conformity with laws and regulations"),
}

# G§19 / G§23: why the registry cancels.
CANCELLATION_GROUNDS: dict[str, tuple[str, str]] = {
    "expired": ("有效期满未办理续展", "expired without renewal"),
    "evident_defect": ("存在明显缺陷", "evident defect"),
    "right_extinguished": (
        "生效法律文书或公文导致权利灭失且无新权利主体",
        "right extinguished by a legal instrument with no new right holder",
    ),
    "holder_request": ("登记主体申请注销", "on the holder's request"),
}

# Issue 7: what the public page shows of the sample data.
SAMPLE_PUBLICATION: dict[str, tuple[str, str]] = {
    "none": ("不公开样例数据", "sample data not shown"),
    "raw": (
        "公开样例数据（筛查未发现敏感信息）",
        "sample rows shown as read (screening found nothing)",
    ),
    "masked": ("去标识化后公开", "shown de-identified"),
}

# What a pledgee may consent to (a pledge in force blocks each without its consent).
CONSENT_KINDS = ("transfer", "abandon", "cancellation")

LICENCE_TYPES: dict[str, tuple[str, str]] = {
    "exclusive": ("独占许可", "exclusive"),
    "sole": ("排他许可", "sole"),
    "non_exclusive": ("普通许可", "non-exclusive"),
}

FILING_KINDS: dict[str, tuple[str, str]] = {
    "licence": ("许可使用备案", "licence filing"),
    "pledge": ("质押备案", "pledge filing"),
    "trade": ("交易备案", "trade filing"),
}

ANNOUNCEMENT_KINDS: dict[str, tuple[str, str]] = {
    "registration": ("登记公告", "Registration"),
    "renewal": ("续展公告", "Renewal"),
    "change": ("变更公告", "Change"),
    "transfer": ("转让公告", "Transfer"),
    "licence": ("许可备案公告", "Licence filing"),
    "pledge": ("质押备案公告", "Pledge filing"),
    "pledge_release": ("质押注销公告", "Pledge release"),
    "pledge_enforcement": ("质权实现公告", "Pledge enforcement"),
    "trade": ("交易备案公告", "Trade filing"),
    "abandonment": ("放弃公告", "Abandonment"),
    "cancellation": ("注销公告", "Cancellation"),
    "revocation": ("撤销公告", "Revocation"),
    "re_examination": ("复审决定公告", "Re-examination decision"),
    "freeze": ("保全公告", "Preservation (freeze)"),
    "freeze_lift": ("解除保全公告", "Preservation lifted"),
}
