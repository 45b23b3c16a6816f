"""Evidence deposits (存证, R6 / G§8): a data set's fingerprint root fixed in the registry's
transparency log, with a receipt anyone can verify offline.

The data never reaches the registry: a deposit is the manifest root (and, if the holder
chooses, the manifest itself — file names, sizes and digests, no content). The deposit's
event is a log leaf like every other; its receipt is the C2SP tlog-proof of that leaf, which
names the evidence number, the root and the time.
"""

from __future__ import annotations

import re
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.evidence.fingerprint import FingerprintError, Manifest
from dataip.evidence.hashing import HASH_NAMES
from dataip.services.context import Env, Identity
from dataip.services.recording import commitment, record_event

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
DEPOSIT_ROLES = {"applicant", "agent"}


def _number(uow: Any, env: Env) -> str:
    """CZ (存证) + year + registry code + 7-digit serial, e.g. CZ202652000000042."""
    year = env.today().year
    serial = uow.next_value(f"deposit:{env.profile.registry_code}:{year}")
    return f"CZ{year}{env.profile.registry_code}{serial:07d}"


def _invalid(code: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=422, details=details)


def deposit(
    identity: Identity,
    *,
    env: Env,
    root: str,
    hash_name: str = "sha256",
    manifest: dict[str, Any] | None = None,
    title: str | None = None,
) -> m.Deposit:
    """Record a data set's root. The same depositor depositing the same root again gets 409
    with the earlier number: priority belongs to the first deposit."""
    uid = identity.require_login()
    if identity.role not in DEPOSIT_ROLES:
        raise DomainError(
            "forbidden", "仅申请人或代理人可存证", "only applicants and agents deposit", status=403
        )
    root = root.strip().lower()
    for prefix in ("sha256:", "sm3:"):
        if root.startswith(prefix):
            hash_name, root = prefix[:-1], root[len(prefix) :]
    if hash_name not in HASH_NAMES:
        raise _invalid("invalid_hash", "哈希算法须为 sha256 或 sm3", "hash must be sha256 or sm3")
    if not _HEX64.match(root):
        raise _invalid(
            "invalid_root", "根哈希须为64位十六进制", "the root must be 64 hex digits", root=root
        )
    files = size = None
    if manifest is not None:
        try:
            parsed = Manifest.from_dict(manifest)
        except FingerprintError as exc:
            raise _invalid(
                "invalid_manifest", f"清单无效：{exc}", f"invalid manifest: {exc}"
            ) from None
        if (parsed.hash, parsed.root) != (hash_name, root):
            raise _invalid(
                "manifest_mismatch",
                "清单的根哈希与所存证的根哈希不一致",
                "the manifest's root is not the root deposited",
                manifest_root=f"{parsed.hash}:{parsed.root}",
            )
        files, size = len(parsed.files), sum(f.size for f in parsed.files)
    now = env.now()
    with env.uow() as uow:
        earlier = uow.deposits.find(uid, hash_name, root)
        if earlier is not None:
            raise DomainError(
                "already_deposited",
                f"该数据已于 {earlier.deposited_at:%Y-%m-%d %H:%M} 存证，编号 {earlier.number}",
                f"already deposited as {earlier.number}",
                status=409,
                details={"number": earlier.number},
            )
        dep = uow.deposits.add(
            m.Deposit(
                number=_number(uow, env),
                hash=hash_name,
                root=root,
                depositor_user_id=uid,
                deposited_at=now,
                files=files,
                bytes=size,
                manifest=manifest,
                title=title,
            )
        )
        uow.flush()
        public: dict[str, Any] = {"number": dep.number, "hash": hash_name, "root": root}
        if files is not None:
            public |= {"files": files, "bytes": size}
        private = {"manifest": commitment(manifest)} if manifest is not None else {}
        if title:
            private["title"] = commitment(title)
        event = record_event(
            uow,
            subject_type="deposit",
            subject_id=dep.id,
            type="EvidenceDeposited",
            at=now,
            actor_user_id=uid,
            public=public,
            private=private,
        )
        uow.flush()
        dep.event_id = event.id
        uow.commit()
        return dep


def get(identity: Identity, *, env: Env, number: str) -> tuple[m.Deposit, bool]:
    """A deposit by number, and whether the caller may see its manifest (its depositor)."""
    with env.uow() as uow:
        dep = uow.deposits.by_number(number.strip().upper())
    if dep is None:
        raise DomainError(
            "deposit_not_found", f"存证编号不存在：{number}", f"no deposit {number}", status=404
        )
    return dep, identity.user_id == dep.depositor_user_id


def mine(identity: Identity, *, env: Env) -> list[m.Deposit]:
    uid = identity.require_login()
    with env.uow() as uow:
        return uow.deposits.for_user(uid)
