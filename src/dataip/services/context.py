"""What every service call gets: who is acting, and the registry's environment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from dataip.domain.calendar import WorkingDayCalendar
from dataip.domain.errors import DomainError
from dataip.domain.profile import Profile
from dataip.services.login_throttle import LoginPolicy
from dataip.services.ports import BlobStore, Clock, UnitOfWork, UnitOfWorkFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


class _SharedRead:
    """A read-only unit of work lent to every `env.read()` inside `Env.shared_reads()`:
    entering gives the open one, leaving does nothing (its owner closes it)."""

    def __init__(self, env: Env, uow: UnitOfWork) -> None:
        self.env, self.uow = env, uow
        # a session is one thread's: work this block hands to another thread (a copied
        # context) opens its own units of work
        self.thread = threading.get_ident()

    def lends_to(self, env: Env) -> bool:
        return self.env is env and self.thread == threading.get_ident()

    def __enter__(self) -> UnitOfWork:
        return self.uow

    def __exit__(self, *exc: object) -> None:
        return None


# the shared read of the current request (a page's panels), if any: a context variable, so
# each thread and task has its own
_SHARED_READ: ContextVar[_SharedRead | None] = ContextVar("dataip_shared_read", default=None)


@dataclass(frozen=True)
class Identity:
    """The acting user; `user_id` None is an anonymous caller."""

    user_id: int | None
    role: str | None = None
    username: str | None = None

    @property
    def is_registry(self) -> bool:
        return self.role in ("examiner", "registrar_admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "registrar_admin"

    def require_login(self) -> int:
        if self.user_id is None:
            raise DomainError("unauthenticated", "请先登录", "authentication required", status=401)
        return self.user_id

    def require_registry(self) -> int:
        uid = self.require_login()
        if not self.is_registry:
            raise DomainError(
                "forbidden",
                "仅登记机构审查员可执行此操作",
                "only registry examiners may do this",
                status=403,
            )
        return uid

    def require_admin(self) -> int:
        uid = self.require_login()
        if not self.is_admin:
            raise DomainError(
                "forbidden",
                "仅登记机构管理员可执行此操作",
                "only registrar administrators may do this",
                status=403,
            )
        return uid


ANONYMOUS = Identity(user_id=None)
SYSTEM = Identity(user_id=None, role="system", username="system")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(SHANGHAI)


@dataclass
class FixedClock:
    """A clock that says what it is told (DATAIP_NOW, tests, demos)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance_to(self, at: datetime) -> None:
        self.at = at


