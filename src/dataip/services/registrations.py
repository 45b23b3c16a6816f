"""Registrations as announced (公告): public reads."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env


def list_registrations(*, env: Env, after_id: int = 0, limit: int = 50) -> list[m.Registration]:
    with env.uow() as uow:
        return uow.registrations.page(after_id=after_id, limit=max(1, min(limit, 200)))


def get_registration(*, env: Env, number: str) -> m.Registration:
    with env.uow() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise DomainError(
                "registration_not_found", "登记不存在", "registration not found", status=404
            )
        return reg
