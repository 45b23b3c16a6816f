"""The CLI against the test database: init, demo, tick, applications, the clock guard."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataip.cli.main import app
from dataip.services.context import Env

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, tmp_path) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def run(*args: str, input: str | None = None) -> str:
    r = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def test_init_is_idempotent(cli_env: None) -> None:
    assert "database ready" in run("init")
    assert "industries loaded: 0" in run("init")  # already loaded by the session


def test_demo_fills_every_state_and_tick_applies_deadlines(cli_env: None) -> None:
    out = run("demo")
    for state in (
        "registered",
        "refused",
        "withdrawn",
        "deemed_withdrawn",
        "revoked",
        "awaiting_judgment",
        "publicised",
        "objection_pending",
        "draft",
    ):
        assert state in out
    assert "already present" in run("demo")
    listing = run("applications", "list", "--as", "examiner")
    assert "登记成功" in listing and "视为撤回" in listing
    # The awaiting-correction filing of yesterday lapses 7 working days later.
    report = json.loads(run("tick", "--as-of", "2026-12-10T09:00:00+08:00", "--json"))
    assert report["deemed_withdrawn"] == 1 and not report["skipped_lease"]
    report = json.loads(run("tick", "--as-of", "2026-12-10T09:00:00+08:00", "--json"))
    assert report["deemed_withdrawn"] == 0


def test_applications_act_and_show(cli_env: None) -> None:
    run("demo")
    listing = run("applications", "list", "--as", "examiner", "--state", "submitted")
    app_id = next(line.split()[1] for line in listing.splitlines() if "待受理" in line)
    out = json.loads(run("applications", "act", app_id, "accept", "--as", "examiner"))
    assert out["state"] == "under_examination"
    assert out["deadlines"][0]["kind"] == "examine"
    shown = json.loads(run("applications", "show", app_id, "--as", "examiner"))
    assert shown["version"] == out["version"]


def test_applications_act_reports_domain_errors(cli_env: None) -> None:
    run("demo")
    r = runner.invoke(app, ["applications", "act", "1", "approve", "--as", "examiner"])
    assert r.exit_code == 1
    assert "action_not_allowed_in_state" in r.output
    r = runner.invoke(
        app, ["applications", "act", "1", "accept", "--as", "examiner", "--payload", "not json"]
    )
    assert r.exit_code == 2 and "invalid_payload" in r.output


def test_users_create_staff(cli_env: None) -> None:
    out = run(
        "users",
        "create",
        "exam2",
        "--role",
        "examiner",
        "--display-name",
        "审查员二",
        input="a-long-password\na-long-password\n",
    )
    assert "created exam2 (examiner)" in out


def test_calendar_due_marks_provisional(cli_env: None) -> None:
    assert "due 2026-10-10" in run("calendar", "due", "publicity", "2026-09-28")
    out = run("calendar", "due", "correction", "2026-12-28")
    assert "2027-01-07" in out and "provisional" in out


def test_now_override_is_refused_in_production(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAIP_ENV", "production")
    r = runner.invoke(app, ["tick"])
    assert r.exit_code != 0
    assert "DATAIP_NOW is refused" in str(r.exception) + r.output
    monkeypatch.delenv("DATAIP_NOW")
    r = runner.invoke(app, ["tick", "--as-of", "2026-12-10T09:00:00+08:00"])
    assert r.exit_code == 2 and "refused" in r.output
