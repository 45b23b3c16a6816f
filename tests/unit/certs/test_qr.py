"""R24, issue 18 §3: the certificate's QR credential — a COSE_Sign1/CWT, zlib'd and base32'd
behind a /verify link — carries what a verifier at a counter needs in a code that scans from
paper, verifies offline against the JWKS keys (old ones too) and refuses anything altered."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cwt import COSE, COSEKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dataip.certs import pdf, qr, vc
from dataip.certs.keys import IssuerKey
from dataip.domain.application import NAME_MAX
from dataip.domain.errors import DomainError
from tests.support.api import make_uscc
from tests.support.verifiers import openssl_ed25519_verify

ISSUER = "https://ipr.guizhou.example"
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def _credential(name: str = "城市交通拥堵预测数据集", holders: int = 1, natural: int = 0) -> Any:
    share = 10_000 // holders
    items: list[dict[str, object]] = []
    for i in range(holders):
        bp = share + (10_000 - share * holders if i == 0 else 0)
        if i < natural:
            items.append({"name": "欧阳**", "kind": "natural_person", "shareBasisPoints": bp})
        else:
            items.append(
                {
                    "name": f"贵州数据科技有限公司{i}",
                    "kind": "legal_person",
                    "creditCode": make_uscc(i + 1),
                    "shareBasisPoints": bp,
                }
            )
    return vc.credential(
        issuer_id=ISSUER,
        issuer_name="贵州省知识产权公共服务中心",
        registry_code="5200",
        record_url=f"{ISSUER}/api/v1/registrations/202622000000001X",
        registration_number="202622000000001X",
        certificate_number="20261052000000001",
        certificate_version=2,
        name=name,
        industry={"code": "5411", "name": "城市公共交通运输"},
        holders=items,
        evidence={"hash": "ab" * 32},
        registration_date=date(2026, 10, 13),
        valid_from=date(2026, 10, 13),
        valid_until=date(2028, 10, 12),
        issued_at=datetime(2026, 10, 13, 1, 0, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return IssuerKey.generate()


def _signed(key: IssuerKey, **kw: Any) -> tuple[qr.QrCertificate, bytes]:
    cert = qr.from_credential(_credential(**kw), status_index=131_075)
    return cert, qr.sign(cert, key)


def _verify(data: bytes, key: IssuerKey) -> qr.VerifiedQr:
    return qr.verify(data, {key.kid: key}, issuers={key.kid: ISSUER})


def _longest_name(seed: int = 0) -> str:
    """A name at the form's maximum: distinct, rarely repeated characters (compress worst)."""
    body = "".join(chr(0x4E00 + (seed * 7919 + i * 104_729) % 0x51A5) for i in range(NAME_MAX - 3))
    return body + "数据集"


def test_r24_qr_credential_round_trips_what_the_counter_needs(key: IssuerKey) -> None:
    cert, signed = _signed(key, holders=3, natural=1)
    text = qr.qr_text(ISSUER, signed)
    assert text.startswith(f"{ISSUER}/verify?c=")
    got = _verify(qr.extract(text) or b"", key)
    assert got.certificate == cert and got.kid == key.kid and got.issuer == ISSUER
    d = got.certificate.to_dict()
    assert (d["certificate_number"], d["certificate_version"], d["registration_number"]) == (
        "20261052000000001",
        2,
        "202622000000001X",
    )
    assert d["name"] == "城市交通拥堵预测数据集"
    assert d["holders"][0] == {"masked_name": "欧阳**", "share_bp": 3334}
    assert d["holders"][1] == {"credit_code": make_uscc(2), "share_bp": 3333}
    assert sum(h["share_bp"] for h in d["holders"]) == 10_000
    assert (d["registration_date"], d["valid_from"], d["valid_until"]) == (
        "2026-10-13",
        "2026-10-13T00:00:00+08:00",
        "2028-10-12T23:59:59+08:00",
    )
    assert d["status_index"] == 131_075
    assert got.certificate.validity_at(datetime(2027, 1, 1, tzinfo=UTC)) == "within_validity"
    assert got.certificate.validity_at(datetime(2028, 10, 12, 16, 0, tzinfo=UTC)) == "expired"
    # a natural person is never carried by more than the masked name the public record shows
    assert "**" in str(cbor2.loads(_cose(signed).value[2]))
    # deterministic: the same certificate prints the same code every time
    assert qr.sign(cert, key) == signed


def _cose(signed: bytes) -> cbor2.CBORTag:
    tag = cbor2.loads(zlib.decompress(signed))
    assert isinstance(tag, cbor2.CBORTag) and tag.tag == 18
    return tag


