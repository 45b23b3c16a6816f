"""The repositories' common base (仓储): a session and, for one mapped domain class, `add`,
`add_all` and `get` by primary key. Each aggregate's repository extends it; the ones that are
not one class's rows (`Ledger`, `Calendar`, `LoginAttempts`) hold the session themselves."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Generic, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


def read_memo(method: Callable[P, R]) -> Callable[P, R]:
    """A read whose answer a read-only unit of work remembers, per arguments, for the rest of
    it: the panels of a public page (`Env.shared_reads`) each ask for the registration, its
    versions, filings, requests and events; one query each answers them all. Lists come back
    as copies (a caller may sort or extend its own). Units of work that write never remember
    (their rows change under them)."""

    @functools.wraps(method)
    def remembered(*args: P.args, **kw: P.kwargs) -> R:
        repo = args[0]
        memo = repo._memo  # type: ignore[attr-defined]
        if memo is None:
            return method(*args, **kw)
        key = (type(repo).__name__, method.__name__, args[1:], tuple(sorted(kw.items())))
        if key not in memo:
            memo[key] = method(*args, **kw)
        found = memo[key]
        return list(found) if isinstance(found, list) else found  # type: ignore[return-value]

    return remembered


class _Repo(Generic[T]):
    cls: type[T]

    def __init__(self, session: Session, *, memo: dict[Any, Any] | None = None) -> None:
        self.s = session
        self._memo = memo  # `read_memo`'s answers: a read-only unit of work's, shared

    def add(self, obj: T) -> T:
        self.s.add(obj)
        return obj

    def add_all(self, objs: Iterable[T]) -> None:
        self.s.add_all(list(objs))

    @read_memo
    def get(self, key: Any, *, for_update: bool = False) -> T | None:
        # remembered too: the session's identity map answers a row it holds, but asks the
        # database again for one that does not exist (a page's panels ask for the sample
        # publication a registration has not made, one after the other)
        return self.s.get(self.cls, key, with_for_update=for_update or None)

    def _all(self, stmt: sa.Select[Any]) -> list[T]:
        return list(self.s.scalars(stmt))
