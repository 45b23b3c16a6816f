"""Issue 20 §5: `dataip tick` also fans out and delivers pending webhooks (a registry whose
servers run no delivery worker, DATAIP_WEBHOOK_WORKERS=0, relies on it)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.services import ledger
from dataip.services.context import SHANGHAI, Env
from dataip.services.recording import record_event
from dataip.services.sharing import subscriptions
from dataip.sharing import webhooks as wh
from dataip.sharing.scopes import EVENTS_READ, WEBHOOKS_MANAGE
from tests.e2e.cli.test_cli import run
from tests.support.institutions import principal
from tests.support.receiver import receiver


@pytest.fixture
def tick_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)
    monkeypatch.setenv("DATAIP_WEBHOOK_ALLOW_PRIVATE_URLS", "true")  # a receiver on 127.0.0.1


@pytest.mark.tampers  # an event recorded straight through record_event, with no subject row
def test_i20_tick_delivers_pending_webhooks(tick_env: None, registry: Registry, env: Env) -> None:
    with registry.engine.begin() as c:  # the subscription's client: active, events:read
        at = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
        c.execute(
            sa.insert(t.institutions).values(
                client_id="bank-1",
                kind="bank",
                name="bank",
                uscc="91330100MA2B3C4D5N",
                scopes=[EVENTS_READ, WEBHOOKS_MANAGE],
                state="active",
                created_at=at,
                updated_at=at,
                version=1,
            )
        )
    with receiver() as rec:
        sub = subscriptions.create(
            env, principal(), url=rec.url, types=[], signing=["v1a"], allow_private_urls=True
        )
        with env.uow() as uow:
            record_event(
                uow,
                subject_type="registration",
                subject_id=1,
                type="RegistrationRenewed",
                at=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
                actor_user_id=None,
                public={"registration_number": "2026100000000013", "state": "valid"},
            )
            uow.commit()
        # not yet in the log: nothing to send
        assert json.loads(run("tick", "--json"))["webhooks"]["delivered"] == 0
        ledger.integrate(registry.env, registry.log_keys)
        report = json.loads(run("tick", "--json"))
        assert report["webhooks"]["delivered"] == 1 and report["webhooks"]["fanned_out"] == 1
        (got,) = rec.wait_for(1)
        assert json.loads(got.body)["type"] == "cn.dataip.registration.renewed"
        wh.verify(got.body, got.headers, now=int(got.at), public_key=sub["public_key"])
        assert json.loads(run("tick", "--json"))["webhooks"]["delivered"] == 0
