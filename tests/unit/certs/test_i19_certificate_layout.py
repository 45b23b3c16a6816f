"""Issue 19 §6: the certificate as printed — Chinese dates (2026年11月21日), an issue date
(发证日期), the evidence line in Chinese, the log named as the transparency log, and the
seal's name set around its ring."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest

from dataip.certs import pdf

CREDENTIAL = {
    "credentialSubject": {
        "name": "城市交通拥堵预测数据集",
        "industry": {"code": "5411", "name": "公共电汽车客运"},
        "registrationNumber": "2026520000000012",
        "certificateNumber": "20265200000000121",
        "certificateVersion": 1,
        "registrationDate": "2026-11-21",
        "holders": [{"name": "贵州数据科技有限公司", "shareBasisPoints": 10000}],
        "evidence": {
            "platform": "贵州数据知识产权存证平台",
            "certificateNumber": "GZ-001",
            "hash": "ab" * 32,
            "evidencedOn": "2026-09-01",
        },
    },
    "validFrom": "2026-11-21T00:00:00+08:00",
    "validUntil": "2029-11-20T23:59:59+08:00",
    "iat": 1795366800,  # 2026-11-22 17:00 UTC: 2026-11-23 01:00 in Shanghai
    "tlogProof": {"index": 42},
}


def test_i19_certificate_dates_read_2026年11月21日() -> None:
    assert pdf.cn_date("2026-11-21") == "2026年11月21日"
    assert pdf.cn_date("2029-01-05T23:59:59+08:00") == "2029年1月5日"
    assert pdf.cn_date(None) == ""


def test_i19_the_seal_sets_the_registry_name_around_its_ring() -> None:
    name = "贵州省知识产权公共服务中心"
    svg = pdf.seal_svg(name)
    glyphs = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" transform="rotate\(([-\d.]+) [\d.]+ [\d.]+\)"[^>]*>'
        r"(.)</text>",
        svg,
    )
    assert "".join(g[3] for g in glyphs) == name  # one character each, in reading order
    angles = [float(g[2]) for g in glyphs]
    assert angles == sorted(angles) and angles[0] < -90 < 90 < angles[-1]  # over the top
    assert math.isclose(angles[0], -angles[-1], abs_tol=0.01)  # centred on the top
    for x, y, angle, _ in glyphs:
        # on a circle round the centre, each turned to its place on the arc
        assert math.isclose(math.hypot(float(x) - 100, float(y) - 100), 70, abs_tol=0.05)
        assert math.isclose(
            math.degrees(math.atan2(float(x) - 100, 100 - float(y))), float(angle), abs_tol=0.05
        )
    assert "电子证书专用章" in svg
    short = pdf.seal_svg("登记中心")
    assert short.count("rotate(") == 4


@pytest.mark.needs("poppler")
def test_i19_the_certificate_prints_chinese_dates_an_issue_date_and_the_evidence_in_chinese(
    tmp_path: Path,
) -> None:
    body = pdf.render(
        CREDENTIAL,
        "a.b.c",
        qr_content="http://127.0.0.1:8000/verify?c=ABC",
        issuer_name="贵州省知识产权公共服务中心",
    )
    (tmp_path / "c.pdf").write_bytes(body)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert "登记日期2026年11月21日" in flat
    assert "有效期2026年11月21日至2029年11月20日" in flat
    assert "发证日期2026年11月23日" in flat
    assert "经“贵州数据知识产权存证平台”存证（存证日期2026年9月1日），存证编号GZ-001" in flat
    assert "存证哈希值（SHA-256）" in flat
    assert "签发记入透明日志（公开日志）第42号条目" in flat and "存证日志" not in flat
    assert "2026-11-21" not in text
