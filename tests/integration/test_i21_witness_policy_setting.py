"""Issue 21 §4: the registry's witness policy setting — a tlog-policy file read at start (one
that breaks the spec stops the registry, with the line), or k of the listed registries; not
both."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataip.bootstrap import ConfigurationError, federation_setup
from dataip.config import Settings
from dataip.ledger.cosignature import CosignatureSigner
from dataip.ledger.note import Signer


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(env="test", data_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_i21_a_policy_file_is_read_at_start(tmp_path: Path) -> None:
    log = Signer.generate("gz.example.cn/log").verifier().to_text()
    witness = CosignatureSigner.generate("zj.example.cn/witness").verifier().to_text()
    good = tmp_path / "peers.policy"
    good.write_text(f"log {log}\nwitness zj {witness}\nquorum zj\n")
    setup = federation_setup(_settings(tmp_path, witness_policy_file=good))
    assert setup.policy is not None and setup.policy.describe() == "zj"
    assert setup.policy_quorum == 0

    bad = tmp_path / "bad.policy"
    bad.write_text(f"log {log}\ngroup g 1 zj\nquorum g\n")
    with pytest.raises(ConfigurationError, match="line 2: group member 'zj'"):
        federation_setup(_settings(tmp_path, witness_policy_file=bad))
    with pytest.raises(ConfigurationError, match="No such file"):
        federation_setup(_settings(tmp_path, witness_policy_file=tmp_path / "missing.policy"))
    with pytest.raises(ConfigurationError, match="not both"):
        federation_setup(_settings(tmp_path, witness_policy_file=good, witness_policy_quorum=2))


def test_i21_a_quorum_of_the_listed_registries(tmp_path: Path) -> None:
    setup = federation_setup(_settings(tmp_path, witness_policy_quorum=2))
    assert setup.policy is None and setup.policy_quorum == 2
