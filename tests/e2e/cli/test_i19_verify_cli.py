"""`dataip verify` with nothing but the certificate (R24, issue 19 §7): the registry's address
(`--issuer-url`, its published JWKS) or, on the registry's own server, its keys in the data
directory — for each form a certificate travels in: the PDF, the vc+jwt, the QR code's link
and the QR code's `c` value alone. Run through the real CLI against a registry on a socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.services import certificates
from tests.support.api import Api

runner = CliRunner()


def _forms(api: Api, registry: Registry, tmp_path: Path) -> dict[str, str]:
    """One registered certificate in every form a holder hands over: as a PDF file, the
    vc+jwt text, a file holding it, the QR link and the QR's `c` value."""
    number = api.world().registered()
    pdf = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    (tmp_path / "证书.pdf").write_bytes(pdf.content)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    (tmp_path / "cert.jwt").write_text("\ufeff" + token + "\r\n", "utf-8")  # BOM, CRLF
    link = certificates.qr_credential(
        registry.env, certificates.current(env=registry.env, number=number)
    )
    return {
        "pdf": str(tmp_path / "证书.pdf"),
        "vc+jwt": token,
        "jwt file": str(tmp_path / "cert.jwt"),
        "qr link": link,
        "qr c value": link.split("?c=", 1)[1],
        "number": number,
    }


def test_r24_verify_with_issuer_url_checks_pdf_token_and_qr_against_the_published_jwks(
    api: Api, registry: Registry, live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)  # as deployed there
    forms = _forms(api, registry, tmp_path)
    number = forms.pop("number")
    assert forms["qr link"].startswith(f"{base}/verify?c=")
    for form, given in forms.items():
        r = runner.invoke(app, ["verify", given, "--issuer-url", base, "--json"])
        assert r.exit_code == 0, (form, r.output)
        got = json.loads(r.output)
        assert got["authentic"] is True and got["issuer"] == base, form
        assert got["summary"] == "authentic; status not checked", form  # keys only, no status
        assert got["format"] == ("qr" if form.startswith("qr") else "vc+jwt"), form
        if got["format"] == "qr":
            assert got["certificate"]["registration_number"] == number
    # --online as well: the current status, read from the same registry
    r = runner.invoke(
        app, ["verify", forms["pdf"], "--issuer-url", base + "/", "--online", base, "--json"]
    )
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "valid", r.output
    # the keys of another address do not speak for this issuer
    r = runner.invoke(app, ["verify", forms["vc+jwt"], "--issuer-url", base + "/other"])
    assert r.exit_code == 3  # nothing published there
    r = runner.invoke(app, ["verify", forms["vc+jwt"], "--issuer-url", "http://127.0.0.1:9"])
    assert r.exit_code == 3 and "cannot reach" in r.output


def test_r24_verify_alone_on_the_registrys_server_uses_its_own_keys(
    api: Api, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_DATABASE_URL", registry.settings.resolved_database_url())
    for name in ("DATAIP_PUBLIC_BASE_URL", "DATAIP_HOST", "DATAIP_PORT", "DATAIP_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    issuer = registry.env.certificate_keys.issuer_id
    forms = _forms(api, registry, tmp_path)
    forms.pop("number")
    for form, given in forms.items():
        r = runner.invoke(app, ["verify", given])
        assert r.exit_code == 0, (form, r.output)
        assert "verifying with this registry's own keys" in r.output, form
        assert "authentic; status not checked — " in r.output and issuer in r.output, form
    # altered: not authentic, with the same keys
    token = forms["vc+jwt"]
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    r = runner.invoke(app, ["verify", forged])
    assert r.exit_code == 1 and "bad_signature" in r.output


def test_r24_verify_alone_elsewhere_offers_the_issuer_url_and_makes_no_keys(
    api: Api, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "bank-laptop"
    monkeypatch.setenv("DATAIP_DATA_DIR", str(elsewhere))
    forms = _forms(api, registry, tmp_path)
    issuer = registry.env.certificate_keys.issuer_id
    for form in ("pdf", "vc+jwt", "qr link"):
        r = runner.invoke(app, ["verify", forms[form]])
        assert r.exit_code == 2, (form, r.output)
        assert "no keys to verify with" in r.output
        assert f"--issuer-url {issuer}" in " ".join(r.output.split()), (form, r.output)
    # the bare `c` value names no registry: the message still says how
    r = runner.invoke(app, ["verify", forms["qr c value"]])
    assert r.exit_code == 2 and "--issuer-url URL" in " ".join(r.output.split())
    assert not elsewhere.exists()  # verifying never made keys of its own
