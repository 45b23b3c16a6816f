"""What each recorded event type is called, in Chinese and English.

Events are stored and logged under stable identifiers (``ApplicationSubmitted``); pages show
these labels instead. The tests check that every event in the lifecycle table and in the
after-registration table has one, so a new row cannot reach a page as a bare identifier."""

from __future__ import annotations

EVENT_LABELS: dict[str, tuple[str, str]] = {
    # the application (G§7–G§18)
    "DraftCreated": ("创建草稿", "Draft created"),
    "FormEdited": ("修改申请表", "Form edited"),
    "CoApplicantConsented": ("共同申请人确认", "Co-applicant consented"),
    "ApplicationSubmitted": ("提交登记申请", "Application submitted"),
    "ApplicationAccepted": ("受理", "Accepted"),
    "CorrectionRequested": ("发出补正通知", "Correction requested"),
    "CorrectionSubmitted": ("提交补正", "Correction submitted"),
    "ApplicationDeemedWithdrawn": ("视为撤回", "Deemed withdrawn"),
    "ApplicationRefused": ("不予登记", "Refused"),
    "ApplicationPublicised": ("公示", "Publicised"),
    "ObjectionFiled": ("提出异议", "Objection filed"),
    "ObjectionNotified": ("通知异议", "Objection notified"),
    "ObjectionAnswered": ("答复异议", "Objection answered"),
    "ObjectionDecided": ("异议决定", "Objection decided"),
    "JudgmentRecorded": ("录入司法裁决", "Judgment recorded"),
    "ApplicationApproved": ("核准登记", "Approved"),
    "ApplicationWithdrawn": ("主动撤回", "Withdrawn"),
    "DeadlineRecomputed": ("期限重新计算", "Deadline recomputed"),
    "FastTrackRequested": ("请求快速审查", "Fast track requested"),
    "FastTrackGranted": ("准予快速审查", "Fast track granted"),
    "FastTrackRefused": ("不予快速审查", "Fast track refused"),
    "ExtensionRequested": ("请求延长补正期限", "Extension requested"),
    "CorrectionPeriodExtended": ("延长补正期限", "Correction period extended"),
    "ExtensionRefused": ("不予延长补正期限", "Extension refused"),
    "ReinstatementRequested": ("请求恢复申请", "Reinstatement requested"),
    "ApplicationReinstated": ("恢复申请", "Application reinstated"),
    "ReinstatementRefused": ("不予恢复申请", "Reinstatement refused"),
    # the registration and its certificate (G§16–G§24)
    "CertificateIssued": ("颁发登记证书", "Certificate issued"),
    "DossierSubmitted": ("一窗受理申请提交", "One-window filing submitted"),
    "FilingForwarded": ("转交数据产权登记机构", "Forwarded to the data property authority"),
    "RegistrationAnnounced": ("发布登记公告", "Registration announced"),
    "RenewalReminderServed": ("发送续展提醒", "Renewal reminder served"),
    "RegistrationRenewed": ("续展登记", "Renewed"),
    "ChangeRequested": ("申请变更登记", "Change requested"),
    "TransferRequested": ("申请转让登记", "Transfer requested"),
    "TransferConfirmed": ("受让方确认转让", "Transfer confirmed"),
    "LicenceFiled": ("许可使用备案", "Licence filed"),
    "PledgeFiled": ("质押备案", "Pledge filed"),
    "TradeFiled": ("交易备案", "Trade filed"),
    "PledgeReleased": ("质押注销", "Pledge released"),
    "PledgeeConsentRecorded": ("记录质权人同意", "Pledgee's consent recorded"),
    "PledgeProposed": ("银行申请质押备案", "Pledge proposed by a bank"),
    "PledgeProposalDeclined": ("拒绝质押申请", "Pledge proposal declined"),
    "PledgeProposalWithdrawn": ("撤回质押申请", "Pledge proposal withdrawn"),
    "PledgeReferenceRecorded": ("记录中登网登记证明编号", "Zhongdengwang reference recorded"),
    "PledgeEnforced": ("质权实现", "Pledge enforced"),
    "RegistrationAbandoned": ("放弃登记", "Abandoned"),
    "CancellationRequested": ("申请注销登记", "Cancellation requested"),
    "RegistrationCancelled": ("注销登记", "Cancelled"),
    "RevocationRequested": ("申请撤销登记", "Revocation requested"),
    "RegistrationRevoked": ("撤销登记", "Revoked"),
    "RequestDecided": ("审查决定", "Request decided"),
    "ReExaminationRequested": ("申请复审", "Re-examination requested"),
    "ReExaminationDecided": ("复审决定", "Re-examination decided"),
    "RequestWithdrawn": ("撤回申请事项", "Request withdrawn"),
    "SamplePublicationChosen": ("设置样例数据公开方式", "Sample publication chosen"),
    "RegistrationFrozen": ("人民法院保全", "Frozen by a court"),
    "FreezeLifted": ("解除保全", "Freeze lifted"),
    "ValuationRecorded": ("记录估值", "Valuation recorded"),  # issue 22 §2
    "ValuationPublished": ("公开估值", "Valuation published"),
    "ValuationWithdrawn": ("撤回公开的估值", "Valuation withdrawn"),
    # parties, evidence and reference data
    "PartyCreated": ("创建主体", "Party created"),
    "VerificationRequested": ("申请实名核验", "Verification requested"),
    "PartyVerified": ("实名核验通过", "Party verified"),
    "PartyVerificationRejected": ("实名核验未通过", "Party verification rejected"),
    "PowerOfAttorneyFiled": ("提交授权委托书", "Power of attorney filed"),
    "PowerOfAttorneyAccepted": ("授权委托书通过", "Power of attorney accepted"),
    "PowerOfAttorneyRejected": ("授权委托书未通过", "Power of attorney rejected"),
    "EvidenceDeposited": ("数据存证", "Evidence deposited"),
    "IndustryTableLoaded": ("载入行业分类表", "Industry table loaded"),
    "CalendarOverrideSet": ("设置工作日调整", "Calendar override set"),
    "CalendarYearLoaded": ("载入年度节假日安排", "Calendar year loaded"),
    "QualityPublished": ("公开数据质量评价", "Data quality published"),
    "QualityWithdrawn": ("撤回数据质量评价", "Data quality withdrawn"),
    # issue 23 §1–§2: derivation and benefit distribution (services/distribution)
    "UpstreamSourceDeclared": ("声明数据来源", "Upstream source declared"),
    "UpstreamSourceConfirmed": ("确认数据来源", "Upstream source confirmed"),
    "UpstreamSourceDisputed": ("对数据来源提出异议", "Upstream source disputed"),
    "DistributionRecorded": ("记录收益分配", "Benefit distribution recorded"),
}


def event_label(event_type: str, lang: str) -> str:
    """The label in ``lang`` (``en`` or Chinese); the identifier itself when unknown."""
    zh, en = EVENT_LABELS.get(event_type, (event_type, event_type))
    return en if lang == "en" else zh
