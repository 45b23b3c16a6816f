"""R13/R24 certificates over HTTP: a VC-JWT per certificate version, verified by npm jose
(outside the project), its status following the registration."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, problem

JS = Path(__file__).resolve().parents[2] / "js"
node = shutil.which("node")
needs_jose = pytest.mark.skipif(
    node is None or not (JS / "node_modules" / "jose").is_dir(),
    reason="npm jose is installed by `bin/setup dev` (npm ci --prefix tests/js)",
)


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
    problem(api.c.post("/api/v1/certificates/verify", json={"token": "x"}), 422, "malformed_token")


def test_r19_a_change_issues_version_2_and_supersedes_version_1(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    d = api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"update": {"frequency": "weekly"}},
        reason="更新频率调整",
    )
    api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=d["requests"][-1]["id"],
        outcome="approve",
        reason="符合变更条件",
    )
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
