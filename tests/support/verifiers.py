"""Verifiers from outside the project, called as the tests' independent witnesses."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dataip.certs import sm2


def openssl_sm2_verify(
    public_pem: str, message: bytes, signature: bytes, workdir: Path
) -> subprocess.CompletedProcess[str]:
    """`openssl pkeyutl -verify` of an SM2/SM3 signature (r‖s) with the standard signer ID;
    OpenSSL 3.0 does not default to that ID, so it is passed as `distid`."""
    (workdir / "sm2-pub.pem").write_text(public_pem, "ascii")
    (workdir / "sm2-sig.der").write_bytes(sm2.der_signature(signature))
    (workdir / "sm2-msg").write_bytes(message)
    return subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(workdir / "sm2-pub.pem"),
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            str(workdir / "sm2-msg"),
            "-sigfile",
            str(workdir / "sm2-sig.der"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )


def openssl_ed25519_verify(
    public_pem: bytes, message: bytes, signature: bytes, workdir: Path
) -> subprocess.CompletedProcess[str]:
    """`openssl pkeyutl -verify` of a raw Ed25519 signature over `message` (PureEdDSA: the
    whole message, hence `-rawin`)."""
    (workdir / "ed-pub.pem").write_bytes(public_pem)
    (workdir / "ed-sig").write_bytes(signature)
    (workdir / "ed-msg").write_bytes(message)
    return subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(workdir / "ed-pub.pem"),
            "-rawin",
            "-in",
            str(workdir / "ed-msg"),
            "-sigfile",
            str(workdir / "ed-sig"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
