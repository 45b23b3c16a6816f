"""The registry's public address (issue 19 §7): DATAIP_PUBLIC_BASE_URL when set, otherwise
the address it is bound to — and with it the certificates' issuer and the log's origin."""

from __future__ import annotations

import pytest

from dataip.config import Settings, bind_url


@pytest.fixture(autouse=True)
def _no_address_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATAIP_PUBLIC_BASE_URL", "DATAIP_HOST", "DATAIP_PORT", "DATAIP_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)


def test_i19_unset_public_url_follows_host_and_port() -> None:
    s = Settings()
    assert s.public_base_url == "http://127.0.0.1:8000" and s.public_base_url_derived
    moved = s.bound_to(port=8001)
    assert (moved.port, moved.public_base_url) == (8001, "http://127.0.0.1:8001")
    assert moved.issuer_id == "http://127.0.0.1:8001"
    assert moved.resolved_log_origin() == "127.0.0.1:8001/log"
    assert s.port == 8000  # a copy: the settings read stay as they were


def test_i19_the_environment_port_counts_as_the_bind_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAIP_PORT", "8123")
    assert Settings().public_base_url == "http://127.0.0.1:8123"
    monkeypatch.setenv("DATAIP_PUBLIC_BASE_URL", "")
    assert Settings().public_base_url == "http://127.0.0.1:8123"  # empty is unset


def test_i19_a_set_public_url_is_kept_whatever_the_bind_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAIP_PUBLIC_BASE_URL", "https://ipr.gz.example")
    s = Settings().bound_to("0.0.0.0", 9000)
    assert (s.host, s.port) == ("0.0.0.0", 9000)
    assert s.public_base_url == "https://ipr.gz.example" and not s.public_base_url_derived
    assert s.resolved_log_origin() == "ipr.gz.example/log"


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8001, "http://127.0.0.1:8001"),
        ("0.0.0.0", 8001, "http://127.0.0.1:8001"),  # every interface: this machine's
        ("::", 8001, "http://[::1]:8001"),
        ("::1", 8001, "http://[::1]:8001"),
        ("registry.local", 80, "http://registry.local"),
    ],
)
def test_i19_bind_url(host: str, port: int, url: str) -> None:
    assert bind_url(host, port) == url


def test_i19_a_port_outside_1_65535_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAIP_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()
