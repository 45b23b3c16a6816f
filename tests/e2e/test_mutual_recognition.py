"""R25 mutual recognition: a second registry (another profile, another key, its own
database) issues certificates that this registry refuses until the second's JWKS is in its
trusted-issuers file; then they verify, as that issuer's, and only as that issuer's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataip.bootstrap import Registry, build, init_database, load_certificate_keys
from dataip.config import Settings, load_profile
from dataip.services import certificates, demo
from dataip.services.context import FixedClock
from tests.support.api import Api


@pytest.fixture
def beijing(tmp_path: Path, clock: FixedClock) -> Iterator[Registry]:
    """Another registry: Beijing's profile, its own SQLite database, keys and issuer URL."""
    settings = Settings(
        env="test",
        data_dir=tmp_path / "beijing",
        # its own database, whatever DATAIP_DATABASE_URL the suite runs this registry on
        database_url=f"sqlite:///{(tmp_path / 'beijing.sqlite3').as_posix()}",
        profile="beijing-3y",
        public_base_url="https://ipr.beijing.example",
        log_interval_seconds=0,
    )
    reg = build(settings, clock=FixedClock(clock.now()))
    init_database(reg)
    demo.populate(reg.env)
    yield reg
    reg.dispose()


def test_r25_another_registrys_certificate_verifies_once_its_keys_are_trusted(
    api: Api,
    registry: Registry,
    beijing: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with beijing.env.read() as uow:
        reg = uow.registrations.page(limit=1)[0]
    token = certificates.current(env=beijing.env, number=reg.registration_number).token
    # Beijing verifies its own
    assert certificates.verify(env=beijing.env, token=token)["authentic"] is True

    refused = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
    assert refused["authentic"] is False and refused["code"] == "unknown_issuer_key"

    trusted = tmp_path / "trusted-issuers.json"
    trusted.write_text(
        json.dumps(
            {
                "issuers": [
                    {
                        "id": "https://ipr.beijing.example",
                        "name": "北京",
                        "jwks": beijing.env.certificate_keys.jwks(),
                    }
                ]
            }
        ),
        "utf-8",
    )
    settings = registry.settings.model_copy(update={"trusted_issuers_file": trusted})
    keys = load_certificate_keys(settings, load_profile(settings.profile))
    assert keys.active.kid == registry.env.certificate_keys.active.kid  # same own keys
    monkeypatch.setattr(registry.env, "certificate_keys", keys)

    got = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
    assert got["authentic"] is True and got["issuer"] == "https://ipr.beijing.example"
    assert got["status"] is None  # another registry's status is asked of that registry
    assert got["summary_en"] == "authentic; status not checked"
    # Beijing's key is trusted for Beijing only: it cannot vouch for this registry's issuer
    assert keys.trusted[got["kid"]][0] == "https://ipr.beijing.example"
