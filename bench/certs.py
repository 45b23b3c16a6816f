"""Benchmark certificates (`dataip.certs`, issue 6): how many certificates are issued (built
and signed) and verified per second, against the bare Ed25519 operations in the same run.

    python bench/certs.py                 # 20,000 certificates
    python bench/certs.py --n 2000

What is measured (single process unless said; each figure is the median of `--repeat` runs):

  1. bare      — `cryptography` Ed25519 sign and verify of the same signing input a
                 certificate has (header.payload, ~1.3 KB): the floor.
  2. issue     — `vc.credential(...)` + `vc.sign(...)`: the credential built from a
                 registration's fields and signed as a compact vc+jwt (what the registry does
                 per certificate version).
  3. verify    — `vc.verify(token, keys, issuers=...)`: parse, header checks, signature,
                 issuer binding, VC shape (what a bank's `dataip verify` does offline).
  3b. + log    — the same certificates carrying the tlog-proof of their issuance leaf (a log
                 of `--n` leaves, one checkpoint): `vc.verify` + `tlog.check` (leaf content
                 digest, checkpoint signature — cached per checkpoint — and inclusion).
  4. verify×2  — the same over `--workers` processes (default: every core) on disjoint halves
                 of the tokens: does a loan book re-check scale across cores?
  5. npm jose  — `compactVerify` of every token by npm jose (outside the project), in one
                 Node process, when `tests/js/node_modules` is installed.
  6. SM2       — bare gmalglib SM2 sign and verify of the same signing inputs, then issue
                 with the co-signature (`vc.cosign`) and verify both signatures
                 (`vc.verify_cosigned`): the price of 国密 on top of Ed25519.
  7. PDF       — `pdf.render` of one certificate page (WeasyPrint, CJK font, QR code, the
                 token attached): the first render in the process (fonts and template
                 loading) and the median of `--pdf-pages` warm renders.
  8. QR        — the QR code's compact credential (`qr.sign`, `qr.verify`: COSE_Sign1/CWT by
                 python-cwt, zlib, decision 0006): per second, its size and the QR version.

Every token must verify (checked), and one altered token must not. Aim from the issue:
≥ 5,000 verifications per second per core. Results: bench/results/certs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dataip.certs import sm2, tlog, vc
from dataip.certs.keys import IssuerKey, jwks
from dataip.domain.errors import DomainError
from dataip.ledger import merkle
from dataip.ledger.canonical import canonicalize
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.note import Signer
from dataip.ledger.proof import format_proof
from smoke import add_smoke_option

ROOT = Path(__file__).resolve().parents[1]
ISSUER = "https://ipr.guizhou.example"
KEY = IssuerKey.generate()
SM2 = sm2.Sm2Key.generate()
LOG = Signer.generate("ipr.guizhou.example/log")


def _credential(i: int) -> dict[str, Any]:
    return vc.credential(
        issuer_id=ISSUER,
        issuer_name="贵州省知识产权公共服务中心",
        registry_code="5200",
        record_url=f"{ISSUER}/api/v1/registrations/2026220{i:08d}X",
        registration_number=f"2026220{i:08d}X",
        certificate_number=f"2026105200{i:07d}",
        certificate_version=1,
        name="城市交通拥堵预测数据集",
        industry={"code": "5411", "name": "城市公共交通运输", "standard": "GB/T 4754-2017"},
        holders=[
            {
                "name": "贵州黔通智联科技股份有限公司",
                "kind": "legal_person",
                "creditCode": "91520115MA6J0EXA8X",
                "shareBasisPoints": 6000,
            },
            {
                "name": "贵阳市大数据发展有限公司",
                "kind": "legal_person",
                "creditCode": "91520100MA6DLEQ26K",
                "shareBasisPoints": 4000,
            },
        ],
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificateNumber": "CZ2026520000001",
            "hash": "ab" * 32,
            "evidencedOn": "2026-09-01",
        },
        registration_date=date(2026, 10, 13),
        valid_from=date(2026, 10, 13),
        valid_until=date(2028, 10, 12),
        issued_at=datetime(2026, 10, 13, 1, 0, tzinfo=UTC),
        status={
            "id": f"{ISSUER}/api/v1/certificates/2026105200{i:07d}/status?version=1",
            "type": "DataIPCertificateStatus",
        },
    )


def _with_log_proofs(n: int) -> list[str]:
    """Certificate tokens carrying the tlog-proof of their issuance leaf in a log of `n`
    leaves, one checkpoint over all (what `certificates.attach_proofs` produces)."""
    creds = [_credential(i) for i in range(n)]
    leaves = [
        canonicalize(
            {
                "v": 1,
                "event": i,
                "type": tlog.LEAF_TYPE,
                "subject": {"type": "certificate", "id": i},
                "at": "2026-10-13T01:00:00.000000Z",
                "public": {
                    "certificate_number": c["credentialSubject"]["certificateNumber"],
                    "certificate_version": 1,
                    "kid": KEY.kid,
                    "credential_sha256": tlog.content_digest(c),
                },
                "commitments": {},
            }
        )
        for i, c in enumerate(creds)
    ]
    tree = merkle.MerkleTree.from_data(leaves)
    note = Checkpoint(LOG.name, n, tree.root()).sign([LOG])
    out = []
    for i, c in enumerate(creds):
        receipt = format_proof(
            i, merkle.inclusion_proof_from_reader(tree, i, n), note, extra=leaves[i]
        )
        out.append(vc.sign({**c, tlog.CLAIM: tlog.claim(receipt, origin=LOG.name, index=i)}, KEY))
    return out


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def _time(fn: Any, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), runs


def _verify_chunk(args: tuple[list[str], dict[str, Any]]) -> int:
    tokens, doc = args
    from dataip.certs.keys import keys_from_jwks

    keys = keys_from_jwks(doc)
    issuers = {kid: ISSUER for kid in keys}
    for t in tokens:
        vc.verify(t, keys, issuers=issuers)
    return len(tokens)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--pdf-pages", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "certs.json")
    add_smoke_option(ap, None, "certs", n=200, repeat=1, workers=2, pdf_pages=1)
    a = ap.parse_args()
    n = a.n
    keys = {KEY.kid: KEY}
    issuers = {KEY.kid: ISSUER}
    tokens: list[str] = []

    def issue() -> None:
        tokens.clear()
        tokens.extend(vc.sign(_credential(i), KEY) for i in range(n))

    t_issue, r_issue = _time(issue, a.repeat)
    inputs = [t.rsplit(".", 1)[0].encode("ascii") for t in tokens]
    priv, pub = KEY.private, KEY.public
    assert priv is not None
    sigs: list[bytes] = []

    def bare_sign() -> None:
        sigs.clear()
        sigs.extend(priv.sign(m) for m in inputs)

    t_bsign, r_bsign = _time(bare_sign, a.repeat)

    def bare_verify() -> None:
        for m, s in zip(inputs, sigs, strict=True):
            pub.verify(s, m)

    t_bverify, r_bverify = _time(bare_verify, a.repeat)

    def verify_all() -> None:
        for t in tokens:
            vc.verify(t, keys, issuers=issuers)

    t_verify, r_verify = _time(verify_all, a.repeat)
    forged = tokens[0][:-6] + ("A" if tokens[0][-6] != "A" else "B") + tokens[0][-5:]
    try:
        vc.verify(forged, keys, issuers=issuers)
        raise SystemExit("an altered token verified")
    except DomainError as e:  # the refusal is the point
        assert e.code == "bad_signature", e

    # 3b. the same certificates as issued once the log has integrated them: each carries the
    # tlog-proof of its issuance leaf (one checkpoint over all n leaves, as when a round of
    # the integrator covers a loan book's certificates), verified with the log key as well
    proved = _with_log_proofs(n)
    log_keys = [LOG.verifier()]

    def verify_proved() -> None:
        for t in proved:
            got = vc.verify(t, keys, issuers=issuers)
            assert tlog.check(got.credential, log_keys).status == "included"

    t_proved, r_proved = _time(verify_proved, a.repeat)

    doc = jwks([KEY])
    w = max(1, a.workers)
    chunks = [(tokens[i::w], doc) for i in range(w)]
    with ProcessPoolExecutor(w) as pool:
        list(pool.map(_verify_chunk, [(c[0][:50], doc) for c in chunks]))  # warm the workers

        def verify_parallel() -> None:
            assert sum(pool.map(_verify_chunk, chunks)) == n

        t_par, r_par = _time(verify_parallel, a.repeat)

    gm_sigs: list[bytes] = []

    def sm2_sign() -> None:
        gm_sigs.clear()
        gm_sigs.extend(SM2.sign(m) for m in inputs)

    t_gsign, r_gsign = _time(sm2_sign, a.repeat)

    def sm2_verify() -> None:
        for m, sg in zip(inputs, gm_sigs, strict=True):
            assert SM2.verify(m, sg)

    t_gverify, r_gverify = _time(sm2_verify, a.repeat)
    docs: list[str] = []

    def issue_cosigned() -> None:
        docs.clear()
        docs.extend(
            json.dumps(vc.cosign(vc.sign(_credential(i), KEY), SM2), separators=(",", ":"))
            for i in range(n)
        )

    t_cissue, r_cissue = _time(issue_cosigned, a.repeat)
    sm2_keys = {SM2.kid: SM2}
    both = {**issuers, SM2.kid: ISSUER}

    def verify_cosigned() -> None:
        for d in docs:
            vc.verify_cosigned(d, keys, sm2_keys, issuers=both)

    t_cverify, r_cverify = _time(verify_cosigned, a.repeat)

    from dataip.certs import pdf, qr

    qr_certs = [qr.from_credential(_credential(i), status_index=i) for i in range(n)]
    signed: list[bytes] = []

    def qr_issue() -> None:
        signed[:] = [qr.sign(c, KEY) for c in qr_certs]

    t_qsign, r_qsign = _time(qr_issue, a.repeat)

    def qr_verify() -> None:
        for s in signed:
            qr.verify(s, keys, issuers=issuers)

    t_qverify, r_qverify = _time(qr_verify, a.repeat)
    qr_text = qr.qr_text(ISSUER, signed[0])
    symbol = pdf.qr_symbol(qr_text)

    page_args = {"qr_content": qr_text, "issuer_name": "贵州省知识产权公共服务中心"}
    t0 = time.perf_counter()
    first_pdf = pdf.render(_credential(0), tokens[0], **page_args)
    t_pdf_first = time.perf_counter() - t0
    warm = []
    for i in range(a.pdf_pages):
        t0 = time.perf_counter()
        pdf.render(_credential(i), tokens[i % n], **page_args)
        warm.append(time.perf_counter() - t0)

    jose: dict[str, Any] | None = None
    js = ROOT / "tests" / "js"
    if shutil.which("node") and (js / "node_modules" / "jose").is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "jwks.json").write_text(json.dumps(doc))
            (Path(tmp) / "tokens.txt").write_text("\n".join(tokens))
            script = (
                "import {readFileSync} from 'node:fs';"
                "import {createLocalJWKSet, compactVerify} from 'jose';"
                f"const ks=createLocalJWKSet(JSON.parse(readFileSync('{tmp}/jwks.json','utf8')));"
                f"const ts=readFileSync('{tmp}/tokens.txt','utf8').split('\\n');"
                "for (let r=0;r<2;r++){const t0=process.hrtime.bigint();"
                "for (const t of ts){await compactVerify(t,ks,{algorithms:['EdDSA']});}"
                "const s=Number(process.hrtime.bigint()-t0)/1e9;"
                "if(r===1)console.log(JSON.stringify({seconds:s,n:ts.length}));}"
            )
            out = subprocess.run(
                ["node", "--input-type=module", "-e", script],
                cwd=js,
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            got = json.loads(out.stdout.strip().splitlines()[-1])
            jose = {
                "seconds": got["seconds"],
                "per_second": _rate(got["n"], got["seconds"]),
                "note": "second pass of two in one Node process (JIT warm)",
            }

    size = sum(len(t) for t in tokens) / n
    results = {
        "benchmark": "certs",
        "when": datetime.now(UTC).isoformat(),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "n": n,
        "token_bytes_mean": round(size),
        "bare_ed25519": {
            "sign_per_second": _rate(n, t_bsign),
            "verify_per_second": _rate(n, t_bverify),
            "verify_us": 1e6 * t_bverify / n,
            "runs": {"sign": r_bsign, "verify": r_bverify},
        },
        "issue": {"per_second": _rate(n, t_issue), "us": 1e6 * t_issue / n, "runs": r_issue},
        "verify": {
            "per_second": _rate(n, t_verify),
            "us": 1e6 * t_verify / n,
            "vs_bare_verify": t_verify / t_bverify,
            "runs": r_verify,
        },
        "verify_with_log_proof": {
            "per_second": _rate(n, t_proved),
            "us": 1e6 * t_proved / n,
            "vs_bare_verify": t_proved / t_bverify,
            "token_bytes_mean": round(sum(len(t) for t in proved) / n),
            "runs": r_proved,
        },
        "verify_parallel": {
            "workers": w,
            "per_second": _rate(n, t_par),
            "speedup_vs_one": t_verify / t_par,
            "runs": r_par,
        },
        "npm_jose_verify": jose,
        "bare_sm2": {
            "sign_per_second": _rate(n, t_gsign),
            "verify_per_second": _rate(n, t_gverify),
            "runs": {"sign": r_gsign, "verify": r_gverify},
        },
        "issue_ed25519_sm2": {"per_second": _rate(n, t_cissue), "runs": r_cissue},
        "verify_ed25519_sm2": {"per_second": _rate(n, t_cverify), "runs": r_cverify},
        "qr_credential": {
            "sign_per_second": _rate(n, t_qsign),
            "verify_per_second": _rate(n, t_qverify),
            "signed_bytes_mean": round(sum(len(x) for x in signed) / n),
            "qr_text_chars": len(qr_text),
            "qr_symbol": symbol.designator,
            "runs": {"sign": r_qsign, "verify": r_qverify},
        },
        "pdf": {
            "first_seconds": t_pdf_first,
            "warm_median_seconds": statistics.median(warm),
            "pages": len(warm),
            "bytes": len(first_pdf),
        },
        "aim": "verify ≥ 5,000/s per core",
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{n} certificates, {round(size)} bytes each")
    print(
        f"bare Ed25519:   sign {_rate(n, t_bsign):>9,.0f}/s   verify {_rate(n, t_bverify):>9,.0f}/s"
        f" ({1e6 * t_bverify / n:.0f} µs)"
    )
    print(f"dataip issue:   {_rate(n, t_issue):>9,.0f}/s ({1e6 * t_issue / n:.0f} µs)")
    print(
        f"dataip verify:  {_rate(n, t_verify):>9,.0f}/s ({1e6 * t_verify / n:.0f} µs,"
        f" {t_verify / t_bverify:.2f}× bare)"
    )
    print(
        f"verify + log proof: {_rate(n, t_proved):>9,.0f}/s ({1e6 * t_proved / n:.0f} µs,"
        f" {t_proved / t_bverify:.2f}× bare; {sum(len(t) for t in proved) / n:,.0f} bytes)"
    )
    print(f"verify × {w} processes: {_rate(n, t_par):>9,.0f}/s ({t_verify / t_par:.2f}× one)")
    if jose:
        print(f"npm jose verify: {jose['per_second']:>8,.0f}/s")
    print(
        f"bare SM2:       sign {_rate(n, t_gsign):>9,.0f}/s   verify {_rate(n, t_gverify):>9,.0f}/s"
    )
    print(
        f"issue Ed25519+SM2:  {_rate(n, t_cissue):>9,.0f}/s   verify both: "
        f"{_rate(n, t_cverify):>9,.0f}/s"
    )
    print(
        f"QR credential:  sign {_rate(n, t_qsign):>9,.0f}/s   verify {_rate(n, t_qverify):>9,.0f}/s"
        f" ({sum(len(x) for x in signed) / n:,.0f} bytes signed; {len(qr_text)} characters,"
        f" a {symbol.designator} code)"
    )
    print(
        f"PDF page: first {t_pdf_first:.2f} s, warm median {statistics.median(warm):.2f} s"
        f" ({len(first_pdf):,} bytes)"
    )
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
