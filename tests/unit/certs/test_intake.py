"""certs.intake: what a verifier is handed, read the same way by the portal, the API and
`dataip verify` (R24, issue 19 §7)."""

from __future__ import annotations

import pytest

from dataip.certs import intake
from dataip.domain.errors import DomainError

B32 = "A" * 120  # long enough to be a bare QR credential, base32 alphabet


def test_r24_a_text_file_gives_its_credential_bom_and_line_ends_removed() -> None:
    assert intake.from_file("\ufeffeyJ.a.b\r\n".encode()) == "eyJ.a.b"
    assert intake.from_file(b'  {"payload": "x"}\n') == '{"payload": "x"}'


@pytest.mark.parametrize("data", [b"\xf0\x9f\x98", b"", b"\n \n", b"\x00\x01binary"])
def test_r24_a_file_that_is_no_credential_is_refused_with_a_code(data: bytes) -> None:
    with pytest.raises(DomainError) as e:
        intake.from_file(data)
    assert e.value.code == "unreadable_credential" and e.value.message_zh


def test_r24_a_pdf_without_the_attachment_is_refused_as_such() -> None:
    with pytest.raises(DomainError) as e:
        intake.from_file(b"%PDF-1.7\n%%EOF\n")
    assert e.value.code == "no_certificate_in_pdf"


def test_r24_the_three_forms_are_told_apart() -> None:
    link = intake.classify(f"https://ipr.example/verify?c={B32}\n")
    bare = intake.classify(B32)
    assert link.format == bare.format == "qr" and link.qr_signed == bare.qr_signed
    assert link.qr_signed is not None
    assert intake.classify(' {"payload": "x", "signatures": []}').format == "jose+json"
    assert intake.classify("eyJhbGciOiJFZERTQSJ9.e30.c2ln").format == "vc+jwt"
    with pytest.raises(DomainError) as e:
        intake.classify("https://ipr.example/verify?c=NOT*BASE32")
    assert e.value.code == "malformed_token"
