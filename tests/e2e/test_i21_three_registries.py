"""Issue 21, done-means: three registries as three `dataip serve` processes on loopback —
Guizhou (5200), Zhejiang (3300) and Jiangsu (3200), each with its own database, keys and agency
code — and a list operator whose signed trust list a small HTTP server publishes. Each registry
joins as an operator would (`dataip federation entry` → the operator's `dataip federation
sign` → `dataip federation refresh`), witnesses the other two (`dataip federation push`,
`GET /log/cosigned-checkpoint`), and recognises the others' certificates: through
`POST /api/v1/certificates/verify` and `dataip verify --policy` ("2 of 3"), online and offline.
A certificate revoked at home (the registry's ex-officio `revoke` through its API) reads
revoked abroad once the status list is fetched again; a
rolled-back list is refused.

Zhejiang and Jiangsu have no profile of their own in this repository: their seed documents
(Zhejiang's 2024 opinions, Jiangsu's 2023 opinions and 2025 pilot plan) state no procedure
facts — no publicity, validity or per-application periods (docs/federation.md "Provinces'
profiles" cites them line by line). Their registries here run Guizhou's procedure
(guizhou-2024) under their own registry name and agency code — a test-only profile that
differs only in those."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataip.federation.witness import AddCheckpoint
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from dataip.ledger.note import Signer, parse_note
from tests.support.federation import ListServer, list_server
from tests.support.server import Server, scratch_database

# (short name, agency code, registry name, profile id): Guizhou's is the shipped profile
PROVINCES = (
    ("gz", "5200", "贵州省知识产权公共服务中心", "guizhou-2024"),
    ("zj", "3300", "浙江省知识产权保护中心（测试配置）", "zhejiang-test"),
    ("js", "3200", "江苏省知识产权保护中心（测试配置）", "jiangsu-test"),
)
OPERATOR = "trust.example.cn"


@dataclass
class Member:
    short: str
    code: str
    server: Server
    entry: dict[str, Any]

    @property
    def url(self) -> str:
        return self.server.base_url

    def witness(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_text(self.entry["witness"]["key"])


@dataclass
class Federation:
    members: list[Member]
    lists: ListServer
    operator_key: Path
    work: Path

    def publish(self, sequence: int) -> str:
        """The operator signs a list of the three with this sequence and publishes it."""
        now = datetime.now(UTC).replace(microsecond=0)
        doc = {
            "operator": OPERATOR,
            "sequence": sequence,
            "issued": (now - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
            "expires": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "registries": [m.entry for m in self.members],
        }
        source = self.work / f"list-{sequence}.json"
        source.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        out = self.work / f"trust-list-{sequence}.note"
        self.members[0].server.cli(
            "federation", "sign", str(source), "--key", str(self.operator_key), "--out", str(out)
        )
        note = out.read_text("utf-8")
        self.lists.body = note.encode()
        return note


def _profile(work: Path, pid: str, code: str, name: str) -> str:
    """A test-only profile: Guizhou's procedure under another registry name and agency code."""
    if pid == "guizhou-2024":
        return pid
    text = resources.files("dataip.profiles").joinpath("guizhou-2024.toml").read_text("utf-8")
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "id":
            line = f'id = "{pid}"'
        elif key == "registry_name_zh":
            line = f'registry_name_zh = "{name}"'
        elif key == "registry_code":
            line = f'registry_code = "{code}"'
        lines.append(line)
    path = work / f"{pid}.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return str(path)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    work = tmp_path_factory.mktemp("federation")
    with list_server() as lists:
        servers: list[tuple[str, str, Server]] = []
        stack: list[Any] = []
        try:
            operator_key = work / "operator.key"
            for short, code, name, pid in PROVINCES:
                home = work / short
                home.mkdir()
                db = scratch_database(home)
                stack.append(db)
                server = Server(
                    home,
                    db.__enter__(),
                    profile=_profile(work, pid, code, name),
                    federation_list_url=lists.url,
                    federation_operator_key="",  # set below, once the operator has its key
                    federation_status_max_age_seconds="1",
                )
                servers.append((short, code, server))
            # the list operator makes its key once; every registry configures its verifier key
            vkey = servers[0][2].cli("federation", "keygen", OPERATOR, "--out", str(operator_key))
            operator_vkey = vkey.stdout.strip().splitlines()[-1]
            members = []
            for short, code, server in servers:
                server.env["DATAIP_FEDERATION_OPERATOR_KEY"] = operator_vkey
                server.cli("demo", timeout=300)  # registrations with certificates and a log
                server.start()
                entry = json.loads(server.cli("federation", "entry").stdout)
                assert entry["agency_code"] == code
                members.append(Member(short, code, server, entry))
            fed = Federation(members, lists, operator_key, work)
            fed.publish(1)
            for m in members:
                out = m.server.cli("federation", "refresh").stdout
                assert "accepted: trust list of trust.example.cn, sequence 1, 3 registries" in out
            yield fed
        finally:
            for _, _, server in servers:
                server.close()
            for db in reversed(stack):
                db.__exit__(None, None, None)


