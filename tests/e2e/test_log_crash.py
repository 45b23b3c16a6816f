"""R6 under a crash: `kill -9` of a busy server loses no acknowledged change, and leaves no
change without its leaf nor a leaf without its change — the restarted server publishes every
event and the audit is clean."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from dataip.services import ledger
from tests.support.api import make_uscc
from tests.support.server import deployment

CLIENTS = 8
LOAD_SECONDS = 2.5


@dataclass
class Writer:
    """One client thread's account and what the server acknowledged to it."""

    number: int
    token: str
    party: int
    created: dict[int, str] = field(default_factory=dict)  # draft id → name acknowledged
    edited: dict[int, tuple[int, str]] = field(default_factory=dict)  # id → (version, name)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # non-2xx answers
    lost: list[str] = field(default_factory=list)  # requests with no answer (the crash)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _writer(http: httpx.Client, n: int) -> Writer:
    """An applicant account with its own legal-person party, over the API."""
    name = f"loader{n}"
    r = http.post(
        "/api/v1/accounts",
        json={"username": name, "password": "pass-word-1", "display_name": name},
    )
    assert r.status_code == 201, r.text
    r = http.post("/api/v1/auth/token", json={"username": name, "password": "pass-word-1"})
    assert r.status_code == 201, r.text
    token = r.json()["access_token"]
    r = http.post(
        "/api/v1/parties",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "kind": "legal_person",
            "name": f"压测数据科技有限公司{n}",
            "id_number": make_uscc(9000 + n),
            "address": "贵阳市观山湖区",
        },
    )
    assert r.status_code == 201, r.text
    return Writer(n, token, int(r.json()["id"]))


def _write(base_url: str, w: Writer, stop: threading.Event) -> None:
    """Create a draft, edit it once, repeat — until stopped or the server stops answering.
    Only a 2xx answer counts as acknowledged."""
    with httpx.Client(base_url=base_url, timeout=15, headers=w.auth) as http:
        i = 0
        while not stop.is_set():
            i += 1
            name = f"压测数据集{w.number}-{i}"
            body = {"form": {"name": name}, "applicants": [{"party_id": w.party}]}
            try:
                r = http.post("/api/v1/applications", json=body)
            except httpx.HTTPError as exc:
                w.lost.append(f"create {name}: {exc!r}")
                return
            if r.status_code != 201:
                w.refused.append(("create", r.status_code, r.text[:300]))
                continue
            draft = r.json()
            w.created[draft["id"]] = name
            edited = f"{name} (改)"
            try:
                r = http.patch(
                    f"/api/v1/applications/{draft['id']}",
                    headers={"If-Match": f'"{draft["version"]}"'},
                    json={"form": {"name": edited}},
                )
            except httpx.HTTPError as exc:
                w.lost.append(f"edit {draft['id']}: {exc!r}")
                return
            if r.status_code != 200:
                w.refused.append(("edit", r.status_code, r.text[:300]))
                continue
            w.edited[draft["id"]] = (r.json()["version"], edited)


def test_r6_kill_9_while_writing_loses_no_acknowledged_action(tmp_path: Path) -> None:
    with deployment(tmp_path) as server:
        server.cli("init")
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=15) as http:
            writers = [_writer(http, n) for n in range(CLIENTS)]

        stop = threading.Event()
        threads = [
            threading.Thread(target=_write, args=(server.base_url, w, stop), daemon=True)
            for w in writers
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        # at least LOAD_SECONDS of load, and until the writers have had 4 actions each
        # acknowledged (a busy CI machine is slower), so the kill lands mid-stream
        time.sleep(LOAD_SECONDS)
        deadline = started + 20 * LOAD_SECONDS
        while (
            sum(len(w.created) + len(w.edited) for w in writers) < 4 * CLIENTS
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        acknowledged_before_kill = sum(len(w.created) + len(w.edited) for w in writers)
        server.kill()  # SIGKILL, mid-write
        killed_after = time.monotonic() - started
        for t in threads:
            t.join(timeout=20)
        stop.set()
        assert not any(t.is_alive() for t in threads), "a client hung after the crash"

        created = {i: name for w in writers for i, name in w.created.items()}
        edited = {i: v for w in writers for i, v in w.edited.items()}
        assert acknowledged_before_kill >= 4 * CLIENTS, (acknowledged_before_kill, killed_after)
        in_flight = [x for w in writers for x in w.lost if "ConnectError" not in x]
        assert in_flight, "no request was in flight when the server died"
        assert not [x for w in writers for x in w.refused], [x for w in writers for x in w.refused]

        # The server comes back on the same database and publishes what was committed. A
        # process killed mid-integration leaves its lease behind; it lapses within
        # ledger.LEASE_SECONDS (wall clock), after which the restarted server publishes.
        catch_up = 15.0 + ledger.LEASE_SECONDS
        server.start()
        size, events = server.wait_log_caught_up(timeout=catch_up)

        # Every acknowledged draft and edit is there, as the API tells its owner.
        with httpx.Client(base_url=server.base_url, timeout=15) as http:
            for w in writers:
                for app_id, name in w.created.items():
                    r = http.get(f"/api/v1/applications/{app_id}", headers=w.auth)
                    assert r.status_code == 200, (app_id, r.text)
                    got = r.json()
                    assert got["state"] == "draft"
                    if app_id in w.edited:
                        version, edited_name = w.edited[app_id]
                        assert got["version"] == version, (app_id, got["version"], version)
                        assert got["name"] == edited_name
                    else:  # its edit may have committed unacknowledged — or not at all
                        assert got["name"] in (name, f"{name} (改)"), got["name"]

        # No change without its leaf, no leaf without its change: one sequenced leaf per
        # event, and each acknowledged action's event among them.
        entries = server.scalar("SELECT count(*) FROM log_entries")
        sequenced = server.scalar("SELECT count(*) FROM log_entries WHERE idx IS NOT NULL")
        assert entries == sequenced == events == size, (entries, sequenced, events, size)
        assert server.scalar("SELECT max(idx) FROM log_entries") == size - 1
        logged = {
            (subject, kind)
            for subject, kind in server.rows(
                "SELECT e.subject_id, e.type FROM events e"
                " JOIN log_entries l ON l.event_id = e.id"
                " WHERE e.subject_type = 'application' AND l.idx IS NOT NULL"
            )
        }
        assert {(i, "DraftCreated") for i in created} <= logged
        assert {(i, "FormEdited") for i in edited} <= logged

        audit = server.cli("log", "audit")
        assert "audit clean" in audit.stdout, audit.stdout
        assert f": {size} leaves" in audit.stdout and " 0 pending" in audit.stdout, audit.stdout
