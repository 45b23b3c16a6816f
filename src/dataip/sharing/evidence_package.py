"""The evidence package (证据包, issue 20 §7): one JSON document a court can verify offline with
nothing but the C2SP signed-note / tlog-checkpoint specs, RFC 6962/9162 and JOSE (RFC 7515,
RFC 8037) — it need not trust the registry's servers (证据互认). Decision 0011 says why one
JSON document rather than a ZIP; docs/sharing.md "Evidence packages" documents each member.

What it holds::

    {"format": "dataip-evidence-package", "version": 1, "generated_at", "scope": "public"|"full",
     "purpose": {...} | null,
     "registry": {"issuer_id", "name", "code"},
     "log": {"origin", "vkey"},             # the log's C2SP verifier key
     "issuer_jwks": {"keys": [...]},         # the registry's certificate keys (RFC 7517)
     "checkpoint": "<signed note>",          # C2SP tlog-checkpoint, signed by the log's key
     "registration": {...},                  # the public record (as the API serves it)
     "archive": {...} | null,                # the registration archive (scope "full" only)
     "events": [{"index", "event_id", "type", "at", "public", "leaf" (base64 of the leaf
                 bytes), "proof" [base64 hashes]}],
     "unproven": [{"event_id", "type"}],     # events the checkpoint does not cover yet
     "certificates": [{"version", "kid", "token" (vc+jwt), "cosigned" (JWS JSON | null)}]}

:func:`verify_package` checks it, step by step (numbered in the code), and returns a
:class:`PackageReport`; every failure is a :class:`Finding`, never an exception — a court
wants to know everything that is wrong, not the first thing. Pure: the project's ledger code
and joserfc; no storage, no HTTP.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

from dataip.ledger import merkle
from dataip.ledger.canonical import canonicalize
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Verifier

__all__ = [
    "FORMAT",
    "MEDIA_TYPE",
    "VERSION",
    "Finding",
    "PackageReport",
    "leaf_time",
    "verify_package",
]

FORMAT = "dataip-evidence-package"
VERSION = 1
MEDIA_TYPE = "application/vnd.dataip.evidence-package+json"
CERTIFICATE_LEAF = "CertificateIssued"
PROOF_CLAIM = "tlogProof"  # certs.tlog.CLAIM: the certificate's own proof, not what it signs

_JWS = JWSRegistry(algorithms=["EdDSA", "Ed25519"])
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module=r"joserfc\.")


@dataclass(frozen=True)
class Finding:
    """One failed check: a stable code, where, and what (Chinese and English)."""

    code: str
    where: str
    zh: str
    en: str


@dataclass
class PackageReport:
    """What :func:`verify_package` found. ``ok`` only when nothing failed."""

    registration_number: str | None = None
    log_origin: str | None = None
    tree_size: int | None = None
    key_source: str = "package"  # "given": the caller's key; "package": the package's own
    events_proven: int = 0
    unproven: int = 0
    certificates_verified: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def fail(self, code: str, where: str, zh: str, en: str) -> None:
        self.findings.append(Finding(code, where, zh, en))


def leaf_time(at: str) -> str:
    """The leaf's time (``services.ledger.leaves``): UTC with microseconds and ``Z``."""
    return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a base64 string")
    return base64.b64decode(text, validate=True)


def _log_verifier(doc: Mapping[str, Any], given: str | None, report: PackageReport) -> Verifier:
    log = doc.get("log") or {}
    try:
        inside = Verifier.from_text(str(log.get("vkey", "")))
    except (FormatError, ValueError) as e:
        inside = None
        if given is None:
            raise VerificationError(f"the package's log key is unreadable: {e}") from None
    if given is None:
        assert inside is not None
        return inside
    try:
        key = Verifier.from_text(given.strip())
    except (FormatError, ValueError) as e:
        raise VerificationError(f"the log key given is unreadable: {e}") from None
    report.key_source = "given"
    if inside is not None and inside != key:
        report.fail(
            "log_key_mismatch",
            "log.vkey",
            "包内透明日志密钥与您提供的密钥不一致",
            "the package's log key is not the key you gave",
        )
    return key


def _checkpoint(doc: Mapping[str, Any], key: Verifier, report: PackageReport) -> Checkpoint | None:
    try:
        cp, _ = open_checkpoint(str(doc.get("checkpoint", "")), [key], origin=key.name)
    except (VerificationError, FormatError) as e:
        report.fail(
            "bad_checkpoint",
            "checkpoint",
            "检查点签名无效或格式错误（密钥不符或被篡改）",
            f"the checkpoint does not verify with the log's key: {e}",
        )
        return None
    report.log_origin, report.tree_size = cp.origin, cp.size
    return cp


