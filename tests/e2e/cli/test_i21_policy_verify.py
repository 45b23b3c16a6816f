"""Issue 21 §4: `dataip verify --policy` — a certificate's log proof counts only when it leads
to a checkpoint a quorum of witnesses cosigned (C2SP tlog-policy). The registry runs on a real
socket; its certificate, log and checkpoints are its own; the witnesses' cosignatures are
real Ed25519 cosignature/v1."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.ledger.note import parse_note
from dataip.services import certificates, ledger
from dataip.services.context import FixedClock
from dataip.services.federation import push, trust
from tests.support.api import Api
from tests.support.federation import federation, seeded, signed, trust_list
from tests.support.peers import foreign_registry, own_entry

runner = CliRunner()


@pytest.fixture
def peers() -> list[CosignatureSigner]:
    return [CosignatureSigner(f"{p}.example.cn/witness", seeded(p)) for p in ("gz", "zj", "js")]


def _policy(path: Path, log_vkey: str, peers: list[CosignatureSigner]) -> Path:
    witnesses = "".join(
        f"witness {n} {w.verifier().to_text()}\n"
        for n, w in zip(("gz", "zj", "js"), peers, strict=True)
    )
    path.write_text(f"log {log_vkey}\n{witnesses}group peers 2 gz zj js\nquorum peers\n")
    return path


def _verify(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["verify", *args], catch_exceptions=False)
    return r.exit_code, r.output


def test_i21_verify_with_policy_needs_the_quorum(
    api: Api,
    registry: Registry,
    live_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    peers: list[CosignatureSigner],
) -> None:
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)  # as deployed there
    number = api.world().registered()
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    policy = _policy(tmp_path / "p.policy", registry.log_keys.verifier_text, peers)
    bare = httpx.get(f"{live_url}/checkpoint").text
    kept = tmp_path / "cosigned.note"

    # 2 of 3 cosigned the checkpoint the proof is to: accepted offline
    kept.write_text(cosign(cosign(bare, peers[0]), peers[2]))
    code, out = _verify(
        token, "--issuer-url", base, "--policy", str(policy), "--checkpoint", str(kept), "--json"
    )
    assert code == 0, out
    got = json.loads(out)
    assert got["policy"]["satisfied"] and got["policy"]["cosigned_by"] == ["gz", "js"]
    assert "witnessed (2 of (gz, zj, js): gz, js)" in got["summary"]

    # 1 of 3: reported as a checkpoint without the quorum, not accepted
    kept.write_text(cosign(bare, peers[1]))
    code, out = _verify(
        token, "--issuer-url", base, "--policy", str(policy), "--checkpoint", str(kept)
    )
    assert code == 1 and "checkpoint without the quorum" in out and "QUORUM NOT MET" in out, out
    code, out = _verify(
        token, "--issuer-url", base, "--policy", str(policy), "--checkpoint", str(kept), "--json"
    )
    assert code == 1, out
    assert json.loads(out) | {"reason": ""} == {
        "authentic": True,
        "accepted": False,
        "code": "quorum_not_met",
        "reason": "",
    }

    # a forged cosignature (zj's line from another checkpoint) is not counted
    api.world().registered()
    ledger.integrate(registry.env, registry.log_keys)
    newer = httpx.get(f"{live_url}/checkpoint").text
    forged = parse_note(cosign(newer, peers[1])).signatures[-1].to_line()
    kept.write_text(cosign(bare, peers[0]) + forged)
    code, out = _verify(
        token, "--issuer-url", base, "--policy", str(policy), "--checkpoint", str(kept)
    )
    assert code == 1 and "do not verify: zj" in out, out

    # a newer cosigned checkpoint: the proof's tree is shown to be its prefix from the tiles
    kept.write_text(cosign(cosign(newer, peers[1]), peers[2]))
    code, out = _verify(
        token, "--issuer-url", base, "--policy", str(policy), "--checkpoint", str(kept)
    )
    assert code == 0 and "witnessed" in out, out

    # online: the registry has no cosigned checkpoint yet (no peer witnessed it): not accepted
    code, out = _verify(token, "--issuer-url", base, "--policy", str(policy))
    assert code == 1 and "serves no cosigned checkpoint" in out, out


def test_i21_verify_policy_without_the_issuers_log_refuses(
    api: Api,
    registry: Registry,
    live_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    peers: list[CosignatureSigner],
) -> None:
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)
    number = api.world().registered()
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    other = CosignatureSigner("x.example/log", seeded("x")).verifier().to_text()
    # a policy naming another log key for the same origin: the proof is not to its log
    from dataip.ledger.note import Signer

    impostor = Signer(registry.log_keys.verifier.name, seeded("impostor")).verifier().to_text()
    policy = _policy(tmp_path / "p.policy", impostor, peers)
    code, out = _verify(token, "--issuer-url", base, "--policy", str(policy))
    assert code == 1 and "NOT ACCEPTED under the policy" in out, out
    bad = tmp_path / "bad.policy"
    bad.write_text(f"log {other}\nquorum none\n")
    code, out = _verify(token, "--issuer-url", base, "--policy", str(bad))
    assert code == 2 and "log key type 0x04" in out, out


def test_i21_verify_online_fetches_the_issuers_cosigned_checkpoint(
    api: Api,
    registry: Registry,
    live_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: FixedClock,
) -> None:
    """A second registry's real witness (Beijing, on loopback) cosigns our checkpoint through
    the push; `dataip verify --policy` fetches `<issuer>/log/cosigned-checkpoint` itself."""
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)
    number = api.world().registered()
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    with foreign_registry(clock) as beijing, federation(registry.env):
        peer_env = beijing.registry.env
        with federation(peer_env, witness=peer_env.federation.witness):
            mine, theirs = own_entry(registry, base), beijing.entry()
            trust.accept(registry.env, signed(trust_list(mine, theirs)))
            trust.accept(peer_env, signed(trust_list(mine, theirs)))
            api.world().registered()  # the log grows past the certificate's proof
            ledger.integrate(registry.env, registry.log_keys)
            assert push.push(registry.env).cosigned == [theirs.witness_verifier().name]
            bj = theirs.witness_key
            one = tmp_path / "bj.policy"
            one.write_text(f"log {registry.log_keys.verifier_text}\nwitness bj {bj}\nquorum bj\n")
            code, out = _verify(token, "--issuer-url", base, "--policy", str(one), "--json")
            assert code == 0, out
            got = json.loads(out)["policy"]
            assert got["cosigned_by"] == ["bj"] and got["cosigned_size"] > got["proof_size"]
            assert got["checkpoint_from"] == f"{live_url}/cosigned-checkpoint"
            # two required, one cosigned: the registry's own cosigned checkpoint is refused
            other = CosignatureSigner("sh.example.cn/witness", seeded("sh")).verifier().to_text()
            two = tmp_path / "two.policy"
            two.write_text(
                f"log {registry.log_keys.verifier_text}\nwitness bj {bj}\nwitness sh {other}\n"
                "group g all bj sh\nquorum g\n"
            )
            code, out = _verify(token, "--issuer-url", base, "--policy", str(two))
            assert code == 1 and "checkpoint without the quorum" in out, out
