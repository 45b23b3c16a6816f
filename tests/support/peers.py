"""Another registry for federation tests (issue 21): Beijing's profile (agency code 1100), its
own database (SQLite, or a fresh PostgreSQL database when the suite runs on one), keys and
log, issuing with the project's own code, served over real HTTP on loopback at the issuer URL
its certificates name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from dataip.bootstrap import Registry, build, init_database
from dataip.config import Settings
from dataip.federation.trust_list import RegistryEntry
from dataip.services import certificates, demo, ledger
from dataip.services.context import FixedClock
from dataip.services.federation import trust
from tests.support.live import serve
from tests.support.ports import free_port, release
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


@contextlib.contextmanager
def foreign_registry(
    tmp_path: Path, clock: FixedClock, *, demo_data: bool = True
) -> Iterator[Foreign]:
    """Another registry (Beijing's profile, agency code 1100): its own database, keys and
    log, issuing with the project's own code, served over real HTTP on loopback. With
    `demo_data` its register is the demo's (registrations, certificates); without, it is
    empty (a peer that only witnesses)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with scratch_database(tmp_path) as database_url:
        settings = Settings(
            env="test",
            data_dir=tmp_path / "beijing",
            database_url=database_url,
            profile="beijing-3y",
            public_base_url=url,
            log_interval_seconds=0,
            webhook_workers=0,
        )
        reg = build(settings, clock=FixedClock(clock.now()))
        init_database(reg)
        if demo_data:
            demo.populate(reg.env)
        ledger.integrate(reg.env, reg.log_keys)  # its log covers the issuance…
        certificates.attach_proofs(reg.env)  # …so the certificates carry their log proof
        try:
            with contextlib.ExitStack() as server:
                server.enter_context(serve(reg, port))
                yield Foreign(reg, url, server)
        finally:
            reg.dispose()
            release(port)


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