def _events(
    doc: Mapping[str, Any], cp: Checkpoint | None, report: PackageReport
) -> dict[int, dict[str, Any]]:
    """Each event's leaf: its inclusion proof against the checkpoint's root, and its content
    against the event's stated facts. The parsed leaves that check out, by event id."""
    leaves: dict[int, dict[str, Any]] = {}
    events = doc.get("events")
    if not isinstance(events, list) or not events:
        report.fail("no_events", "events", "证据包没有事件", "the package holds no events")
        return leaves
    for i, e in enumerate(events):
        where = f"events[{i}]"
        try:
            leaf = _b64(e["leaf"])
            proof = [_b64(h) for h in e["proof"]]
            index = e["index"]
            if type(index) is not int:
                raise ValueError("index is not an integer")
        except (KeyError, TypeError, ValueError, binascii.Error) as x:
            report.fail("malformed_event", where, "事件条目格式错误", f"malformed event: {x}")
            continue
        # 3a. The leaf is in the log: its inclusion proof leads to the signed root.
        if cp is not None:
            try:
                merkle.verify_inclusion(merkle.leaf_hash(leaf), index, cp.size, proof, cp.root_hash)
            except VerificationError as x:
                report.fail(
                    "bad_inclusion_proof",
                    where,
                    f"第 {index} 号日志叶子的包含证明不成立（叶子或证明被改动）",
                    f"leaf {index}: the inclusion proof does not lead to the checkpoint: {x}",
                )
                continue
        # 3b. The leaf says what the event says (type, time, public facts, event id).
        try:
            content = json.loads(leaf)
        except ValueError:
            report.fail("malformed_leaf", where, "日志叶子不是 JSON", "the leaf is not JSON")
            continue
        stated = {
            "event": e.get("event_id"),
            "type": e.get("type"),
            "public": e.get("public"),
            "at": leaf_time(str(e.get("at"))) if e.get("at") else None,
        }
        got = {k: content.get(k) for k in stated}
        if got != stated:
            differ = sorted(k for k in stated if got[k] != stated[k])
            report.fail(
                "leaf_mismatch",
                where,
                f"事件内容与日志叶子不符（{'、'.join(differ)}）",
                f"the event's stated facts differ from its leaf ({', '.join(differ)})",
            )
            continue
        leaves[int(content["event"])] = content
        report.events_proven += 1
    return leaves


def _facts(
    doc: Mapping[str, Any], leaves: dict[int, dict[str, Any]], report: PackageReport
) -> None:
    """The record's facts against the proven leaves."""
    reg = doc.get("registration") or {}
    number = reg.get("registration_number")
    report.registration_number = number if isinstance(number, str) else None
    # 4a. Every leaf naming a registration names this one.
    for eid, leaf in leaves.items():
        named = leaf.get("public", {}).get("registration_number")
        if named is not None and named != number:
            report.fail(
                "foreign_leaf",
                f"event {eid}",
                "日志叶子属于另一项登记",
                f"leaf of event {eid} is about registration {named}, not {number}",
            )
    # 4b. The approval's leaf fixes the certificate number and registration date.
    approved = [v for v in leaves.values() if v.get("type") == "ApplicationApproved"]
    for leaf in approved:
        public = leaf.get("public", {})
        for key in ("certificate_number", "registration_date"):
            if key in public and reg.get(key) != public[key]:
                report.fail(
                    "record_mismatch",
                    f"registration.{key}",
                    f"登记记录的 {key} 与核准登记的日志叶子不符",
                    f"the record's {key} differs from the approval's leaf",
                )
    # 4c. The state is the one the latest registration leaf left it in.
    states = [
        v["public"]["state"]
        for _, v in sorted(leaves.items())
        if v.get("subject", {}).get("type") == "registration" and "state" in v.get("public", {})
    ]
    if states and reg.get("state") != states[-1]:
        report.fail(
            "record_mismatch",
            "registration.state",
            "登记状态与最新的日志叶子不符",
            f"the record's state {reg.get('state')!r} is not the latest leaf's {states[-1]!r}",
        )
    # 4d. A full archive lists the same events as the package.
    archive = doc.get("archive")
    if isinstance(archive, Mapping):
        listed = {(e.get("id"), e.get("type")) for e in archive.get("events", [])}
        packaged = {(e.get("event_id"), e.get("type")) for e in doc.get("events", [])}
        packaged |= {(e.get("event_id"), e.get("type")) for e in doc.get("unproven", [])}
        if listed != packaged:
            report.fail(
                "archive_mismatch",
                "archive.events",
                "档案所列事件与证据包中的事件不一致",
                "the archive's events are not the package's events",
            )
        if (archive.get("registration") or {}).get("registration_number") != number:
            report.fail(
                "archive_mismatch",
                "archive.registration",
                "档案的登记号与登记记录不符",
                "the archive's registration number differs from the record's",
            )


