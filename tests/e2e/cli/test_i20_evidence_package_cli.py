"""Issue 20 §7 on the command line: a registrar freezes a demo registration, the operator
writes its evidence package with `dataip evidence-package`, and `dataip verify-package`
verifies it offline against the log key `dataip log key` prints — and refuses it, exit 1,
once a leaf is altered."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.cli.main import app
from dataip.services.context import Env
from tests.support import package_verifier

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, tmp_path: Path) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def run(*args: str) -> str:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def test_i20_cli_writes_and_verifies_an_evidence_package(cli_env: None, tmp_path: Path) -> None:
    run("demo")
    number = "202622000000001X"
    freeze = {"case_number": "（2026）黔01民初123号", "court": "贵阳中院", "ruling": "冻结"}
    out = json.loads(
        run(
            "registrations",
            "act",
            number,
            "freeze",
            "--as",
            "admin",
            "--payload",
            json.dumps(freeze),
        )
    )
    assert "lift_freeze" in out["allowed_actions"]
    path = tmp_path / "evidence.json"
    written = run(
        "evidence-package",
        number,
        "--out",
        str(path),
        "--full",
        "--as",
        "admin",
        "--purpose",
        "测试",
    )
    assert "证据包已写入" in written and path.is_file()
    doc = json.loads(path.read_text("utf-8"))
    assert doc["scope"] == "full" and not doc["unproven"]
    assert any(e["type"] == "RegistrationFrozen" for e in doc["events"])
    vkey = run("log", "key").strip()
    verdict = run("verify-package", str(path), "--log-key", vkey)
    assert "验证通过" in verdict and number in verdict
    assert package_verifier.verify(path.read_bytes(), vkey) == []
    # an altered leaf: exit 1, with the finding
    e = doc["events"][0]
    leaf = bytearray(base64.b64decode(e["leaf"]))
    leaf[-2] ^= 1
    e["leaf"] = base64.b64encode(bytes(leaf)).decode()
    bad = tmp_path / "altered.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = runner.invoke(app, ["verify-package", str(bad), "--log-key", vkey])
    assert r.exit_code == 1 and "验证未通过" in r.output and "bad_inclusion_proof" in r.output
    assert package_verifier.verify(bad.read_bytes(), vkey)
    # unreadable input: exit 2
    assert runner.invoke(app, ["verify-package", str(tmp_path / "missing.json")]).exit_code == 2
