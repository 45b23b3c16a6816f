"""The OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials) with `private_key_jwt`
client authentication (RFC 7523 §2.2, §3): no shared secrets, institutions sign a short
assertion with a key whose public half the admin registered.

**Authlib does the assertion.** `JWTBearerClientAssertion` (Authlib's RFC 7523 client
authentication, framework-agnostic) reads the assertion, finds the client by `sub`, resolves
its key and verifies the signature with joserfc; this module fills in what Authlib asks
implementers for — the audiences, the client's keys by `kid`, the `jti` store — and makes
the claim checks run on the registry's clock. Authlib's `AuthorizationServer` itself is not
used: its request/response plumbing has integrations for Flask and Django only, and the
answers here must be problem+json (with RFC 6749 §5.2's `error` member), so the endpoint's
few lines of dispatch are the web layer's.

Checks, in order (any failure: nothing changes):

1. `grant_type` is `client_credentials` (else 400 `unsupported_grant_type`), the assertion
   type is RFC 7523's (else 401 `invalid_client`);
2. the client named by `sub` exists; the signature verifies with one of its keys (by `kid`,
   alg ES256, EdDSA or RS256) — else 401 `invalid_client`;
3. `iss` = `sub` = client_id, `aud` names the token endpoint or the issuer, `exp` is in the
   future and no more than 5 minutes ahead (a longer-lived assertion is refused: a stolen
   one must not be usable for long), `jti` was never used (kept until its `exp`, in the
   database, so every server process agrees) — else 401 `invalid_client`;
4. the client is active (a suspended or revoked one: 401 `invalid_client`) and the scopes
   asked for are among its own (else 400 `invalid_scope`).

**Access tokens are opaque**, 10 minutes long, stored as their SHA-256 (never the token
itself). A self-contained JWT would save a lookup, but a suspension must stop live tokens at
once, which needs the client's state read on every request anyway; an opaque token then adds
nothing to manage (no signing key for tokens, nothing to leak in a token's payload).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.sharing.clients import ALGORITHMS, Institution, check_jwks
from dataip.sharing.scopes import SCOPES, Principal

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "ASSERTION_TYPE",
    "MAX_ASSERTION_SECONDS",
    "IssuedAccessToken",
    "RemoteJwks",
    "authenticate",
    "issue",
    "metadata",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS_TOKEN_SECONDS = 600
MAX_ASSERTION_SECONDS = 300
LEEWAY_SECONDS = 30  # clock skew allowed on exp/nbf/iat


def oauth_error(error: str, zh: str, en: str, status: int = 400) -> DomainError:
    """An RFC 6749 §5.2 error; the web layer adds `error` and `error_description`."""
    return DomainError(error, zh, en, status=status, details={"oauth": True})


def invalid_client(en: str, zh: str = "客户端认证失败") -> DomainError:
    return oauth_error("invalid_client", zh, f"client authentication failed: {en}", 401)


@dataclass(frozen=True)
class IssuedAccessToken:
    access_token: str
    expires_in: int
    scope: str  # space-separated (RFC 6749 §3.3)
    token_type: str = "Bearer"


def metadata(*, issuer: str, token_endpoint: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata."""
    return {
        "issuer": issuer,
        "token_endpoint": token_endpoint,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "scopes_supported": list(SCOPES),
        "response_types_supported": [],
        "service_documentation": issuer + "/api/v1/docs",
    }


# --- the client's keys ---------------------------------------------------------------------


