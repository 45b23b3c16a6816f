"""R24: certificates as VC 2.0 vc+jwt — signed, verified offline, refused when altered."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dataip.certs import vc
from dataip.certs.keys import IssuerKey, jwks, keys_from_jwks, thumbprint
from dataip.domain.errors import DomainError

ISSUER = "https://ipr.guizhou.example"


def _vc(**over: object) -> dict[str, object]:
    kw: dict[str, object] = dict(
        issuer_id=ISSUER,
        issuer_name="贵州省知识产权公共服务中心",
        registry_code="5200",
        record_url=f"{ISSUER}/api/v1/registrations/202622000000001X",
        registration_number="202622000000001X",
        certificate_number="20261052000000001",
        certificate_version=1,
        name="城市交通拥堵预测数据集",
        industry={"code": "5411", "name": "城市公共交通运输"},
        holders=[
            {
                "name": "贵州黔通智联科技股份有限公司",
                "creditCode": "91520115MA6J0EXA8X",
                "shareBasisPoints": 10_000,
            }
        ],
        evidence={"hash": "ab" * 32},
        registration_date=date(2026, 10, 13),
        valid_from=date(2026, 10, 13),
        valid_until=date(2028, 10, 12),
        issued_at=datetime(2026, 10, 13, 1, 0, tzinfo=UTC),
    )
    kw.update(over)
    return vc.credential(**kw)  # type: ignore[arg-type]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return IssuerKey.generate()


def _verify(token: str, key: IssuerKey, issuer: str = ISSUER) -> vc.Verified:
    return vc.verify(token, {key.kid: key}, issuers={key.kid: issuer})


def test_r24_thumbprint_is_rfc_8037_appendix_a_3() -> None:
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    public = Ed25519PublicKey.from_public_bytes(_unb64(x))
    assert thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_r24_certificate_is_a_vc2_jwt_with_typ_kid_and_iss_equal_to_issuer(key: IssuerKey) -> None:
    token = vc.sign(_vc(), key)
    header = json.loads(_unb64(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": key.kid}
    claims = json.loads(_unb64(token.split(".")[1]))
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "vc" not in claims and claims["iss"] == claims["issuer"]["id"] == ISSUER
    assert claims["validFrom"] == "2026-10-13T00:00:00+08:00"
    assert claims["validUntil"] == "2028-10-12T23:59:59+08:00"
    got = _verify(token, key)
    assert got.kid == key.kid and got.issuer == ISSUER
    assert got.credential["credentialSubject"]["name"] == "城市交通拥堵预测数据集"


@pytest.mark.parametrize("part", [0, 1, 2])
def test_r24_any_changed_byte_fails_verification(key: IssuerKey, part: int) -> None:
    token = vc.sign(_vc(), key)
    parts = token.split(".")
    raw = bytearray(_unb64(parts[part]))
    for i in range(0, len(raw), max(1, len(raw) // 7)):  # several positions per part
        changed = bytearray(raw)
        changed[i] ^= 0x01
        forged = ".".join(_b64(bytes(changed)) if j == part else p for j, p in enumerate(parts))
        with pytest.raises(DomainError) as e:
            _verify(forged, key)
        assert e.value.code in {
            "bad_signature",
            "malformed_token",
            "wrong_token_type",
            "unknown_issuer_key",
            "unsupported_algorithm",
        }


def test_r24_a_key_of_another_issuer_or_an_unknown_key_is_refused(key: IssuerKey) -> None:
    other = IssuerKey.generate()
    token = vc.sign(_vc(), other)
    with pytest.raises(DomainError) as e:
        _verify(token, key)
    assert e.value.code == "unknown_issuer_key"
    # a trusted key signing for an issuer it is not trusted for
    with pytest.raises(DomainError) as e:
        vc.verify(token, {other.kid: other}, issuers={other.kid: "https://other.example"})
    assert e.value.code == "issuer_mismatch"
    # iss and issuer disagree
    bad = vc.sign(_vc(extra={"iss": "https://elsewhere.example"}), key)
    with pytest.raises(DomainError) as e:
        _verify(bad, key)
    assert e.value.code == "issuer_mismatch"


def test_r24_unsigned_and_wrong_type_tokens_are_refused(key: IssuerKey) -> None:
    claims = _b64(json.dumps(_vc()).encode())
    none = (
        f"{_b64(json.dumps({'alg': 'none', 'typ': 'vc+jwt', 'kid': key.kid}).encode())}.{claims}."
    )
    with pytest.raises(DomainError) as e:
        _verify(none, key)
    assert e.value.code == "malformed_token"
    token = vc.sign(_vc(), key)
    header = _b64(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": key.kid}).encode())
    with pytest.raises(DomainError) as e:
        _verify(".".join([header, *token.split(".")[1:]]), key)
    assert e.value.code == "wrong_token_type"
    for junk in ("", "a.b", "a.b.c.d", "不是令牌", "..."):
        with pytest.raises(DomainError) as e:
            _verify(junk, key)
        assert e.value.code == "malformed_token"


def test_r24_jwks_round_trip_and_a_kid_that_is_not_the_thumbprint_is_refused(
    key: IssuerKey,
) -> None:
    doc = jwks([key])
    assert keys_from_jwks(json.dumps(doc))[key.kid].public_jwk() == key.public_jwk()
    assert "d" not in doc["keys"][0]  # never the private part
    doc["keys"][0]["kid"] = "someone-else"
    with pytest.raises(DomainError) as e:
        keys_from_jwks(doc)
    assert e.value.code == "invalid_jwks"


def test_r24_pem_round_trip_keeps_the_kid(key: IssuerKey) -> None:
    again = IssuerKey.from_pem(key.private_pem())
    assert again.kid == key.kid
    assert _verify(vc.sign(_vc(), again), key).kid == key.kid


def test_validity_window_reads_from_the_credential(key: IssuerKey) -> None:
    c = _vc()
    assert vc.validity_now(c, datetime(2026, 10, 12, 15, 59, tzinfo=UTC)) == "not_yet_valid"
    assert vc.validity_now(c, datetime(2026, 10, 12, 16, 0, tzinfo=UTC)) == "within_validity"
    assert vc.validity_now(c, datetime(2028, 10, 12, 16, 0, tzinfo=UTC)) == "expired"
