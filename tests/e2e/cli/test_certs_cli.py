"""`dataip verify` and `dataip keys` (R24, R25): a bank checks a certificate offline against
trusted issuers, or online against the issuing registry; keys rotate and old ones keep
verifying; another registry's certificate is refused until its keys are trusted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.certs import qr, vc
from dataip.certs.keys import IssuerKey, jwks
from dataip.cli.main import app
from dataip.services import certificates, ledger
from tests.support.api import Api

runner = CliRunner()


def _issuers(path: Path, *entries: tuple[str, dict[str, object]]) -> Path:
    doc = {"issuers": [{"id": i, "name": i, "jwks": k} for i, k in entries]}
    path.write_text(json.dumps(doc), "utf-8")
    return path


def test_r24_verify_offline_says_authentic_status_not_checked_and_online_the_status(
    api: Api, registry: Registry, live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)  # as deployed there
    w = api.world()
    number = w.registered()
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    (tmp_path / "cert.jwt").write_text(token, "ascii")
    own = _issuers(tmp_path / "trusted.json", (base, api.c.get("/.well-known/jwks.json").json()))

    r = runner.invoke(app, ["verify", str(tmp_path / "cert.jwt"), "--issuers", str(own), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["summary"] == "authentic; status not checked" and got["status"] is None

    r = runner.invoke(app, ["verify", token, "--online", base, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["summary"] == "authentic; current status: valid"

    # once its issuance leaf is in the log, the certificate carries the proof, checked
    # offline with the log key the issuer's JWKS names
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    proved = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    r = runner.invoke(app, ["verify", proved, "--issuers", str(own), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["log"]["status"] == "included" and got["status"] is None
    assert got["summary"].startswith("authentic; status not checked; issuance logged at index")

    api.at("2026-11-02 10:00")
    api.reg_ok(w.applicant, number, "abandon", reason="业务调整不再使用")
    r = runner.invoke(app, ["verify", token, "--online", base, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "abandoned"
    # offline, from a cached status list (what a bank keeps for a day)
    claims = json.loads(vc.unb64(token.split(".")[1]))
    list_url = claims["credentialStatus"][0]["statusListCredential"]
    (tmp_path / "list.jwt").write_text(api.c.get(list_url.removeprefix(base)).text, "ascii")
    r = runner.invoke(
        app,
        [
            "verify",
            token,
            "--issuers",
            str(own),
            "--status-list",
            str(tmp_path / "list.jwt"),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["status"] == "abandoned" and got["summary"].startswith("authentic; status abandoned")
    # a list from another issuer is not accepted as this certificate's status
    stranger = IssuerKey.generate()
    (tmp_path / "fake.jwt").write_text(
        vc.sign(
            {
                "@context": [vc.VC_V2],
                "type": ["VerifiableCredential"],
                "issuer": base,
                "iss": base,
                "id": list_url,
            },
            stranger,
        ),
        "ascii",
    )
    r = runner.invoke(
        app, ["verify", token, "--issuers", str(own), "--status-list", str(tmp_path / "fake.jwt")]
    )
    assert r.exit_code == 1 and "not authentic" in r.output

    # one changed byte: not authentic, exit 1
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    r = runner.invoke(app, ["verify", forged, "--issuers", str(own)])
    assert r.exit_code == 1 and "bad_signature" in r.output
    r = runner.invoke(app, ["verify", "not-a-token", "--issuers", str(own)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["verify", token, "--online", "http://127.0.0.1:9"])
    assert r.exit_code == 3


def test_r25_another_registrys_certificate_is_refused_until_its_keys_are_trusted(
    api: Api, registry: Registry, tmp_path: Path
) -> None:
    # A second registry (another profile, another key) issues a certificate.
    other_key = IssuerKey.generate()
    other_id = "https://ipr.zhejiang.example"
    theirs = vc.sign(
        {
            **vc.credential(
                issuer_id=other_id,
                issuer_name="浙江省知识产权保护中心",
                registry_code="3300",
                record_url=f"{other_id}/api/v1/registrations/2026120000000017",
                registration_number="2026120000000017",
                certificate_number="20261233000000001",
                certificate_version=1,
                name="长三角物流时效数据集",
                industry=None,
                holders=[{"name": "浙江某物流科技有限公司"}],
                evidence={},
                registration_date=date(2026, 12, 1),
                valid_from=date(2026, 12, 1),
                valid_until=date(2029, 11, 30),
                issued_at=registry.env.now(),
            )
        },
        other_key,
    )
    refused = api.c.post("/api/v1/certificates/verify", json={"token": theirs}).json()
    # the registry recognises other registries through its trust list only (issue 21 §2)
    assert refused == {**refused, "authentic": False, "code": "issuer_not_listed"}
    own = (registry.env.certificate_keys.issuer_id, api.c.get("/.well-known/jwks.json").json())
    mine = _issuers(tmp_path / "mine.json", own)
    r = runner.invoke(app, ["verify", theirs, "--issuers", str(mine)])
    assert r.exit_code == 1 and "unknown_issuer_key" in r.output
    both = _issuers(tmp_path / "both.json", own, (other_id, jwks([other_key])))
    r = runner.invoke(app, ["verify", theirs, "--issuers", str(both), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["issuer"] == other_id
    # trusted for its own issuer id only: the same key cannot speak for this registry
    swapped = _issuers(tmp_path / "swapped.json", (own[0], jwks([other_key])))
    r = runner.invoke(app, ["verify", theirs, "--issuers", str(swapped)])
    assert r.exit_code == 1 and "issuer_mismatch" in r.output


def test_r24_keys_rotate_and_old_keys_keep_verifying(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(tmp_path))
    r = runner.invoke(app, ["keys", "init"])
    assert r.exit_code == 0, r.output
    first = r.output.split()[2]
    key_dir = tmp_path / "certificate-keys"
    pem = key_dir / f"{first}.pem"
    assert pem.stat().st_mode & 0o777 == 0o600
    old_token = vc.sign(
        {"@context": [vc.VC_V2], "type": ["VerifiableCredential"], "issuer": "x", "iss": "x"},
        IssuerKey.from_pem(pem.read_bytes()),
    )
    r = runner.invoke(app, ["keys", "rotate"])
    assert r.exit_code == 0, r.output
    second = r.output.split()[-1]
    assert second != first
    listing = runner.invoke(app, ["keys", "list"]).output
    assert f"{second}  (active)" in listing and first in listing
    from dataip.bootstrap import load_certificate_keys
    from dataip.config import Settings, load_profile

    keys = load_certificate_keys(Settings(), load_profile("guizhou-2024"))
    assert keys.active.kid == second and set(keys.own) == {first, second}
    published = {k["kid"] for k in keys.jwks()["keys"] if k["kty"] == "OKP"}
    assert published == {first, second}
    assert vc.verify(old_token, keys.own, issuers={first: "x"}).kid == first


def test_i18_verify_reads_the_certificate_pdf_it_was_given(
    api: Api, registry: Registry, live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dataip verify CERT.pdf` refused the certificate PDF ("'ascii' codec can't decode byte
    0xf0", exit 2): it now verifies the vc+jwt attached to it."""
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)
    number = api.world().registered()
    pdf = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    (tmp_path / "cert.pdf").write_bytes(pdf.content)
    r = runner.invoke(app, ["verify", str(tmp_path / "cert.pdf"), "--online", base, "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["format"] == "vc+jwt" and got["summary"] == "authentic; current status: valid"
    assert got["status_checked_at"]
    # a PDF that is not a certificate, and a file that is not text: refused as bad input
    (tmp_path / "other.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    r = runner.invoke(app, ["verify", str(tmp_path / "other.pdf"), "--online", base])
    assert r.exit_code == 2 and "carries no certificate credential" in r.output
    (tmp_path / "blob").write_bytes(b"\xf0\x9f\x98")
    r = runner.invoke(app, ["verify", str(tmp_path / "blob"), "--online", base])
    assert r.exit_code == 2 and "cannot read" in r.output


def test_r24_verify_reads_the_qr_credential_offline_online_and_from_a_cached_list(
    api: Api, registry: Registry, live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_url.removesuffix("/log")
    monkeypatch.setattr(registry.env.certificate_keys, "issuer_id", base)
    w = api.world()
    number = w.registered()
    link = certificates.qr_credential(
        registry.env, certificates.current(env=registry.env, number=number)
    )
    assert link.startswith(f"{base}/verify?c=")
    (tmp_path / "qr.txt").write_text(link + "\n", "utf-8")
    own = _issuers(tmp_path / "trusted.json", (base, api.c.get("/.well-known/jwks.json").json()))

    r = runner.invoke(app, ["verify", str(tmp_path / "qr.txt"), "--issuers", str(own), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["format"] == "qr" and got["summary"] == "authentic; status not checked"
    assert got["certificate"]["registration_number"] == number and got["status"] is None
    assert got["log"]["status"] == "not_carried"
    bare = link.split("c=", 1)[1]
    r = runner.invoke(app, ["verify", bare, "--online", base])
    assert r.exit_code == 0, r.output
    assert "authentic; current status: valid" in r.output and "100%" in r.output

    api.at("2026-11-02 10:00")
    api.reg_ok(w.applicant, number, "abandon", reason="业务调整不再使用")
    r = runner.invoke(app, ["verify", link, "--online", base, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "abandoned"
    # offline, from the cached status list, by the position the QR credential carries
    index = json.loads(r.output)["certificate"]["status_index"]
    list_path = f"/api/v1/certificates/status-lists/{index // 131_072}"
    (tmp_path / "list.jwt").write_text(api.c.get(list_path).text, "ascii")
    r = runner.invoke(
        app,
        ["verify", link, "--issuers", str(own), "--status-list", str(tmp_path / "list.jwt")],
    )
    assert r.exit_code == 0, r.output
    assert "authentic; status abandoned as of" in r.output

    # signed by a key this verifier does not trust: not authentic; not base32: bad input
    stranger = IssuerKey.generate()
    cert = qr.verify(
        qr.extract(link) or b"",
        registry.env.certificate_keys.own,
        issuers=dict.fromkeys(registry.env.certificate_keys.own, base),
    ).certificate
    forged = qr.qr_text(base, qr.sign(cert, stranger))
    r = runner.invoke(app, ["verify", forged, "--issuers", str(own)])
    assert r.exit_code == 1 and "unknown_issuer_key" in r.output
    # the other registry's QR credential verifies once its keys are trusted, for it alone
    other_id = "https://ipr.zhejiang.example"
    both = _issuers(tmp_path / "both.json", (base, {"keys": []}), (other_id, jwks([stranger])))
    r = runner.invoke(app, ["verify", forged, "--issuers", str(both), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["issuer"] == other_id
    r = runner.invoke(app, ["verify", f"{base}/verify?c=NOT*BASE32", "--issuers", str(own)])
    assert r.exit_code == 2 and "malformed_token" in r.output
