"""What a lost race means to the caller: every `ConcurrencyConflict` (a row changed under a
writer, or a row a constraint allows once written first by another transaction) becomes one
409 problem with a stable code, in one table, whichever backend and endpoint noticed it.

The constraint names are the schema's (`db/tables/`, its naming convention): SQLite, whose
writers serialise, usually answers the same request with the service's own check (for a
deposit, `already_deposited` with the earlier number); PostgreSQL, whose writers overlap, lets
both pass the check and the constraint decides. The code is the same either way; the loser of
a race gets the meaning without the details the check would have added.
"""

from __future__ import annotations

from dataip.domain.errors import DomainError
from dataip.services.ports import ConcurrencyConflict

CONCURRENT_UPDATE = (
    "concurrent_update",
    "数据已被他人同时修改，请刷新后重试",
    "the record changed concurrently; reload and retry",
)

# constraint → (code, Chinese, English): where a race has a meaning of its own
BY_CONSTRAINT: dict[str, tuple[str, str, str]] = {
    "uq_deposits_depositor_root": (
        "already_deposited",
        "该数据已存证（同时提交的另一请求已完成存证），请在“我的存证”中查看编号",
        "already deposited (by a request made at the same time); see GET /evidence for its number",
    ),
    "uq_users_username": ("username_taken", "用户名已被注册", "username already taken"),
    "uq_application_parties_application_id": (
        "duplicate_applicant",
        "共同申请人重复",
        "an applicant is listed twice",
    ),
    # issue 22 §2: an agency's signed report, sent twice at once
    "uq_valuations_jws_sha256": (
        "valuation_already_recorded",
        "该评估报告已提交（同时提交的另一请求已记录）",
        "this signed report is already recorded (by a request made at the same time)",
    ),
    "uq_need_contacts_match": (  # issue 23 §4: one contact per need and registration
        "contact_exists",
        "该匹配已有联系请求",
        "a contact request on this match exists already",
    ),
    # issue 22 §6: one typical case per registration and year
    "uq_typical_cases_year_registration": (
        "typical_case_exists",
        "该登记已是本年度的典型案例",
        "this registration is already a typical case of that year",
    ),
    "uq_agencies_party_id": (  # issue 23 §5: one listing per party
        "agency_exists",
        "该主体已列入服务机构名录",
        "this party is listed already",
    ),
    "uq_service_requests_pair": (  # issue 23 §5: one request per agency and registration
        "service_request_exists",
        "已就该登记向该机构发出过服务请求",
        "a service request for this registration to this agency exists already",
    ),
}


def problem(e: ConcurrencyConflict) -> DomainError:
    """The 409 answer to a conflict."""
    code, zh, en = BY_CONSTRAINT.get(e.constraint or "", CONCURRENT_UPDATE)
    return DomainError(code, zh, en, status=409)
