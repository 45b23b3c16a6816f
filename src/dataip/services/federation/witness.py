"""The witness (见证方; issue 21 §3): C2SP tlog-witness ``add-checkpoint`` for the logs of the
registries on the trust list, cosigning per C2SP tlog-cosignature (Ed25519 cosignature/v1).

One transaction per request: read what this witness last cosigned for the origin, check the
new checkpoint against it (:func:`dataip.federation.witness.check_extends`), then move the
stored state with a compare-and-swap from exactly the (size, root) checked — so of two
requests from the same old size one wins and the other gets 409 — and commit before the
cosignature leaves. A witness never cosigns two views of one log.
"""

from __future__ import annotations

import base64
from typing import Any

from dataip.domain.errors import DomainError
from dataip.federation.trust_list import TrustList
from dataip.federation.witness import check_extends, parse_add_checkpoint, peek_checkpoint
from dataip.ledger.checkpoint import open_checkpoint
from dataip.ledger.errors import VerificationError
from dataip.ledger.note import NoteSignature, format_note
from dataip.services.context import Env
from dataip.services.federation.trust import current_or_none, setup_of

__all__ = ["add_checkpoint", "known_size", "latest_checkpoint", "record_refusal", "refusals"]

REFUSALS_KEPT = 10_000  # the newest refused requests kept for the operator


def _unknown(origin: str) -> DomainError:
    return DomainError(
        "witness_unknown_log",
        "见证方不认识该日志",
        f"this witness knows no log with origin {origin[:200]!r}",
        status=404,
    )


def _forbidden(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=403)


def _list_in_force(env: Env) -> TrustList:
    try:
        listed = current_or_none(env)
    except DomainError as exc:  # the stored list no longer opens with the configured key
        raise DomainError(
            "witness_unavailable",
            "见证方的信任列表无法用所配置的运营方密钥验证",
            f"this witness's trust list does not verify: {exc.message_en}",
            status=503,
        ) from None
    if listed is None:
        raise DomainError(
            "witness_unavailable",
            "见证方尚无有效的信任列表",
            "this witness has no trust list in force",
            status=503,
        )
    try:
        listed.check_valid_at(env.now())
    except DomainError as exc:
        raise DomainError(
            "witness_unavailable",
            "见证方的信任列表已过期",
            f"this witness's trust list is not in force: {exc.message_en}",
            status=503,
        ) from None
    return listed


def _conflict(size: int) -> DomainError:
    return DomainError(
        "witness_old_size_mismatch",
        f"见证方最近副署的该日志树大小为 {size}",
        f"this witness last cosigned size {size} of this log",
        status=409,
        details={"known_size": size},
    )


def add_checkpoint(env: Env, body: bytes) -> str:
    """Handle one add-checkpoint body; return the cosignature line(s) (ending in a newline).
    A refusal is recorded (origin, sizes, code, status, time; never the body) and raised.
    """
    try:
        return _add_checkpoint(env, body)
    except DomainError as exc:
        origin, old_size, size = _named(body)
        record_refusal(
            env, code=exc.code, status=exc.status, origin=origin, old_size=old_size, size=size
        )
        raise


def _named(body: bytes) -> tuple[str | None, int | None, int | None]:
    """The origin, old size and size a request names, as far as its body reads."""
    try:
        request = parse_add_checkpoint(body)
    except DomainError:
        return None, None, None
    try:
        checkpoint = peek_checkpoint(request.checkpoint)
    except DomainError:
        return None, request.old_size, None
    return checkpoint.origin[:500], request.old_size, checkpoint.size


def record_refusal(
    env: Env,
    *,
    code: str,
    status: int,
    origin: str | None = None,
    old_size: int | None = None,
    size: int | None = None,
) -> None:
    """Keep one refused add-checkpoint request for the operator (the newest
    ``REFUSALS_KEPT``). Sizes beyond the database's integers are not kept."""

    def fits(n: int | None) -> int | None:
        return n if n is not None and 0 <= n < 2**63 else None

    with env.uow() as uow:
        uow.federation.record_refusal(
            keep=REFUSALS_KEPT,
            at=env.now(),
            origin=origin,
            old_size=fits(old_size),
            size=fits(size),
            code=code[:64],
            status=status,
        )
        uow.commit()


