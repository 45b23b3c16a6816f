"""R25 mutual recognition used to come from a hand-written trusted-issuers file
(DATAIP_TRUSTED_ISSUERS_FILE). The trust list replaced it (issue 21 §2; recognition itself is
proved in test_i21_foreign_certificates): a registry still configured with the file is told
so at start-up instead of silently no longer recognising those issuers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataip.bootstrap import ConfigurationError, Registry, load_certificate_keys
from dataip.config import load_profile


def test_r25_the_old_trusted_issuers_file_is_refused_with_the_way_forward(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted = tmp_path / "trusted-issuers.json"
    trusted.write_text('{"issuers": []}', "utf-8")
    monkeypatch.setenv("DATAIP_TRUSTED_ISSUERS_FILE", str(trusted))
    settings = registry.settings
    with pytest.raises(ConfigurationError) as refused:
        load_certificate_keys(settings, load_profile(settings.profile))
    assert "trust list" in str(refused.value)
    assert "DATAIP_FEDERATION_LIST_URL" in str(refused.value)
    monkeypatch.delenv("DATAIP_TRUSTED_ISSUERS_FILE")
    assert load_certificate_keys(settings, load_profile(settings.profile)).trusted == {}
