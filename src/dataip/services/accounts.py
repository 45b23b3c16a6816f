"""Accounts (账户): sign-up, login with argon2id, bearer tokens, roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services import login_throttle
from dataip.services.context import ANONYMOUS, Env, Identity
from dataip.services.ports import ConcurrencyConflict

SELF_SERVICE_ROLES = ("applicant", "agent")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash verified when the username is unknown, so timing does not reveal which
    usernames exist; made with the same parameters as real ones, so it costs the same."""
    return hasher.hash("dataip-not-a-password")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: m.User
    expires_at_iso: str


def hash_password(env: Env, password: str) -> str:
    """argon2id with the registry's parameters (``Env.password_hasher``)."""
    return env.password_hasher.hash(password)


def _check_password(password: str) -> None:
    if not (8 <= len(password) <= 256):
        raise DomainError(
            "weak_password",
            "密码长度须为8至256个字符",
            "the password must be 8 to 256 characters",
            status=422,
        )


def sign_up(
    identity: Identity,
    *,
    env: Env,
    username: str,
    password: str,
    display_name: str,
    role: str = "applicant",
    email: str | None = None,
) -> m.User:
    """Self-service sign-up as applicant or agent; only an admin creates registry staff."""
    if role not in m.ROLES:
        raise DomainError(
            "invalid_role", f"无效的角色：{role}", f"invalid role: {role}", status=422
        )
    if role not in SELF_SERVICE_ROLES:
        identity.require_admin()
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(
            "invalid_username",
            "用户名须为3至64位字母、数字或 _ . @ -",
            "username: 3–64 letters, digits or _ . @ -",
            status=422,
        )
    if not display_name.strip() or len(display_name) > 200:
        raise DomainError(
            "invalid_display_name",
            "请填写1至200字的显示名称",
            "display name: 1–200 characters",
            status=422,
        )
    _check_password(password)
    with env.uow() as uow:
        if uow.users.by_username(username):
            raise DomainError(
                "username_taken", "用户名已被注册", "username already taken", status=409
            )
        user = uow.users.add(
            m.User(
                username=username,
                password_hash=hash_password(env, password),
                role=role,
                display_name=display_name.strip(),
                email=email,
                created_at=env.now(),
            )
        )
        try:
            uow.commit()
        except ConcurrencyConflict as e:
            raise DomainError(
                "username_taken", "用户名已被注册", "username already taken", status=409
            ) from e
        return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    *, env: Env, username: str, password: str, client: str | None, ttl_hours: int = 168
) -> IssuedToken:
    """Check the password (argon2id) and issue a bearer token; the token is stored hashed.

    Every sign-in — API or portal — passes the throttle first (`login_throttle`): while the
    account, the client address `client` or the pair has too many recent failures the
    answer is 429 `too_many_attempts`, whatever the password."""
    bad = DomainError(
        "invalid_credentials", "用户名或密码错误", "wrong username or password", status=401
    )
    login_throttle.begin(env, username=username, client=client)
    with env.uow() as uow:
        user = uow.users.by_username(username)
        hasher = env.password_hasher
        try:
            hasher.verify(user.password_hash if user else _dummy_hash(hasher), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise bad from None
        if user is None or not user.is_active:
            raise bad
        if hasher.check_needs_rehash(user.password_hash):
            # the parameters changed since this hash was made: re-hash with today's
            user.password_hash = hash_password(env, password)
        token = "dip_" + secrets.token_urlsafe(32)
        now = env.now()
        expires = now + timedelta(hours=ttl_hours)
        uow.tokens.add(
            m.ApiToken(
                user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=expires
            )
        )
        login_throttle.clear(uow, username=username, client=client)
        uow.commit()
        return IssuedToken(token=token, user=user, expires_at_iso=expires.isoformat())


def authenticate(*, env: Env, token: str | None) -> Identity:
    """Resolve a bearer token to an identity; a missing token is anonymous, a bad one an error."""
    if not token:
        return ANONYMOUS
    # A read: every signed-in request passes here, and on SQLite a writing unit of work takes
    # the database's write lock (BEGIN IMMEDIATE) — each GET of a signed-in caller queued
    # behind every writer, and held the lock for two reads.
    with env.read() as uow:
        row = uow.tokens.by_hash(_token_hash(token))
        if row is None or row.revoked or row.expires_at <= env.now():
            raise DomainError(
                "invalid_token",
                "登录凭据无效或已过期",
                "the token is invalid or expired",
                status=401,
            )
        user = uow.users.get(row.user_id)
        if user is None or not user.is_active:
            raise DomainError(
                "invalid_token",
                "登录凭据无效或已过期",
                "the token is invalid or expired",
                status=401,
            )
        return Identity(user_id=user.id, role=user.role, username=user.username)


def logout(*, env: Env, token: str) -> None:
    with env.uow() as uow:
        row = uow.tokens.by_hash(_token_hash(token))
        if row is not None:
            row.revoked = True
            uow.commit()


def get_user(identity: Identity, *, env: Env) -> m.User:
    uid = identity.require_login()
    with env.uow() as uow:
        user = uow.users.get(uid)
        assert user is not None
        return user


def identity_for(*, env: Env, username: str) -> Identity:
    """Operator use (CLI on the registry's own machine): act as a named account."""
    with env.uow() as uow:
        user = uow.users.by_username(username)
        if user is None or not user.is_active:
            raise DomainError(
                "user_not_found", f"用户不存在：{username}", f"no such user: {username}", status=404
            )
        return Identity(user_id=user.id, role=user.role, username=user.username)


def create_user_as_operator(
    *, env: Env, username: str, password: str, display_name: str, role: str
) -> m.User:
    """Operator bootstrap of registry staff (the first admin has nobody to create it)."""
    return sign_up(
        Identity(user_id=0, role="registrar_admin", username="operator"),
        env=env,
        username=username,
        password=password,
        display_name=display_name,
        role=role,
    )
