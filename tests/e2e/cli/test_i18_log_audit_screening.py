"""Issue 18 §1: `dataip log audit` screens every stored leaf and names the indices that
publish an identifier — such as a leaf written before the public schema existed (version 1),
which stays auditable: it is rebuilt at its own version, so the only finding is what it
published."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.db import tables as t
from dataip.domain import model as m
from dataip.services import ledger
from dataip.services.context import Env
from dataip.services.recording import commitment
from tests.support.api import Api, complete_form

runner = CliRunner()

REASON = "请求人钱多多（身份证520103199002021188，电话13985012345）所述理由不成立"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, registry: Registry
) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def _invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def _plant_version_1_leaf(registry: Registry) -> int:
    """What the registry logged before issue 18: a decision with its reason in the public
    part, as a version-1 leaf that matches its event row. Returns the event id."""
    env = registry.env
    with env.uow() as uow:
        event = uow.events.add(
            m.Event(
                subject_type="registration",
                subject_id=999,
                type="RequestDecided",
                occurred_at=env.now(),
                actor_user_id=None,
                public={"request_id": 7, "outcome": "refuse", "reason": REASON},
                private={"actor": commitment(1)},
            )
        )
        uow.flush()
        uow.ledger.stage([(event.id, ledger.event_leaf(event, version=1))])
        uow.commit()
        return int(event.id)


@pytest.mark.tampers
def test_i18_audit_reports_the_indices_of_leaves_that_publish_personal_data(
    cli_env: None, api: Api, registry: Registry
) -> None:
    w = api.world()
    w.submitted(name="日志筛查数据集", evidence=complete_form(sample="x")["evidence"])
    ledger.integrate(registry.env, registry.log_keys)
    code, out = _invoke("log", "audit")
    assert code == 0 and "audit clean" in out, out  # the current code's leaves screen clean

    event_id = _plant_version_1_leaf(registry)
    ledger.integrate(registry.env, registry.log_keys)
    index = ledger.index_of_event(registry.env, event_id)
    assert index is not None

    code, out = _invoke("log", "audit", "--json")
    assert code == 1, out
    report = json.loads(out)
    assert report["personal_data"] == [index]
    # the old leaf is still auditable: rebuilt as version 1 it matches its row, so the one
    # finding is what it published — kinds and the field, never the value
    assert [(f["code"], f["index"], f["event_id"]) for f in report["findings"]] == [
        ("personal_data", index, event_id)
    ]
    message = report["findings"][0]["message"]
    assert "resident_id in reason" in message and "mobile in reason" in message
    assert "520103199002021188" not in out and "13985012345" not in out

    code, out = _invoke("log", "audit")
    assert code == 1
    assert f"indices: {index})" in out.replace("\n", "")


@pytest.mark.tampers
def test_i18_a_version_2_leaf_edited_to_carry_free_text_is_an_event_mismatch(
    cli_env: None, api: Api, registry: Registry
) -> None:
    """A current leaf must fit its schema: an event row edited to add a reason no longer
    rebuilds into its leaf (the schema refuses it), and the audit says where."""
    w = api.world()
    w.submitted(name="日志篡改数据集", evidence=complete_form(sample="x")["evidence"])
    ledger.integrate(registry.env, registry.log_keys)
    with registry.engine.begin() as c:
        row = c.execute(
            sa.select(t.events.c.id, t.events.c.public).where(
                t.events.c.type == "ApplicationSubmitted"
            )
        ).one()
        c.execute(
            sa.update(t.events)
            .where(t.events.c.id == row.id)
            .values(public={**row.public, "reason": REASON})
        )
    code, out = _invoke("log", "audit", "--json")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [f["code"] for f in findings] == ["event_mismatch"]
    assert "log_public_not_allowed" in findings[0]["message"]
