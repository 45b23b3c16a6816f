"""Issue 20 §3: `dataip institutions verify-reads` says the account of reads is intact, and
exits 1 naming the record once one is edited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.db import tables as t
from dataip.services.context import Env, Identity
from dataip.services.sharing import institutions, reads
from dataip.sharing.scopes import Principal
from tests.support.api import Api, make_uscc

runner = CliRunner()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, registry: Registry
) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def test_i20_verify_reads_finds_an_edited_record(
    api: Api, registry: Registry, cli_env: None
) -> None:
    from joserfc.jwk import OKPKey

    w = api.world()
    number = w.registered()
    env = registry.env
    key = {**OKPKey.generate_key("Ed25519").as_dict(private=False), "kid": "k"}
    court = institutions.register(
        Identity(user_id=0, role="registrar_admin", username="operator"),
        env=env,
        kind="court",
        name="某法院",
        uscc=make_uscc(5150),
        scopes=["registrations:read-full"],
        jwks={"keys": [key]},
    )
    who = Principal(court.client_id, court.id, "court", court.name, court.scopes, "t")
    for _ in range(2):
        reads.full_record(who, env=env, number=number, purpose="（2026）浙01民初5号")
    r = runner.invoke(app, ["institutions", "verify-reads"], catch_exceptions=False)
    assert r.exit_code == 0 and "intact" in r.output, r.output
    with registry.engine.begin() as c:
        c.execute(
            sa.update(t.institution_reads)
            .where(t.institution_reads.c.seq == 1)
            .values(registration_number="X")
        )
    r = runner.invoke(app, ["institutions", "verify-reads"], catch_exceptions=False)
    assert r.exit_code == 1 and "edited record 1" in r.output, r.output