@pytest.mark.needs("openssl")
def test_r24_qr_credential_verifies_with_openssl_over_the_rfc9052_sig_structure(
    key: IssuerKey, tmp_path: Path
) -> None:
    """An outside witness: the layers undone with the standard library, the COSE
    Sig_structure built from RFC 9052 §4.4, the Ed25519 signature checked by OpenSSL."""
    _, signed = _signed(key, holders=2)
    text = qr.qr_text(ISSUER, signed)
    b32 = text.split("c=", 1)[1]
    cose = zlib.decompress(base64.b32decode(b32 + "=" * (-len(b32) % 8)))
    protected, unprotected, payload, signature = cbor2.loads(cose).value
    header = cbor2.loads(protected)
    assert header == {1: -8, 4: qr.kid_prefix(key.kid)} and unprotected == {}
    assert qr.kid_prefix(key.kid) == base64.urlsafe_b64decode(key.kid + "=")[:8]
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    pem = key.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ok = openssl_ed25519_verify(pem, to_be_signed, signature, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = openssl_ed25519_verify(pem, to_be_signed[:-1] + b"\x00", signature, tmp_path)
    assert bad.returncode != 0
    claims = cbor2.loads(payload)
    assert set(claims) == {4, 5, 6, qr.CLAIM}  # exp, nbf, iat and the certificate


def _resign(signed: bytes, change: Any) -> bytes:
    """The credential with its COSE parts changed, recompressed (the signature kept)."""
    parts = list(_cose(signed).value)
    change(parts)
    return zlib.compress(cbor2.dumps(cbor2.CBORTag(18, parts)))


def test_r24_qr_credential_altered_in_any_part_is_not_authentic(key: IssuerKey) -> None:
    _, signed = _signed(key, holders=2)

    def rename(parts: list[Any]) -> None:
        claims = cbor2.loads(parts[2])
        claims[qr.CLAIM][4] = "城市交通拥堵预测数据库"
        parts[2] = cbor2.dumps(claims)

    def reshare(parts: list[Any]) -> None:
        claims = cbor2.loads(parts[2])
        claims[qr.CLAIM][5][0][2] = 9_000
        parts[2] = cbor2.dumps(claims)

    def flip_signature(parts: list[Any]) -> None:
        parts[3] = bytes([parts[3][0] ^ 1]) + parts[3][1:]

    for change in (rename, reshare, flip_signature):
        with pytest.raises(DomainError) as e:
            _verify(_resign(signed, change), key)
        assert e.value.code == "bad_signature", change

    def other_alg(parts: list[Any]) -> None:
        parts[0] = cbor2.dumps({1: -7, 4: qr.kid_prefix(key.kid)})

    def alg_unprotected(parts: list[Any]) -> None:
        parts[0], parts[1] = cbor2.dumps({4: qr.kid_prefix(key.kid)}), {1: -8}

    for change, code in (
        (other_alg, "unsupported_algorithm"),
        (alg_unprotected, "unsupported_algorithm"),
    ):
        with pytest.raises(DomainError) as e:
            _verify(_resign(signed, change), key)
        assert e.value.code == code
    # uncompressed, as HC1 readers also accept: the same answer
    assert _verify(zlib.decompress(signed), key).kid == key.kid


def test_r24_qr_credential_verifies_by_the_jwks_kid_and_old_keys_keep_verifying() -> None:
    old, new = IssuerKey.generate(), IssuerKey.generate()
    _, by_old = _signed(old)
    _, by_new = _signed(new)
    jwks = {old.kid: old, new.kid: new}
    bound = dict.fromkeys(jwks, ISSUER)
    public = {k: IssuerKey(kid=v.kid, public=v.public) for k, v in jwks.items()}  # as a JWKS
    assert qr.verify(by_old, public, issuers=bound).kid == old.kid
    assert qr.verify(by_new, public, issuers=bound).kid == new.kid
    # a key the verifier does not hold, or holds for no issuer: refused
    with pytest.raises(DomainError) as e:
        qr.verify(by_old, {new.kid: new}, issuers=bound)
    assert e.value.code == "unknown_issuer_key"
    with pytest.raises(DomainError) as e:
        qr.verify(by_old, public, issuers={new.kid: ISSUER})
    assert e.value.code == "unknown_issuer_key"
    # the issuer is whom the key speaks for: another registry's key gives that registry
    assert qr.verify(by_old, public, issuers={old.kid: "https://other.example"}).issuer == (
        "https://other.example"
    )


def test_r24_qr_reader_refuses_garbage_trailing_data_and_bombs(key: IssuerKey) -> None:
    _, signed = _signed(key)
    bomb = zlib.compress(b"\0" * 1_000_000)
    wrong_tag = zlib.compress(cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""])))
    for bad in (
        signed + b"\0",  # after the zlib stream
        zlib.compress(zlib.decompress(signed) + b"\0"),  # after the COSE message
        signed[:-3],
        bomb,
        wrong_tag,
        b"\x78\x9c garbage",
        b"",
    ):
        with pytest.raises(DomainError) as e:
            _verify(bad, key)
        assert e.value.code == "malformed_token", bad[:20]
    # signed by the registry's key but not a certificate (a CWT without the claim): refused
    other = COSE.new().encode_and_sign(
        cbor2.dumps({1: ISSUER, 4: 1, 5: 1, 6: 1}),
        COSEKey.new(
            {
                1: 1,
                -1: 6,
                -2: key.public.public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                ),
                -4: key.private.private_bytes(  # type: ignore[union-attr]
                    serialization.Encoding.Raw,
                    serialization.PrivateFormat.Raw,
                    serialization.NoEncryption(),
                ),
                2: qr.kid_prefix(key.kid),
                3: -8,
            }
        ),
        protected={1: -8, 4: qr.kid_prefix(key.kid)},
    )
    with pytest.raises(DomainError) as e:
        _verify(other, key)
    assert e.value.code == "not_a_credential"