class RemoteJwks:
    """JWKS fetched from clients' `jwks_uri`s, cached per process for `ttl` seconds and
    fetched again at once (at most every 30 s) when an assertion names a `kid` not in the
    cached set — so a client that rotates by publishing the new key first is never refused."""

    def __init__(
        self,
        fetch: Callable[[str], Any] | None = None,
        ttl: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch or _http_get
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def keys(self, uri: str, *, kid: str | None = None) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(uri)
        fresh = cached is not None and now - cached[0] < self._ttl
        missing = cached is not None and kid is not None and kid not in _kids(cached[1])
        if cached is not None and fresh and not (missing and now - cached[0] >= 30):
            return cached[1]
        try:
            doc = check_jwks(self._fetch(uri))
        except (DomainError, httpx.HTTPError, ValueError) as e:
            if cached is not None:
                return cached[1]  # the last good set, rather than refusing every client
            raise invalid_client(f"the client's JWKS could not be fetched ({e})") from None
        with self._lock:
            self._cache[uri] = (now, doc)
        return doc


def _kids(doc: Mapping[str, Any]) -> set[str]:
    return {str(k.get("kid")) for k in doc.get("keys", [])}


def _http_get(uri: str) -> Any:
    r = httpx.get(uri, timeout=5, follow_redirects=False)
    r.raise_for_status()
    return r.json()


_REMOTE = RemoteJwks()


class _Client:
    """What Authlib's assertion check asks of a client."""

    def __init__(self, institution: Institution) -> None:
        self.institution = institution

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == JWTBearerClientAssertion.CLIENT_AUTH_METHOD and endpoint == "token"


class _Form:
    """The request as Authlib reads it: the form, and the client it sets once found."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.client: _Client | None = None


class _Assertion(JWTBearerClientAssertion):  # type: ignore[misc]
    """Authlib's RFC 7523 client authentication with the registry's audiences, keys, clock
    and jti store."""

    def __init__(self, *, uow: Any, now: datetime, audiences: list[str], remote: RemoteJwks):
        super().__init__(validate_jti=True, leeway=LEEWAY_SECONDS)
        self._uow, self._now, self._audiences, self._remote = uow, now, audiences, remote

    def get_audiences(self) -> list[str]:
        return self._audiences

    def resolve_client_public_key(self, client: _Client) -> Callable[[Any], Any]:
        inst = client.institution

        def key_for(token: Any) -> Any:
            kid = token.headers().get("kid")
            doc = (
                inst.jwks
                if inst.jwks is not None
                else self._remote.keys(str(inst.jwks_uri), kid=kid)
            )
            try:
                keys = KeySet.import_key_set(dict(doc))  # type: ignore[arg-type]
            except (JoseError, ValueError) as e:
                raise invalid_client(f"the client's keys are unusable ({e})") from None
            if not isinstance(kid, str) or kid not in _kids(doc):
                raise invalid_client(
                    "the assertion's kid names none of the client's keys",
                    "客户端认证失败：断言的 kid 不是该客户端的密钥",
                )
            return keys.get_by_kid(kid)

        return key_for

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        # Authlib's own, with the algorithms held to the three the registry accepts
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=list(ALGORITHMS))
        except JoseError as e:
            raise invalid_client(
                f"the signature does not verify ({e.error})",
                "客户端认证失败：断言签名无效",
            ) from None
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        now = int(self._now.timestamp())
        registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=self.leeway,
            iss={"essential": True},
            sub={"essential": True},
            aud={"essential": True, "values": self.get_audiences()},
            exp={"essential": True},
            jti={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as e:
            zh = {
                "expired_token": "客户端认证失败：断言已过期",
                "invalid_claim": "客户端认证失败：断言的声明无效（如 aud 不是本令牌端点）",
            }.get(e.error, "客户端认证失败：断言的声明无效")
            raise invalid_client(f"{e.error}: {e.description}", zh) from None
        if claims["iss"] != claims["sub"]:
            raise invalid_client("iss and sub must both be the client_id")
        if (
            not isinstance(claims["exp"], int | float)
            or claims["exp"] - now > MAX_ASSERTION_SECONDS + self.leeway
        ):
            raise invalid_client(
                f"the assertion may live at most {MAX_ASSERTION_SECONDS} s",
                f"客户端认证失败：断言有效期不得超过{MAX_ASSERTION_SECONDS // 60}分钟",
            )
        if not isinstance(claims["jti"], str) or not 1 <= len(claims["jti"]) <= 200:
            raise invalid_client("jti must be a string of 1–200 characters")
        if not self.validate_jti(claims, claims["jti"]):
            raise invalid_client(
                "the assertion's jti was used before (a replay)",
                "客户端认证失败：断言已被使用过（重放）",
            )

    def validate_jti(self, claims: Mapping[str, Any], jti: str) -> bool:
        until = datetime.fromtimestamp(float(claims["exp"]) + self.leeway, UTC)
        used: bool = self._uow.sharing.use_assertion(
            client_id=claims["sub"], jti=jti, expires_at=until, now=self._now
        )
        return used


# --- issuing and checking tokens -------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    *,
    env: Env,
    form: Mapping[str, str],
    token_endpoint: str,
    issuer: str,
    remote: RemoteJwks | None = None,
) -> IssuedAccessToken:
    """Answer a token request (the form of RFC 6749 §4.4.2 with RFC 7523 §2.2's client
    authentication); see the module's docstring for the checks."""
    grant = form.get("grant_type")
    if not grant:
        raise oauth_error("invalid_request", "缺少 grant_type", "grant_type is required")
    if grant != "client_credentials":
        raise oauth_error(
            "unsupported_grant_type",
            "仅支持 client_credentials 授权类型",
            f"unsupported grant_type {grant[:60]!r}; only client_credentials",
        )
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise invalid_client(
            f"send client_assertion_type={ASSERTION_TYPE} and a client_assertion",
            "客户端认证失败：须以 private_key_jwt 断言认证",
        )
    now = env.now()
    request = _Form(form)
    with env.uow() as uow:

        def query_client(client_id: str) -> _Client | None:
            inst = uow.sharing.institution(client_id)
            return _Client(inst) if inst is not None else None

        check = _Assertion(
            uow=uow, now=now, audiences=[token_endpoint, issuer], remote=remote or _REMOTE
        )
        try:
            client = check(query_client, request)
        except OAuth2Error as e:  # Authlib's own refusals (unknown client, bad JWT)
            raise invalid_client(str(e.description or e.error)) from None
        if client is None:
            raise invalid_client("no client assertion")
        inst: Institution = client.institution
        if form.get("client_id") not in (None, inst.client_id):  # RFC 7521 §4.2: must match
            raise invalid_client("client_id is not the assertion's sub")
        if not inst.is_active:
            raise invalid_client(
                f"the client is {inst.state}", "客户端认证失败：该机构客户端已暂停或已撤销"
            )
        asked = form.get("scope")
        scopes = frozenset(asked.split()) if asked else inst.scopes
        beyond = sorted(scopes - inst.scopes)
        if beyond or not scopes:
            raise oauth_error(
                "invalid_scope",
                "所请求的权限超出该客户端获准的范围",
                f"scopes not granted to this client: {' '.join(beyond)[:200]}",
            )
        token = "dipi_" + secrets.token_urlsafe(32)
        uow.sharing.forget_tokens_before(now)
        uow.sharing.add_token(
            token_hash=_hash(token),
            token_id=secrets.token_urlsafe(12),
            institution_id=inst.id,
            scopes=scopes,
            issued_at=now,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        )
        uow.commit()
    return IssuedAccessToken(
        access_token=token, expires_in=ACCESS_TOKEN_SECONDS, scope=" ".join(sorted(scopes))
    )


def invalid_token(en: str, zh: str = "机构访问令牌无效或已过期") -> DomainError:
    return DomainError("invalid_token", zh, en, status=401)


def authenticate(*, env: Env, token: str | None) -> Principal:
    """The principal of a live access token of an active client; else 401 `invalid_token`."""
    if not token:
        raise invalid_token("an institutional access token is required", "须提供机构访问令牌")
    with env.read() as uow:
        found = uow.sharing.token(_hash(token))
    if found is None:
        raise invalid_token("the access token is invalid or expired")
    row, inst = found
    if row["expires_at"] <= env.now():
        raise invalid_token("the access token is invalid or expired")
    if not inst.is_active:
        raise invalid_token(
            f"the client is {inst.state}", "该机构客户端已暂停或已撤销，令牌不再有效"
        )
    return Principal(
        client_id=inst.client_id,
        institution_id=inst.id,
        kind=inst.kind,
        name=inst.name,
        scopes=frozenset(row["scopes"]) & inst.scopes,
        token_id=row["token_id"],
    )