def _jwks(doc: Mapping[str, Any]) -> dict[str, OKPKey]:
    out: dict[str, OKPKey] = {}
    for jwk in (doc.get("issuer_jwks") or {}).get("keys", []):
        if isinstance(jwk, Mapping) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]})
            if jwk.get("kid") in (None, key.thumbprint()):  # RFC 7638: kid is the thumbprint
                out[key.thumbprint()] = key
    return out


def _certificates(
    doc: Mapping[str, Any], leaves: dict[int, dict[str, Any]], report: PackageReport
) -> None:
    """5. Each certificate version: its JWS signature by a key of the issuer's JWKS, and its
    content digest in the issuance leaf of that version."""
    keys = _jwks(doc)
    issued = {
        leaf["public"].get("certificate_version"): leaf["public"].get("credential_sha256")
        for leaf in leaves.values()
        if leaf.get("type") == CERTIFICATE_LEAF
    }
    number = report.registration_number
    certificates = doc.get("certificates")
    if not isinstance(certificates, list) or not certificates:
        report.fail("no_certificates", "certificates", "证据包没有证书", "no certificate")
        return
    for i, c in enumerate(certificates):
        where = f"certificates[{i}]"
        try:
            obj = jws.extract_compact(str(c["token"]).encode("ascii"))
            header = dict(obj.headers())
            credential = json.loads(obj.payload)
        except (KeyError, TypeError, ValueError, JoseError, UnicodeError) as x:
            report.fail("malformed_certificate", where, "证书格式错误", f"unreadable: {x}")
            continue
        key = keys.get(str(header.get("kid")))
        good = False
        if key is not None and header.get("alg") in ("EdDSA", "Ed25519"):
            try:
                good = bool(jws.validate_compact(obj, key, registry=_JWS))
            except JoseError:
                good = False
        if not good:
            report.fail(
                "bad_certificate_signature",
                where,
                "证书签名无效：证书被篡改、伪造或签发密钥不在包内",
                "the certificate's signature does not verify with the issuer's keys",
            )
            continue
        subject = credential.get("credentialSubject") or {}
        if isinstance(subject, list):
            subject = subject[0] if subject else {}
        version = c.get("version")
        content = {k: v for k, v in credential.items() if k != PROOF_CLAIM}
        digest = hashlib.sha256(canonicalize(content)).hexdigest()
        if subject.get("registrationNumber") != number:
            report.fail(
                "certificate_mismatch",
                where,
                "证书的登记号与登记记录不符",
                "the certificate names another registration",
            )
        elif issued.get(version) != digest:
            report.fail(
                "certificate_not_logged",
                where,
                f"第 {version} 版证书的内容摘要与其颁发日志叶子不符",
                f"certificate version {version}: no issuance leaf commits to this content",
            )
        else:
            report.certificates_verified += 1


def verify_package(data: bytes | str, *, log_key: str | None = None) -> PackageReport:
    """Verify an evidence package offline. ``log_key``: the log's C2SP verifier key as the
    verifier obtained it independently (the registry's published key); without it the
    package's own key is used and the report says so (``key_source``)."""
    report = PackageReport()
    # 1. The document and its format.
    try:
        doc = json.loads(data)
    except ValueError:
        report.fail("not_json", "", "证据包不是 JSON 文档", "the package is not a JSON document")
        return report
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        report.fail(
            "unknown_format",
            "format",
            "不是本格式（第 1 版）的证据包",
            f"not a {FORMAT} version {VERSION} document",
        )
        return report
    # 2. The log's key (the caller's, if given) and the signed checkpoint.
    try:
        key = _log_verifier(doc, log_key, report)
    except VerificationError as e:
        report.fail("bad_log_key", "log.vkey", "透明日志密钥无法读取", str(e))
        return report
    cp = _checkpoint(doc, key, report)
    # 3. Each event's leaf and inclusion proof.
    leaves = _events(doc, cp, report)
    report.unproven = len(doc.get("unproven") or [])
    # 4. The record's facts against the leaves.
    _facts(doc, leaves, report)
    # 5. The certificates.
    _certificates(doc, leaves, report)
    return report
