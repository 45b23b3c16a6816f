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


def _demo_registrations() -> dict[str, dict[str, object]]:
    """The demo's registrations by number, as the examiner sees them."""
    out = {}
    for number in ("202622000000001X", "2026420000000024", "2026320000000034"):
        out[number] = json.loads(run("registrations", "show", number, "--as", "examiner"))
    return out


def test_r20_demo_registrations_carry_filings_and_the_cli_acts_on_them(
    cli_env: None, tmp_path
) -> None:
    run("demo")
    regs = _demo_registrations()
    pledged = next(r for r in regs.values() if r["encumbrances"]["pledged"])  # type: ignore[index]
    number = str(pledged["registration_number"])
    # anonymous: the pledge is public, its secured amount is not
    public = json.loads(run("registrations", "show", number))
    pledge = next(f for f in public["filings"] if f["kind"] == "pledge")
    assert "secured_amount_fen" not in pledge and pledge["pledgee"]["credit_code"]
    assert public["allowed_actions"] == []
    # the pledge blocks abandonment (exit 1, stable code), and nothing changes
    r = runner.invoke(
        app,
        [
            "registrations",
            "act",
            number,
            "abandon",
            "--as",
            "applicant",
            "--payload",
            '{"reason": "不再使用"}',
        ],
    )
    assert r.exit_code == 1 and "pledged" in r.output
    assert json.loads(run("registrations", "show", number))["state"] == "valid"
    # released, then abandoned
    out = json.loads(
        run(
            "registrations",
            "act",
            number,
            "release_pledge",
            "--as",
            "applicant",
            "--payload",
            json.dumps({"filing_number": pledge["number"]}),
        )
    )
    assert out["encumbrances"]["pledged"] is False
    out = json.loads(
        run(
            "registrations",
            "act",
            number,
            "abandon",
            "--as",
            "applicant",
            "--payload",
            '{"reason": "不再使用"}',
        )
    )
    assert out["state"] == "abandoned"
    # the archive holds every step
    dossier = tmp_path / "archive.json"
    assert "wrote" in run(
        "registrations", "archive", number, "--as", "applicant", "--out", str(dossier)
    )
    types = [e["type"] for e in json.loads(dossier.read_text("utf-8"))["events"]]
    # the demo's other events on this registration come between the procedure's steps: its
    # data quality (issue 22 §1), valuations while pledged (§2), derivation and distribution
    # (issue 23)
    others = ("Quality", "Valuation", "UpstreamSource", "Distribution")
    steps = [t for t in types if not t.startswith(others)]
    assert steps[-3:] == ["PledgeFiled", "PledgeReleased", "RegistrationAbandoned"]
    assert types.count("ValuationRecorded") == 2
    r = runner.invoke(app, ["registrations", "archive", number, "--as", "objector"])
    assert r.exit_code == 1 and "forbidden" in r.output
