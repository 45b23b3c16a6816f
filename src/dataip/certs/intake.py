"""What a person hands a verifier, read one way everywhere (the portal's /verify, the API,
`dataip verify`): a file — the certificate PDF (its attached vc+jwt) or a text file — or
text, which is one of the three forms a certificate travels in.

    vc+jwt      the compact JWS (R24)
    jose+json   the JWS JSON serialization with the SM2 co-signature
    qr          the QR code's credential: its link `<registry>/verify?c=<BASE32>`, or the
                `c` value alone (certs.qr)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dataip.certs import pdf, qr
from dataip.domain.errors import DomainError

Format = Literal["vc+jwt", "jose+json", "qr"]


@dataclass(frozen=True)
class Credential:
    """A credential told apart: its format, its text, and for the QR form the signed bytes."""

    format: Format
    text: str
    qr_signed: bytes | None = None


def from_file(data: bytes) -> str:
    """The credential a file holds: a PDF's attached certificate token, or the file's text
    (UTF-8, a BOM allowed). DomainError `no_certificate_in_pdf` for a PDF without one,
    `unreadable_credential` for a file that is neither."""
    if data.lstrip()[:5] == b"%PDF-":
        return pdf.attached_token(data)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        text = ""
    if not text or "\x00" in text:
        raise DomainError(
            "unreadable_credential",
            "该文件既不是证书 PDF，也不是证书凭证文本",
            "the file is neither a certificate PDF nor a certificate credential's text",
            status=422,
        )
    return text


def classify(text: str) -> Credential:
    """Which form `text` is. DomainError `malformed_token` for a QR link whose `c` is not
    base32; anything else not QR or JSON is taken as a compact JWS (its verifier refuses
    what is not one)."""
    text = text.strip()
    signed = qr.extract(text)
    if signed is not None:
        return Credential("qr", text, signed)
    if text.startswith("{"):
        return Credential("jose+json", text)
    return Credential("vc+jwt", text)
