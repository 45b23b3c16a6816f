"""The certificate as one A4 page in the national layout (QR bottom left, registry seal bottom
right), rendered from a Jinja2 HTML template by WeasyPrint with a CJK font embedded. The QR
code carries the compact QR credential (`certs.qr`, decision 0006) as a link to the registry's
/verify page: a phone opens it, a verifier app checks it offline. The full vc+jwt is attached
inside the PDF (`certificate.vc.jwt`)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
import segno
import segno.consts

from dataip.certs import qr
from dataip.domain.errors import DomainError

ATTACHMENT_NAME = "certificate.vc.jwt"


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataip.certs", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    return env.get_template("certificate.html")


# The QR's error correction: at least M (15 % of the symbol may be lost to a fold or a stain);
# segno raises it to Q or H when that fits in the same version.
QR_ERROR = "m"


def qr_symbol(content: str) -> segno.QRCode:
    """The QR code of a QR credential's text: the URL in byte mode, the base32 credential in
    alphanumeric mode (5.5 bits a character: the symbol is about a third smaller)."""
    head, tail = qr.split_for_symbol(content)
    if not tail:
        return segno.make(content, error=QR_ERROR, micro=False)
    segments = [(head, segno.consts.MODE_BYTE), (tail, segno.consts.MODE_ALPHANUMERIC)]
    # segno takes a list of (content, mode) segments (its maintainer's answer in segno issue
    # #76); its type hints name only str, int and bytes
    return segno.make(segments, error=QR_ERROR, micro=False)  # type: ignore[arg-type]


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def seal_svg(name: str) -> str:
    """A round red registry seal: the registry's name over a star, "电子证书专用章" below.
    (WeasyPrint's SVG renderer does not lay text along a path, so the name runs straight.)"""
    text = html.escape(name)
    size = max(10, min(20, 150 // max(1, len(name))))
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200">
<circle cx="100" cy="100" r="92" fill="none" stroke="#c8102e" stroke-width="7"/>
<text x="100" y="62" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
 font-size="{size}" fill="#c8102e" text-anchor="middle">{text}</text>
<polygon fill="#c8102e"
 points="100,72 110,100 140,100 116,118 125,147 100,129 75,147 84,118 60,100 90,100"/>
<text x="100" y="172" font-family="WenQuanYi Micro Hei, sans-serif" font-size="15"
 fill="#c8102e" text-anchor="middle">电子证书专用章</text>
</svg>"""


def attached_token(data: bytes) -> str:
    """The certificate token `render` attached to a certificate PDF (read with pypdf);
    DomainError `no_certificate_in_pdf` for a PDF without it or for what is not a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        found = PdfReader(io.BytesIO(data)).attachments.get(ATTACHMENT_NAME) or []
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        found = []
    if not found:
        raise DomainError(
            "no_certificate_in_pdf",
            "该 PDF 中没有附带的证书凭证",
            "the PDF carries no certificate credential",
            status=422,
        )
    try:
        return found[0].decode("ascii").strip()
    except UnicodeDecodeError:
        raise DomainError(
            "malformed_token", "证书令牌格式无效", "the token is not a compact JWS", status=422
        ) from None


def render(
    credential: Mapping[str, Any],
    token: str,
    *,
    qr_content: str,
    issuer_name: str,
) -> bytes:
    """One A4 page of `credential`, with `token` (the vc+jwt) attached to the file and
    `qr_content` (the QR credential's text, `certs.qr.qr_text`) in the QR code. When the
    holders would run into the QR code and the seal (many, or long names), the page names how
    many there are and an annex lists them."""
    # Imported here, not at the top: WeasyPrint loads Pango and the fonts (about a second, far
    # more on a loaded machine), which every CLI command and server start would otherwise pay.
    import weasyprint

    context = {
        "s": credential["credentialSubject"],
        "valid_from": str(credential["validFrom"])[:10],
        "valid_until": str(credential["validUntil"])[:10],
        "issuer_name": issuer_name,
        "log_index": (credential.get("tlogProof") or {}).get("index"),
        # SVG: one path, drawn as vectors, so a printer gets sharp module edges at any size
        "qr": qr_symbol(qr_content).svg_data_uri(border=0, omitsize=True),
        "seal": _data_uri(seal_svg(issuer_name)),
    }
    document = weasyprint.HTML(string=_template().render(**context, annex=False)).render()
    if _overflows(document):
        document = weasyprint.HTML(string=_template().render(**context, annex=True)).render()
    attachment = weasyprint.Attachment(
        string=token, name=ATTACHMENT_NAME, description="W3C VC 2.0 (vc+jwt)"
    )
    pdf: bytes = document.write_pdf(attachments=[attachment])
    return pdf


def _overflows(document: Any) -> bool:
    """Whether the first page's text runs past the top of the QR code or the seal (measured
    on the laid-out page, by the anchors WeasyPrint reports): the fonts decide, not a guess
    at how many characters fit a line."""
    anchors = document.pages[0].anchors
    if len(document.pages) > 1 or not {"content-end", "qr", "seal"} <= anchors.keys():
        return True
    end = anchors["content-end"][1]
    return bool(end > min(anchors["qr"][1], anchors["seal"][1]) - _GAP_PX)


_GAP_PX = 5 * 96 / 25.4  # at least 5 mm of white between the text and the QR code (its quiet zone)
