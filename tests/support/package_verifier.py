"""An evidence-package verifier written from the specs alone (issue 20 §7): C2SP signed-note
and tlog-checkpoint, RFC 6962 / RFC 9162 (leaf and node hashes, inclusion proofs), RFC 7515
(JWS compact serialisation), RFC 8037 (Ed25519 in JOSE), RFC 7638 (the `kid` thumbprint) and
RFC 8785 (canonical JSON, for the strings, integers, booleans and nulls a credential holds).

It imports nothing from `dataip` — hashlib, base64, json and cryptography's Ed25519 only, as
tests/e2e/test_log_server.py's spec-only client does — so a package it accepts is one any
court's own implementation can check without trusting the registry's code. `verify` returns
the list of what is wrong (empty: verified).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Refused(Exception):
    pass


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(entry: bytes) -> bytes:  # RFC 6962 §2.1
    return sha256(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def b64url(text: str) -> bytes:  # RFC 7515 §2: base64url without padding
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(doc: Any) -> bytes:
    """RFC 8785 for JSON without floats: sorted keys, no whitespace, UTF-8 as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- C2SP signed-note and tlog-checkpoint ---------------------------------------------------


def parse_vkey(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """signed-note: `<name>+<hex key ID>+base64(0x01 || 32-byte Ed25519 public key)`."""
    name, key_id_hex, material_b64 = text.strip().split("+", 2)
    material = base64.b64decode(material_b64, validate=True)
    if len(material) != 33 or material[0] != 0x01:
        raise Refused("not an Ed25519 verifier key")
    key_id = bytes.fromhex(key_id_hex)
    # key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]
    if key_id != sha256(name.encode() + b"\n" + material)[:4]:
        raise Refused("the verifier key's ID does not match its name and key")
    return name, key_id, Ed25519PublicKey.from_public_bytes(material[1:])


def open_note(note: str, vkey: str) -> str:
    """The text of a signed note once a signature by `vkey` verifies over it."""
    name, key_id, public = parse_vkey(vkey)
    text, blank, signatures = note.rpartition("\n\n")
    if not blank or not note.endswith("\n"):
        raise Refused("not a signed note")
    text += "\n"
    for line in signatures.removesuffix("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise Refused(f"not a signature line: {line!r}")
        signer, signature_b64 = line[2:].split(" ")
        blob = base64.b64decode(signature_b64, validate=True)
        if signer != name or blob[:4] != key_id:
            continue  # another key's signature (a witness): ignored, as the spec says
        try:
            public.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise Refused("the checkpoint's signature does not verify") from None
        return text
    raise Refused("no signature by the log's key")


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    lines = text.removesuffix("\n").split("\n")
    origin, size_text, root_b64 = lines[:3]
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise Refused("bad checkpoint size")
    root = base64.b64decode(root_b64, validate=True)
    if len(root) != 32:
        raise Refused("bad checkpoint root")
    return origin, int(size_text), root


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --- JOSE -----------------------------------------------------------------------------------


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 for an OKP key: the required members crv, kty, x in order."""
    members = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    digest = sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_jws(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The payload of a compact JWS signed (EdDSA / Ed25519) by a key of `jwks`."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url(header_b64))
    if header.get("alg") not in ("EdDSA", "Ed25519"):
        raise Refused(f"unexpected JWS algorithm {header.get('alg')!r}")
    keys = {
        thumbprint(k): k
        for k in jwks.get("keys", [])
        if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"
    }
    jwk = keys.get(header.get("kid"))
    if jwk is None:
        raise Refused("the certificate's key is not among the issuer's keys")
    public = Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
    try:
        public.verify(b64url(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        raise Refused("the certificate's signature does not verify") from None
    payload: dict[str, Any] = json.loads(b64url(payload_b64))
    return payload


# --- the package ----------------------------------------------------------------------------


def _leaf_time(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def verify(package: bytes, log_vkey: str) -> list[str]:
    """What is wrong with the package, checked against the log key `log_vkey` the verifier
    obtained independently; empty: verified."""
    problems: list[str] = []
    doc = json.loads(package)
    # 1. The checkpoint, signed by the log's key.
    try:
        origin, size, root = parse_checkpoint(open_note(doc["checkpoint"], log_vkey))
    except (Refused, ValueError) as e:
        return [f"checkpoint: {e}"]
    if origin != log_vkey.split("+", 1)[0]:
        problems.append("checkpoint: origin is not the log's name")
    # 2. Each leaf: included under the checkpoint's root, and saying what the event says.
    leaves: dict[int, dict[str, Any]] = {}
    for e in doc["events"]:
        leaf = base64.b64decode(e["leaf"], validate=True)
        proof = [base64.b64decode(h, validate=True) for h in e["proof"]]
        if not verify_inclusion(e["index"], size, leaf_hash(leaf), proof, root):
            problems.append(f"event {e['event_id']}: inclusion proof fails")
            continue
        content = json.loads(leaf)
        if (content["event"], content["type"], content["public"], content["at"]) != (
            e["event_id"],
            e["type"],
            e["public"],
            _leaf_time(e["at"]),
        ):
            problems.append(f"event {e['event_id']}: the leaf says otherwise")
            continue
        leaves[e["event_id"]] = content
    # 3. The record against the leaves.
    record = doc["registration"]
    number = record["registration_number"]
    states = []
    for eid in sorted(leaves):
        public = leaves[eid]["public"]
        if public.get("registration_number", number) != number:
            problems.append(f"event {eid}: about another registration")
        if leaves[eid]["subject"]["type"] == "registration" and "state" in public:
            states.append(public["state"])
        approval = leaves[eid]["type"] == "ApplicationApproved"
        if approval and public["certificate_number"] != record["certificate_number"]:
            problems.append("record: certificate number differs from the approval's leaf")
    if states and states[-1] != record["state"]:
        problems.append("record: state differs from the latest leaf")
    # 4. Each certificate: signed by the issuer, its content committed in its issuance leaf.
    issued = {
        v["public"]["certificate_version"]: v["public"]["credential_sha256"]
        for v in leaves.values()
        if v["type"] == "CertificateIssued"
    }
    for c in doc["certificates"]:
        try:
            credential = verify_jws(c["token"], doc["issuer_jwks"])
        except (Refused, ValueError) as e:
            problems.append(f"certificate version {c['version']}: {e}")
            continue
        content = {k: v for k, v in credential.items() if k != "tlogProof"}
        if issued.get(c["version"]) != hashlib.sha256(canonical(content)).hexdigest():
            problems.append(f"certificate version {c['version']}: not the content logged")
        if credential["credentialSubject"]["registrationNumber"] != number:
            problems.append(f"certificate version {c['version']}: another registration")
    if not doc["certificates"] or not leaves:
        problems.append("package: no certificate or no proven event")
    return problems
