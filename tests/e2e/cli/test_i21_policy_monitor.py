"""Issue 21 §4: `dataip log monitor --policy` — the cosigned checkpoint must meet the quorum
of a C2SP tlog-policy, and a fork is reported with both signed notes saved. A peer's log is
served over real HTTP on loopback; keys, signatures and cosignatures are real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.cli.main import app
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.ledger.note import Signer, parse_note
from tests.support.federation import PeerLog, seeded
from tests.support.tlog_server import tlog_server

runner = CliRunner()
ORIGIN = "zj.example.cn/log"


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.output


@pytest.fixture
def peers() -> list[CosignatureSigner]:
    return [CosignatureSigner(f"{p}.example.cn/witness", seeded(p)) for p in ("gz", "js", "bj")]


@pytest.fixture
def log() -> PeerLog:
    peer = PeerLog(ORIGIN, Signer(ORIGIN, seeded("zj log")))
    peer.grow_to(300)  # more than one tile
    return peer


@pytest.fixture
def policy(tmp_path: Path, log: PeerLog, peers: list[CosignatureSigner]) -> Path:
    path = tmp_path / "two-of-three.policy"
    witnesses = "".join(
        f"witness {n} {w.verifier().to_text()}\n"
        for n, w in zip(("gz", "js", "bj"), peers, strict=True)
    )
    path.write_text(
        f"# 2 of the 3 peer registries\nlog {log.signer.verifier().to_text()}\n{witnesses}"
        "group peers 2 gz js bj\nquorum peers\n"
    )
    return path


def _cosigned(note: str, *witnesses: CosignatureSigner) -> str:
    for w in witnesses:
        note = cosign(note, w)
    return note


def test_i21_monitor_two_of_three_accepted_then_one_of_three_refused(
    tmp_path: Path, log: PeerLog, peers: list[CosignatureSigner], policy: Path
) -> None:
    state = tmp_path / "monitor.json"
    with tlog_server(log.tree) as server:
        server.cosigned = _cosigned(log.note(), peers[0], peers[2])
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
        assert code == 0, out
        assert "quorum met" in out and "consistent" in out
        assert json.loads(state.read_text())["size"] == 300

        log.grow_to(700)
        server.cosigned = _cosigned(log.note(), peers[1])  # 1 of 3
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
        assert code == 1 and "checkpoint without the quorum" in out and "not accepted" in out, out
        assert json.loads(state.read_text())["size"] == 300  # never silently accepted

        server.cosigned = _cosigned(log.note(), peers[1], peers[2])
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
        assert code == 0 and "+400" in out, out  # and consistent with the last one seen


def test_i21_monitor_forged_cosignature_not_counted(
    tmp_path: Path, log: PeerLog, peers: list[CosignatureSigner], policy: Path
) -> None:
    other = PeerLog(ORIGIN, log.signer)
    other.grow_to(5)
    forged = parse_note(cosign(other.note(), peers[1])).signatures[-1].to_line()
    state = tmp_path / "monitor.json"
    with tlog_server(log.tree) as server:
        server.cosigned = _cosigned(log.note(), peers[0]) + forged  # js's line, another tree
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
    assert code == 1 and "QUORUM NOT MET" in out and "do not verify: js" in out, out
    assert not state.exists()


def test_i21_monitor_reports_a_fork_with_both_notes_saved(
    tmp_path: Path, log: PeerLog, peers: list[CosignatureSigner], policy: Path
) -> None:
    state = tmp_path / "monitor.json"
    with tlog_server(log.tree) as server:
        seen = _cosigned(log.note(), peers[0], peers[1])
        server.cosigned = seen
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
        assert code == 0, out
        # The log shows another tree of the same size (two witnesses it fooled, or that collude).
        fork = PeerLog(ORIGIN, log.signer)
        fork.append(b"rewritten")
        fork.grow_to(300)
        server.tree = fork.tree
        server.cosigned = _cosigned(fork.note(), peers[1], peers[2])
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
    assert code == 1 and "SPLIT VIEW" in out, out
    assert (tmp_path / "monitor.json.split-view.seen.note").read_text() == seen
    assert (tmp_path / "monitor.json.split-view.new.note").read_text() == server.cosigned
    assert json.loads(state.read_text())["checkpoint"] == seen  # the state keeps what it saw


def test_i21_monitor_bad_policy_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.policy"
    bad.write_text("group g 2 a b\nquorum g\n")
    code, out = invoke(
        "log", "monitor", "http://127.0.0.1:9/log", "--state", str(tmp_path / "s"),
        "--policy", str(bad),
    )  # fmt: skip
    assert code == 2 and "line 1" in out and "not defined" in out, out


def test_i21_monitor_refuses_a_checkpoint_from_a_log_not_in_the_policy(
    tmp_path: Path, peers: list[CosignatureSigner], policy: Path
) -> None:
    impostor = PeerLog(ORIGIN, Signer(ORIGIN, seeded("impostor")))  # same origin, another key
    impostor.grow_to(3)
    state = tmp_path / "monitor.json"
    with tlog_server(impostor.tree) as server:
        server.cosigned = _cosigned(impostor.note(), *peers)
        code, out = invoke(
            "log", "monitor", server.url, "--state", str(state), "--policy", str(policy)
        )
    assert code == 1 and "no valid signature by a log of the policy" in out, out
    assert not state.exists()
