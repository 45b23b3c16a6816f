"""Issue 21 §1: the trust list fetched over real HTTP, verified against the configured
operator key and cached in the database — so every server process sees the same list in
force — until it expires; expired, unsigned, tampered, rolled-back and wrongly signed lists
are refused with their codes and change nothing."""

from __future__ import annotations

import pytest

from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.federation import trust
from tests.support.federation import (
    ISSUED,
    days,
    federation,
    list_server,
    operator,
    peer,
    signed,
    trust_list,
)

GZ, _ = peer("5200", "gz.example.cn")
ZJ, _ = peer("3300", "zj.example.cn")
JS, _ = peer("3200", "js.example.cn")


def _refused(env: Env, code: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        trust.refresh(env)
    assert info.value.code == code, info.value
    return info.value


def test_i21_refresh_fetches_verifies_and_caches(env: Env) -> None:
    with list_server() as server, federation(env, list_url=server.url) as setup:
        server.body = signed(trust_list(GZ, ZJ, sequence=3)).encode()
        accepted = trust.refresh(env)
        assert accepted.stored and accepted.listed.sequence == 3
        # the same list again: nothing new
        assert not trust.refresh(env).stored
        assert trust.current(env).by_agency("3300") == ZJ
        # another process (another setup, same database) agrees without fetching
        fetched = server.requests
        with federation(env, operator_keys=setup.operator_keys):
            assert trust.current(env).sequence == 3
        assert server.requests == fetched
        # a newer list replaces it
        server.body = signed(trust_list(GZ, ZJ, JS, sequence=4)).encode()
        assert trust.refresh(env).listed.sequence == 4
        assert trust.current(env).by_agency("3200") == JS


def test_i21_refused_lists_change_nothing(env: Env) -> None:
    with list_server() as server, federation(env, list_url=server.url):
        server.body = signed(trust_list(GZ, ZJ, sequence=5)).encode()
        trust.refresh(env)
        # rolled back: an older sequence
        server.body = signed(trust_list(GZ, sequence=4)).encode()
        assert _refused(env, "trust_list_rolled_back").status == 409
        # unsigned
        server.body = trust_list(GZ, sequence=6).to_text().encode()
        _refused(env, "trust_list_unsigned")
        # tampered: Zhejiang's log key replaced after signing
        note = signed(trust_list(GZ, ZJ, sequence=6))
        server.body = note.replace(ZJ.log_key, GZ.log_key.replace("gz.", "zj.")).encode()
        _refused(env, "trust_list_signature_invalid")
        # signed by a key that is not the configured operator's
        stranger = operator("stranger.example")
        server.body = signed(trust_list(GZ, sequence=6, op=stranger), stranger).encode()
        _refused(env, "trust_list_wrong_operator")
        # expired on arrival
        server.body = signed(
            trust_list(GZ, sequence=7, issued=ISSUED - days(60), expires=ISSUED)
        ).encode()
        _refused(env, "trust_list_expired")
        # another list under an accepted sequence: the operator equivocates
        server.body = signed(trust_list(GZ, sequence=5)).encode()
        _refused(env, "trust_list_conflict")
        # unreachable, or not 200
        server.status = 404
        assert _refused(env, "trust_list_unavailable").status == 502
        # through all of it the list in force stayed the one accepted
        listed = trust.current(env)
        assert (listed.sequence, len(listed.registries)) == (5, 2)


def test_i21_cached_list_expires(env: Env, clock: object) -> None:
    from dataip.services.context import FixedClock

    assert isinstance(clock, FixedClock)
    with federation(env):
        listed = trust.accept(env, signed(trust_list(GZ))).listed
        clock.advance_to(listed.expires)
        with pytest.raises(DomainError) as info:
            trust.current(env)
        assert info.value.code == "trust_list_expired"
        assert trust.current_or_none(env) == listed  # still shown, as expired


def test_i21_nothing_configured(env: Env) -> None:
    with federation(env, operator_keys=()):
        with pytest.raises(DomainError) as info:
            trust.accept(env, signed(trust_list(GZ)))
        assert info.value.code == "trust_list_not_configured"
        assert trust.current_or_none(env) is None
    with federation(env):
        with pytest.raises(DomainError) as info:
            trust.refresh(env)
        assert info.value.code == "trust_list_not_configured"
        with pytest.raises(DomainError) as info:
            trust.current(env)
        assert info.value.code == "trust_list_missing"


def test_i21_witness_state_moves_only_by_compare_and_swap(env: Env) -> None:
    """The witness's memory (db/repositories/federation.py): the first row is an insert of
    which a second loses; a move from a stale (size, root) changes nothing."""
    at = env.now()
    first = {"origin": "p.example/log", "size": 4, "root_hash": "A" * 44, "checkpoint": "x"}
    with env.uow() as uow:
        assert uow.federation.start_witnessing(**first, at=at)
        uow.commit()
    with env.uow() as uow:
        assert not uow.federation.start_witnessing(**{**first, "size": 5}, at=at)
        moves = {"origin": "p.example/log", "size": 9, "root_hash": "B" * 44, "checkpoint": "y"}
        assert not uow.federation.advance_witness(**moves, old_size=3, old_root="A" * 44, at=at)
        assert not uow.federation.advance_witness(**moves, old_size=4, old_root="C" * 44, at=at)
        assert uow.federation.advance_witness(**moves, old_size=4, old_root="A" * 44, at=at)
        assert not uow.federation.advance_witness(**moves, old_size=4, old_root="A" * 44, at=at)
        uow.commit()
    with env.read() as uow:
        state = uow.federation.witnessed("p.example/log")
    assert (state.size, state.root_hash, state.checkpoint) == (9, "B" * 44, "y")
