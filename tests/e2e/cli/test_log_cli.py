"""`dataip log …` against the test database and, for monitor and witness, against the app
served over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.db import tables as t
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from dataip.services import ledger
from dataip.services.context import Env
from tests.support.api import Api, complete_form

runner = CliRunner()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, registry: Registry
) -> None:
    """The CLI on the session's database and log key."""
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def _events(api: Api, n: int = 1) -> None:
    w = api.world()
    for i in range(n):
        evidence = {**complete_form(sample="x")["evidence"], "hash_value": f"{i + 1:064x}"}
        w.submitted(name=f"日志测试{'一二三四'[i]}数据集", evidence=evidence)


def test_r6_integrate_audit_receipt_from_the_cli(
    cli_env: None, api: Api, registry: Registry, tmp_path: Path
) -> None:
    _events(api, 2)
    code, out = invoke("log", "integrate")
    assert code == 0 and "log size" in out
    code, out = invoke("log", "audit")
    assert code == 0 and "audit clean" in out, out
    code, receipt = invoke("log", "receipt", "3")
    assert code == 0 and receipt.startswith("c2sp.org/tlog-proof@v1\nextra ")
    file = tmp_path / "receipt.txt"
    file.write_text(receipt)
    key = tmp_path / "log.vkey"
    key.write_text(registry.log_keys.verifier_text)
    code, out = invoke("log", "verify-receipt", str(file), "--key", str(key))
    assert code == 0, out
    verified = json.loads(out)
    assert (
        verified["verified"]
        and verified["index"] == 3
        and verified["leaf"]["v"] == ledger.LEAF_VERSION
    )
    # a receipt whose leaf was altered fails, with exit code 1
    forged = receipt.replace("\nindex 3\n", "\nindex 2\n")
    file.write_text(forged)
    code, out = invoke("log", "verify-receipt", str(file), "--key", str(key))
    assert code == 1 and "NOT verify" in out
    code, out = invoke("log", "verify-receipt", str(file), "--key", "not a key")
    assert code == 2


@pytest.mark.tampers
def test_r6_audit_exits_nonzero_and_names_the_edited_row(
    cli_env: None, api: Api, registry: Registry
) -> None:
    _events(api, 1)
    ledger.integrate(registry.env, registry.log_keys)
    with registry.engine.begin() as c:
        idx, event_id = c.execute(
            sa.select(t.log_entries.c.idx, t.log_entries.c.event_id).where(t.log_entries.c.idx == 4)
        ).one()
        c.execute(sa.update(t.events).where(t.events.c.id == event_id).values(type="Tampered"))
    code, out = invoke("log", "audit", "--json")
    assert code == 1
    report = json.loads(out)
    assert not report["ok"]
    assert {"code": "event_mismatch", "index": idx, "event_id": event_id} in [
        {k: f[k] for k in ("code", "index", "event_id")} for f in report["findings"]
    ]


@pytest.mark.tampers
def test_r25_monitor_follows_growth_and_catches_a_rewrite(
    cli_env: None, api: Api, registry: Registry, live_url: str, tmp_path: Path
) -> None:
    _events(api, 1)
    ledger.integrate(registry.env, registry.log_keys)
    state = tmp_path / "monitor.json"
    code, out = invoke("log", "monitor", live_url, "--state", str(state))
    assert code == 0 and "key pinned" in out, out
    _events(api, 1)
    ledger.integrate(registry.env, registry.log_keys)
    code, out = invoke("log", "monitor", live_url, "--state", str(state), "--entries")
    assert code == 0 and "consistent" in out, out
    seen = json.loads(state.read_text())["size"]

    # The operator rewrites history: one leaf changed, the tree rebuilt and re-signed.
    with registry.engine.begin() as c:
        c.execute(
            sa.update(t.log_entries)
            .where(t.log_entries.c.idx == 1)
            .values(leaf=b'{"rewritten":true}')
        )
        c.execute(sa.update(t.log_entries).values(idx=None))
        c.execute(sa.delete(t.log_nodes))
        c.execute(sa.delete(t.log_checkpoints))
        c.execute(sa.delete(t.counters).where(t.counters.c.name == "log_size"))
    ledger.integrate(registry.env, registry.log_keys)
    code, out = invoke("log", "monitor", live_url, "--state", str(state))
    assert code == 1 and "SPLIT VIEW" in out, out
    assert json.loads(state.read_text())["size"] == seen  # the state keeps the honest view
    evidence = (tmp_path / "monitor.json.split-view").read_text()
    assert evidence.count("\n\n") >= 3  # two signed notes


def test_r25_monitor_reports_an_unreachable_log(cli_env: None, tmp_path: Path) -> None:
    code, out = invoke("log", "monitor", "http://127.0.0.1:9/log", "--state", str(tmp_path / "s"))
    assert code == 3 and "unreachable" in out


def test_r25_witness_cosigns_only_consistent_checkpoints(
    cli_env: None, api: Api, registry: Registry, live_url: str, tmp_path: Path
) -> None:
    _events(api, 1)
    ledger.integrate(registry.env, registry.log_keys)
    key = tmp_path / "witness.key"
    code, vkey = invoke("log", "witness-keygen", "witness.bj.example.cn", "--out", str(key))
    assert code == 0 and vkey.startswith("witness.bj.example.cn+")
    assert key.stat().st_mode & 0o777 == 0o600
    state = tmp_path / "witness.json"
    log_key = registry.log_keys.verifier_text
    code, cosigned = invoke(
        "log", "witness", live_url, "--witness-key", str(key), "--state", str(state),
        "--log-key", log_key,
    )  # fmt: skip
    assert code == 0, cosigned
    open_checkpoint(cosigned, [registry.log_keys.verifier])
    verify_cosignatures(cosigned, [CosignatureVerifier.from_text(vkey.strip())])
    code, _ = invoke("log", "witness-keygen", "again", "--out", str(key))
    assert code == 2  # never overwrites a key
