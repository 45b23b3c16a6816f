"""Issue 21 §4 in the registry: `POST /api/v1/certificates/verify` reports the witness quorum
of the certificate's log proof under the registry's witness policy — met (who cosigned),
not met (authentic signature, log view not witnessed by the quorum: who did cosign), or not
evaluated (no policy configured) — for a foreign certificate (the issuer's cosigned checkpoint
fetched over real HTTP) and for the registry's own (its cosigned checkpoint and consistency
proof from its own database). Never silently accepted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.federation.policy import parse_policy
from dataip.federation.state import WitnessPush
from dataip.federation.trust_list import RegistryEntry
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.services import certificates, ledger
from dataip.services.context import Env, FixedClock
from dataip.services.federation import trust
from tests.support.api import Api
from tests.support.federation import federation, peer, seeded, signed, trust_list
from tests.support.peers import Foreign, foreign_registry, own_entry

HOSTS = {"3300": "zj.example.cn", "3200": "js.example.cn"}


def _witness(code: str) -> CosignatureSigner:
    host = HOSTS[code]
    return CosignatureSigner(f"{host}/witness", seeded("witness " + host))


def _peers() -> list[RegistryEntry]:
    return [peer(code, host)[0] for code, host in HOSTS.items()]


def cosigned_by(env: Env, note: str, size: int, *codes: str) -> None:
    """The registry's pusher got these peers' cosignatures on `note` (as `push` stores them)."""
    with env.uow() as uow:
        for code in codes:
            signer = _witness(code)
            uow.federation.save_push(
                WitnessPush(
                    witness=signer.name,
                    witness_key=signer.verifier().to_text(),
                    size=size,
                    checkpoint=cosign(note, signer),
                    cosigned_at=env.now(),
                    failures=0,
                    next_attempt_at=None,
                    last_error=None,
                )
            )
        uow.commit()


@pytest.fixture
def beijing(clock: FixedClock) -> Iterator[Foreign]:
    with foreign_registry(clock) as peer_registry:
        yield peer_registry


def _verify(api: Api, token: str) -> dict[str, Any]:
    r = api.c.post("/api/v1/certificates/verify", json={"token": token})
    assert r.status_code == 200, r.text
    got: dict[str, Any] = r.json()
    assert got["authentic"] is True, got
    return got


def _follow(env: Env, registry: Registry, *extra: RegistryEntry) -> None:
    trust.accept(env, signed(trust_list(own_entry(registry), *extra, *_peers())))


def test_r25_foreign_certificate_quorum_met_not_met_and_not_evaluated(
    api: Api, env: Env, registry: Registry, beijing: Foreign
) -> None:
    _, token = beijing.token()
    size, note = ledger.checkpoint_note(beijing.registry.env)
    cosigned_by(beijing.registry.env, note, size, "3300", "3200")  # Zhejiang and Jiangsu
    # no policy configured: said so, never silently "met"
    with federation(env):
        _follow(env, registry, beijing.entry())
        got = _verify(api, token)
        q = got["witness_quorum"]
        assert q["status"] == "not_evaluated" and q["code"] == "no_policy", q
        assert "no witness policy" in q["message_en"] and "未配置见证策略" in q["message_zh"]
        assert "quorum" not in got["summary_en"]
    # 2 of the 4 registries on the list: Zhejiang's and Jiangsu's cosignatures make it
    with federation(env, policy_quorum=2):
        got = _verify(api, token)
        q = got["witness_quorum"]
        assert q["status"] == "met" and q["code"] is None, q
        assert q["quorum"].startswith("2 of (")
        assert "中的 2 个" in q["quorum_zh"] and "registry 3300" in q["quorum_zh"]
        assert [w["registry"] for w in q["cosigned_by"]] == ["registry 3200", "registry 3300"]
        assert q["checkpoint_from"] == f"{beijing.url}/log/cosigned-checkpoint"
        assert q["proof_size"] == q["cosigned_size"] == size
        assert got["summary_en"].endswith("; log view witnessed by the quorum")
        assert got["status"]["status"] == "valid"  # the status is read as before
    # 3 of 4: two cosigned, so not met — the signature is authentic, the view not witnessed
    with federation(env, policy_quorum=3):
        got = _verify(api, token)
        q = got["witness_quorum"]
        assert q["status"] == "not_met" and q["code"] == "quorum_not_met", q
        assert [w["agency_code"] for w in q["cosigned_by"]] == ["3200", "3300"]
        assert "QUORUM NOT MET" in q["detail"]
        assert "NOT witnessed by the quorum (required 3 of (" in got["summary_en"]
        assert "cosigned by 3200, 3300" in got["summary_en"]
        assert "未获见证法定数联署" in got["summary_zh"]
    # a quorum above the list's registries cannot be met: not evaluated, and why
    with federation(env, policy_quorum=9):
        q = _verify(api, token)["witness_quorum"]
        assert q["status"] == "not_evaluated" and q["code"] == "policy_invalid", q
    # offline: the issuer's cosigned checkpoint is not fetched
    with federation(env, policy_quorum=2):
        r = api.c.post("/api/v1/certificates/verify", json={"token": token, "online": False})
        q = r.json()["witness_quorum"]
        assert q["status"] == "not_evaluated" and q["code"] == "offline", q


def test_r25_a_policy_file_names_its_own_witnesses(
    api: Api, env: Env, registry: Registry, beijing: Foreign
) -> None:
    _, token = beijing.token()
    size, note = ledger.checkpoint_note(beijing.registry.env)
    cosigned_by(beijing.registry.env, note, size, "3300")  # only Zhejiang cosigned
    bj_log = beijing.entry().log_key
    zj, js = (_witness(c).verifier().to_text() for c in ("3300", "3200"))
    either = parse_policy(
        f"log {bj_log}\nwitness zj {zj}\nwitness js {js}\ngroup p any zj js\nquorum p\n"
    )
    both = parse_policy(
        f"log {bj_log}\nwitness zj {zj}\nwitness js {js}\ngroup p all zj js\nquorum p\n"
    )
    with federation(env, policy=either):
        _follow(env, registry, beijing.entry())
        q = _verify(api, token)["witness_quorum"]
        assert q["status"] == "met" and q["quorum"] == "1 of (zj, js)", q
        assert q["cosigned_by"] == [
            {"name": "zj", "registry": "registry 3300", "agency_code": "3300"}
        ]
    with federation(env, policy=both):
        q = _verify(api, token)["witness_quorum"]
        assert q["status"] == "not_met" and [w["name"] for w in q["cosigned_by"]] == ["zj"], q
    # a policy that does not list the certificate's log
    other = parse_policy(
        f"log {peer('3300', HOSTS['3300'])[0].log_key}\nwitness zj {zj}\nquorum zj\n"
    )
    with federation(env, policy=other):
        q = _verify(api, token)["witness_quorum"]
        assert q["status"] == "not_met" and q["code"] == "log_not_in_policy", q


def test_r25_the_registrys_own_certificate_against_its_cosigned_checkpoint(
    api: Api, env: Env, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    ledger.integrate(env, registry.log_keys)
    assert certificates.attach_proofs(env) >= 1
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    proof_size, _ = ledger.checkpoint_note(env)
    with federation(env, policy_quorum=2):
        _follow(env, registry)
        # no witness has cosigned our log yet
        q = _verify(api, token)["witness_quorum"]
        assert q["status"] == "not_met" and q["code"] == "no_cosigned_checkpoint", q
        # the log grows; the peers cosign a larger tree: a consistency proof connects the two
        api.world().registered()  # another holder's
        ledger.integrate(env, registry.log_keys)
        size, note = ledger.checkpoint_note(env)
        assert size > proof_size
        cosigned_by(env, note, size, "3300", "3200")
        got = _verify(api, token)
        q = got["witness_quorum"]
        assert q["status"] == "met", q
        assert (q["proof_size"], q["cosigned_size"]) == (proof_size, size)
        assert q["checkpoint_from"] == f"{env.certificate_keys.issuer_id}/log/cosigned-checkpoint"
        assert got["status"]["status"] == "valid"
    # a certificate proved in a tree larger than any cosigned: not witnessed yet
    number2 = api.world().registered()
    ledger.integrate(env, registry.log_keys)
    assert certificates.attach_proofs(env) >= 1
    newer = api.c.get(f"/api/v1/registrations/{number2}/certificate").text
    with federation(env, policy_quorum=2):
        q = _verify(api, newer)["witness_quorum"]
        assert q["status"] == "not_met" and q["code"] == "not_witnessed_yet", q
        assert "not witnessed yet" in q["message_en"]
