"""Institutional reads (机构查阅) and their account (R25, issue 20 §3).

An institution reads the public record with `registrations:read`; the full record (private
fields: holders' details, filings' terms, requests' contents) and the registration archive
need `registrations:read-full` **and a stated purpose** — a court's case number (案号), an
agency's file reference — and every such read is recorded before the data leave the registry:
who (client, institution), what (registration number, record or archive), when, under which
scope, for what purpose. The record is appended to a chain (`dataip.sharing.reads`): each
stores SHA-256 over the previous record's hash and its own canonical content, so an edited or
deleted record is found by `verify` (`dataip institutions verify-reads`). The holders of a
registration (and the registry) see who read it (`for_registration`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services import registrations
from dataip.services.context import ANONYMOUS, Env, Identity
from dataip.services.registrations import RegistrationView
from dataip.sharing.reads import (
    GENESIS,
    ChainFinding,
    ReadRecord,
    chain_hash,
    content,
    verify_chain,
)
from dataip.sharing.scopes import REGISTRATIONS_READ_FULL, Principal

__all__ = ["archive", "check_purpose", "for_registration", "full_record", "public_record", "verify"]

_COUNTER = "institution_reads"
# a court's case number (案号), e.g. （2026）浙01民初123号: year in brackets, court and case
# type, a number and 号 (最高人民法院《关于人民法院案件案号的若干规定》)
_CASE_NUMBER = re.compile(r"^[（(]\d{4}[）)][\u4e00-\u9fff0-9A-Za-z]{2,20}?\d{1,8}号(之\d{1,3})?$")


def check_purpose(principal: Principal, purpose: str | None) -> str:
    """The stated purpose a private read needs: required for every institution, a case
    number (案号) for a court. 422 `purpose_required` / `invalid_purpose`."""
    text = unicodedata.normalize("NFC", (purpose or "").strip())
    if not text:
        raise DomainError(
            "purpose_required",
            "读取完整登记信息或档案须说明用途（法院：案号）",
            "reading private fields or the archive needs a stated purpose "
            "(`purpose`; a court gives its case number)",
            status=422,
        )
    if len(text) > 200 or any(unicodedata.category(ch).startswith("C") for ch in text):
        raise DomainError(
            "invalid_purpose",
            "用途说明须为1至200个可见字符",
            "the purpose is 1–200 printable characters",
            status=422,
        )
    if principal.kind == "court" and not _CASE_NUMBER.fullmatch(text):
        raise DomainError(
            "invalid_purpose",
            "法院须以案号说明用途，如（2026）浙01民初123号",
            "a court states its case number, e.g. （2026）浙01民初123号",
            status=422,
        )
    return text


def _record(
    env: Env,
    principal: Principal,
    *,
    number: str,
    resource: str,
    purpose: str,
    scope: str = REGISTRATIONS_READ_FULL,
) -> ReadRecord:
    """Append one read to the chain, in its own transaction (the counter's row lock
    serialises appenders, so each links to the one before)."""
    with env.uow() as uow:
        seq = uow.next_value(_COUNTER)
        last = uow.sharing.last_read()
        record = ReadRecord(
            seq=seq,
            institution_id=principal.institution_id,
            client_id=principal.client_id,
            institution_name=principal.name,
            kind=principal.kind,
            token_id=principal.token_id,
            scope=scope,
            registration_number=number,
            resource=resource,
            purpose=purpose,
            read_at=env.now().replace(microsecond=0),
            prev_hash=last.hash if last is not None else GENESIS,
            hash="",
        )
        record = replace(record, hash=chain_hash(record.prev_hash, content(record)))
        uow.sharing.add_read(record)
        uow.commit()
        return record


def public_record(principal: Principal, *, env: Env, number: str) -> RegistrationView:
    """The public record (`registrations:read`): what anyone sees; not accounted."""
    return registrations.view(ANONYMOUS, env=env, number=number)


def full_record(
    principal: Principal, *, env: Env, number: str, purpose: str | None
) -> RegistrationView:
    """The full record (`registrations:read-full` and a purpose), accounted before it is
    returned."""
    stated = check_purpose(principal, purpose)
    v = registrations.view(ANONYMOUS, env=env, number=number, institutional=True)
    _record(
        env, principal, number=v.registration.registration_number, resource="record", purpose=stated
    )
    v.allowed_actions = []
    return v


def archive(
    principal: Principal,
    *,
    env: Env,
    number: str,
    purpose: str | None,
    resource: str = "archive",
) -> dict[str, Any]:
    """The registration archive (G§25) for `registrations:read-full` and a purpose; accounted
    as `resource` (the archive alone, or the evidence package holding it)."""
    stated = check_purpose(principal, purpose)
    dossier = registrations.archive(ANONYMOUS, env=env, number=number, institutional=True)
    reg_number = str(dossier["registration"]["registration_number"])
    _record(env, principal, number=reg_number, resource=resource, purpose=stated)
    return dossier


def for_registration(identity: Identity, *, env: Env, number: str) -> list[ReadRecord]:
    """Who read this registration's private fields or archive: its holders and the registry."""
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise actions.not_found()
        identity.require_login()
        who = actions.caller(uow, env, identity, reg)
        if not who.actors & {"holder", "registry"}:
            raise DomainError(
                "forbidden",
                "仅登记主体和登记机构可查看查阅记录",
                "only the holders and the registry see who read a registration",
                status=403,
            )
        return uow.sharing.reads(registration_number=reg.registration_number)


def verify(*, env: Env) -> list[ChainFinding]:
    """Recompute the whole chain of reads: every edited, unlinked or missing record."""
    with env.read() as uow:
        records = uow.sharing.reads()
        written = uow.values(_COUNTER).get(_COUNTER, 0)
    return verify_chain(records, written=written)
