"""Issue 21 §3, the registry's side: it pushes its new checkpoints to its peers' witnesses (a
second registry's real witness endpoint, over HTTP on loopback), keeps each cosignature only
after verifying it with the witness key on the list, resends from the size a 409 reports,
backs off after failures, and serves its latest checkpoint with the cosignatures collected
(`GET /log/cosigned-checkpoint`; `/log/checkpoint` stays the bare tlog-tiles checkpoint)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.federation.trust_list import RegistryEntry
from dataip.ledger.cosignature import CosignatureSigner, verify_cosignatures
from dataip.ledger.note import open_note, parse_note
from dataip.services import ledger
from dataip.services.context import Env, FixedClock
from dataip.services.federation import push, trust
from tests.support.api import Api
from tests.support.federation import federation, operator, seeded, signed, trust_list
from tests.support.peers import Foreign, foreign_registry, own_entry


@pytest.fixture
def beijing(clock: FixedClock) -> Iterator[Foreign]:
    with foreign_registry(clock, demo_data=False) as peer:  # a witness: no register
        yield peer


@pytest.fixture
def ours(env: Env, registry: Registry, api: Api) -> Iterator[Env]:
    """This registry with a log of a few events (four applications publicised, at the
    session clock's time; the whole demo, as before, was most of each test) and a federation
    setup."""
    world = api.world()
    for i in range(4):
        world.publicised(
            name=f"第{i + 1}批城市交通流量数据集",
            evidence={
                "platform": "贵州数据知识产权存证平台",
                "certificate_number": f"GZ-{i + 1}",
                "hash_value": f"{i + 1:064x}",
                "evidenced_on": "2026-09-01",
            },
        )
    ledger.integrate(env, registry.log_keys, batch_size=5, max_batches=1)  # the rest: _grow
    with federation(env):
        yield env


def _lists(
    registry: Registry, beijing: Foreign, *, their_witness: RegistryEntry | None = None
) -> None:
    """Both registries follow a list naming both (ours may list another key for Beijing's
    witness: `their_witness`)."""
    mine, theirs = own_entry(registry), their_witness or beijing.entry()
    trust.accept(registry.env, signed(trust_list(mine, theirs)))
    trust.accept(beijing.registry.env, signed(trust_list(mine, beijing.entry())))


@pytest.fixture
def witnessing(beijing: Foreign) -> Iterator[None]:
    env = beijing.registry.env
    with federation(env, witness=env.federation.witness):
        yield


def _grow(env: Env, registry: Registry) -> int:
    ledger.integrate(env, registry.log_keys, batch_size=5, max_batches=1)
    return ledger.status(env)["published"]


def test_i21_push_collects_a_verifiable_cosignature_and_serves_it(
    api: Api, ours: Env, registry: Registry, beijing: Foreign, witnessing: None
) -> None:
    assert api.c.get("/log/cosigned-checkpoint").status_code == 404
    _lists(registry, beijing)
    witness = beijing.entry().witness_verifier()
    report = push.push(ours)
    assert report.cosigned == [witness.name], report
    size = report.size
    assert size > 0
    # stored durably, and served with the log's signature and the cosignature
    r = api.c.get("/log/cosigned-checkpoint")
    assert r.status_code == 200
    open_note(r.text, [registry.log_keys.verifier])
    verify_cosignatures(r.text, [witness])
    assert parse_note(r.text).text == parse_note(api.c.get("/log/checkpoint").text).text
    # the bare checkpoint stays bare (tlog-tiles)
    assert witness.name not in api.c.get("/log/checkpoint").text
    # nothing new: nothing sent
    assert push.push(ours).current == [witness.name]
    # the log grows: the next push carries a consistency proof from the cosigned size
    bigger = _grow(ours, registry)
    assert bigger > size
    again = push.push(ours)
    assert again.cosigned == [witness.name] and again.size == bigger
    served = api.c.get("/log/cosigned-checkpoint").text
    assert parse_note(served).text.split("\n")[1] == str(bigger)
    verify_cosignatures(served, [witness])


def test_i21_a_409_is_answered_by_resending_from_the_witness_size(
    ours: Env, registry: Registry, beijing: Foreign, witnessing: None
) -> None:
    _lists(registry, beijing)
    first = push.push(ours)
    assert first.cosigned and not first.resent
    # this registry loses what it knew of the witness (a restored backup): it sends `old 0`
    with registry.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM witness_pushes")
    bigger = _grow(ours, registry)
    report = push.push(ours)  # 409 with the witness's size, then the proof from there
    assert report.cosigned and not report.failed, report
    assert report.resent == {beijing.entry().witness_name: first.size}
    with ours.read() as uow:
        kept = uow.federation.pushes()
    assert [(p.size, p.failures) for p in kept] == [(bigger, 0)]


def test_i21_a_cosignature_that_does_not_verify_is_not_stored(
    api: Api, ours: Env, registry: Registry, beijing: Foreign, witnessing: None
) -> None:
    # our list gives Beijing's witness another key (same name): its answer cannot verify
    real = beijing.entry()
    impostor = CosignatureSigner(real.witness_name, seeded("not Beijing's witness"))
    wrong = RegistryEntry.from_json(
        real.to_json()
        | {"witness": {"key": impostor.verifier().to_text(), "url": real.witness_url}}
    )
    _lists(registry, beijing, their_witness=wrong)
    report = push.push(ours)
    assert not report.cosigned and real.witness_name in report.failed
    assert "cosignature" in report.failed[real.witness_name]
    with ours.read() as uow:
        state = uow.federation.push(real.witness_name)
    assert state is not None and state.checkpoint is None and state.size == 0
    assert state.failures == 1 and state.next_attempt_at is not None
    assert api.c.get("/log/cosigned-checkpoint").status_code == 404
    # backing off: not tried again at once
    assert push.push(ours).deferred == [real.witness_name]


def test_i21_an_unreachable_witness_is_retried_later(
    ours: Env, registry: Registry, beijing: Foreign, witnessing: None, clock: FixedClock
) -> None:
    _lists(registry, beijing)
    beijing.stop()
    started = clock.now()
    report = push.push(ours)
    name = beijing.entry().witness_name
    assert name in report.failed and "cannot reach" in report.failed[name]
    with ours.read() as uow:
        first = uow.federation.push(name)
    assert first is not None and first.failures == 1 and first.next_attempt_at is not None
    assert push.push(ours).deferred == [name]
    clock.advance_to(first.next_attempt_at)
    assert name in push.push(ours).failed
    with ours.read() as uow:
        second = uow.federation.push(name)
    assert second is not None and second.failures == 2 and second.next_attempt_at is not None
    # the wait doubles
    assert second.next_attempt_at - first.next_attempt_at == 2 * (first.next_attempt_at - started)


def test_i21_dataip_federation_push_for_cron(
    ours: Env,
    registry: Registry,
    beijing: Foreign,
    witnessing: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _lists(registry, beijing)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_DATABASE_URL", registry.settings.resolved_database_url())
    monkeypatch.setenv("DATAIP_NOW", "2026-09-28T10:00:00+08:00")
    monkeypatch.setenv("DATAIP_FEDERATION_OPERATOR_KEY", operator().verifier().to_text())
    for name in ("DATAIP_PUBLIC_BASE_URL", "DATAIP_HOST", "DATAIP_PORT", "DATAIP_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    r = runner.invoke(app, ["federation", "push", "--json"])
    assert r.exit_code == 0, r.output
    name = beijing.entry().witness_name
    assert json.loads(r.output)["cosigned"] == [name]
    r = runner.invoke(app, ["federation", "push"])
    assert r.exit_code == 0 and "already 1" in r.output, r.output
    beijing.stop()
    _grow(ours, registry)
    r = runner.invoke(app, ["federation", "push"])
    assert r.exit_code == 1 and name in r.output and "cannot reach" in r.output
    # backing off: not tried again, unless the operator says now
    r = runner.invoke(app, ["federation", "push"])
    assert r.exit_code == 0 and "backing off 1" in r.output, r.output
    r = runner.invoke(app, ["federation", "push", "--now"])
    assert r.exit_code == 1 and "cannot reach" in r.output, r.output
