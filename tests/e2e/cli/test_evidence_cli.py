"""A holder's whole evidence path from the command line: fingerprint locally, deposit with the
registry over HTTP, verify the receipt offline with only the log's key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from tests.support.api import Api

runner = CliRunner()


@pytest.fixture
def holder_env(monkeypatch: pytest.MonkeyPatch, database_url: str, registry: Registry) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.delenv("DATAIP_TOKEN", raising=False)


def test_r6_fingerprint_deposit_verify(
    holder_env: None, api: Api, registry: Registry, live_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "交通数据"
    data.mkdir()
    (data / "flows.csv").write_text("路口,流量\n甲,1\n乙,2\n", "utf-8")
    manifest = tmp_path / "m.json"
    r = runner.invoke(app, ["fingerprint", str(data), "--out", str(manifest)])
    assert r.exit_code == 0, r.output
    token = api.tokens[api.user("applicant")]
    base = live_url.removesuffix("/log")
    r = runner.invoke(
        app,
        ["evidence", "deposit", str(manifest), "--url", base, "--token", token, "--with-manifest"],
    )
    assert r.exit_code == 0 and "deposited as CZ" in r.output, r.output
    receipt = tmp_path / "m.json.receipt"
    key = tmp_path / "log.vkey"
    key.write_text(registry.log_keys.verifier_text)
    r = runner.invoke(
        app, ["evidence", "verify", str(receipt), "--key", str(key), "--manifest", str(manifest)]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["verified"] and out["root"] == json.loads(manifest.read_text())["root"]
    # a second deposit of the same data is refused, naming the first
    r = runner.invoke(app, ["evidence", "deposit", str(manifest), "--url", base, "--token", token])
    assert r.exit_code == 1 and "already_deposited" in r.output
    # a receipt checked against another data set, or with a forged leaf, fails
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.csv").write_text("a\n1\n", "utf-8")
    runner.invoke(app, ["fingerprint", str(other), "--out", str(tmp_path / "o.json")])
    r = runner.invoke(
        app,
        [
            "evidence",
            "verify",
            str(receipt),
            "--key",
            str(key),
            "--manifest",
            str(tmp_path / "o.json"),
        ],
    )
    assert r.exit_code == 1 and "another data set" in r.output
    text = receipt.read_text()
    head, rest = text.split("\nindex ", 1)
    receipt.write_text(head[:-4] + ("AAAA" if head[-4:] != "AAAA" else "BBBB") + "\nindex " + rest)
    r = runner.invoke(app, ["evidence", "verify", str(receipt), "--key", str(key)])
    assert r.exit_code in (1, 2), r.output


def test_deposit_without_a_token_or_registry_says_what_to_do(
    holder_env: None, tmp_path: Path
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "a.csv").write_text("a\n1\n", "utf-8")
    manifest = tmp_path / "m.json"
    runner.invoke(app, ["fingerprint", str(data), "--out", str(manifest)])
    r = runner.invoke(app, ["evidence", "deposit", str(manifest)])
    assert r.exit_code == 2 and "--token" in r.output
    r = runner.invoke(
        app, ["evidence", "deposit", str(manifest), "--url", "http://127.0.0.1:9", "--token", "x"]
    )
    assert r.exit_code == 3 and "unreachable" in r.output
    (tmp_path / "bad.json").write_text("{}")
    r = runner.invoke(app, ["evidence", "deposit", str(tmp_path / "bad.json"), "--token", "x"])
    assert r.exit_code == 2 and "not a valid manifest" in r.output
