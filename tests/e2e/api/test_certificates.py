"""R13/R24 certificates over HTTP: a VC-JWT per certificate version, verified by npm jose
(outside the project), its status following the registration."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rfc8785

from dataip.bootstrap import Registry
from dataip.certs import sm2, tlog, vc
from dataip.ledger.note import Verifier
from dataip.ledger.proof import verify_proof
from dataip.services import certificates, ledger
from tests.support.api import Api, problem
from tests.support.verifiers import openssl_sm2_verify

JS = Path(__file__).resolve().parents[2] / "js"
node = shutil.which("node")
needs_jose = pytest.mark.needs("jose")


def _jose(tmp_path: Path, jwks: dict[str, object], token: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "jwks.json").write_text(json.dumps(jwks), "utf-8")
    (tmp_path / "token").write_text(token, "ascii")
    return subprocess.run(
        [
            node or "node",
            str(JS / "verify-vc-jwt.mjs"),
            str(tmp_path / "jwks.json"),
            str(tmp_path / "token"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
    )


def _flip(token: str, part: int, at: int) -> str:
    parts = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[part] + "=" * (-len(parts[part]) % 4)))
    raw[at % len(raw)] ^= 0x01
    parts[part] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return ".".join(parts)


@needs_jose
def test_r24_certificate_verifies_with_npm_jose_and_any_changed_byte_fails(
    api: Api, tmp_path: Path
) -> None:
    w = api.world()
    number = w.registered()
    r = api.c.get(f"/api/v1/registrations/{number}/certificate")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vc+jwt"
    token = r.text
    jwks = api.c.get("/.well-known/jwks.json").json()
    ok = _jose(tmp_path, jwks, token)
    assert ok.returncode == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["header"]["typ"] == "vc+jwt" and out["header"]["kid"] == jwks["keys"][0]["kid"]
    subject = out["payload"]["credentialSubject"]
    assert subject["registrationNumber"] == number
    assert subject["name"] == "城市交通拥堵预测数据集"
    assert subject["holders"][0]["shareBasisPoints"] == 10_000
    for part in (0, 1, 2):
        for at in (0, 7, 40):
            bad = _jose(tmp_path, jwks, _flip(token, part, at))
            assert bad.returncode == 1, (part, at, bad.stdout)


def test_r24_verify_endpoint_reads_authentic_offline_and_the_status_online(api: Api) -> None:
    w = api.world()
    number = w.registered()
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    offline = api.c.post("/api/v1/certificates/verify", json={"token": token, "online": False})
    assert offline.status_code == 200, offline.text
    body = offline.json()
    assert body["authentic"] is True and body["status"] is None
    assert body["summary_en"] == "authentic; status not checked"  # never "valid" offline
    online = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
    assert online["status"]["status"] == "valid"
    assert online["summary_en"] == "authentic; current status: valid"
    forged = api.c.post("/api/v1/certificates/verify", json={"token": _flip(token, 1, 30)})
    assert forged.status_code == 200 and forged.json()["authentic"] is False
    assert forged.json()["code"] == "bad_signature"
    unreadable = api.c.post("/api/v1/certificates/verify", json={"token": "x"})
    assert unreadable.status_code == 200
    assert unreadable.json()["authentic"] is False
    assert unreadable.json()["code"] == "malformed_token"


def test_r19_a_change_issues_version_2_and_supersedes_version_1(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    w.changed(number)
    v2 = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    v1 = api.c.get(f"/api/v1/registrations/{number}/certificate", params={"version": 1}).text
    assert v1 != v2
    claims = json.loads(base64.urlsafe_b64decode(v2.split(".")[1] + "=="))
    assert claims["credentialSubject"]["certificateVersion"] == 2
    cert_no = claims["credentialSubject"]["certificateNumber"]
    s1 = api.c.get(f"/api/v1/certificates/{cert_no}/status", params={"version": 1}).json()
    s2 = api.c.get(f"/api/v1/certificates/{cert_no}/status").json()
    assert (s1["status"], s2["status"]) == ("superseded", "valid")
    # every issuance is in the log
    ledger.integrate(registry.env, registry.log_keys)
    issued = [
        json.loads(leaf)
        for _, _, leaf in ledger.iter_leaves(registry.env)
        if json.loads(leaf)["type"] == "CertificateIssued"
    ]
    assert [leaf["public"]["certificate_version"] for leaf in issued] == [1, 2]
    problem(
        api.c.get(f"/api/v1/registrations/{number}/certificate", params={"version": 3}),
        404,
        "certificate_not_found",
    )


def test_r18_revocation_flips_the_status_and_online_verification(api: Api) -> None:
    w = api.world()
    number = w.registered()
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    api.at("2026-11-02 10:00")
    api.reg_ok(w.examiner, number, "revoke", grounds=[1], reason="登记后发现存在不予登记情形")
    got = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
    assert got["authentic"] is True and got["status"]["status"] == "revoked"
    assert got["summary_en"] == "authentic; current status: revoked"
    assert api.c.get(f"/api/v1/certificates/{number}/status").json()["status"] == "revoked"


@pytest.mark.needs("openssl")
def test_r24_the_sm2_cosigned_certificate_verifies_with_openssl_from_the_jwks(
    api: Api, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    number = w.registered()
    r = api.c.get(
        f"/api/v1/registrations/{number}/certificate",
        headers={"Accept": "application/jose+json"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/jose+json"
    doc = r.json()
    compact = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    ed = doc["signatures"][0]
    assert f"{ed['protected']}.{doc['payload']}.{ed['signature']}" == compact
    gm = doc["signatures"][1]
    header = json.loads(vc.unb64(gm["protected"]))
    jwk = next(
        k for k in api.c.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == header["kid"]
    )
    key = sm2.key_from_jwk(jwk)
    assert key is not None
    ok = openssl_sm2_verify(
        key.public_pem(),
        f"{gm['protected']}.{doc['payload']}".encode(),
        vc.unb64(gm["signature"]),
        tmp_path,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    got = api.c.post("/api/v1/certificates/verify", json={"token": r.text}).json()
    assert got["authentic"] is True and got["sm2_kid"] == header["kid"]
    assert got["status"]["status"] == "valid"
    # a profile that does not co-sign: the JSON form is not there
    monkeypatch.setattr(
        registry.env, "profile", dataclasses.replace(registry.env.profile, sm2_cosign=False)
    )
    api.at("2026-10-20 10:00")
    w.changed(number)
    problem(
        api.c.get(
            f"/api/v1/registrations/{number}/certificate",
            headers={"Accept": "application/jose+json"},
        ),
        406,
        "not_cosigned",
    )


def _claims(token: str) -> dict[str, object]:
    return json.loads(vc.unb64(token.split(".")[1]))


def test_r24_bitstring_status_list_flips_on_change_and_revocation(
    api: Api, registry: Registry
) -> None:
    from dataip.certs import status_list
    from dataip.certs.keys import keys_from_jwks

    w = api.world()
    number = w.registered()
    v1 = _claims(api.c.get(f"/api/v1/registrations/{number}/certificate").text)
    entry = v1["credentialStatus"][0]  # type: ignore[index]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "message"
    keys = keys_from_jwks(api.c.get("/.well-known/jwks.json").json())
    issuer = registry.env.certificate_keys.issuer_id

    def status_in_list(e: dict[str, str]) -> str:
        path = e["statusListCredential"].removeprefix(issuer)
        r = api.c.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "application/vc+jwt"
        got = vc.verify(r.text, keys, issuers=dict.fromkeys(keys, issuer))
        assert "BitstringStatusListCredential" in got.credential["type"]
        bits = status_list.decode(got.credential["credentialSubject"]["encodedList"])
        return status_list.status_at(bits, int(e["statusListIndex"]))

    assert status_in_list(entry) == "valid"
    api.at("2026-10-20 10:00")
    w.changed(number)
    v2 = _claims(api.c.get(f"/api/v1/registrations/{number}/certificate").text)
    entry2 = v2["credentialStatus"][0]  # type: ignore[index]
    assert entry2["statusListIndex"] != entry["statusListIndex"]
    assert (status_in_list(entry), status_in_list(entry2)) == ("superseded", "valid")
    api.at("2026-11-02 10:00")
    api.reg_ok(w.examiner, number, "revoke", grounds=[2], reason="严重阻碍数据流通")
    assert (status_in_list(entry), status_in_list(entry2)) == ("revoked", "revoked")
    problem(api.c.get("/api/v1/certificates/status-lists/99"), 404, "status_list_not_found")
    # a registration the registry cancels (R21): its certificate reads cancelled in the list
    other = w.registered(
        name="城市停车泊位预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-002",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    entry3 = _claims(api.c.get(f"/api/v1/registrations/{other}/certificate").text)[
        "credentialStatus"
    ][0]  # type: ignore[index]
    api.at("2026-11-03 10:00")
    api.reg_ok(w.examiner, other, "cancel", ground="evident_defect", reason="存证信息与数据不符")
    assert status_in_list(entry3) == "cancelled"
    assert status_in_list(entry) == "revoked"  # the others keep theirs


@pytest.mark.needs("poppler")
def test_r13_pdf_certificate_text_qr_and_attachment_carry_a_token_that_verifies(
    api: Api, registry: Registry, tmp_path: Path
) -> None:
    import zxingcpp
    from PIL import Image

    w = api.world()
    number = w.registered()
    first = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    ledger.integrate(registry.env, registry.log_keys)
    assert certificates.attach_proofs(registry.env) >= 1
    proved = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    r = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "城市交通拥堵预测数据集" in text and "数据知识产权登记证书" in text
    assert number in text
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    codes = zxingcpp.read_barcodes(Image.open(page))
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    # the QR code links to /verify with the compact QR credential (decision 0006), which
    # names this certificate; it carries no log proof (the attachment does)
    link = codes[0].text
    assert link.startswith(f"{registry.env.certificate_keys.issuer_id}/verify?c=")
    got = api.c.post("/api/v1/certificates/verify", json={"token": link}).json()
    assert got["authentic"] is True and got["status"]["status"] == "valid"
    assert got["format"] == "qr" and got["log"]["status"] == "not_carried"
    assert got["certificate"]["registration_number"] == number
    assert got["certificate"]["name"] == "城市交通拥堵预测数据集"
    assert (
        json.loads(vc.unb64(first.split(".")[1]))["credentialSubject"]["name"]
        == (got["certificate"]["name"])
    )
    assert "透明日志（公开日志）第" in text.replace("\n", "")
    # the token attached inside the PDF carries the log proof as well
    subprocess.run(
        ["pdfdetach", "-save", "1", "-o", str(tmp_path / "att.jwt"), str(pdf)], check=True
    )
    assert (tmp_path / "att.jwt").read_text("ascii") == proved
    got = api.c.post("/api/v1/certificates/verify", json={"token": proved}).json()
    assert got["authentic"] is True and got["log"]["status"] == "included"


def test_r24_certificate_carries_the_tlog_proof_of_its_issuance_leaf(
    api: Api, registry: Registry, tmp_path: Path
) -> None:
    """Issued in the approval's transaction without it; once the log integrates the issuance
    leaf the registry signs the same credential again with the leaf's tlog-proof added. The
    proof checks with the log's key alone, and its leaf commits to exactly this content."""
    w = api.world()
    number = w.registered()
    url = f"/api/v1/registrations/{number}/certificate"
    first = api.c.get(url).text
    assert tlog.CLAIM not in _claims(first)
    before = api.c.post("/api/v1/certificates/verify", json={"token": first}).json()
    assert before["authentic"] is True and before["log"]["status"] == "absent"

    ledger.integrate(registry.env, registry.log_keys)
    assert certificates.attach_proofs(registry.env) >= 1
    assert certificates.attach_proofs(registry.env) == 0  # idempotent
    proved = api.c.get(url).text
    claims = _claims(proved)
    assert tlog.without_proof(claims) == _claims(first)  # the same credential, plus the proof
    carried = claims[tlog.CLAIM]
    assert isinstance(carried, dict)

    # checked here from the spec's parts: the log key as /log/key serves it, the C2SP proof
    log_key = Verifier.from_text(api.c.get("/log/key").text.strip())
    receipt = str(carried["proof"])
    leaf = base64.b64decode(receipt.split("\n")[1].removeprefix("extra "))
    checkpoint = verify_proof(receipt, [log_key], leaf_data=leaf, origin=str(carried["origin"]))
    assert checkpoint.size > int(carried["index"])  # type: ignore[call-overload]
    public = json.loads(leaf)["public"]
    subject = _claims(first)["credentialSubject"]
    assert isinstance(subject, dict)
    assert public["certificate_number"] == subject["certificateNumber"]
    assert public["credential_sha256"] == hashlib.sha256(rfc8785.dumps(_claims(first))).hexdigest()

    # the JWKS names the log key; the verifiers check the proof with it
    jwks = api.c.get("/.well-known/jwks.json").json()
    assert jwks["dataip_log"]["vkey"] == log_key.to_text()
    got = api.c.post("/api/v1/certificates/verify", json={"token": proved}).json()
    assert got["authentic"] is True and got["log"]["status"] == "included"
    assert got["log"]["index"] == carried["index"] and got["status"]["status"] == "valid"
    # the token first issued keeps verifying, with its status found by its numbers
    again = api.c.post("/api/v1/certificates/verify", json={"token": first}).json()
    assert again["status"]["status"] == "valid"
    # the SM2 co-signed form carries the same proof
    cosigned = api.c.get(url, headers={"Accept": "application/jose+json"}).json()
    assert json.loads(vc.unb64(cosigned["payload"])) == claims
    both = api.c.post("/api/v1/certificates/verify", json={"token": json.dumps(cosigned)}).json()
    assert both["authentic"] is True and both["log"]["status"] == "included"


