"""Issue 20 §5 under a crash: `kill -9` of a server that is delivering webhooks while events
are committed. After the restart every committed event reaches the receiver at least once
(the outbox and the messages are in the database, a claim left by the dead process lapses),
no rolled-back change sends anything, and the log the feed reads has no gap."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from dataip.bootstrap import build
from dataip.config import Settings
from dataip.services.recording import record_event
from dataip.sharing import webhooks as wh
from tests.support.receiver import receiver
from tests.support.server import deployment

NUMBER = "2026100000000013"


def test_i20_kill_9_while_delivering_loses_no_webhook(tmp_path: Path) -> None:
    with (
        deployment(
            tmp_path, log_interval_seconds="0.2", webhook_allow_private_urls="true"
        ) as server,
        receiver() as rec,
    ):
        server.cli("init")
        key = wh.new_key(("v1a",))
        now = datetime.now(UTC).replace(tzinfo=None)
        with server.engine.begin() as c:
            # the subscription's client, active with events:read (checked at each delivery)
            c.execute(
                sa.text(
                    "INSERT INTO institutions (client_id, kind, name, uscc, scopes, state,"
                    " created_at, updated_at, version) VALUES ('bank-1', 'bank', 'bank',"
                    " '91110000100000000X', :scopes, 'active', :now, :now, 1)"
                ),
                {"scopes": json.dumps(["events:read", "webhooks:manage"]), "now": now},
            )
            c.execute(
                sa.text(
                    "INSERT INTO webhook_subscriptions (client_id, url, types, allowed, schemes,"
                    " ed25519_secret, state, created_at, updated_at) VALUES"
                    " ('bank-1', :url, '[]', :allowed, 'v1a', :sk, 'active', :now, :now)"
                ),
                {
                    "url": rec.url,
                    "allowed": json.dumps(["cn.dataip.registration.renewed"]),
                    "sk": key.ed25519_secret,
                    "now": now,
                },
            )
        rec.on_receive = lambda _: time.sleep(0.02)  # deliveries take a moment: some in flight
        server.start()

        # the writer: another process's view of the same database, committing events (and
        # rolling some back) before, during and after the crash
        writer = build(
            Settings(
                env="development",
                data_dir=tmp_path / "writer",
                database_url=server.database_url,
                password_cost="test",
                webhook_workers=0,
            )
        )
        committed: list[int] = []
        rolled_back = 0

        def write(count: int) -> None:
            nonlocal rolled_back
            for i in range(count):
                try:
                    with writer.env.uow() as uow:
                        ev = record_event(
                            uow,
                            subject_type="registration",
                            subject_id=1,
                            type="RegistrationRenewed",
                            at=writer.env.now(),
                            actor_user_id=None,
                            public={"registration_number": NUMBER, "state": "valid"},
                        )
                        if i % 5 == 4:
                            uow.flush()
                            raise RuntimeError("the action fails after its event")
                        uow.commit()
                    committed.append(ev.id)
                except RuntimeError:
                    rolled_back += 1
                time.sleep(0.01)

        try:
            write(40)
            # kill the server once deliveries are under way
            deadline = time.monotonic() + 30
            while len(rec.received) < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert rec.received, "nothing was delivered before the crash"
            background = threading.Thread(target=write, args=(20,))
            background.start()
            server.kill()
            background.join(30)
            write(10)
            server.start()

            # every committed event reaches the receiver, at least once
            want = set(committed)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                got = _received_events(server, rec)
                if want <= got:
                    break
                time.sleep(0.2)
            got = _received_events(server, rec)
            assert want <= got, sorted(want - got)
            assert got <= want  # nothing for a change rolled back: those events do not exist
            assert rolled_back >= 10
            # each message verifies, and a redelivery carries the same webhook-id
            for item in rec.received:
                wh.verify(item.body, item.headers, now=int(item.at), public_key=key.public_key)
            # the log the feed reads has no gap
            size = server.scalar("SELECT count(*) FROM log_entries WHERE idx IS NOT NULL")
            assert server.scalar("SELECT max(idx) FROM log_entries") == size - 1
            assert server.scalar("SELECT count(*) FROM webhook_outbox") == 0
        finally:
            writer.dispose()


def _received_events(server: object, rec: object) -> set[int]:
    """The event ids behind the log indices the receiver got."""
    indices = {json.loads(r.body)["data"]["log_index"] for r in rec.received}  # type: ignore[attr-defined]
    if not indices:
        return set()
    rows = server.rows(  # type: ignore[attr-defined]
        "SELECT event_id FROM log_entries WHERE idx IN ("
        + ", ".join(str(int(i)) for i in indices)
        + ")"
    )
    return {int(r[0]) for r in rows}
