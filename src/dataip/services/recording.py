"""The one hook every lifecycle action goes through: event (archive + ledger outbox),
deadlines and served notices, written in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.calendar import Deadline as DueDate
from dataip.domain.lifecycle import DeadlineRule
from dataip.services import ledger
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork
from dataip.sharing.cloudevents import SOURCE_TYPES as FEED_TYPES

NOTICE_TITLES: dict[str, tuple[str, str]] = {
    "receipt": ("登记申请回执", "Acknowledgement of receipt"),
    "acceptance": ("受理通知书", "Notice of acceptance"),
    "correction_notice": ("补正通知书", "Correction notice"),
    "refusal": ("不予登记决定书", "Decision of refusal"),
    "publicity": ("公示通知", "Notice of publicity"),
    "objection_notice": ("异议通知书", "Notice of objection"),
    "objection_decision": ("异议处理决定书", "Decision on the objection"),
    "judgment": ("司法裁决处理决定", "Decision following the judgment or award"),
    "registration": ("准予登记通知书", "Notice of registration"),
    "withdrawal": ("撤回申请确认", "Confirmation of withdrawal"),
    "deemed_withdrawn": ("视为撤回通知书", "Notice of deemed withdrawal"),
    "fast_track_decision": ("快速审查请求审查决定", "Decision on fast-track examination"),
    "extension_decision": (
        "延长补正期限请求审查决定",
        "Decision on extending the correction period",
    ),
    "reinstatement": ("恢复申请请求审查决定", "Decision on reinstatement"),
    "renewal_reminder": ("续展提醒", "Renewal reminder"),
    "renewal": ("续展登记通知书", "Notice of renewal"),
    "transfer_consent": ("转让确认请求", "Transfer awaiting your confirmation"),
    "request_received": ("登记事项申请回执", "Acknowledgement of your request"),
    "request_decision": ("登记事项申请审查决定书", "Decision on your request"),
    "revocation_request": ("撤销登记申请通知", "Notice of a revocation request"),
    "revocation_decision": ("撤销登记决定书", "Decision on revocation"),
    "re_examination_decision": ("复审决定书", "Decision on re-examination"),
    "registration_ended": ("登记终止通知书", "Notice that the registration has ended"),
    "filing_receipt": ("备案回执", "Acknowledgement of filing"),
    "freeze_notice": ("保全通知", "Notice of a court's preservation"),
    "pledge_proposal": ("质押备案确认请求", "Pledge awaiting your confirmation"),
    "pledge_proposal_withdrawn": ("质押备案申请撤回通知", "A bank withdrew its pledge proposal"),
    # issue 23 §1–§2: derivation and benefit distribution (services/distribution)
    "source_confirmation": ("数据来源确认请求", "Upstream source awaiting your confirmation"),
    "source_decision": ("数据来源声明答复", "Answer to your upstream source declaration"),
    "distribution_statement": ("收益分配对账单", "Benefit distribution statement"),
    # issue 23 §4: service matching (services/matching/push.py, contacts.py)
    "need_match": ("新的匹配需求", "A new need matches your registration"),
    "registration_match": ("新的匹配登记", "A new registration matches your need"),
    "contact_proposed": ("联系请求", "A request to get in touch"),
    "contact_accepted": ("联系请求已同意", "Your request to get in touch was accepted"),
    "contact_declined": ("联系请求已拒绝", "Your request to get in touch was declined"),
    # issue 23 §5: the service directory (services/directory/requests.py)
    "service_requested": ("服务请求", "A request for your agency's service"),
    "service_accepted": ("服务请求已接受", "Your service request was accepted"),
    "service_declined": ("服务请求已拒绝", "Your service request was declined"),
}


def commitment(value: Any) -> dict[str, str]:
    """A salted SHA-256 commitment to private content: reveals nothing, proves it later."""
    salt = secrets.token_hex(16)
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()
    return {"salt": salt, "sha256": hashlib.sha256(salt.encode() + blob).hexdigest()}


def record_event(
    uow: UnitOfWork,
    *,
    subject_type: str,
    subject_id: int,
    type: str,
    at: datetime,
    actor_user_id: int | None,
    public: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> m.Event:
    """Append an event and its ledger leaf, in the caller's transaction.

    `public` is what the ledger publishes, forever: only the fields its `type` declares in
    `domain.public_record`, of closed kinds (codes, numbers, dates, digests) — never free
    text. The leaf built at commit checks that and runs the screening detectors over it; a
    refusal (422 `log_public_not_allowed` / `log_public_personal_data`) rolls the whole
    transaction back. Every value of `private` is a salted `commitment`; only its hash is
    published: put reasons, statements, notes and names there. Who acted is committed to the
    same way, so the actor can be proved later without being published.
    """
    private = dict(private or {})
    if actor_user_id is not None:
        private.setdefault("actor", commitment(actor_user_id))
    event = uow.events.add(
        m.Event(
            subject_type=subject_type,
            subject_id=subject_id,
            type=type,
            occurred_at=at,
            actor_user_id=actor_user_id,
            public=public or {},
            private=private,
        )
    )
    ledger.stage(uow, event)
    if type in FEED_TYPES:
        # issue 20 §5: the webhook outbox row, in this same transaction — no webhook for a
        # change rolled back, none lost for one committed
        uow.webhooks.stage_later(event)
    return event


def due_date(env: Env, period_key: str, trigger: datetime, register: str = "data_ip") -> DueDate:
    """The due date of a profile period triggered at `trigger` (R0.1 / R0.2), in the
    register's profile (issue 24 §1: data property has its own periods)."""
    period = env.profile_for(register).period(period_key)
    cal = env.calendar()
    day = trigger.astimezone(env.now().tzinfo).date()
    if period.unit == "calendar_days":
        return cal.add_calendar_days(day, period.days)
    return cal.add_working_days(day, period.days)


def open_deadline(
    uow: UnitOfWork,
    env: Env,
    *,
    application_id: int,
    rule: DeadlineRule,
    trigger: datetime,
    register: str = "data_ip",
) -> m.Deadline:
    d = due_date(env, rule.period, trigger, register)
    return uow.deadlines.add(
        m.Deadline(
            application_id=application_id,
            kind=rule.kind,
            party=rule.party,
            period_key=rule.period,
            trigger_at=trigger,
            due_on=d.due_on,
            provisional=d.provisional,
            on_expiry=rule.on_expiry,
        )
    )


def serve_notice(
    uow: UnitOfWork,
    *,
    application_id: int,
    kind: str,
    recipient_user_id: int,
    at: datetime,
    body: dict[str, Any],
    due: m.Deadline | None = None,
    due_on: date | None = None,
    provisional: bool = False,
) -> m.Notice:
    """R7 / G§11: electronic service — the notice is served when it lands in the inbox."""
    zh, en = NOTICE_TITLES[kind]
    return uow.notices.add(
        m.Notice(
            application_id=application_id,
            kind=kind,
            recipient_user_id=recipient_user_id,
            served_at=at,
            title_zh=zh,
            title_en=en,
            body=body,
            due_on=due.due_on if due else due_on,
            provisional=due.provisional if due else provisional,
            deadline_id=due.id if due else None,
        )
    )
