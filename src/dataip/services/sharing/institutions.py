"""Institutions and their OAuth clients (机构客户端), as the registry's admin manages them.

The admin registers an institution — its kind, name, unified social credit code (统一社会
信用代码, checked with python-stdnum like every credit code), the scopes it may use (only those
`GRANTABLE` for its kind) and its public keys, an inline JWKS or a JWKS URL — and may later
suspend, reactivate or revoke it, or replace its keys. Rotation without downtime: put a
JWKS holding the old and the new key, move the signer to the new `kid`, then put one without
the old. A suspended or revoked client gets no token, and its live tokens stop working at
once (`tokens.authenticate` reads the client's state on every request)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_uscc, normalise
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict
from dataip.sharing.clients import Institution, check_jwks, check_jwks_uri, next_state
from dataip.sharing.scopes import GRANTABLE, KINDS, SCOPES

__all__ = ["act", "get", "list_all", "register", "replace_keys", "replace_scopes"]


def _not_found(client_id: str) -> DomainError:
    return DomainError(
        "institution_not_found",
        "机构客户端不存在",
        f"no institutional client {client_id}",
        status=404,
    )


def _check_scopes(kind: str, scopes: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(scopes)
    unknown = sorted(wanted - SCOPES.keys())
    if unknown:
        raise DomainError(
            "invalid_scope",
            f"未知的权限范围：{'、'.join(unknown)}",
            f"unknown scopes: {', '.join(unknown)}",
            status=422,
        )
    if not wanted:
        raise DomainError(
            "invalid_scope", "须至少授予一项权限", "grant at least one scope", status=422
        )
    beyond = sorted(wanted - GRANTABLE[kind])
    if beyond:
        raise DomainError(
            "scope_not_grantable",
            f"{KINDS[kind][0]}不得被授予：{'、'.join(SCOPES[s][0] for s in beyond)}",
            f"a {KINDS[kind][1]} may not be granted {', '.join(beyond)}",
            status=422,
            details={"scopes": beyond},
        )
    return wanted


def _keys(jwks: Any, jwks_uri: Any) -> tuple[dict[str, Any] | None, str | None]:
    if (jwks is None) == (jwks_uri is None):
        raise DomainError(
            "keys_required",
            "须提供 JWKS 或 JWKS 地址之一",
            "give either an inline JWKS or a JWKS URL (one of the two)",
            status=422,
        )
    return (check_jwks(jwks), None) if jwks is not None else (None, check_jwks_uri(jwks_uri))


def register(
    identity: Identity,
    *,
    env: Env,
    kind: str,
    name: str,
    uscc: str,
    scopes: Iterable[str],
    jwks: Any = None,
    jwks_uri: Any = None,
) -> Institution:
    """Register an institution and its client; the new `client_id` is the registry's."""
    uid = identity.require_admin()
    if kind not in KINDS:
        raise DomainError(
            "invalid_institution_kind",
            f"无效的机构类型：{kind}",
            f"invalid institution kind: {kind}",
            status=422,
        )
    if not name.strip() or len(name) > 200:
        raise DomainError(
            "invalid_name", "机构名称须为1至200字", "name: 1–200 characters", status=422
        )
    check_uscc(uscc)  # 400 invalid_uscc, as for every subject named by its credit code
    granted = _check_scopes(kind, scopes)
    keys, uri = _keys(jwks, jwks_uri)
    now = env.now()
    with env.uow() as uow:
        inst = uow.sharing.add_institution(
            client_id=f"{kind}-{secrets.token_hex(8)}",
            kind=kind,
            name=name.strip(),
            uscc=normalise(uscc),
            scopes=granted,
            jwks=keys,
            jwks_uri=uri,
            state="active",
            created_by=uid if uid > 0 else None,
            created_at=now,
            updated_at=now,
        )
        uow.commit()
        return inst


def list_all(identity: Identity, *, env: Env) -> list[Institution]:
    identity.require_admin()
    with env.read() as uow:
        return list(uow.sharing.institutions())


def get(identity: Identity, *, env: Env, client_id: str) -> Institution:
    identity.require_admin()
    with env.read() as uow:
        inst = uow.sharing.institution(client_id)
        if inst is None:
            raise _not_found(client_id)
        return inst


def _change(identity: Identity, env: Env, client_id: str, how: Any) -> Institution:
    identity.require_admin()
    with env.uow() as uow:
        inst = uow.sharing.institution(client_id, for_update=True)
        if inst is None:
            raise _not_found(client_id)
        values = how(inst)
        if not uow.sharing.update_institution(inst, **values, updated_at=env.now()):
            raise ConcurrencyConflict("institution changed meanwhile")
        uow.commit()
    with env.read() as uow:
        changed = uow.sharing.institution(client_id)
        assert changed is not None
        return changed


def act(identity: Identity, *, env: Env, client_id: str, action: str) -> Institution:
    """`suspend`, `reactivate` or `revoke` the client (revoking is final)."""
    return _change(identity, env, client_id, lambda i: {"state": next_state(i.state, action)})


def replace_keys(
    identity: Identity, *, env: Env, client_id: str, jwks: Any = None, jwks_uri: Any = None
) -> Institution:
    """Replace the client's public keys (rotation: see the module's docstring)."""
    keys, uri = _keys(jwks, jwks_uri)

    def how(inst: Institution) -> dict[str, Any]:
        if inst.state == "revoked":
            next_state(inst.state, "reactivate")  # raises: a revoked client stays revoked
        return {"jwks": keys, "jwks_uri": uri}

    return _change(identity, env, client_id, how)


def replace_scopes(
    identity: Identity, *, env: Env, client_id: str, scopes: Iterable[str]
) -> Institution:
    """Change what the client may use (only what its kind may hold). Narrowing takes effect
    at once: a live token keeps only the scopes its client still holds."""

    def how(inst: Institution) -> dict[str, Any]:
        if inst.state == "revoked":
            next_state(inst.state, "reactivate")  # raises: a revoked client stays revoked
        return {"scopes": _check_scopes(inst.kind, scopes)}

    return _change(identity, env, client_id, how)
