"""Typical cases (典型案例, JS25§10): registrations the registry picks for the annual report,
each with a short public text. The text is public: it is screened for personal data before it
is saved — an identifier the detectors find (ID, phone, card …) or the name of a natural person
in the registration's case refuses it (`typical_case_personal_data`), nothing is stored."""

from __future__ import annotations

from typing import Any

from dataip.domain.errors import DomainError
from dataip.services import conflicts, decision_text, public_screening
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict

__all__ = ["MAX_TEXT", "MAX_TITLE", "add", "cases", "remove"]

MAX_TITLE = 60
MAX_TEXT = 1000


def _bad(code: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=422, details=details or None)


def _view(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "year": c.year,
        "registration_number": c.registration_number,
        "name": c.name,
        "industry_code": c.industry_code,
        "title": c.title,
        "text": c.text,
        "created_at": c.created_at.isoformat(),
    }


def _check(title: str, text: str, year: int) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title or "\n" in title or len(title) > MAX_TITLE:
        raise _bad(
            "invalid_case_title",
            f"标题须为一行，1至{MAX_TITLE}个字",
            f"the title is one line of 1 to {MAX_TITLE} characters",
            field="title",
        )
    if not text or len(text) > MAX_TEXT:
        raise _bad(
            "invalid_case_text",
            f"案例说明须为1至{MAX_TEXT}个字",
            f"the case text is 1 to {MAX_TEXT} characters",
            field="text",
        )
    if not 2000 <= year <= 2100:
        raise _bad("invalid_period", "year 不是有效的年份", "year is not a valid year")
    return title, text


def add(
    identity: Identity, *, env: Env, number: str, year: int, title: str, text: str
) -> dict[str, Any]:
    """Add a typical case (registry only)."""
    uid = identity.require_registry()
    title, text = _check(title, text, year)
    try:
        with env.uow() as uow:
            reg = uow.registrations.by_number(number)
            if reg is None:
                raise DomainError(
                    "registration_not_found", "未找到该登记", "no such registration", status=404
                )
            found = public_screening.hits([("title", title), ("text", text)])
            names = [n for n in decision_text.case_names(uow, reg) if n and n in title + text]
            if found or names:
                raise _bad(
                    "typical_case_personal_data",
                    "案例文本含有个人信息（证件号、电话、自然人姓名等），不能公开，未保存",
                    "the case text holds personal data (an identifier or a natural "
                    "person's name): it cannot be published, nothing was saved",
                    kinds=sorted({h.kind for h in found} | ({"name"} if names else set())),
                )
            if any(c.registration_id == reg.id for c in uow.statistics.cases(year)):
                raise DomainError(
                    *conflicts.BY_CONSTRAINT["uq_typical_cases_year_registration"], status=409
                )
            case_id = uow.statistics.add_case(
                registration_id=reg.id, year=year, title=title, text=text, at=env.now(), by=uid
            )
            uow.commit()
    except ConcurrencyConflict as e:
        raise conflicts.problem(e) from e
    with env.read() as uow:
        return _view(uow.statistics.cases(case_id=case_id)[0])


def remove(identity: Identity, *, env: Env, case_id: int) -> None:
    """Remove a typical case (registry only)."""
    identity.require_registry()
    with env.uow() as uow:
        if not uow.statistics.remove_case(case_id):
            raise DomainError(
                "typical_case_not_found", "未找到该典型案例", "no such typical case", status=404
            )
        uow.commit()


def cases(*, env: Env, year: int | None = None) -> list[dict[str, Any]]:
    """The typical cases (of ``year``), public."""
    with env.read() as uow:
        return [_view(c) for c in uow.statistics.cases(year)]
