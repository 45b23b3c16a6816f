"""R24 with 国密: the SM2/SM3 co-signature, checked by OpenSSL (outside the project)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataip.certs import sm2, vc
from dataip.certs.keys import IssuerKey
from dataip.domain.errors import DomainError
from tests.support.verifiers import openssl_sm2_verify

ISSUER = "https://ipr.guizhou.example"
CLAIMS = {
    "@context": [vc.VC_V2],
    "type": ["VerifiableCredential"],
    "issuer": {"id": ISSUER},
    "iss": ISSUER,
    "iat": int(datetime(2026, 12, 1, tzinfo=UTC).timestamp()),
    "credentialSubject": {"name": "城市交通拥堵预测数据集"},
}


@pytest.fixture(scope="module")
def keys() -> tuple[IssuerKey, sm2.Sm2Key]:
    return IssuerKey.generate(), sm2.Sm2Key.generate()


def _verify(doc: object, ed: IssuerKey, gm: sm2.Sm2Key) -> vc.Verified:
    return vc.verify_cosigned(
        json.dumps(doc),
        {ed.kid: ed},
        {gm.kid: gm},
        issuers={ed.kid: ISSUER, gm.kid: ISSUER},
    )


def test_r24_cosigned_certificate_carries_both_signatures(
    keys: tuple[IssuerKey, sm2.Sm2Key],
) -> None:
    ed, gm = keys
    doc = vc.cosign(vc.sign(CLAIMS, ed), gm)
    assert len(doc["signatures"]) == 2
    got = _verify(doc, ed, gm)
    assert (got.kid, got.sm2_kid) == (ed.kid, gm.kid)
    header = json.loads(vc.unb64(doc["signatures"][1]["protected"]))
    assert header == {"alg": "SM2", "typ": "vc+jwt", "kid": gm.kid}


def test_r24_a_changed_sm2_signature_or_a_missing_one_is_refused(
    keys: tuple[IssuerKey, sm2.Sm2Key],
) -> None:
    ed, gm = keys
    doc = vc.cosign(vc.sign(CLAIMS, ed), gm)
    sig = bytearray(vc.unb64(doc["signatures"][1]["signature"]))
    sig[5] ^= 1
    bad = json.loads(json.dumps(doc))
    bad["signatures"][1]["signature"] = vc._b64(bytes(sig))
    with pytest.raises(DomainError) as e:
        _verify(bad, ed, gm)
    assert e.value.code == "bad_sm2_signature"
    only_ed = {**doc, "signatures": doc["signatures"][:1]}
    with pytest.raises(DomainError) as e:
        _verify(only_ed, ed, gm)
    assert e.value.code == "cosignature_missing"
    # a changed payload breaks both
    changed = {**doc, "payload": doc["payload"][:-2] + "xx"}
    with pytest.raises(DomainError) as e:
        _verify(changed, ed, gm)
    assert e.value.code in {"bad_signature", "malformed_token"}
    # an SM2 key of another issuer does not count
    other = sm2.Sm2Key.generate()
    foreign = vc.cosign(vc.sign(CLAIMS, ed), other)
    with pytest.raises(DomainError) as e:
        _verify(foreign, ed, gm)
    assert e.value.code == "unknown_issuer_key"


def test_r24_sm2_jwk_round_trip_and_thumbprint_binding(keys: tuple[IssuerKey, sm2.Sm2Key]) -> None:
    _, gm = keys
    jwk = gm.public_jwk()
    assert jwk["kty"] == "EC" and jwk["crv"] == "SM2" and "d" not in jwk
    again = sm2.key_from_jwk(jwk)
    assert again is not None and again.public == gm.public
    with pytest.raises(ValueError):
        sm2.key_from_jwk({**jwk, "kid": "forged"})
    assert sm2.Sm2Key.from_private_hex(gm.private_hex()).kid == gm.kid


@pytest.mark.needs("openssl")
def test_r24_openssl_verifies_the_sm2_signature_with_the_standard_signer_id(
    keys: tuple[IssuerKey, sm2.Sm2Key], tmp_path: Path
) -> None:
    ed, gm = keys
    doc = vc.cosign(vc.sign(CLAIMS, ed), gm)
    entry = doc["signatures"][1]
    signature = vc.unb64(entry["signature"])

    def openssl(message: bytes) -> subprocess.CompletedProcess[str]:
        return openssl_sm2_verify(gm.public_pem(), message, signature, tmp_path)

    signing_input = f"{entry['protected']}.{doc['payload']}".encode("ascii")
    ok = openssl(signing_input)
    assert ok.returncode == 0 and "Verified Successfully" in ok.stdout, ok.stdout + ok.stderr
    for i in (0, len(signing_input) // 2, len(signing_input) - 1):
        changed = bytearray(signing_input)
        changed[i] ^= 1
        assert openssl(bytes(changed)).returncode != 0
