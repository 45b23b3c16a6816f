"""Issue 21 §3: what `GET /log/cosigned-checkpoint` serves — the newest checkpoint the peers'
witnesses cosigned, with the log's signature and the cosignature of every witness that
cosigned that same checkpoint (an older one's cosignature is left out), kept in
`witness_pushes` on the real database; without a trust list nothing is pushed."""

from __future__ import annotations

from datetime import timedelta

from dataip.bootstrap import Registry
from dataip.federation.state import WitnessPush
from dataip.ledger.cosignature import CosignatureSigner, cosign, verify_cosignatures
from dataip.ledger.note import open_note, parse_note
from dataip.services import ledger
from dataip.services.context import Env
from dataip.services.federation import push
from tests.support import demo_world
from tests.support.federation import seeded


def _kept(env: Env, signer: CosignatureSigner, note: str, size: int) -> None:
    with env.uow() as uow:
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


def test_i21_cosigned_checkpoint_gathers_the_cosignatures_of_one_checkpoint(
    env: Env, registry: Registry
) -> None:
    assert push.push(env).size == 0  # no trust list in force: nothing is pushed
    assert push.cosigned_checkpoint(env) is None
    demo_world.populate(env)
    ledger.integrate(env, registry.log_keys, batch_size=3, max_batches=1)
    old_size, old_note = ledger.checkpoint_note(env)
    ledger.integrate(env, registry.log_keys)
    size, note = ledger.checkpoint_note(env)
    assert size > old_size
    zj, js, slow = (
        CosignatureSigner(f"{host}/witness", seeded(host))
        for host in ("zj.example.cn", "js.example.cn", "slow.example.cn")
    )
    _kept(env, zj, note, size)
    _kept(env, js, note, size)
    _kept(env, slow, old_note, old_size)  # this one has only cosigned an older checkpoint
    served = push.cosigned_checkpoint(env)
    assert served is not None
    assert parse_note(served).text == parse_note(note).text
    open_note(served, [registry.log_keys.verifier])  # the log's own signature
    verify_cosignatures(served, [zj.verifier(), js.verifier()], threshold=2)
    assert slow.name not in served
    # the state is updated in place: the slow witness catches up
    env.clock.advance_to(env.now() + timedelta(seconds=5))  # type: ignore[attr-defined]
    _kept(env, slow, note, size)
    with env.read() as uow:
        assert [p.size for p in uow.federation.pushes()] == [size, size, size]
    served = push.cosigned_checkpoint(env)
    assert served is not None
    verify_cosignatures(served, [zj.verifier(), js.verifier(), slow.verifier()], threshold=3)
