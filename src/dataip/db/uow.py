"""SqlAlchemyUnitOfWork: one transaction per service call; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from dataip.db import integrity
from dataip.db import repositories as r
from dataip.db import tables as t
from dataip.db.orm import start_mappers
from dataip.db.repositories.catalogue import Catalogue
from dataip.db.repositories.directory import Directory
from dataip.db.repositories.distribution import Distribution
from dataip.db.repositories.federation import Federation, PeerFeeds
from dataip.db.repositories.feed import Feed, Webhooks
from dataip.db.repositories.matching import Matching
from dataip.db.repositories.registers import Registers
from dataip.db.repositories.sharing import Sharing
from dataip.db.repositories.signals import Signals
from dataip.db.repositories.statistics import Statistics
from dataip.db.repositories.valuations import Valuations
from dataip.db.repositories.value import QualityAssessments
from dataip.db.search import AnnouncementIndex
from dataip.services.ports import ConcurrencyConflict


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20, **kw: Any) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL, FKs, busy timeout).
    `pool_size` and `max_overflow` are PostgreSQL's connections (DATAIP_DATABASE_POOL_SIZE,
    DATAIP_DATABASE_MAX_OVERFLOW); a SQLite file keeps SQLAlchemy's own pool."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kw
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
            # Let SQLAlchemy, not pysqlite, manage transactions (BEGIN IMMEDIATE below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock up front so two writers serialise instead of failing on
            # the read-to-write upgrade; read-only units of work (WAL readers) need no lock.
            readonly = conn.get_execution_options().get("dataip_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    kw.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, pool_size=pool_size, max_overflow=max_overflow, **kw)


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], *, readonly: bool = False) -> None:
        self._factory = session_factory
        self._readonly = readonly
        self.session: Session | None = None

    def __enter__(self) -> Self:
        s = self.session = self._factory()
        # a read-only one remembers the answers of its repositories' `read_memo` reads: the
        # panels of a page (`Env.shared_reads`) each look the same registration up
        memo: dict[Any, Any] | None = {} if self._readonly else None
        self._after_commit: list[Callable[[], object]] = []
        self.users = r.Users(s)
        self.tokens = r.Tokens(s)
        self.parties = r.Parties(s)
        self.authorisations = r.Authorisations(s)
        self.applications = r.Applications(s)
        self.app_parties = r.AppParties(s, memo=memo)
        self.versions = r.Versions(s)
        self.deadlines = r.Deadlines(s)
        self.notices = r.Notices(s)
        self.objections = r.Objections(s)
        self.procedural_requests = r.ProceduralRequests(s, memo=memo)
        self.registrations = r.Registrations(s, memo=memo)
        self.registration_versions = r.RegistrationVersions(s, memo=memo)
        self.requests = r.RegistrationRequests(s, memo=memo)
        self.filings = r.Filings(s, memo=memo)
        self.freezes = r.Freezes(s, memo=memo)
        self.pledge_proposals = r.PledgeProposals(s, memo=memo)
        self.announcements = r.Announcements(s, memo=memo)
        self.certificates = r.Certificates(s, memo=memo)
        self.screenings = r.ScreeningReports(s)
        self.screening_jobs = r.ScreeningJobs(s)
        self.sample_publications = r.SamplePublications(s, memo=memo)
        self.events = r.Events(s, memo=memo)
        self.industries = r.Industries(s, memo=memo)
        self.calendar = r.Calendar(s)
        self.blobs = r.Blobs(s)
        self.login_attempts = r.LoginAttempts(s)
        self.idempotency = r.Idempotency(s)
        self.ledger = r.Ledger(s)
        self.deposits = r.Deposits(s)
        self.search = AnnouncementIndex(s)
        self.sharing = Sharing(s)  # institutional clients, tokens, reads (issue 20)
        self.feed = Feed(s)  # issue 20 §4
        self.webhooks = Webhooks(s)  # issue 20 §5
        self.federation = Federation(s)  # trust lists, the witness's memory (issue 21)
        self.peer_feeds = PeerFeeds(s)  # the peers' event feeds followed (issue 21 §5)
        self.quality = QualityAssessments(s)  # data-quality assessments (issue 22 §1)

        self.distribution = Distribution(s, memo=memo)  # derivation links, distributions (issue 23)

        self.valuations = Valuations(s)  # issue 22 §2
        self.matching = Matching(s)  # needs, pushes, contacts (issue 23 §3–§4)
        self.catalogue = Catalogue(s)  # identifiers and the DCAT change log (issue 24 §3–§5)
        self.signals = Signals(s)  # signals and the hotness snapshot (issue 22 §3, §4)
        self.statistics = Statistics(s)  # R30 aggregates and typical cases (issue 22 §5–6)
        self.directory = Directory(s)  # agencies and service requests (issue 23 §5)
        self.registers = Registers(s)  # one-window dossiers, forwarded filings (issue 24 §1–§2)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.session is not None
        try:
            # Detach what was loaded so callers can read it after the block (a rollback would
            # expire it); anything uncommitted is discarded by the rollback.
            self.session.expunge_all()
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None
        error = exc[1]
        if isinstance(error, StaleDataError):
            # A row changed under an autoflush (a query after a write): as at commit().
            raise ConcurrencyConflict(str(error)) from error
        if isinstance(error, IntegrityError):
            # A race lost at a flush, wherever it happened (an explicit flush, an autoflush
            # before a query, a repository's own statement): as at commit().
            raise integrity.conflict(error) from error
        if isinstance(error, DataError) and (refusal := integrity.invalid_text(error)):
            raise refusal from error

    def _s(self) -> Session:
        assert self.session is not None, "use the unit of work inside `with`"
        return self.session

    def commit(self) -> None:
        try:
            self.ledger.write_staged()  # the leaves of this transaction's events, in it
            self.webhooks.write_staged()  # and their webhook outbox rows (issue 20 §5)
            self._s().commit()
        except StaleDataError as e:
            self._s().rollback()
            raise ConcurrencyConflict(str(e)) from e
        except IntegrityError as e:
            self._s().rollback()
            raise integrity.conflict(e) from e
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def after_commit(self, hook: Callable[[], object]) -> None:
        """Run `hook` once this transaction has committed (never if it rolls back): e.g. wake
        a worker for a row it can only see after the commit."""
        if hook not in self._after_commit:
            self._after_commit.append(hook)

    def flush(self) -> None:
        try:
            self._s().flush()
        except StaleDataError as e:
            raise ConcurrencyConflict(str(e)) from e
        except IntegrityError as e:
            raise integrity.conflict(e) from e

    def rollback(self) -> None:
        self._s().rollback()

    def next_value(self, counter: str) -> int:
        """Atomically take the next number of a named sequence (row-locked on PostgreSQL)."""
        s = self._s()
        c = t.counters.c
        stmt = sa.update(t.counters).where(c.name == counter).values(value=c.value + 1)
        row = s.execute(stmt.returning(c.value)).first()
        if row is None:
            try:
                with s.begin_nested():
                    s.execute(sa.insert(t.counters).values(name=counter, value=1))
                return 1
            except IntegrityError:
                row = s.execute(stmt.returning(c.value)).first()
                assert row is not None
        return int(row[0])

    def set_value(self, name: str, value: int) -> None:
        """Set a named value (a gauge another process reads, e.g. `tick`'s failures)."""
        s = self._s()
        c = t.counters.c
        if not s.execute(sa.update(t.counters).where(c.name == name).values(value=value)).rowcount:  # type: ignore[attr-defined]
            try:
                with s.begin_nested():
                    s.execute(sa.insert(t.counters).values(name=name, value=value))
            except IntegrityError:  # written meanwhile: ours is the later value
                s.execute(sa.update(t.counters).where(c.name == name).values(value=value))

    def values(self, prefix: str) -> dict[str, int]:
        """The named values whose names start with `prefix`."""
        c = t.counters.c
        stmt = sa.select(c.name, c.value).where(c.name.startswith(prefix, autoescape=True))
        return {str(n): int(v) for n, v in self._s().execute(stmt)}

    def try_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew a named lease; only one holder at a time (used by `tick`)."""
        s = self._s()
        c = t.leases.c
        took = s.execute(  # type: ignore[attr-defined]
            sa.update(t.leases)
            .where(c.name == name, sa.or_(c.holder == holder, c.expires_at < now))
            .values(holder=holder, expires_at=until)
        ).rowcount
        if took:
            return True
        try:
            with s.begin_nested():
                s.execute(sa.insert(t.leases).values(name=name, holder=holder, expires_at=until))
            return True
        except IntegrityError:
            return False

    def release_lease(self, name: str, holder: str) -> None:
        c = t.leases.c
        self._s().execute(sa.delete(t.leases).where(c.name == name, c.holder == holder))


def make_uow_factory(engine: Engine, *, readonly: bool = False) -> Any:
    """Units of work on `engine`. Read-only ones may run inside a write one (on SQLite they
    take no write lock), e.g. loading the calendar while a transition is being applied."""
    start_mappers()
    bind = engine.execution_options(dataip_readonly=True) if readonly else engine
    factory = sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)
    return lambda: SqlAlchemyUnitOfWork(factory, readonly=readonly)
