"""Issue 25 §1: several server processes on one database are one registry.

Two real `dataip serve` processes (A and B) share one database and one data directory (keys,
blobs) and one public address, as two machines behind a load balancer would, and start at once
(they take turns preparing the database). The tests drive the procedure through both
alternately — each step of an application on the other server than the one before, several
applications at once — and check that the outcome is what one process gives (the deadlines,
states and dates of the single-process walkthrough), that there is one log (every process
serves the same checkpoint, the audit is clean), that no number is given twice, and that what
must be shared is: the sign-in throttle, Idempotency-Key answers, the working-day calendar.

For the publicity period to pass, the clock moves: a registry has one clock (DATAIP_NOW in a
demo), so every process stops; B starts again at the later time and W — `serve --workers 2`,
two workers under one supervisor — joins it in A's place, and the approvals alternate between
B and W. The last test checks W itself: one ready line, two workers, `/metrics` summed, a
clean stop on SIGTERM.

On PostgreSQL (CI) and on SQLite in WAL mode (processes on one machine). The registry is
reached only as an operator and a client would: processes, HTTP and SQL.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import complete_form, make_uscc
from tests.support.server import Server, scratch_database

T0 = "2026-09-28T10:00:00+08:00"  # a Monday before National Day (test_walkthrough's dates)
T1 = "2026-10-13T09:00:00+08:00"  # publicity over
PASSWORD = "pass-word-1"
NAMES = ("城市交通拥堵预测数据集", "电力负荷预测数据集", "贵阳气象观测数据集", "物流路径优化数据集")


@dataclass
class Pair:
    """The registry's server processes: A and B to begin with; when the clock moves, A leaves
    and W — `serve --workers 2` — joins B (see `move_clock`)."""

    a: Server
    b: Server
    tmp: Path
    running: list[Server] = field(default_factory=list)
    clients: list[httpx.Client] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    party: int = 0
    w: Server | None = None

    def on(self, step: int) -> httpx.Client:
        """The server for step `step`: the first running one, the second, the first, …"""
        return self.clients[step % len(self.clients)]

    def h(self, who: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **more}

    def login(self, who: str, step: int = 0) -> None:
        r = self.on(step).post("/api/v1/auth/token", json={"username": who, "password": PASSWORD})
        assert r.status_code == 201, r.text
        self.tokens[who] = r.json()["access_token"]

    def serve(self, servers: list[Server]) -> None:
        """Start `servers` at once (they take turns preparing the database) and talk to
        them from now on."""
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(lambda s: s.start(), [s for s in servers if s.proc is None]))
        for c in self.clients:
            c.close()
        self.running = servers
        self.clients = [httpx.Client(base_url=s.base_url, timeout=60) for s in servers]

    def move_clock(self, now: str) -> None:
        """Every server stopped; B started again and W (two workers) started, with the clock
        at `now` (DATAIP_NOW: every process of a registry must have the same); everyone
        signs in again (tokens live a week)."""
        for s in (self.a, self.b):
            s.stop()
        w = self.a.sibling(self.tmp / "w")
        w.serve_args = ("--workers", "2")
        for s in (self.b, w):
            s.env["DATAIP_NOW"] = now
        self.w = w
        self.serve([self.b, w])
        for step, who in enumerate(list(self.tokens)):
            self.login(who, step)

    def close(self) -> None:
        for c in self.clients:
            c.close()
        for s in (self.a, self.b, self.w):
            if s is not None:
                s.close()


def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, (r.request.method, r.request.url, r.status_code, r.text)
    return dict(r.json())


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    tmp = tmp_path_factory.mktemp("two_servers")
    with scratch_database(tmp) as url:
        a = Server(tmp / "a", url, now=T0, webhook_workers="0")
        pair = Pair(a, a.sibling(tmp / "b"), tmp)
        try:
            pair.serve([pair.a, pair.b])
            a.cli(
                "users", "create", "admin1", "--role", "registrar_admin",
                "--display-name", "admin1", "--password", PASSWORD,
            )  # fmt: skip
            _world(pair)
            yield pair
        finally:
            pair.close()


def _world(pair: Pair) -> None:
    """The admin (made by the CLI) signs in on A and makes an examiner on B; an applicant
    signs up on A, and its party, made on A with its evidence uploaded on B, is verified by
    the examiner on A."""
    pair.login("admin1", 0)
    for step, (who, role) in enumerate((("examiner1", "examiner"), ("applicant1", "applicant"))):
        body = {"username": who, "password": PASSWORD, "display_name": who, "role": role}
        _ok(pair.on(step + 1).post("/api/v1/accounts", headers=pair.h("admin1"), json=body), 201)
        pair.login(who, step)
    party = _ok(
        pair.on(0).post(
            "/api/v1/parties",
            headers=pair.h("applicant1"),
            json={
                "kind": "legal_person",
                "name": "贵阳两台服务器数据科技有限公司",
                "id_number": make_uscc(25_001),
                "address": "贵阳市观山湖区",
            },
        ),
        201,
    )
    pid = int(party["id"])
    ev = _upload(pair.on(1), pair.h("applicant1"), b"licence scan", "licence.pdf")
    _ok(
        pair.on(0).post(
            f"/api/v1/parties/{pid}/verification",
            headers=pair.h("applicant1"),
            json={"method": "business_licence", "evidence_blob": ev},
        )
    )
    _ok(
        pair.on(1).post(
            f"/api/v1/parties/{pid}/verification/decision",
            headers=pair.h("examiner1"),
            json={"approve": True},
        )
    )
    pair.party = pid


def _upload(c: httpx.Client, headers: dict[str, str], data: bytes, name: str) -> str:
    r = c.post("/api/v1/blobs", headers=headers, files={"file": (name, data, "text/csv")})
    return str(_ok(r, 201)["sha256"])


def _act(pair: Pair, step: int, who: str, app_id: int, action: str) -> dict[str, Any]:
    return _ok(
        pair.on(step).post(
            f"/api/v1/applications/{app_id}/actions/{action}", headers=pair.h(who), json=None
        )
    )


def _due(app: dict[str, Any], kind: str) -> str:
    return str(next(d["due_on"] for d in app["deadlines"] if d["kind"] == kind))


# --- the procedure, through both servers --------------------------------------------------------


def _file_to_publicity(pair: Pair, i: int) -> dict[str, Any]:
    """Application i from upload to publicity, each step on the other server (i shifts the
    start, so at any moment some applications are on A and others on B)."""
    sample = _upload(pair.on(i), pair.h("applicant1"), f"a,b\n{i},2\n".encode(), "s.csv")
    form = complete_form(NAMES[i], sample=sample)
    form["evidence"] = {**form["evidence"], "hash_value": f"{i + 1:02x}" * 32}
    draft = _ok(
        pair.on(i + 1).post(
            "/api/v1/applications",
            headers=pair.h("applicant1"),
            json={"form": form, "applicants": [{"party_id": pair.party}]},
        ),
        201,
    )
    app_id = int(draft["id"])
    sub = _act(pair, i + 2, "applicant1", app_id, "submit")
    accepted = _act(pair, i + 3, "examiner1", app_id, "accept")
    pub = _act(pair, i + 4, "examiner1", app_id, "publicise")
    return {"id": app_id, "submitted": sub, "accepted": accepted, "publicised": pub}


def _register(pair: Pair, i: int, app_id: int) -> dict[str, Any]:
    """Approval on one server, the certificate read on the other and verified on the first."""
    approved = _act(pair, i + 5, "examiner1", app_id, "approve")
    number = approved["registration"]["registration_number"]
    r = pair.on(i + 6).get(f"/api/v1/registrations/{number}/certificate")
    assert r.status_code == 200, r.text
    token = r.text
    verified = _ok(pair.on(i + 7).post("/api/v1/certificates/verify", json={"token": token}))
    return {"approved": approved, "verified": verified}


def test_i25_the_procedure_through_two_servers_alternately_is_one_registry(pair: Pair) -> None:
    n = len(NAMES)
    with ThreadPoolExecutor(n) as pool:  # the applications at once, interleaved
        filed = list(pool.map(lambda i: _file_to_publicity(pair, i), range(n)))
    for f in filed:
        # what one process gives (test_walkthrough, test_r12): R8 accept within 3 working
        # days (29, 30 Sep, the holiday, 8 Oct); R10 publicity 5 working days from 28 Sep
        # (29, 30 Sep, 8, 9 Oct and Saturday 10 Oct, a make-up working day)
        assert f["submitted"]["state"] == "submitted"
        assert f["submitted"]["filing_date"] == "2026-09-28"
        assert _due(f["submitted"], "accept") == "2026-10-08"
        assert f["accepted"]["state"] == "under_examination"
        assert f["publicised"]["state"] == "publicised"
        assert _due(f["publicised"], "publicity") == "2026-10-10"
    numbers = [f["submitted"]["application_number"] for f in filed]
    assert len(set(numbers)) == n and all(len(x) == 16 for x in numbers)

    pair.move_clock(T1)  # A leaves; B and W (two workers) carry on
    with ThreadPoolExecutor(n) as pool:
        done = list(pool.map(lambda i: _register(pair, i, filed[i]["id"]), range(n)))
    regs = [d["approved"]["registration"] for d in done]
    for d, reg in zip(done, regs, strict=True):
        assert d["approved"]["state"] == "registered"
        assert reg["registration_date"] == "2026-10-13"
        assert reg["valid_until"] == "2028-10-12"  # R15 / R0.3
        assert reg["certificate_number"].startswith("2026105200")
        assert d["verified"]["authentic"] is True, d["verified"]
        assert d["verified"]["status"]["status"] == "valid", d["verified"]
    assert len({r["registration_number"] for r in regs}) == n
    assert len({r["certificate_number"] for r in regs}) == n

    # no number given twice, whichever process gave it
    for table, column in (
        ("applications", "application_number"),
        ("registrations", "registration_number"),
        ("registrations", "certificate_number"),
    ):
        total, distinct = pair.a.rows(
            f"SELECT count({column}), count(DISTINCT {column}) FROM {table}"
        )[0]
        assert total == distinct and total >= n, (table, column, total, distinct)

    # one log: every process publishes the same checkpoint over every event; it audits clean
    sizes = {s.wait_log_caught_up(timeout=30) for s in pair.running}
    assert len(sizes) == 1, sizes
    checkpoints = {httpx.get(f"{s.base_url}/log/checkpoint").text for s in pair.running}
    assert len(checkpoints) == 1, checkpoints
    audit = pair.b.cli("log", "audit")
    size = sizes.pop()[0]
    assert "audit clean" in audit.stdout and f": {size} leaves" in audit.stdout, audit.stdout


# --- what must be shared ------------------------------------------------------------------------


def test_i25_failed_sign_ins_on_one_server_lock_the_account_on_the_other(pair: Pair) -> None:
    user = "throttled1"
    body = {"username": user, "password": PASSWORD, "display_name": user, "role": "applicant"}
    _ok(pair.on(0).post("/api/v1/accounts", json=body), 201)
    for _ in range(5):  # DATAIP_LOGIN_MAX_FAILURES: 5 for an account from one address
        bad = {"username": user, "password": "wrong-one"}
        wrong = pair.on(0).post("/api/v1/auth/token", json=bad)
        assert wrong.status_code == 401, wrong.text
    locked = pair.on(1).post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "too_many_attempts", locked.text


def test_i25_an_idempotency_key_used_on_one_server_replays_on_the_other(pair: Pair) -> None:
    sample = _upload(pair.on(0), pair.h("applicant1"), b"a,b\n9,9\n", "s.csv")
    body = {
        "form": complete_form("重放测试数据集", sample=sample),
        "applicants": [{"party_id": pair.party}],
    }
    headers = pair.h("applicant1", **{"Idempotency-Key": "two-servers-create"})
    first = pair.on(0).post("/api/v1/applications", headers=headers, json=body)
    assert first.status_code == 201, first.text
    again = pair.on(1).post("/api/v1/applications", headers=headers, json=body)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = {**body, "form": {**body["form"], "name": "另一个数据集"}}
    reused = pair.on(1).post("/api/v1/applications", headers=headers, json=other)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    made = pair.a.scalar(
        "SELECT count(*) FROM applications WHERE id = :id", id=int(first.json()["id"])
    )
    assert made == 1


def test_i25_a_calendar_change_on_one_server_is_used_by_the_other_at_once(pair: Pair) -> None:
    def due_on_b() -> str:
        r = pair.on(1).get(
            "/api/v1/calendar/due-date",
            params={"period": "accept", "trigger": "2027-03-01"},  # a Monday
        )
        return str(_ok(r)["due_on"])

    assert due_on_b() == "2027-03-04"  # B has the calendar loaded (3 working days)
    r = pair.on(0).put(
        "/api/v1/calendar/overrides/2027-03-02",
        headers=pair.h("admin1"),
        json={"is_working_day": False, "note": "两台服务器测试"},
    )
    assert r.status_code == 204, r.text
    assert due_on_b() == "2027-03-05"  # not a minute later: now


def test_i25_a_portal_session_and_its_form_tokens_work_on_every_server(pair: Pair) -> None:
    """One browser behind a load balancer: the cookie jar is the host's (cookies name no
    port), each page from whichever server. The sign-in form comes from one server and is
    posted to the other (its pre-session CSRF cookie is double-submitted, no server secret);
    the session works on both; a form token rendered by one signs out on the other, and the
    session is gone for both."""
    urls = [str(c.base_url).rstrip("/") for c in pair.clients[:2]]
    with httpx.Client(timeout=60, follow_redirects=False) as browser:
        form = browser.get(f"{urls[0]}/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        signed_in = browser.post(
            f"{urls[1]}/login",
            data={"csrf_token": token.group(1), "username": "applicant1", "password": PASSWORD},
        )
        assert signed_in.status_code == 303, signed_in.text
        page = browser.get(f"{urls[0]}/applications")
        assert page.status_code == 200 and 'action="/logout"' in page.text  # signed in
        session_token = re.search(
            r'action="/logout"><input type="hidden" name="csrf_token" value="([^"]+)"', page.text
        )
        assert session_token is not None
        with httpx.Client(timeout=60, cookies=signed_in.cookies) as kept:  # the cookie alone
            assert 'action="/logout"' in kept.get(f"{urls[1]}/applications").text
        out = browser.post(f"{urls[1]}/logout", data={"csrf_token": session_token.group(1)})
        assert out.status_code == 303, out.text
    # signed out everywhere: the session is revoked, not only its cookie forgotten
    with httpx.Client(timeout=60, cookies=signed_in.cookies) as kept:
        for url in urls:
            assert 'action="/logout"' not in kept.get(f"{url}/applications").text, url


# --- serve --workers ----------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _is_worker(pid: int) -> bool:
    try:
        return b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_i25_serve_with_two_workers_joins_the_registry_and_stops_on_sigterm(pair: Pair) -> None:
    if pair.w is None:  # run alone: W joins now
        pair.move_clock(T1)
    server = pair.w
    assert server is not None
    deadline = time.monotonic() + 60
    while "ready at" not in server.log_tail(100_000):
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.2)
    lines = [x for x in server.log_tail(100_000).splitlines() if x.startswith("ready at")]
    assert lines == [f"ready at {pair.a.base_url} (listening on 127.0.0.1:{server.port})"]
    workers = [p for p in _children(server.pid) if _is_worker(p)]
    assert len(workers) == 2, (workers, server.log_tail())
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        for _ in range(6):
            assert c.get("/healthz").status_code == 200
        first = int(pair.a.scalar("SELECT min(id) FROM applications"))
        r = c.get(f"/api/v1/applications/{first}", headers=pair.h("admin1"))
        assert r.status_code == 200, r.text  # the registry's own records and accounts
        metrics = c.get("/metrics").text  # every worker's requests, summed
    served = re.search(
        r'dataip_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)',
        metrics,
    )
    assert served is not None and float(served.group(1)) >= 6, metrics[:2000]
    assert server.stop() == 0, server.log_tail()  # SIGTERM: every worker stops, exit 0
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
    pair.serve([pair.b])
