"""Issue 21 §1: `dataip federation keygen|sign|refresh|show|entry` — the operator makes a key
and signs a list; a registry fetches it over HTTP, shows it, refuses a rolled-back one, and
prints its own entry for the operator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.federation.trust_list import RegistryEntry
from dataip.services.context import Env
from tests.support.federation import list_server, peer, trust_list

runner = CliRunner()
GZ, _ = peer("5200", "gz.example.cn")
ZJ, _ = peer("3300", "zj.example.cn")


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, registry: Registry
) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_NOW", "2026-09-28T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def run(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def test_i21_operator_signs_and_registry_follows(
    cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "operator.key"
    code, vkey = run("federation", "keygen", "trust.example.cn", "--out", str(key))
    assert code == 0 and vkey.startswith("trust.example.cn+")
    assert key.stat().st_mode & 0o777 == 0o600
    assert run("federation", "keygen", "trust.example.cn", "--out", str(key))[0] == 2

    def sign(sequence: int, *entries: RegistryEntry) -> Path:
        doc = trust_list(*entries, sequence=sequence).to_json()
        src, out = tmp_path / f"list-{sequence}.json", tmp_path / f"list-{sequence}.note"
        src.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        code, output = run("federation", "sign", str(src), "--key", str(key), "--out", str(out))
        assert code == 0, output
        return out

    monkeypatch.setenv("DATAIP_FEDERATION_OPERATOR_KEY", vkey.strip())
    with list_server() as server:
        monkeypatch.setenv("DATAIP_FEDERATION_LIST_URL", server.url)
        server.body = sign(2, GZ, ZJ).read_bytes()
        code, out = run("federation", "refresh")
        assert code == 0 and "accepted" in out and "sequence 2" in out, out
        assert "unchanged" in run("federation", "refresh")[1]
        code, out = run("federation", "show")
        assert code == 0 and "3300" in out and "zj.example.cn" in out
        shown = json.loads(run("federation", "show", "--json")[1])
        assert shown["sequence"] == 2 and not shown["expired"]
        # a rolled-back list, fetched or given as a file, is refused
        server.body = sign(1, GZ).read_bytes()
        code, out = run("federation", "refresh")
        assert code == 1 and "trust_list_rolled_back" in out
        code, out = run("federation", "refresh", "--file", str(tmp_path / "list-1.note"))
        assert code == 1 and "trust_list_rolled_back" in out
        server.status = 500
        assert run("federation", "refresh")[0] == 3
    # a list signed with another key is refused
    other = tmp_path / "other.key"
    run("federation", "keygen", "trust.example.cn", "--out", str(other))
    key = other
    code, out = run("federation", "refresh", "--file", str(sign(3, GZ)))
    assert code == 1 and "trust_list_wrong_operator" in out


def test_i21_entry_is_this_registrys_own(cli_env: None, registry: Registry) -> None:
    code, out = run("federation", "entry")
    assert code == 0, out
    entry = RegistryEntry.from_json(json.loads(out))
    settings = registry.settings
    assert entry.agency_code == registry.env.profile.registry_code == "5200"
    assert entry.issuer == settings.issuer_id
    assert entry.log_origin == registry.log_keys.origin
    assert entry.log_key == registry.log_keys.verifier_text
    assert entry.witness_url == f"{settings.issuer_id}/witness"
    assert entry.witness_key == registry.env.federation.witness.verifier().to_text()
    assert entry.feed_url == f"{settings.issuer_id}/api/v1/events"
    kids = {k.get("kid") for k in entry.jwks["keys"]}
    assert set(registry.env.certificate_keys.own) <= kids


def test_i21_show_without_a_list(cli_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run("federation", "show")
    assert code == 1 and "trust_list_missing" in out
    monkeypatch.setenv("DATAIP_FEDERATION_OPERATOR_KEY", "not a key")
    with pytest.raises(Exception, match="DATAIP_FEDERATION_OPERATOR_KEY"):
        run("federation", "show")