@dataclass
class Env:
    """The composition the services run in; built by `bootstrap`."""

    uow: UnitOfWorkFactory
    clock: Clock
    profile: Profile
    blobs: BlobStore
    calendar_loader: Callable[[], WorkingDayCalendar]
    max_blob_bytes: int = 20 * 1024 * 1024
    # `remembered` values younger than this are shown even when their generation moved
    # (Settings.statistics_min_interval_seconds)
    statistics_min_interval: float = 0.0
    calendar_ttl_seconds: float = 60.0
    # the calendar's generation in the database (`reference.calendar_generation`), bumped by
    # every change to it: compared before a date is computed, so every server process uses
    # the calendar an admin changed in any of them (deadlines must agree); None: the TTL alone
    calendar_version: Callable[[], int] | None = None
    # how old the last comparison may be for a display (`calendar(exact=False)`: "3 working
    # days left" in a list of fifty); a read costs a few hundred microseconds
    calendar_display_seconds: float = 1.0
    reader: UnitOfWorkFactory | None = None  # read-only units of work (no write lock)
    certificate_keys: Any = None  # certificates.CertificateKeys, built by bootstrap
    screening: Any = None  # screening_worker.ScreeningSetup, built by bootstrap (issue 18)
    federation: Any = None  # federation.FederationSetup, built by bootstrap (issue 21)
    # argon2id; the library's RFC 9106 "low memory" parameters unless the settings say
    # otherwise (bootstrap.password_hasher)
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)
    # the sign-in throttle's limits and real-time clock (services/login_throttle.py)
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    # issue 24 §1 (R31): the other registers' profiles this deployment keeps, by register
    # (`profile` is the data IP register's); see `profile_for`
    registers: dict[str, Profile] = field(default_factory=dict)
    property_authority: Any = None  # property_authority.PropertyAuthority (bootstrap)
    _calendar: WorkingDayCalendar | None = field(default=None, repr=False)
    _calendar_at: float = 0.0
    _calendar_generation: int | None = None
    _calendar_checked: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # `remembered` values: name -> (generation, monotonic time computed, value)
    _memo: dict[str, tuple[Any, float, Any]] = field(default_factory=dict, repr=False)
    _computing: set[str] = field(default_factory=set, repr=False)  # `remembered` names

    def profile_for(self, register: str) -> Profile:
        """The profile of a register: its periods, numbering and certificate (issue 24 §1)."""
        if register == self.profile.register:
            return self.profile
        try:
            return self.registers[register]
        except KeyError:
            raise DomainError(
                "register_not_kept",
                "本登记机构不受理此类登记",
                f"this registry keeps no {register} register",
                status=422,
                details={"register": register},
            ) from None

    def read(self) -> UnitOfWork:
        """A unit of work for reading only: on SQLite it takes no write lock, so readers never
        queue behind writers (WAL). Inside `shared_reads()`, the one that block opened."""
        shared = _SHARED_READ.get()
        if shared is not None and shared.lends_to(self):
            return shared  # type: ignore[return-value]
        return (self.reader or self.uow)()

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """One read-only unit of work for every `read()` inside the block: a public page's
        panels each read the registration and its rows; sharing one session (one transaction,
        one connection, one identity map, the repositories' read memos) spares each its own.
        Only for code that reads: a unit of work that writes is still `uow()`'s own. Nested
        blocks use the outer one."""
        shared = _SHARED_READ.get()
        if shared is not None and shared.lends_to(self):
            yield
            return
        with (self.reader or self.uow)() as uow:
            token = _SHARED_READ.set(_SharedRead(self, uow))
            try:
                yield
            finally:
                _SHARED_READ.reset(token)

    def remembered(
        self,
        name: str,
        generation: Any,
        compute: Callable[[], T],
        *,
        ttl: float = 60.0,
        min_age: float = 0.0,
    ) -> T:
        """`compute()`, or the value it gave this process before while `generation` (read
        from the database by the caller: every server process sees the same) is unchanged
        and it is younger than `ttl` seconds (a bound for a change that moved no generation).
        For figures that are costly to compute and change far less often than they are
        read: the home page's statistics.

        Under a stream of writes the generation moves all the time, so two bounds keep the
        computations few (issue 25: at a million registrations each was ~0.6 s of the
        database's time, and the home page queued behind them): a value younger than
        `min_age` seconds is shown though its generation moved, and while one request of this
        process computes a name, the others show the value it replaces rather than compute it
        too (a single flight; while nothing is kept yet, each computes its own)."""
        now = time.monotonic()
        with self._lock:
            kept = self._memo.get(name)
            age = now - kept[1] if kept is not None else ttl
            if (
                kept is not None
                and age < ttl
                and (kept[0] == generation or age < min_age or name in self._computing)
            ):
                return cast(T, kept[2])
            self._computing.add(name)
        try:
            value = compute()
        finally:
            with self._lock:
                self._computing.discard(name)
        with self._lock:
            self._memo[name] = (generation, now, value)
        return value

    def forget_remembered(self) -> None:
        """Drop every `remembered` value: for a database emptied under a long-lived Env (the
        tests' fixture), where ids, and so generations, start again from 1."""
        with self._lock:
            self._memo.clear()

    def now(self) -> datetime:
        return self.clock.now().astimezone(SHANGHAI)

    def today(self) -> date:
        return self.now().date()

    def calendar(self, *, exact: bool = True) -> WorkingDayCalendar:
        """The working-day calendar, reloaded when an admin changed it — in this process or
        another: its generation in the database moved — or after a TTL. Every date that is
        computed and kept checks the generation first; a display (`exact=False`) may use a
        calendar checked up to `calendar_display_seconds` ago."""
        with self._lock:
            generation = self._calendar_generation
            recent = time.monotonic() - self._calendar_checked < self.calendar_display_seconds
        if self.calendar_version is not None and (exact or not recent):
            generation = self.calendar_version()
        with self._lock:
            now = time.monotonic()
            fresh = now - self._calendar_at < self.calendar_ttl_seconds
            if self._calendar is None or not fresh or generation != self._calendar_generation:
                self._calendar = self.calendar_loader()
                self._calendar_at = now
                self._calendar_generation = generation
            self._calendar_checked = now
            return self._calendar

    def invalidate_calendar(self) -> None:
        with self._lock:
            self._calendar = None