def test_r24_qr_extract_reads_the_link_or_the_base32_and_leaves_other_forms(
    key: IssuerKey,
) -> None:
    _, signed = _signed(key)
    text = qr.qr_text(ISSUER + "/", signed)
    b32 = text.split("c=", 1)[1]
    assert qr.extract(text) == signed
    assert qr.extract(f"  {text}\n") == signed
    assert qr.extract(b32) == signed and qr.extract(b32.lower()) == signed
    assert qr.extract(f"/verify?c={b32}") == signed
    token = vc.sign(_credential(), key)
    assert qr.extract(token) is None  # a vc+jwt is not one
    assert qr.extract('{"payload": "x"}') is None and qr.extract("x") is None
    assert qr.extract(f"{ISSUER}/registrations/202622000000001X") is None
    with pytest.raises(DomainError) as e:
        qr.extract(f"{ISSUER}/verify?c=NOT-BASE32!")
    assert e.value.code == "malformed_token"


def test_i18_qr_credential_of_five_holders_with_longest_names_is_at_most_600_bytes(
    key: IssuerKey,
) -> None:
    """Issue 18's aim: five holders, the longest name the form takes — the signed,
    compressed credential is at most 600 bytes and the code a version-20 symbol or smaller
    at error-correction level M (0.5 mm a module at 50 mm: scans from paper)."""
    for natural in (0, 2, 5):
        cert, signed = _signed(key, name=_longest_name(natural), holders=5, natural=natural)
        assert len(cert.name) == NAME_MAX
        assert len(signed) <= 600, (natural, len(signed))
        symbol = pdf.qr_symbol(qr.qr_text(ISSUER, signed))
        assert symbol.version <= 20 and symbol.error in ("M", "Q", "H"), symbol.designator


@settings(max_examples=60, deadline=None)
@given(
    holders=st.integers(min_value=1, max_value=10),
    natural=st.integers(min_value=0, max_value=10),
    name=st.text(CJK, min_size=2, max_size=NAME_MAX - 3).map(lambda s: s + "数据集"),
)
def test_i18_every_qr_credential_round_trips_and_fits_a_printable_code(
    key: IssuerKey, holders: int, natural: int, name: str
) -> None:
    cert, signed = _signed(key, name=name, holders=holders, natural=min(natural, holders))
    assert _verify(signed, key).certificate == cert
    assert pdf.qr_symbol(qr.qr_text(ISSUER, signed)).version <= 22


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_r24_any_altered_qr_credential_is_refused_with_a_stable_code(
    key: IssuerKey, data: st.DataObject
) -> None:
    """Bytes changed, dropped or added anywhere — in the compressed form or in the COSE
    message (then compressed again) — never verify as anything but the signed certificate,
    and never raise anything but a DomainError with one of the documented codes (the API
    answers 200 or 422, never 500)."""
    cert, signed = _signed(key, holders=2)
    inner = data.draw(st.booleans())
    original = zlib.decompress(signed) if inner else signed
    raw = bytearray(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        at = data.draw(st.integers(min_value=0, max_value=len(raw)))
        op = data.draw(st.sampled_from(["set", "drop", "add"]))
        if op == "add" or not raw or at == len(raw):
            raw.insert(at, data.draw(st.integers(0, 255)))
        elif op == "drop":
            del raw[at]
        else:
            raw[at] ^= data.draw(st.integers(1, 255))
    assume(bytes(raw) != original)
    blob = zlib.compress(bytes(raw)) if inner else bytes(raw)
    try:
        got = _verify(blob, key)
    except DomainError as e:
        assert e.code in {
            "malformed_token",
            "bad_signature",
            "unknown_issuer_key",
            "unsupported_algorithm",
            "not_a_credential",
        }
    else:  # only a change that leaves the signed message as it was (none found so far)
        assert got.certificate == cert
