"""Issue 21 §2 (R25, R24): a certificate from another registry on the trust list in force
verifies here — signature against its listed JWKS, log proof against its listed log key,
status from its own status list (fetched over real HTTP, cached in the database) — through
the API, the /verify page and `dataip verify`; an unlisted issuer, a forged certificate and
an agency code that is not its issuer's are each told apart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.federation.trust_list import RegistryEntry
from dataip.services import certificates
from dataip.services.context import Env, FixedClock
from dataip.services.federation import trust
from tests.support import demo_world
from tests.support.api import Api
from tests.support.federation import federation, signed, trust_list
from tests.support.peers import Foreign, foreign_registry


@pytest.fixture
def beijing(clock: FixedClock) -> Iterator[Foreign]:
    with foreign_registry(clock) as peer:
        yield peer


def _follow(env: Env, *entries: RegistryEntry, sequence: int = 1) -> None:
    trust.accept(env, signed(trust_list(*entries, sequence=sequence)))


def _own(registry: Registry) -> RegistryEntry:
    return trust.own_entry(
        registry.env,
        issuer=registry.env.certificate_keys.issuer_id,
        log_origin=registry.log_keys.origin,
        log_key=registry.log_keys.verifier_text,
        witness_url=f"{registry.env.certificate_keys.issuer_id}/witness",
    )


def _page(api: Api, token: str) -> str:
    form = api.c.get("/verify").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    r = api.c.post("/verify", data={"csrf_token": csrf.group(1), "token": token})
    assert r.status_code == 200
    return r.text


def _verify(api: Api, token: str) -> dict[str, object]:
    r = api.c.post("/api/v1/certificates/verify", json={"token": token})
    assert r.status_code == 200, r.text
    got: dict[str, object] = r.json()
    return got


def test_r25_foreign_certificate_verifies_with_status_from_its_registry(
    api: Api, env: Env, registry: Registry, beijing: Foreign, clock: FixedClock
) -> None:
    number, token = beijing.token()
    with federation(env):
        _follow(env, _own(registry), beijing.entry())
        got = _verify(api, token)
        assert got["authentic"] is True and got["issuer"] == beijing.url
        assert got["log"]["status"] == "included"  # type: ignore[index]
        assert got["registry"] == {"agency_code": "1100", "name": "北京市知识产权保护中心"}
        status = got["status"]
        assert isinstance(status, dict) and status["status"] == "valid"
        assert status["source"] == "issuer_status_list"
        assert got["status_stale"] is False and got["status_age_seconds"] == 0
        assert str(got["summary_en"]).startswith("authentic; current status: valid")
        assert "证书真实；当前状态：有效" in str(got["summary_zh"])
        # cached with its fetch time
        with env.read() as uow:
            cached = uow.federation.status_list(status["status_list"])
        assert cached is not None and cached.fetched_at == clock.now()

        # the QR code's credential too: its keys from the list, its status by its position
        cert = certificates.current(env=beijing.registry.env, number=number)
        qr_text = certificates.qr_credential(beijing.registry.env, cert)
        got = _verify(api, qr_text)
        assert got["authentic"] is True and got["format"] == "qr"
        assert got["issuer_name"] == "北京市知识产权保护中心"
        assert got["status"]["status"] == "valid"  # type: ignore[index]

        # revoked at home: shows as revoked here once the cached list is older than its age
        beijing.revoke(number)
        assert _verify(api, token)["status"]["status"] == "valid"  # type: ignore[index]
        clock.advance_to(clock.now() + timedelta(minutes=11))
        got = _verify(api, token)
        assert got["status"]["status"] == "revoked"  # type: ignore[index]
        assert _verify(api, qr_text)["status"]["status"] == "revoked"  # type: ignore[index]
        assert got["status_stale"] is False
        assert "已撤销" in str(got["summary_zh"])

        # the page says the same, in Chinese first
        page = _page(api, token)
        assert "已撤销" in page and "北京市知识产权保护中心" in page
        assert "issuer_status_list" not in page


def test_r25_offline_the_answer_is_the_status_as_of_the_last_fetch(
    api: Api, env: Env, registry: Registry, beijing: Foreign, clock: FixedClock
) -> None:
    _, token = beijing.token()
    with federation(env):
        _follow(env, _own(registry), beijing.entry())
        assert _verify(api, token)["status_stale"] is False  # fetched and cached
        fetched = clock.now()
        beijing.stop()  # Beijing's registry goes offline
        clock.advance_to(fetched + timedelta(hours=2))
        got = _verify(api, token)
        assert got["authentic"] is True
        assert got["status"]["status"] == "valid"  # type: ignore[index]
        assert got["status_stale"] is True and got["status_age_seconds"] == 7200
        assert datetime.fromisoformat(str(got["status_as_of"])) == fetched
        assert got["summary_en"] == (
            "authentic; status as of 2026-09-28 02:00 UTC: valid (the list is 120 min old)"
        )
        assert str(got["summary_zh"]).startswith("证书真实；截至 2026-09-28 02:00 UTC 的状态：有效")
        page = _page(api, token)
        assert "截至 2026-09-28 02:00 UTC" in page and "120" in page


def test_r25_unlisted_issuer_is_not_a_forgery(
    api: Api, env: Env, registry: Registry, beijing: Foreign
) -> None:
    _, token = beijing.token()
    # no list at all: Beijing is a stranger
    got = _verify(api, token)
    assert got["authentic"] is False and got["code"] == "issuer_not_listed"
    assert beijing.url in str(got["message_en"]) and "信任列表" in str(got["message_zh"])
    with federation(env):
        _follow(env, _own(registry))  # a list without Beijing
        got = _verify(api, token)
        assert got["authentic"] is False and got["code"] == "issuer_not_listed"
        assert "not on the trust list in force" in str(got["message_en"])
        assert "不在现行信任列表" in _page(api, token)
        # listed, but altered: that is a forgery, said as such
        _follow(env, _own(registry), beijing.entry(), sequence=2)
        forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
        got = _verify(api, forged)
        assert got["authentic"] is False and got["code"] == "bad_signature"


def test_r25_agency_code_must_be_the_issuers(
    api: Api, env: Env, registry: Registry, beijing: Foreign
) -> None:
    _, token = beijing.token()
    with federation(env):
        # Beijing's keys listed under another agency code than its certificates carry (1100)
        _follow(env, _own(registry), beijing.entry(agency_code="3300"))
        got = _verify(api, token)
        assert got["authentic"] is False and got["code"] == "agency_code_mismatch"
        assert "1100" in str(got["message_zh"]) and "3300" in str(got["message_en"])
        # this registry's own certificates (its own entry is on the list too) keep their
        # status from its own database
        demo_world.populate(env)
        with env.read() as uow:
            mine = uow.registrations.page(limit=1)[0].registration_number
        own = _verify(api, certificates.current(env=env, number=mine).token)
        assert own["authentic"] is True and "registry" not in own
        assert own["status"]["registration_state"] == "valid"  # type: ignore[index]


def test_r24_dataip_verify_on_the_server_recognises_a_listed_registry(
    env: Env, registry: Registry, beijing: Foreign, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = beijing.token()
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_DATABASE_URL", registry.settings.resolved_database_url())
    monkeypatch.setenv("DATAIP_NOW", "2026-09-28T10:00:00+08:00")
    for name in ("DATAIP_PUBLIC_BASE_URL", "DATAIP_HOST", "DATAIP_PORT", "DATAIP_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    with federation(env) as setup:
        monkeypatch.setenv(
            "DATAIP_FEDERATION_OPERATOR_KEY", " ".join(k.to_text() for k in setup.operator_keys)
        )
        runner = CliRunner()
        r = runner.invoke(app, ["verify", token])
        assert r.exit_code == 1 and "issuer_not_listed" in r.output, r.output
        _follow(env, _own(registry), beijing.entry())
        r = runner.invoke(app, ["verify", token])
        assert r.exit_code == 0, r.output
        assert "authentic; current status: valid" in r.output
        assert "1100" in r.output
