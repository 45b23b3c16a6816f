"""Issue 25: the public pages that bound the registry's throughput read less. A registration's
page reads through one read-only unit of work that its panels share (it opened eleven); the
home page's statistics are kept per process while the events' generation stands, and every
process sees a new registration at once (the generation is in the database). bench/pages.py
measures the CPU this saves; these tests hold what the pages show."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dataip.bootstrap import Registry, build
from dataip.services import ledger, registrations
from dataip.services.context import Env, FixedClock
from dataip.web.pages import holder
from tests.support.api import Api


@pytest.fixture
def other(registry: Registry, clock: FixedClock, env: Env) -> Iterator[Env]:
    second = build(registry.settings, clock=clock)  # another server process's environment
    yield second.env
    second.dispose()


_PAGE = threading.local()  # set while this thread renders a registration page


def _counting(factory: Callable[[], Any], opened: list[int]) -> Callable[[], Any]:
    """The reads the page's own thread opens: the app's background workers (screening, the
    counted views) read through the same environment, at times of their own."""

    def make() -> Any:
        if getattr(_PAGE, "on", False):
            opened.append(1)
        return factory()

    return make


def _marked(render: Callable[..., Any]) -> Callable[..., Any]:
    def marked(*args: Any, **kw: Any) -> Any:
        _PAGE.on = True
        try:
            return render(*args, **kw)
        finally:
            _PAGE.on = False

    return marked


def test_i25_a_registration_page_reads_through_one_unit_of_work(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = api.world().registered()
    ledger.integrate(registry.env, registry.log_keys)
    before = api.c.get(f"/registrations/{number}")
    assert before.status_code == 200
    reads: list[int] = []
    monkeypatch.setattr(registry.env, "reader", _counting(registry.env.reader, reads))
    monkeypatch.setattr(holder, "registration_response", _marked(holder.registration_response))
    r = api.c.get(f"/registrations/{number}")
    assert r.status_code == 200 and number in r.text
    assert "/api/v1/log/entries/" in r.text  # the history's log entries, as before
    assert len(reads) == 1, "the panels share the page's read"
    env = registry.env
    with env.shared_reads(), env.read() as a, env.read() as b:
        assert a is b  # lent, not opened
    with env.read() as a, env.read() as b:
        assert a is not b  # outside the block each read is its own


def test_i25_home_statistics_follow_a_registration_made_in_another_process(
    api: Api, other: Env
) -> None:
    api.world().registered(name="城市交通拥堵预测数据集")
    first = registrations.statistics(env=other)
    assert registrations.statistics(env=other) is first  # kept: nothing changed
    # another holder's, made through this process's environment, not `other`'s
    api.world().registered(name="城市道路卡口通行数据集")
    second = registrations.statistics(env=other)
    assert second["total"] == first["total"] + 1
    home = api.c.get("/")
    assert home.status_code == 200 and "按月登记数量" in home.text


def test_i25_remembered_figures_are_computed_once_at_a_time_and_kept_min_age(
    other: Env,
) -> None:
    """Under a stream of writes the generation moves all the time: a value younger than
    `min_age` is shown though its generation moved, and while one request computes a name
    the others show the value it replaces (here the computation asks again itself)."""
    calls: list[int] = []

    def compute(n: int) -> int:
        calls.append(n)
        return n

    assert other.remembered("figures", 1, lambda: compute(1)) == 1
    assert other.remembered("figures", 2, lambda: compute(2), min_age=60) == 1  # young: kept
    assert other.remembered("figures", 2, lambda: compute(2)) == 2  # moved: computed again
    assert calls == [1, 2]

    def nested() -> int:  # a second request while this one computes
        return 30 + other.remembered("figures", 4, lambda: compute(4))

    assert other.remembered("figures", 3, nested) == 32  # it was shown the value of before
    assert calls == [1, 2]
    assert other.remembered("figures", 3, lambda: compute(99)) == 32  # kept for generation 3