def test_i25_a_round_gives_a_batch_of_certificates_their_proofs_and_leaves_uncovered_ones(
    api: Api, registry: Registry
) -> None:
    """Issue 25: the integrator's round signs a batch of certificates again at once (one read
    of their leaves, one of their proofs, one transaction); each receipt is the one `receipt`
    gives for its leaf alone, and a certificate whose leaf no checkpoint covers yet waits."""
    w = api.world()

    def registered(k: int) -> str:
        return w.registered(
            name=(
                "城市交通拥堵预测数据集",
                "城市停车泊位预测数据集",
                "城市公交客流预测数据集",
                "城市共享单车调度数据集",
            )[k],
            evidence={
                "platform": "贵州数据知识产权存证平台",
                "certificate_number": f"GZ-10{k}",
                "hash_value": f"{k:02d}" * 32,
                "evidenced_on": "2026-09-01",
            },
        )

    numbers = [registered(k) for k in range(3)]
    ledger.integrate(registry.env, registry.log_keys)
    late = registered(3)  # issued after the checkpoint: its leaf is not covered
    assert certificates.attach_proofs(registry.env, limit=10) == 3
    carried = {}
    for number in numbers:
        token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
        got = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
        assert got["authentic"] is True and got["log"]["status"] == "included"
        carried[int(_claims(token)[tlog.CLAIM]["index"])] = _claims(token)[tlog.CLAIM]["proof"]
    assert ledger.receipts(registry.env, carried) == {
        i: ledger.receipt(registry.env, i) for i in carried
    }
    assert ledger.receipts(registry.env, carried) == carried
    late_token = api.c.get(f"/api/v1/registrations/{late}/certificate").text
    assert tlog.CLAIM not in _claims(late_token)
    ledger.integrate(registry.env, registry.log_keys)
    assert certificates.attach_proofs(registry.env, limit=10) == 1
    assert certificates.attach_proofs(registry.env, limit=10) == 0