def refusals(env: Env, *, limit: int = 50, origin: str | None = None) -> list[dict[str, Any]]:
    """The refused requests, newest first (``dataip federation witness-log``)."""
    with env.read() as uow:
        return uow.federation.refusals(limit=limit, origin=origin)


def _add_checkpoint(env: Env, body: bytes) -> str:
    """add-checkpoint itself.

    Raises :class:`DomainError` with the spec's status: 400 ``witness_malformed_request``,
    403 ``witness_log_unlisted`` / ``witness_bad_signature``, 404 ``witness_unknown_log``,
    409 ``witness_old_size_mismatch`` (details ``known_size``), 422 ``witness_inconsistent``,
    503 ``witness_unavailable`` (no witness key, or no trust list in force).
    """
    signer = setup_of(env).witness
    if signer is None:
        raise DomainError(
            "witness_unavailable", "本登记机构未配置见证密钥", "no witness key", status=503
        )
    # 1. The body's syntax, and the origin of the checkpoint it carries (400).
    request = parse_add_checkpoint(body)
    origin = peek_checkpoint(request.checkpoint).origin
    entry = _list_in_force(env).by_origin(origin)
    now = env.now()
    with env.uow() as uow:
        state = uow.federation.witnessed(origin)
        # 2. A log of a listed registry (404 unknown; 403 known here but no longer listed).
        if entry is None:
            if state is not None:
                raise _forbidden(
                    "witness_log_unlisted",
                    "该日志所属的登记机构已不在信任列表中",
                    f"the log {origin[:200]!r} is no longer on the trust list",
                )
            raise _unknown(origin)
        # 3. Signed by the listed log key (403; signatures by other keys are ignored).
        try:
            checkpoint, log_signatures = open_checkpoint(
                request.checkpoint, [entry.log_verifier()], origin=origin
            )
        except VerificationError as exc:
            raise _forbidden(
                "witness_bad_signature",
                "检查点没有登记机构日志密钥的有效签名",
                f"the checkpoint has no valid signature by the listed log key: {exc}",
            ) from None
        # 4. Consistent with what this witness cosigned before (400, 409, 422).
        known_root = base64.b64decode(state.root_hash) if state else None
        check_extends(
            old_size=request.old_size,
            proof=request.proof,
            checkpoint=checkpoint,
            known_size=state.size if state else 0,
            known_root=known_root,
        )
        # 5. Cosign, and move the stored state from exactly what was checked.
        text = checkpoint.to_text()
        timestamp = max(1, int(now.timestamp()))  # tlog-witness: never zero
        signature = NoteSignature(
            signer.name, signer.key_id, signer.sign_at(text.encode("utf-8"), timestamp)
        )
        stored = format_note(text, [*log_signatures, signature])
        root = base64.b64encode(checkpoint.root_hash).decode("ascii")
        if state is None:
            moved = uow.federation.start_witnessing(
                origin=origin, size=checkpoint.size, root_hash=root, checkpoint=stored, at=now
            )
        else:
            moved = uow.federation.advance_witness(
                origin=origin,
                old_size=state.size,
                old_root=state.root_hash,
                size=checkpoint.size,
                root_hash=root,
                checkpoint=stored,
                at=now,
            )
        if not moved:
            # Another request moved it first: what it stored is the size to answer with.
            uow.rollback()
            raise _conflict(known_size(env, origin))
        uow.commit()
    return signature.to_line()


def known_size(env: Env, origin: str) -> int:
    """The size of the latest checkpoint this witness cosigned for ``origin`` (0: none)."""
    with env.read() as uow:
        state = uow.federation.witnessed(origin)
    return state.size if state else 0


def latest_checkpoint(env: Env, origin_hash: str) -> str:
    """tlog-witness monitoring: the latest checkpoint cosigned for the log whose origin's
    SHA-256 is ``origin_hash`` (lowercase hex), with the log's signature and this witness's
    cosignature. Raises ``witness_unknown_log`` (404) if it never cosigned one."""
    with env.read() as uow:
        state = uow.federation.witnessed_by_hash(origin_hash)
    if state is None:
        raise DomainError(
            "witness_unknown_log",
            "见证方未副署过该日志的检查点",
            "this witness has cosigned no checkpoint of that log",
            status=404,
        )
    return state.checkpoint
