"""Requests the registry grants or refuses in the course of the procedure (程序性请求):

* fast-track examination (快速审查, R8 / Z§2.1 "开辟快捷通道"): the applicant asks, naming one
  of the grounds its profile admits (pledge financing, a court case, a major project …); the
  registry grants or refuses it with a reason code, or grants it on its own motion. Only a
  granted fast track moves the application up the examiner's queue;
* extension of a correction period (延长补正期限, G§12 "无正当理由逾期不补正的，视为撤回"):
  asked for, with a good reason, before the period ends; granted with a new due date or
  refused;
* reinstatement of a deemed-withdrawn application (恢复申请, G§12): asked for, with a good
  reason, within the profile's period after the deemed withdrawal; granted (the application
  waits for its correction again, with a new period) or refused.

Pure: the vocabularies (codes the public log may carry; the text stays private), the facts
the guards read and the guards themselves. ``lifecycle`` holds the table's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dataip.domain.errors import DomainError

REQUEST_KINDS = ("fast_track", "extension", "reinstatement")
REQUEST_STATES = ("pending", "granted", "refused", "lapsed")

REQUEST_KIND_LABELS: dict[str, tuple[str, str]] = {
    "fast_track": ("快速审查请求", "Fast-track request"),
    "extension": ("延长补正期限请求", "Request to extend the correction period"),
    "reinstatement": ("恢复申请请求", "Request for reinstatement"),
}
REQUEST_STATE_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待审查", "Pending"),
    "granted": ("已准予", "Granted"),
    "refused": ("未准予", "Refused"),
    "lapsed": ("已失效", "Lapsed"),
}

# Z§2.1: what may justify examining a filing first; a profile admits some (`fast_track_grounds`)
FAST_TRACK_GROUNDS: dict[str, tuple[str, str]] = {
    "pledge_financing": ("用于数据知识产权质押融资", "pledge financing backed by the data IP"),
    "litigation": ("涉及诉讼、仲裁或行政执法案件", "a court, arbitration or enforcement case"),
    "major_project": ("服务国家或省级重大项目", "a major national or provincial project"),
    "trading": ("数据交易或许可使用即将达成", "an imminent trade or licence of the data"),
    "public_interest": ("涉及重大公共利益或应急需要", "a major public interest or an emergency"),
}
# G§12: the good reasons (正当理由) for relief from a correction period.
RELIEF_GROUNDS: dict[str, tuple[str, str]] = {
    "force_majeure": ("不可抗力", "force majeure"),
    "third_party_delay": (
        "需由第三方出具的证明材料未能按期取得",
        "a document that a third party issues could not be obtained in time",
    ),
    "notice_not_received": ("因正当原因未能及时收到通知", "the notice was not received in time"),
    "other_good_reason": ("其他正当理由", "another good reason"),
}
# Why the registry refuses a request: a code for the log, the text of the decision private.
REFUSAL_REASONS: dict[str, tuple[str, str]] = {
    "ground_not_established": ("所述理由不成立", "the ground stated is not established"),
    "evidence_insufficient": ("证明材料不足", "the supporting evidence is insufficient"),
    "no_priority_needed": ("无需优先审查", "the filing needs no priority"),
    "not_a_good_reason": ("不属于正当理由", "not a good reason within G§12"),
}
REFUSAL_REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "fast_track": ("ground_not_established", "evidence_insufficient", "no_priority_needed"),
    "extension": ("not_a_good_reason", "evidence_insufficient"),
    "reinstatement": ("not_a_good_reason", "evidence_insufficient"),
}

# action → (request kind, role): "request" by the applicant, "grant"/"refuse" by the registry
REQUEST_ACTIONS: dict[str, tuple[str, str]] = {
    "request_fast_track": ("fast_track", "request"),
    "grant_fast_track": ("fast_track", "grant"),
    "refuse_fast_track": ("fast_track", "refuse"),
    "request_extension": ("extension", "request"),
    "grant_extension": ("extension", "grant"),
    "refuse_extension": ("extension", "refuse"),
    "request_reinstatement": ("reinstatement", "request"),
    "reinstate": ("reinstatement", "grant"),
    "refuse_reinstatement": ("reinstatement", "refuse"),
}


@dataclass(frozen=True)
class RequestFacts:
    """What the guards read: the kinds with a request pending, whether fast track is granted,
    the running correction period's due date and the last day to ask for reinstatement."""

    pending: frozenset[str] = frozenset()
    fast_track: bool = False
    correction_due: date | None = None
    reinstatement_until: date | None = None


def _err(code: str, zh: str, en: str, status: int = 409, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def guard(action: str, facts: RequestFacts, today: date) -> DomainError | None:
    """Why `action` cannot be taken now, or None."""
    kind, role = REQUEST_ACTIONS[action]
    if kind == "fast_track" and role != "refuse" and facts.fast_track:
        return _err("fast_track_already_granted", "已准予快速审查", "fast track is already granted")
    if role == "request" and kind in facts.pending:
        return _err(
            "request_pending",
            "已有同类请求待登记机构审查",
            "a request of this kind is already awaiting the registry's decision",
            kind=kind,
        )
    # a refusal, and a grant of relief, decide a pending request (fast track may be granted
    # on the registry's own motion)
    decides = role == "refuse" or (role == "grant" and kind != "fast_track")
    if decides and kind not in facts.pending:
        return _err(
            "no_pending_request",
            "没有待审查的请求",
            "no request of this kind is pending",
            kind=kind,
        )
    if action == "request_extension" and (
        facts.correction_due is None or today > facts.correction_due
    ):
        # G§12: the extension is asked for before the period ends
        return _err(
            "correction_period_over",
            "补正期限已届满，不能再请求延长",
            "the correction period is over: an extension must be asked for before it ends",
            due_on=facts.correction_due.isoformat() if facts.correction_due else None,
        )
    if action == "request_reinstatement" and (
        facts.reinstatement_until is None or today > facts.reinstatement_until
    ):
        return _err(
            "reinstatement_period_over",
            "请求恢复的期限已届满",
            "the period for asking for reinstatement is over",
            until=facts.reinstatement_until.isoformat() if facts.reinstatement_until else None,
        )
    return None


def validate_ground(kind: str, raw: object, admitted: tuple[str, ...]) -> str:
    """The request's ground: one of the codes admitted for its kind (the profile's list for
    fast track, G§12's good reasons for relief)."""
    if raw is None or raw == "":
        return _fail_ground(kind, admitted, "ground_required")
    if not isinstance(raw, str) or raw not in admitted:
        return _fail_ground(kind, admitted, "invalid_ground")
    return raw


def _fail_ground(kind: str, admitted: tuple[str, ...], code: str) -> str:
    if kind == "fast_track":
        zh = "快速审查须说明理由（可选理由见列表）"
        en = "fast track needs one of the admitted grounds"
    else:
        zh, en = "须说明正当理由（可选理由见列表）", "name one of the admitted good reasons"
    if code == "invalid_ground":
        zh, en = f"无效的理由：{zh}", f"invalid ground: {en}"
    raise _err(code, zh, en, 422, kind=kind, valid=list(admitted))


def validate_refusal_reason(kind: str, raw: object) -> str:
    valid = REFUSAL_REASONS_BY_KIND[kind]
    if not isinstance(raw, str) or raw not in valid:
        raise _err(
            "reason_code_required" if not raw else "invalid_reason_code",
            "请选择不予准许的理由",
            "choose the reason for refusing",
            422,
            valid=list(valid),
        )
    return raw
