"""The repositories' common base (仓储): a session and, for one mapped domain class, `add`,
`add_all` and `get` by primary key. Each aggregate's repository extends it; the ones that are
not one class's rows (`Ledger`, `Calendar`, `LoginAttempts`) hold the session themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")


class _Repo(Generic[T]):
    cls: type[T]

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, obj: T) -> T:
        self.s.add(obj)
        return obj

    def add_all(self, objs: Iterable[T]) -> None:
        self.s.add_all(list(objs))

    def get(self, key: Any, *, for_update: bool = False) -> T | None:
        return self.s.get(self.cls, key, with_for_update=for_update or None)

    def _all(self, stmt: sa.Select[Any]) -> list[T]:
        return list(self.s.scalars(stmt))