def _cosigned(member: Member, timeout: float = 30) -> str:
    """Push until the member's cosigned checkpoint carries the other two's cosignatures
    (`--now`: its server's integrator pushed as soon as it had the list, and a peer that had
    not refreshed yet answered 503: the pusher backs off from it for a minute)."""
    deadline = time.monotonic() + timeout
    seen = ""
    while True:
        pushed = member.server.cli("federation", "push", "--now", check=False).stdout
        r = httpx.get(f"{member.url}/log/cosigned-checkpoint", timeout=5)
        seen = f"push: {pushed}\n{r.status_code} {r.text}"
        if r.status_code == 200 and len(parse_note(r.text).signatures) == 3:
            return r.text
        if time.monotonic() > deadline:
            raise AssertionError(f"not cosigned by two: {seen}")
        time.sleep(0.5)


def _verify(member: Member, token: str) -> dict[str, Any]:
    r = httpx.post(f"{member.url}/api/v1/certificates/verify", json={"token": token}, timeout=30)
    assert r.status_code == 200, r.text
    got: dict[str, Any] = r.json()
    return got


def _policy(fed: Federation) -> Path:
    """The verifier's own "2 of the 3 registries" tlog-policy (keys from the trust list)."""
    logs = "".join(f"log {m.entry['log']['key']}\n" for m in fed.members)
    witnesses = "".join(f"witness {m.short} {m.entry['witness']['key']}\n" for m in fed.members)
    path = fed.work / "two-of-three.policy"
    path.write_text(
        f"# the three provinces' logs, witnessed by 2 of the 3\n{logs}{witnesses}"
        "group provinces 2 gz zj js\nquorum provinces\n"
    )
    return path


