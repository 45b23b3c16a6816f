"""Another registry for federation tests (issue 21): Beijing's profile (agency code 1100), its
own database (SQLite, or a fresh PostgreSQL database when the suite runs on one), keys and
log, issuing with the project's own code, served over real HTTP on loopback at the issuer URL
its certificates name."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from dataip.bootstrap import Registry, build, init_database
from dataip.config import Settings
from dataip.federation.trust_list import RegistryEntry
from dataip.services import certificates, ledger
from dataip.services.context import FixedClock
from dataip.services.federation import trust
from tests.support import demo_world
from tests.support.db import reset
from tests.support.live import serve
from tests.support.ports import lasting_port, release
from tests.support.server import scratch_database


@dataclass
class Foreign:
    registry: Registry
    url: str  # its issuer URL, served on loopback
    server: contextlib.ExitStack

    def stop(self) -> None:
        self.server.close()

    def entry(self, *, agency_code: str | None = None) -> RegistryEntry:
        reg = self.registry
        own = trust.own_entry(
            reg.env,
            issuer=self.url,
            log_origin=reg.log_keys.origin,
            log_key=reg.log_keys.verifier_text,
            witness_url=f"{self.url}/witness",
        )
        if agency_code is None:
            return own
        doc = own.to_json() | {"agency_code": agency_code}
        return RegistryEntry.from_json(doc)

    def token(self) -> tuple[str, str]:
        """(registration number, the current certificate's vc+jwt with its log proof)."""
        env = self.registry.env
        with env.read() as uow:
            reg = uow.registrations.page(limit=1)[0]
        return reg.registration_number, certificates.current(
            env=env, number=reg.registration_number
        ).token

    def revoke(self, number: str) -> None:
        with self.registry.engine.begin() as c:
            c.execute(
                sa.text(
                    "UPDATE registrations SET state = 'revoked' WHERE registration_number = :n"
                ),
                {"n": number},
            )


@dataclass
class _Kept:
    """A peer registry kept for the session: its database, data dir (keys) and port."""

    registry: Registry
    port: int
    close: contextlib.ExitStack


# One peer per process and whether it holds the demo's register. A peer made for each test
# (a new database migrated to head, new keys, the demo populated) cost 2.5-4 s of CPU; kept,
# each test gets it emptied as `env` leaves the session's registry, with the demo's rows of
# its first population copied back (tests.support.demo_world), on the same issuer URL and
# keys. The tests see what a new peer showed them: the register, certificates with their
# log proofs, a log whose checkpoint covers them.
_kept: dict[bool, _Kept] = {}


def _peer(clock: FixedClock, demo_data: bool) -> _Kept:
    kept = _kept.get(demo_data)
    if kept is not None:
        return kept
    close = contextlib.ExitStack()
    folder = Path(tempfile.mkdtemp(prefix="dataip-peer-"))
    close.callback(shutil.rmtree, folder, ignore_errors=True)
    port = lasting_port()
    close.callback(release, port)
    database_url = close.enter_context(scratch_database(folder))
    settings = Settings(
        env="test",
        data_dir=folder / "beijing",
        database_url=database_url,
        profile="beijing-3y",
        public_base_url=f"http://127.0.0.1:{port}",
        log_interval_seconds=0,
        webhook_workers=0,
    )
    try:
        reg = build(settings, clock=FixedClock(clock.now()))
        close.callback(reg.dispose)
        init_database(reg)
    except BaseException:
        close.close()
        raise
    demo_world.register(reg, folder / "worlds")
    kept = _kept[demo_data] = _Kept(reg, port, close)
    return kept


def close_kept() -> None:
    """The session's end (tests/conftest.py): every kept peer's database dropped, its folder
    removed and its port released."""
    while _kept:
        _, kept = _kept.popitem()
        kept.close.close()


@contextlib.contextmanager
def foreign_registry(clock: FixedClock, *, demo_data: bool = True) -> Iterator[Foreign]:
    """Another registry (Beijing's profile, agency code 1100): its own database, keys and
    log, issuing with the project's own code, served over real HTTP on loopback, its clock at
    `clock`'s time. With `demo_data` its register is the demo's (registrations,
    certificates); without, it is empty (a peer that only witnesses). The registry is kept
    for the session (see `_kept`), emptied for each test."""
    kept = _peer(clock, demo_data)
    reg = kept.registry
    reset(reg, clock.now())
    if demo_data:
        demo_world.populate(reg.env)
    ledger.integrate(reg.env, reg.log_keys)  # its log covers the issuance…
    certificates.attach_proofs(reg.env)  # …so the certificates carry their log proof
    with contextlib.ExitStack() as server:
        server.enter_context(serve(reg, kept.port))
        yield Foreign(reg, f"http://127.0.0.1:{kept.port}", server)


def own_entry(registry: Registry, url: str | None = None) -> RegistryEntry:
    """A registry's entry for the trust list (`url`: its issuer and witness address)."""
    issuer = url or registry.env.certificate_keys.issuer_id
    return trust.own_entry(
        registry.env,
        issuer=issuer,
        log_origin=registry.log_keys.origin,
        log_key=registry.log_keys.verifier_text,
        witness_url=f"{issuer}/witness",
    )
