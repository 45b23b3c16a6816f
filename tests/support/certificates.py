"""Certificates as the tests handle them: joint registrations made through the API, the QR
code read from the rendered page, the PDF's text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.api import Api, complete_form


def joint_registered(
    api: Api, *, name: str, holders: int, natural: int = 0, party_name: str = ""
) -> tuple[str, list[str]]:
    """A registration held by `holders` parties (the first `natural` natural persons), each
    filed, consented and approved through the API; returns its number and the holders'
    identifiers as the certificate prints them (credit code or masked name)."""
    examiner = api.user("examiner")
    users = [api.user("applicant") for _ in range(holders)]
    parties = []
    for i, who in enumerate(users):
        kind = "natural_person" if i < natural else "legal_person"
        label = f"{party_name}{i}" if party_name else None
        parties.append(api.party(who, kind=kind, name=label, verify_by=examiner))
    share = 10_000 // holders
    applicants = [
        {
            # the filer names its own party; the others by their numbers (issue 18 §4)
            **({"party_id": pid} if i == 0 else {"id_number": api.numbers[pid]}),
            "share_bp": share + (10_000 - share * holders if i == 0 else 0),
            "rights_bounds": "按约定份额行使权利" if holders > 1 else "",
        }
        for i, pid in enumerate(parties)
    ]
    api.at("2026-09-28 10:00")
    form = complete_form(name=name, sample=api.upload(users[0]))
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(users[0]),
        json={"form": form, "applicants": applicants},
    )
    assert r.status_code == 201, r.text
    aid, version = r.json()["id"], r.json()["version"]
    for who in users[1:]:
        r = api.c.post(
            f"/api/v1/applications/{aid}/consent",
            headers={**api.h(who), "If-Match": f'"{version}"'},
        )
        assert r.status_code == 200, r.text
    api.ok(users[0], aid, "submit")
    api.ok(examiner, aid, "accept")
    api.ok(examiner, aid, "publicise")
    api.at("2026-10-13 09:00")
    reg = api.ok(examiner, aid, "approve")["registration"]
    ids = [h.get("credit_code") or h["name"] for h in reg["holders"]]
    return str(reg["registration_number"]), ids


def scan(pdf: bytes, tmp_path: Path, dpi: int = 150) -> str:
    """The QR code's text as zxing-cpp reads it from the certificate's first page rendered by
    pdftoppm (an annex listing many holders follows it, without a code) — and from the same
    page as a careless copy would give it: turned 3°, blurred by a pixel, at two thirds of the
    resolution (the version-40 code of before read from none of these)."""
    import zxingcpp
    from PIL import Image, ImageFilter

    (tmp_path / "cert.pdf").write_bytes(pdf)
    for old in tmp_path.glob("page*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "cert.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    codes = [zxingcpp.read_barcodes(Image.open(p)) for p in pages]
    assert [len(c) for c in codes] == [1] + [0] * (len(pages) - 1), "one QR code, on page 1"
    assert codes[0][0].format == zxingcpp.BarcodeFormat.QRCode
    text = str(codes[0][0].text)
    page = Image.open(pages[0]).convert("L")
    copies = {
        "turned 3°": page.rotate(3, expand=True, fillcolor=255),
        "blurred": page.filter(ImageFilter.GaussianBlur(1)),
        "at 2/3 the resolution": page.resize((page.width * 2 // 3, page.height * 2 // 3)),
    }
    for how, image in copies.items():
        read = zxingcpp.read_barcodes(image)
        assert [c.text for c in read] == [text], f"the code does not read {how}"
    return text


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "text.pdf").write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(tmp_path / "text.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", out)
