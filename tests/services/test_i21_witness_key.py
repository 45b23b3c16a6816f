"""Issue 21 §3: the witness's cosigner key is made on first start (0600) under the data dir,
named after the log origin, kept across starts, and refused under another name; a malformed
operator key is refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataip.bootstrap import ConfigurationError, federation_setup, load_witness_key
from dataip.config import Settings
from dataip.ledger.cosignature import CosignatureSigner
from tests.support.federation import operator


def test_i21_witness_key_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, public_base_url="https://dataip.gz.example.cn")
    key = load_witness_key(settings)
    assert isinstance(key, CosignatureSigner)
    assert key.name == "dataip.gz.example.cn/witness"
    path = tmp_path / "witness-cosigner.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_witness_key(settings).verifier() == key.verifier()
    renamed = Settings(
        data_dir=tmp_path,
        public_base_url="https://dataip.gz.example.cn",
        witness_name="w.gz.example.cn",
    )
    with pytest.raises(ConfigurationError, match="DATAIP_WITNESS_NAME"):
        load_witness_key(renamed)


def test_i21_operator_keys_from_settings(tmp_path: Path) -> None:
    one, two = operator("a.example").verifier(), operator("b.example").verifier()
    settings = Settings(
        data_dir=tmp_path, federation_operator_key=f"{one.to_text()} {two.to_text()}"
    )
    assert federation_setup(settings).operator_keys == (one, two)
    with pytest.raises(ConfigurationError, match="DATAIP_FEDERATION_OPERATOR_KEY"):
        federation_setup(Settings(data_dir=tmp_path, federation_operator_key="nonsense"))