def _revoke_at_home(member: Member, number: str) -> None:
    """The registry revokes its own registration through its API (docs/api.md `revoke`)."""
    password = "zj-examiner-password"
    member.server.cli(
        "users", "create", "zj-examiner", "--role", "examiner", "--display-name", "浙江审查员",
        "--password", password,
    )  # fmt: skip
    with httpx.Client(base_url=f"{member.url}/api/v1", timeout=30) as http:
        r = http.post("/auth/token", json={"username": "zj-examiner", "password": password})
        assert r.status_code == 201, r.text
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = http.get(f"/registrations/{number}", headers=auth)
        assert r.status_code == 200, r.text
        r = http.post(
            f"/registrations/{number}/actions/revoke",
            headers={**auth, "If-Match": r.headers["etag"]},
            json={"grounds": [1], "reason": "登记后发现存在不予登记的情形（测试）"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "revoked", r.json()


def test_i21_three_registries_witness_recognise_and_revoke(three: Federation) -> None:
    gz, zj, js = three.members
    # each registry's checkpoint is cosigned by the other two (verified with the listed keys)
    for m in three.members:
        note = _cosigned(m)
        others = [o.witness() for o in three.members if o is not m]
        verify_cosignatures(note, others)
        assert m.entry["witness"]["key"] not in note

    # a certificate issued in Zhejiang (agency code 3300 in its number)
    number, certificate_number = zj.server.rows(
        "SELECT registration_number, certificate_number FROM registrations "
        "WHERE state = 'valid' ORDER BY registration_number LIMIT 1"
    )[0]
    assert certificate_number[6:10] == "3300"
    token = httpx.get(f"{zj.url}/api/v1/registrations/{number}/certificate", timeout=10).text

    # verifies in Guizhou and Jiangsu through the API, status from Zhejiang's status list
    for abroad in (gz, js):
        got = _verify(abroad, token)
        assert got["authentic"] is True and got["issuer"] == zj.url, got
        assert got["registry"]["agency_code"] == "3300"
        assert got["log"]["status"] == "included"
        assert got["status"]["status"] == "valid" and got["status_stale"] is False

    # `dataip verify --policy` ("2 of 3") at each of the other two: online …
    policy = _policy(three)
    for abroad in (gz, js):
        r = abroad.server.cli(
            "verify", token, "--issuer-url", zj.url, "--policy", str(policy), "--json"
        )
        got = json.loads(r.stdout)
        assert got["policy"]["satisfied"], got
        assert sorted(got["policy"]["cosigned_by"]) == ["gz", "js"]
        assert got["policy"]["checkpoint_from"] == f"{zj.url}/log/cosigned-checkpoint"
    # … and offline: the issuer's keys and its cosigned checkpoint kept in files
    kept = three.work / "zj-cosigned.note"
    kept.write_text(_cosigned(zj), "utf-8")
    issuers = three.work / "zj-issuers.json"
    jwks = zj.entry["jwks"]
    issuers.write_text(json.dumps({"issuers": [{"id": zj.url, "name": "zj", "jwks": jwks}]}))
    for abroad in (gz, js):
        r = abroad.server.cli(
            "verify", token, "--issuers", str(issuers), "--policy", str(policy),
            "--checkpoint", str(kept), "--json",
        )  # fmt: skip
        got = json.loads(r.stdout)
        assert got["authentic"] and got["policy"]["satisfied"], got

    # revoked at home, ex officio (G§20), as a registry revokes: its examiner's account (made
    # with the CLI), a login, the registration's `revoke` action with If-Match
    _revoke_at_home(zj, number)
    assert (
        zj.server.scalar("SELECT state FROM registrations WHERE registration_number = :n", n=number)
        == "revoked"
    )
    for abroad in (gz, js):
        deadline = time.monotonic() + 30
        while (got := _verify(abroad, token))["status"]["status"] != "revoked":
            assert time.monotonic() < deadline, got
            time.sleep(0.5)
        assert got["authentic"] is True and got["status_stale"] is False

    # Zhejiang goes offline: authentic, status as of the last fetch (revoked)
    zj.server.stop()
    try:
        deadline = time.monotonic() + 30
        while not (got := _verify(gz, token))["status_stale"]:  # once the kept list is too old
            assert time.monotonic() < deadline, got
            time.sleep(0.5)
        assert got["authentic"] is True and got["status"]["status"] == "revoked"
        assert got["status_as_of"] and "status as of" in got["summary_en"]
    finally:
        zj.server.start()  # back online for the module's other tests


def test_i21_a_rolled_back_trust_list_is_refused(three: Federation) -> None:
    gz = three.members[0]
    first = three.lists.body
    three.publish(2)
    assert "sequence 2" in gz.server.cli("federation", "refresh").stdout
    three.lists.body = first  # the sequence-1 list again, still within its validity
    r = gz.server.cli("federation", "refresh", check=False)
    assert r.returncode == 1 and "trust_list_rolled_back" in r.stdout, r.stdout
    shown = json.loads(gz.server.cli("federation", "show", "--json").stdout)
    assert shown["sequence"] == 2


def test_i21_a_forked_checkpoint_is_refused_by_the_witness(three: Federation) -> None:
    """Guizhou signs a second tree of a size Zhejiang's witness already cosigned (a fork, with
    Guizhou's own log key): refused with 409 and the size it knows (from `old 0`), or 422
    (from that size); what the witness keeps is unchanged."""
    gz, zj, _ = three.members
    _cosigned(gz)
    origin = gz.entry["log"]["origin"]
    kept = f"{zj.url}/witness/{hashlib.sha256(origin.encode()).hexdigest()}/checkpoint"
    before = httpx.get(kept, timeout=5)
    assert before.status_code == 200, before.text
    size = int(parse_note(before.text).text.split("\n")[1])
    signer = Signer.from_text((gz.server.data_dir / "log-signing.key").read_text().strip())
    fork = Checkpoint(origin, size, hashlib.sha256(b"another tree").digest()).sign([signer])
    url = f"{zj.url}/witness/add-checkpoint"
    r = httpx.post(url, content=AddCheckpoint(0, (), fork).to_body(), timeout=10)
    assert r.status_code == 409 and r.text == f"{size}\n", r.text
    r = httpx.post(url, content=AddCheckpoint(size, (), fork).to_body(), timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "witness_inconsistent", r.text
    assert httpx.get(kept, timeout=5).text == before.text
