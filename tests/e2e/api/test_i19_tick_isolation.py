"""Issue 19 §3 (G§19, R16): `tick`'s cancellation of expired registrations isolates each one.
A registration whose cancellation fails rolls back alone — none of its writes survive — is
reported in the tick's JSON (`dataip tick --json`) and in `/metrics`, and is tried again by
the next run; the others are cancelled. The fault is injected at the service seam
(`after_registration.apply`), after the real cancellation has written its rows, on the real
database."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app as cli
from dataip.services import after_registration
from tests.support.api import Api
from tests.support.db import count


class InjectedFault(RuntimeError):
    pass


class FaultyCancellation:
    """The real `after_registration.apply`, except that cancelling `number` fails after the
    cancellation's own writes (state, event, announcement, notices) have been made."""

    def __init__(self, number: str) -> None:
        self.number: str | None = number
        self.real = after_registration.apply
        self.calls: list[str] = []

    def __call__(self, uow: Any, env: Any, identity: Any, reg: Any, action: str, *a: Any) -> Any:
        out = self.real(uow, env, identity, reg, action, *a)
        if action == "cancel":
            self.calls.append(reg.registration_number)
            if reg.registration_number == self.number:
                uow.flush()  # its rows are written to the transaction, then it fails
                raise InjectedFault(f"injected fault cancelling {self.number}")
        return out


def _evidence(i: int) -> dict[str, Any]:
    return {
        "platform": "p",
        "certificate_number": f"c{i}",
        "hash_value": f"{i:064x}",
        "evidenced_on": "2026-09-01",
    }


def _failures_metric(api: Api) -> float:
    text = api.c.get("/metrics").text
    m = re.search(r'^dataip_tick_failures\{job="cancel_expired"\} (\S+)$', text, re.M)
    assert m, text
    return float(m.group(1))


def _tick_json(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("DATAIP_DATABASE_URL", registry.settings.database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.delenv("DATAIP_ENV", raising=False)
    r = CliRunner().invoke(
        cli, ["tick", "--as-of", "2028-10-13T00:05:00+08:00", "--json"], catch_exceptions=False
    )
    return r.exit_code, json.loads(r.output)


def test_g19_one_failing_expiry_cancellation_does_not_stop_the_others(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    numbers = []
    for i, name in enumerate(
        ("城市交通拥堵预测数据集", "电力负荷预测数据集", "城市水务调度数据集")
    ):
        api.at("2026-09-28 10:00")
        aid = w.publicised(name=name, evidence=_evidence(i + 1))
        api.at("2026-10-13 09:00")
        reg = api.ok(w.examiner, aid, "approve")["registration"]
        numbers.append(str(reg["registration_number"]))
    bad = numbers[1]
    fault = FaultyCancellation(bad)
    monkeypatch.setattr(after_registration, "apply", fault)
    assert _failures_metric(api) == 0  # known before the first run: an alert can be set on it

    api.at("2028-10-13 00:05")  # all three expired yesterday, unrenewed
    code, report = _tick_json(registry, monkeypatch)
    assert code == 1  # cron is told something failed
    assert report["registrations_cancelled"] == 2
    assert [(f["job"], f["subject"], f["code"]) for f in report["failures"]] == [
        ("cancel_expired", bad, "InjectedFault")
    ]
    assert "injected fault" in report["failures"][0]["message"]
    states = {n: api.reg(None, n).json()["state"] for n in numbers}
    assert states == {numbers[0]: "cancelled", bad: "valid", numbers[2]: "cancelled"}
    # nothing of the failed cancellation survived: no event, no announcement
    assert count(registry, "events", type="RegistrationCancelled") == 2
    assert count(registry, "announcements", kind="cancellation") == 2
    assert _failures_metric(api) == 1

    # the next run tries the failed one again, and only it
    fault.calls.clear()
    code, report = _tick_json(registry, monkeypatch)
    assert code == 1 and fault.calls == [bad]
    assert report["registrations_cancelled"] == 0 and len(report["failures"]) == 1
    assert _failures_metric(api) == 1

    # fixed: the next run cancels it, and the failure is gone from /metrics
    fault.number = None
    code, report = _tick_json(registry, monkeypatch)
    assert code == 0 and report["failures"] == [] and report["registrations_cancelled"] == 1
    assert api.reg(None, bad).json()["state"] == "cancelled"
    assert count(registry, "events", type="RegistrationCancelled") == 3
    assert _failures_metric(api) == 0
    last_run = re.search(
        r"^dataip_tick_last_run_timestamp_seconds (\S+)$", api.c.get("/metrics").text, re.M
    )
    assert last_run and float(last_run.group(1)) > 0
