"""The certificate as one A4 page in the national layout (QR bottom left, registry seal bottom
right), rendered from a Jinja2 HTML template by WeasyPrint with a CJK font embedded. The QR
code carries the compact QR credential (`certs.qr`, decision 0006) as a link to the registry's
/verify page: a phone opens it, a verifier app checks it offline. The full vc+jwt is attached
inside the PDF (`certificate.vc.jwt`)."""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any

import jinja2
import segno
import segno.consts

from dataip.certs import qr
from dataip.domain.errors import DomainError
from dataip.domain.registers import CERTIFICATE_TYPES, PROPERTY_RIGHTS, REGISTER_LABELS

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


SEAL_RED = "#c8102e"
SEAL_FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"


def seal_svg(name: str) -> str:
    """A round red registry seal as Chinese seals are cut: the registry's name set around the
    upper ring, clockwise from lower left to lower right, each character upright towards the
    centre; a star in the middle; "电子证书专用章" straight below it.

    Each character is placed and turned on its own (its angle along the arc) rather than by
    `<textPath>`: WeasyPrint's SVG renderer lays a text path out straight, and a seal must
    read the same in the PDF as in a browser."""
    chars = [c for c in name if not c.isspace()] or ["印"]
    n = len(chars)
    radius = 70.0  # the characters' baseline circle, inside the ring (r = 92)
    span = min(250.0, max(120.0, n * 19.0))  # degrees of arc the name takes
    size = max(12, min(24, round(2 * math.pi * radius * (span / 360) / n * 0.9)))
    glyphs = []
    for i, ch in enumerate(chars):
        # angle from the top, clockwise; the name centred on the top of the ring
        angle = -span / 2 + span * (i + 0.5) / n
        rad = math.radians(angle)
        x = 100 + radius * math.sin(rad)
        y = 100 - radius * math.cos(rad)
        glyphs.append(
            f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({angle:.2f} {x:.2f} {y:.2f})" '
            f'font-size="{size}" text-anchor="middle" dominant-baseline="central">'
            f"{html.escape(ch)}</text>"
        )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img"
 aria-label="{html.escape(name)} 电子证书专用章">
<circle cx="100" cy="100" r="92" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>
<g fill="{SEAL_RED}" font-family="{SEAL_FONT}" font-weight="bold">{"".join(glyphs)}</g>
<polygon fill="{SEAL_RED}"
 points="100,76 107.6,97.6 130.4,97.6 112.2,111.2 118.8,133
 100,120 81.2,133 87.8,111.2 69.6,97.6 92.4,97.6"/>
<text x="100" y="160" font-family="{SEAL_FONT}" font-size="14"
 fill="{SEAL_RED}" text-anchor="middle">电子证书专用章</text>
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


SHANGHAI = timezone(timedelta(hours=8))


def cn_date(value: date | str | None) -> str:
    """A date as the certificate prints it: `2026年11月21日` (from a date or an ISO string)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


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
    many there are and an annex lists them; if the page is still too tall (the longest names
    and evidence details), it is set tighter."""
    # Imported here, not at the top: WeasyPrint loads Pango and the fonts (about a second, far
    # more on a loaded machine), which every CLI command and server start would otherwise pay.
    import weasyprint

    context = {
        "s": credential["credentialSubject"],
        "valid_from": str(credential["validFrom"])[:10],
        "valid_until": str(credential["validUntil"])[:10],
        # the day it was signed (iat), in the registry's time zone
        "issued_on": datetime.fromtimestamp(int(credential.get("iat") or 0), SHANGHAI).date(),
        "cn_date": cn_date,
        "issuer_name": issuer_name,
        "log_index": (credential.get("tlogProof") or {}).get("index"),
        # SVG: one path, drawn as vectors, so a printer gets sharp module edges at any size
        "qr": qr_symbol(qr_content).svg_data_uri(border=0, omitsize=True),
        "seal": _data_uri(seal_svg(issuer_name)),
        # issue 24 §1–§2: a data property certificate's title and rights; the sibling's register
        "titles": {t: (zh, en) for t, zh, en in CERTIFICATE_TYPES.values()},
        "right_labels": {k: zh for k, (zh, _en) in PROPERTY_RIGHTS.items()},
        "register_labels": {k: zh for k, (zh, _en) in REGISTER_LABELS.items()},
    }
    # the holders on the page; else in an annex; else, for the longest names, set tighter
    for annex, compact in ((False, False), (True, False), (True, True)):
        html = _template().render(**context, annex=annex, compact=compact)
        document = weasyprint.HTML(string=html).render()
        if not _overflows(document):
            break
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
