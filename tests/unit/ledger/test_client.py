"""LogClient, the monitor's and witness's view of a log: it accepts a log that grows honestly
and names a rollback, a fork or a rewrite as a split view, with both signed notes as evidence."""

from __future__ import annotations

import pytest

from dataip.ledger import tiles
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.client import LogClient, MonitorState, SplitView
from dataip.ledger.errors import VerificationError
from dataip.ledger.merkle import MerkleTree
from dataip.ledger.note import Signer

ORIGIN = "registry.example.cn/log"


class FakeLog:
    """A log served from memory through the same paths as /log/…"""

    def __init__(self, signer: Signer, entries: list[bytes]) -> None:
        self.signer = signer
        self.entries = list(entries)
        self.tree = MerkleTree.from_data(self.entries)
        self.size = len(entries)

    def note(self) -> str:
        return Checkpoint(ORIGIN, self.size, self.tree.root(self.size)).sign([self.signer])

    def fetch(self, path: str) -> bytes:
        if path == "checkpoint":
            return self.note().encode()
        tile = tiles.parse_tile_path(path)
        if tile.data:
            start = tile.index * 256
            return tiles.encode_entry_bundle(self.entries[start : start + tile.width])
        return tiles.tile_contents(tile, self.tree)


def _entries(n: int, tag: str = "") -> list[bytes]:
    return [f'{{"i":{i}{tag}}}'.encode() for i in range(n)]


@pytest.fixture
def signer() -> Signer:
    return Signer.generate(ORIGIN)


def _client(log: FakeLog) -> LogClient:
    return LogClient(log.fetch, [log.signer.verifier()], origin=ORIGIN)


def test_r6_honest_growth_is_consistent(signer: Signer) -> None:
    log = FakeLog(signer, _entries(700))
    old, old_note = _client(log).checkpoint()
    for n in (701, 1000, 66_000):
        grown = FakeLog(signer, _entries(n))
        new, new_note = _client(grown).checkpoint()
        _client(grown).check_consistent(old, old_note, new, new_note)
    assert _client(log).entries(250, 300, 700) == _entries(700)[250:300]


def test_r6_rollback_is_a_split_view(signer: Signer) -> None:
    big = FakeLog(signer, _entries(500))
    small = FakeLog(signer, _entries(300))
    old, old_note = _client(big).checkpoint()
    new, new_note = _client(small).checkpoint()
    with pytest.raises(SplitView) as info:
        _client(small).check_consistent(old, old_note, new, new_note)
    assert info.value.evidence == (old_note, new_note)


def test_r6_fork_at_the_same_size_is_a_split_view(signer: Signer) -> None:
    a = FakeLog(signer, _entries(300))
    b = FakeLog(signer, _entries(300, ',"x":1'))
    old, old_note = _client(a).checkpoint()
    new, new_note = _client(b).checkpoint()
    with pytest.raises(SplitView):
        _client(b).check_consistent(old, old_note, new, new_note)


def test_r6_rewritten_history_is_a_split_view(signer: Signer) -> None:
    honest = FakeLog(signer, _entries(300))
    old, old_note = _client(honest).checkpoint()
    rewritten = _entries(400)
    rewritten[17] = b'{"i":17,"rewritten":true}'
    liar = FakeLog(signer, rewritten)
    new, new_note = _client(liar).checkpoint()
    with pytest.raises(SplitView):
        _client(liar).check_consistent(old, old_note, new, new_note)


def test_tiles_that_disagree_with_the_checkpoint_are_refused(signer: Signer) -> None:
    log = FakeLog(signer, _entries(300))
    other = FakeLog(signer, _entries(300, ',"y":2'))
    checkpoint, _ = _client(log).checkpoint()
    liar = LogClient(other.fetch, [signer.verifier()])
    with pytest.raises(VerificationError):
        liar.check_root(checkpoint)


def test_a_checkpoint_signed_by_another_key_is_refused(signer: Signer) -> None:
    log = FakeLog(Signer.generate(ORIGIN), _entries(10))
    with pytest.raises(VerificationError):
        LogClient(log.fetch, [signer.verifier()]).checkpoint()


def test_monitor_state_round_trips_and_refuses_garbage(signer: Signer) -> None:
    log = FakeLog(signer, _entries(3))
    cp, note = _client(log).checkpoint()
    state = MonitorState(ORIGIN, signer.verifier().to_text(), cp.size, cp.root_hash, note)
    assert MonitorState.from_json(state.to_json()) == state
    with pytest.raises(ValueError):
        MonitorState.from_json('{"origin": "x"}')
    with pytest.raises(ValueError):
        MonitorState.from_json("not json")
