"""The portal's /verify reads an uploaded file the way `dataip verify` reads one
(certs.intake, issue 19 §7): the certificate PDF, or a text file holding the vc+jwt or the
QR code's link; anything else is refused with a code, never a 500."""

from __future__ import annotations

import re

from dataip.bootstrap import Registry
from dataip.services import certificates
from tests.support.api import Api


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the form carries a CSRF token"
    return m.group(1)


def test_r24_verify_page_reads_a_text_file_as_the_cli_does(api: Api, registry: Registry) -> None:
    number = api.world().registered()
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    link = certificates.qr_credential(
        registry.env, certificates.current(env=registry.env, number=number)
    )
    csrf = _csrf(api.c.get("/verify").text)
    for name, body in (("cert.jwt", "\ufeff" + token + "\r\n"), ("qr.txt", link + "\n")):
        r = api.c.post(
            "/verify",
            data={"csrf_token": csrf},
            files={"pdf": (name, body.encode(), "text/plain")},
        )
        assert r.status_code == 200 and "证书真实" in r.text, (name, r.text[-2000:])
    r = api.c.post(
        "/verify",
        data={"csrf_token": csrf},
        files={"pdf": ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg")},
    )
    assert r.status_code == 422 and "既不是证书 PDF" in r.text
