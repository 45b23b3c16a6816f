"""Institutional clients (机构客户端) as the registry keeps them: their states, the
transitions the admin makes, and the public keys they authenticate with (RFC 7517 JWKS).

Pure: no storage, no HTTP. joserfc reads the keys (the same library that signs the
registry's own certificates), so a key this module accepts is one the token endpoint can
verify with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from dataip.domain.errors import DomainError

__all__ = [
    "ACTIONS",
    "ALGORITHMS",
    "STATES",
    "Institution",
    "check_jwks",
    "check_jwks_uri",
    "next_state",
]

# client-assertion signature algorithms the token endpoint accepts (RFC 7518, RFC 8037;
# "Ed25519" is RFC 9864's fully specified name for what "EdDSA" means here)
ALGORITHMS: Final = ("ES256", "EdDSA", "Ed25519", "RS256")

STATES: Final[dict[str, tuple[str, str]]] = {
    "active": ("有效", "active"),
    "suspended": ("已暂停", "suspended"),
    "revoked": ("已撤销", "revoked"),
}
# action -> (states it applies to, the state it leads to, zh, en)
ACTIONS: Final[dict[str, tuple[frozenset[str], str, str, str]]] = {
    "suspend": (frozenset({"active"}), "suspended", "暂停", "suspend"),
    "reactivate": (frozenset({"suspended"}), "active", "恢复", "reactivate"),
    "revoke": (frozenset({"active", "suspended"}), "revoked", "撤销", "revoke"),
}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MAX_KEYS = 10


@dataclass(frozen=True)
class Institution:
    """A registered institution and its OAuth client (one client per institution)."""

    id: int
    client_id: str
    kind: str  # a key of scopes.KINDS
    name: str
    uscc: str  # unified social credit code (统一社会信用代码)
    scopes: frozenset[str]
    jwks: Mapping[str, Any] | None
    jwks_uri: str | None
    state: str  # a key of STATES
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def is_active(self) -> bool:
        return self.state == "active"

    @property
    def kids(self) -> list[str]:
        return [str(k["kid"]) for k in (self.jwks or {}).get("keys", [])]


def _bad(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`; 404 an unknown action, 409 a wrong state."""
    if action not in ACTIONS:
        raise DomainError(
            "unknown_action", f"未知操作：{action}", f"unknown action: {action}", status=404
        )
    sources, target, zh, en = ACTIONS[action]
    if state not in sources:
        raise DomainError(
            "action_not_allowed_in_state",
            f"客户端当前状态为“{STATES[state][0]}”，不能{zh}",
            f"a client that is {STATES[state][1]} cannot be {en}d",
            status=409,
        )
    return target


def _check_key(jwk: Any) -> dict[str, Any]:
    if not isinstance(jwk, Mapping):
        raise _bad("invalid_jwks", "JWKS 中的密钥须为对象", "each key in the JWKS is an object")
    if _PRIVATE_MEMBERS & set(jwk):
        raise _bad(
            "invalid_jwks",
            "JWKS 只能包含公钥，不得含私钥",
            "a JWKS holds public keys only, never private ones",
        )
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not 1 <= len(kid) <= 200:
        raise _bad("invalid_jwks", "每个密钥须有 kid", "every key needs a `kid` (1–200 chars)")
    alg = jwk.get("alg")
    if alg is not None and alg not in ALGORITHMS:
        raise _bad(
            "invalid_jwks",
            f"不支持的签名算法：{alg}",
            f"unsupported algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}",
        )
    try:
        kty = jwk.get("kty")
        if kty == "EC" and jwk.get("crv") == "P-256":
            key: Any = ECKey.import_key(dict(jwk))
        elif kty == "OKP" and jwk.get("crv") == "Ed25519":
            key = OKPKey.import_key(dict(jwk))
        elif kty == "RSA":
            key = RSAKey.import_key(dict(jwk))
            if key.get_op_key("verify").key_size < 2048:
                raise _bad("invalid_jwks", "RSA 密钥至少2048位", "RSA keys need 2048 bits or more")
        else:
            raise _bad(
                "invalid_jwks",
                "仅支持 P-256、Ed25519 与 RSA 公钥",
                "only P-256 (ES256), Ed25519 (EdDSA) and RSA (RS256) public keys are accepted",
            )
    except (JoseError, ValueError, TypeError, KeyError) as e:
        raise _bad(
            "invalid_jwks", "JWKS 中的密钥无效", f"a key in the JWKS is invalid: {e}"
        ) from None
    public: dict[str, Any] = key.as_dict(private=False)
    return {**public, "kid": kid, **({"alg": alg} if alg else {}), "use": "sig"}


def check_jwks(doc: Any) -> dict[str, Any]:
    """The client's public keys, checked and reduced to their public members: 1 to 10 keys,
    each with a unique `kid` (rotation keeps several alive at once, RFC 7517 §4.5)."""
    raw = doc.get("keys") if isinstance(doc, Mapping) else None
    if not isinstance(raw, list) or not 1 <= len(raw) <= _MAX_KEYS:
        raise _bad(
            "invalid_jwks",
            f"JWKS 须含1至{_MAX_KEYS}个密钥的 keys 数组",
            f"a JWKS has a `keys` array of 1 to {_MAX_KEYS} keys",
        )
    keys = [_check_key(k) for k in raw]
    kids = [k["kid"] for k in keys]
    if len(set(kids)) != len(kids):
        raise _bad("invalid_jwks", "JWKS 中的 kid 不得重复", "the keys' `kid`s must be distinct")
    KeySet.import_key_set({"keys": keys})  # what the token endpoint will do with it
    return {"keys": keys}


def check_jwks_uri(uri: Any) -> str:
    """A JWKS URL: https only (an http URL would let anyone on the path swap the keys)."""
    if not isinstance(uri, str) or not uri.startswith("https://") or len(uri) > 2000:
        raise _bad(
            "invalid_jwks_uri",
            "JWKS 地址须为 https:// 开头的网址",
            "the JWKS URL must be an https:// URL (up to 2,000 characters)",
        )
    return uri
