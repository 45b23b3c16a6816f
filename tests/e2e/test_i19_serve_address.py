"""`dataip serve --port P` without DATAIP_PUBLIC_BASE_URL (issue 19 §7): the registry is named
by the address it listens on — in its certificates (the vc+jwt's issuer and status URLs, the
QR code's link), its status lists and its log's origin — never by the default port 8000; and
it says "ready at URL" once, when it accepts connections. A real `dataip serve` process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from dataip.certs import vc
from tests.support.certificates import scan
from tests.support.server import DATAIP, deployment

UNSET = ("DATAIP_PUBLIC_BASE_URL", "DATAIP_PORT", "DATAIP_HOST", "DATAIP_LOG_ORIGIN")


def _claims(token: str) -> dict[str, object]:
    claims: dict[str, object] = json.loads(vc.unb64(token.split(".")[1]))
    return claims


@pytest.mark.needs("poppler")  # the QR code is read off the rendered PDF page
def test_i19_serve_on_another_port_names_that_port_everywhere(tmp_path: Path) -> None:
    with deployment(tmp_path) as server:
        for name in UNSET:
            server.env.pop(name, None)
        base, port = server.base_url, server.port
        assert port != 8000
        # bin/start's order: `dataip demo` (which issues certificates) sees the port it was
        # given as DATAIP_PORT, then `dataip serve --port P` — nothing else names it
        demo = subprocess.run(
            [str(DATAIP), "demo"],
            env={**server.env, "DATAIP_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert demo.returncode == 0, demo.stdout + demo.stderr
        server.start()
        ready = [ln for ln in server.log_tail(100_000).splitlines() if "ready at" in ln]
        assert ready == [f"ready at {base}"]

        checkpoint = httpx.get(f"{base}/log/checkpoint", timeout=10)
        assert checkpoint.status_code == 200
        assert checkpoint.text.splitlines()[0] == f"127.0.0.1:{port}/log"

        number = httpx.get(f"{base}/api/v1/registrations", timeout=10).json()[0][
            "registration_number"
        ]
        token = httpx.get(f"{base}/api/v1/registrations/{number}/certificate", timeout=10).text
        claims = _claims(token)
        assert claims["iss"] == base
        entries: list[dict[str, str]] = claims["credentialStatus"]  # type: ignore[assignment]
        urls = [u for e in entries for k, u in e.items() if k in ("id", "statusListCredential")]
        assert len(urls) >= 3 and all(u.startswith(f"{base}/") for u in urls), urls
        lists = [e["statusListCredential"] for e in entries if "statusListCredential" in e]
        listed = httpx.get(lists[0], timeout=10)
        assert listed.status_code == 200 and _claims(listed.text)["iss"] == base

        pdf = httpx.get(
            f"{base}/api/v1/registrations/{number}/certificate",
            headers={"Accept": "application/pdf"},
            timeout=60,
        )
        assert pdf.status_code == 200
        link = scan(pdf.content, tmp_path)
        assert link.startswith(f"{base}/verify?c=")
        page = httpx.get(link, timeout=30)  # a phone's camera lands there: the answer
        assert page.status_code == 200 and "证书真实" in page.text


def test_i19_a_set_public_base_url_wins_over_the_bind_address(tmp_path: Path) -> None:
    with deployment(tmp_path, public_base_url="https://ipr.gz.example") as server:
        server.env.pop("DATAIP_PORT", None)
        server.start()
        ready = [ln for ln in server.log_tail(100_000).splitlines() if "ready at" in ln]
        assert ready == [f"ready at https://ipr.gz.example (listening on 127.0.0.1:{server.port})"]
        first = httpx.get(f"{server.base_url}/log/checkpoint", timeout=10).text.splitlines()[0]
        assert first == "ipr.gz.example/log"


def test_i19_another_port_on_an_existing_registry_says_what_to_do(tmp_path: Path) -> None:
    """The address is the registry's identity (its log key is made for the origin): serving
    an existing data dir on another port is refused with the ways out, not a traceback."""
    with deployment(tmp_path) as server:
        for name in UNSET:
            server.env.pop(name, None)
        server.env["DATAIP_PORT"] = "8001"
        server.cli("init")
        server.env["DATAIP_PORT"] = "8002"
        r = server.cli("init", check=False)
        assert r.returncode == 2, r.stdout
        text = " ".join(r.stdout.split())
        assert "Traceback" not in text and "configuration error" in text
        assert "registry is at http://127.0.0.1:8001" in text
        assert "DATAIP_PUBLIC_BASE_URL" in text
        server.env["DATAIP_PUBLIC_BASE_URL"] = "http://127.0.0.1:8001"  # kept behind a proxy
        server.cli("init")
