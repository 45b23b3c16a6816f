"""Issue 20 §5 hardening: where webhooks may go (no SSRF: refused when subscribing and again
at delivery, redirects never followed), who may still receive them (the client's state and
scopes re-checked at each delivery: skipped and logged, never sent), and how long messages
and the delivery log are kept (pruned past the retention; replay still works from the log).

The suite's registry allows private URLs (its receivers listen on 127.0.0.1); these tests
turn that off where the default is what they prove."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry
from dataip.db import tables as t
from dataip.services import ledger
from dataip.services.sharing import delivery, url_guard
from dataip.sharing.scopes import EVENTS_READ, WEBHOOKS_MANAGE
from tests.support.api import Api, problem
from tests.support.institutions import FreshToken, Institution
from tests.support.receiver import receiver

SOURCE = "https://registry.example"
NAMES = ("城市交通拥堵预测数据集", "农业气象监测数据集", "电力负荷预测数据集", "港口物流调度数据集")


def setup(*, allow_private: bool = True) -> delivery.DeliverySetup:
    return delivery.DeliverySetup(
        source=SOURCE, timeout=5.0, concurrency=4, allow_private_urls=allow_private
    )


def deliver(registry: Registry, **kw: bool) -> delivery.RoundReport:
    ledger.integrate(registry.env, registry.log_keys)
    return delivery.run_pending(registry.env, setup(**kw))


def bank(api: Api, scopes: tuple[str, ...] = (EVENTS_READ, WEBHOOKS_MANAGE)) -> Institution:
    return Institution(api, api.user("registrar_admin"), "bank", sorted(scopes))


@pytest.fixture
def strict(registry: Registry) -> Iterator[None]:
    """The default: no private or non-https webhook URLs."""
    before = registry.settings.webhook_allow_private_urls
    registry.settings.webhook_allow_private_urls = False
    try:
        yield
    finally:
        registry.settings.webhook_allow_private_urls = before


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/hook", "webhook_url_invalid"),  # not https, and loopback
        ("http://receiver.example/hook", "webhook_url_invalid"),  # plain http
        ("ftp://receiver.example/hook", "webhook_url_invalid"),
        ("https://user:pw@receiver.example/hook", "webhook_url_invalid"),
        ("https://127.0.0.1/hook", "webhook_url_forbidden"),
        ("https://10.0.0.1/hook", "webhook_url_forbidden"),
        ("https://172.16.5.4/hook", "webhook_url_forbidden"),
        ("https://192.168.1.1/hook", "webhook_url_forbidden"),
        ("https://169.254.169.254/latest/meta-data", "webhook_url_forbidden"),
        ("https://100.64.0.1/hook", "webhook_url_forbidden"),  # shared (CGNAT)
        ("https://0.0.0.0/hook", "webhook_url_forbidden"),
        ("https://224.0.0.1/hook", "webhook_url_forbidden"),
        ("https://[::1]/hook", "webhook_url_forbidden"),
        ("https://[fe80::1]/hook", "webhook_url_forbidden"),
        ("https://[fd00::1]/hook", "webhook_url_forbidden"),
        ("https://[::ffff:127.0.0.1]/hook", "webhook_url_forbidden"),
        ("https://[::]/hook", "webhook_url_forbidden"),
        ("https://localhost/hook", "webhook_url_forbidden"),  # a name resolving to loopback
        ("https://localhost:8443/hook", "webhook_url_forbidden"),
    ],
)
def test_i20_webhook_urls_to_private_addresses_are_refused_by_default(
    api: Api, registry: Registry, strict: None, url: str, code: str
) -> None:
    headers = FreshToken(bank(api))
    r = api.c.post("/api/v1/webhooks", json={"url": url}, headers=headers)
    problem(r, 422, code)
    with registry.engine.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).select_from(t.webhook_subscriptions)) == 0


def test_i20_public_addresses_pass_the_guard() -> None:
    assert url_guard.is_public("93.184.215.14") and url_guard.is_public("2606:4700::1111")
    assert not url_guard.is_public("::ffff:10.1.2.3")
    url_guard.check("https://93.184.215.14/hook", allow_private=False)
    pinned = url_guard.pin("https://93.184.215.14:8443/h?x=1", allow_private=False)
    assert pinned.url == "https://93.184.215.14:8443/h?x=1"
    assert pinned.sni_hostname == "93.184.215.14"
    # allowed by the setting: plain http and loopback (tests, receivers on premises)
    url_guard.check("http://127.0.0.1:9/hook", allow_private=True)
    assert url_guard.pin("http://localhost/x", allow_private=True).url == "http://localhost/x"


def test_i20_delivery_checks_the_address_again(api: Api, registry: Registry) -> None:
    """A host that resolved to a public address when subscribing may resolve to a private
    one later (DNS rebinding): each delivery checks again and does not send."""
    headers = FreshToken(bank(api))
    with receiver() as rec:
        # accepted when subscribing (here: allowed), a loopback name when delivering
        url = rec.url.replace("http://127.0.0.1", "https://localhost")
        r = api.c.post(
            "/api/v1/webhooks",
            json={"url": url, "types": ["cn.dataip.registration.registered"]},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        sub = r.json()
        api.world().registered()
        report = deliver(registry, allow_private=False)
        assert report.failed == 1 and report.delivered == 0
        assert rec.received == []
    log = api.c.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json()
    assert log[0]["status_code"] is None and log[0]["error"] == "blocked: private_address"
    assert log[0]["state"] == "pending"  # retried on the schedule, checked again each time


def test_i20_redirects_are_not_followed(api: Api, registry: Registry) -> None:
    headers = FreshToken(bank(api))
    with receiver() as inner, receiver() as outer:
        outer.status = 307
        outer.headers = {"location": inner.url}
        r = api.c.post(
            "/api/v1/webhooks",
            json={"url": outer.url, "types": ["cn.dataip.registration.registered"]},
            headers=headers,
        )
        sub = r.json()
        api.world().registered()
        report = deliver(registry)
        assert report.failed == 1 and len(outer.wait_for(1)) == 1
        assert inner.received == []
    log = api.c.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json()
    assert [d["status_code"] for d in log] == [307]


def _admin(api: Api, client_id: str, path: str, **kw: object) -> None:
    r = api.c.request(
        kw.pop("method", "POST"),  # type: ignore[arg-type]
        f"/api/v1/admin/institutions/{client_id}/{path}",
        headers=api.h(api.user("registrar_admin")),
        **kw,  # type: ignore[arg-type]
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_i20_a_suspended_or_revoked_client_receives_nothing(
    api: Api, registry: Registry, action: str
) -> None:
    inst = bank(api)
    headers = FreshToken(inst)
    with receiver() as rec:
        r = api.c.post(
            "/api/v1/webhooks",
            json={"url": rec.url, "types": ["cn.dataip.registration.registered"]},
            headers=headers,
        )
        sub_id = r.json()["id"]
        api.world().registered()
        ledger.integrate(registry.env, registry.log_keys)
        delivery.fan_out(registry.env)  # queued while the client was active
        _admin(api, inst.client_id, f"actions/{action}")
        report = deliver(registry)
        assert report.skipped == 1 and report.delivered == 0 and rec.received == []
    with registry.engine.connect() as c:
        msg = c.execute(sa.select(t.webhook_messages)).one()
        tries = c.execute(sa.select(t.webhook_attempts)).all()
    assert msg.state == "skipped" and msg.subscription_id == sub_id
    state = "suspended" if action == "suspend" else "revoked"
    assert [(a.status_code, a.error) for a in tries] == [(None, f"skipped: client_{state}")]


def test_i20_a_client_that_lost_events_read_receives_nothing(api: Api, registry: Registry) -> None:
    inst = bank(api)
    headers = FreshToken(inst)
    with receiver() as rec:
        r = api.c.post(
            "/api/v1/webhooks",
            json={"url": rec.url, "types": ["cn.dataip.registration.registered"]},
            headers=headers,
        )
        sub_id = r.json()["id"]
        _admin(api, inst.client_id, "scopes", method="PUT", json={"scopes": [WEBHOOKS_MANAGE]})
        api.world().registered()
        report = deliver(registry)
        assert report.skipped == 1 and report.delivered == 0 and rec.received == []
        # the scope given back: later events are delivered again
        _admin(
            api,
            inst.client_id,
            "scopes",
            method="PUT",
            json={"scopes": [EVENTS_READ, WEBHOOKS_MANAGE]},
        )
        api.world().registered()
        assert deliver(registry).delivered == 1 and len(rec.wait_for(1)) == 1
    log = api.c.get(f"/api/v1/webhooks/{sub_id}/deliveries", headers=headers).json()
    assert [(d["status_code"], d["error"], d["state"]) for d in log] == [
        (200, None, "delivered"),
        (None, "skipped: scope_withdrawn", "skipped"),
    ]


def test_i20_settled_messages_are_pruned_and_replay_still_works(
    api: Api, registry: Registry
) -> None:
    headers = FreshToken(bank(api))
    with receiver() as rec:
        r = api.c.post(
            "/api/v1/webhooks",
            json={"url": rec.url, "types": ["cn.dataip.registration.registered"]},
            headers=headers,
        )
        sub_id = r.json()["id"]
        api.world().registered()
        assert deliver(registry).delivered == 1
        first = rec.wait_for(1)[0]
        # within the retention nothing goes
        assert delivery.prune(registry.env, timedelta(days=30)) == 0
        # 31 days on (the messages made earlier): the message and its log row go
        old = datetime.now(UTC) - timedelta(days=31)
        with registry.engine.begin() as c:
            c.execute(sa.update(t.webhook_messages).values(created_at=old))
            c.execute(sa.update(t.webhook_attempts).values(at=old))
        assert delivery.prune(registry.env, timedelta(days=30)) == 1
        with registry.engine.connect() as c:
            assert c.scalar(sa.select(sa.func.count()).select_from(t.webhook_messages)) == 0
            assert c.scalar(sa.select(sa.func.count()).select_from(t.webhook_attempts)) == 0
        assert api.c.get(f"/api/v1/webhooks/{sub_id}/deliveries", headers=headers).json() == []
        # replay reaches past the retention: the log is never pruned, the message is re-made
        r = api.c.post(
            f"/api/v1/webhooks/{sub_id}/replay", json={"from_sequence": 0}, headers=headers
        )
        assert r.status_code == 200 and r.json()["queued"] == 1, r.text
        assert deliver(registry).delivered == 1
        again = rec.wait_for(2)[1]
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body


def test_i20_a_slow_receiver_holds_up_only_its_own_messages(api: Api, registry: Registry) -> None:
    """The slow receiver answers only once the other has received every message: were its
    messages to hold up the worker (one round waiting on the slowest), that would never
    happen and its requests would end at their timeout instead."""
    headers = FreshToken(bank(api))
    with receiver() as slow, receiver() as fast:
        for rec in (slow, fast):
            r = api.c.post("/api/v1/webhooks", json={"url": rec.url}, headers=headers)
            assert r.status_code == 201, r.text
        for name in NAMES[:3]:
            api.world().registered(name=name)
        ledger.integrate(registry.env, registry.log_keys)
        delivery.fan_out(registry.env)
        with registry.engine.connect() as c:
            each = c.scalar(sa.select(sa.func.count()).select_from(t.webhook_messages)) // 2
        released = threading.Event()
        fast_done_first: list[bool] = []

        def hold(_: object) -> None:
            if not released.is_set():
                fast_done_first.append(released.wait(20))

        def count(_: object) -> None:
            if len(fast.received) >= each:
                released.set()

        slow.on_receive, fast.on_receive = hold, count
        report = delivery.run_pending(
            registry.env,
            delivery.DeliverySetup(
                source=SOURCE,
                timeout=30.0,
                concurrency=64,
                per_subscription=2,
                allow_private_urls=True,
            ),
        )
    assert report.delivered == 2 * each and report.failed == 0
    assert fast_done_first and all(fast_done_first)


def test_i20_two_workers_never_send_one_message_twice(api: Api, registry: Registry) -> None:
    """Two delivery pipelines (as two worker processes) drain one queue: their claims are
    disjoint (FOR UPDATE SKIP LOCKED on PostgreSQL, a compare-and-set everywhere)."""
    headers = FreshToken(bank(api))
    with receiver() as rec:
        for _ in range(3):
            r = api.c.post("/api/v1/webhooks", json={"url": rec.url}, headers=headers)
            assert r.status_code == 201, r.text
        for name in NAMES:
            api.world().registered(name=name)
        ledger.integrate(registry.env, registry.log_keys)
        delivery.fan_out(registry.env)
        with registry.engine.connect() as c:
            total = c.scalar(sa.select(sa.func.count()).select_from(t.webhook_messages))
        reports: list[delivery.RoundReport] = []

        def worker(name: str) -> None:
            s = delivery.DeliverySetup(
                source=SOURCE, concurrency=4, batch=5, allow_private_urls=True, holder=name
            )
            reports.append(delivery.run_pending(registry.env, s))

        threads = [threading.Thread(target=worker, args=(n,)) for n in ("w1", "w2")]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        got = rec.wait_for(total)
    ids = [g.headers["webhook-id"] for g in got]
    assert len(ids) == total and len(set(ids)) == total  # each once, none twice
    assert sum(r.delivered for r in reports) == total


def test_i20_tick_delivers_when_called_inside_a_running_event_loop(registry: Registry) -> None:
    """`dataip tick`'s delivery is synchronous code; a caller already inside an event loop
    (a notebook, a test driving a browser through Playwright) must not get asyncio.run()'s
    "cannot be called from a running event loop" — it failed so on CI."""
    import asyncio

    async def inside() -> delivery.RoundReport:
        return deliver(registry)

    report = asyncio.run(inside())
    assert report == deliver(registry)  # nothing due either way, and no error
