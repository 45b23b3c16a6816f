"""Issue 20 §3: the account of reads is chained — an edited, a deleted and a truncated
record are each found; an intact chain has no finding."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dataip.sharing.reads import GENESIS, ReadRecord, chain_hash, content, verify_chain


def _chain(n: int) -> list[ReadRecord]:
    out: list[ReadRecord] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        r = ReadRecord(
            seq=seq,
            institution_id=1,
            client_id="court-0123456789abcdef",
            institution_name="杭州市中级人民法院",
            kind="court",
            token_id=f"tok{seq}",
            scope="registrations:read-full",
            registration_number="3301202600000123",
            resource="record" if seq % 2 else "archive",
            purpose="（2026）浙01民初123号",
            read_at=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=seq),
            prev_hash=prev,
            hash="",
        )
        r = replace(r, hash=chain_hash(prev, content(r)))
        out.append(r)
        prev = r.hash
    return out


def test_i20_intact_chain_has_no_finding() -> None:
    assert verify_chain(_chain(5), written=5) == []
    assert verify_chain([], written=0) == []


def test_i20_an_edited_record_breaks_its_hash() -> None:
    chain = _chain(5)
    chain[2] = replace(chain[2], purpose="（2026）浙01民初999号")
    assert [(f.seq, f.problem) for f in verify_chain(chain, written=5)] == [(3, "edited")]


def test_i20_an_edited_record_rehashed_breaks_the_next_link() -> None:
    chain = _chain(5)
    forged = replace(chain[2], institution_name="某银行")
    chain[2] = replace(forged, hash=chain_hash(forged.prev_hash, content(forged)))
    assert [(f.seq, f.problem) for f in verify_chain(chain, written=5)] == [(4, "broken_link")]


def test_i20_a_deleted_record_is_missing() -> None:
    chain = _chain(5)
    del chain[1]
    found = [(f.seq, f.problem) for f in verify_chain(chain, written=5)]
    assert found == [(2, "missing"), (3, "broken_link")]


def test_i20_a_deleted_last_record_is_caught_by_the_count() -> None:
    chain = _chain(5)[:-1]
    assert [(f.seq, f.problem) for f in verify_chain(chain, written=5)] == [(5, "truncated")]


def test_i20_the_hash_covers_the_time_in_utc_whole_seconds() -> None:
    r = _chain(1)[0]
    shanghai = r.read_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert chain_hash(GENESIS, content(replace(r, read_at=shanghai))) == r.hash
    assert shanghai.utcoffset() == timedelta(hours=8)
