"""What an action after registration asks for (请求事项): its refusals, and its payload's text,
dates, amounts in fen, files and counterparties, and the public view of a party.

Every handler reads its payload through these, so a missing or malformed field is refused with
the same code whatever the action (422 `missing_fields`, `invalid_date`, `invalid_amount`,
`text_too_long`). A file a request names is the caller's own upload (issue 18,
`services/blobs.require_own`). A licensee, pledgee or trade counterparty (G§22) is an
organisation with its credit code or a natural person, whose name the public sees masked, as a
holder's is (G§14).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_uscc, mask_name
from dataip.services.blobs import require_own
from dataip.services.context import Identity
from dataip.services.ports import UnitOfWork

MAX_TEXT = 10_000
MAX_FEE_FEN = 10**15  # ten trillion yuan: beyond any real contract, within BIGINT


def _bad(code: str, zh: str, en: str, status: int = 422, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def _text(payload: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    if len(value) > MAX_TEXT:
        raise _bad(
            "text_too_long", f"{key}不得超过{MAX_TEXT}字", f"{key}: at most {MAX_TEXT} characters"
        )
    return value.strip()


def _date(payload: Mapping[str, Any], key: str, *, required: bool = True) -> date | None:
    raw = payload.get(key)
    if raw is None and not required:
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise _bad(
        "invalid_date",
        f"{key}须为 YYYY-MM-DD 格式的日期",
        f"{key} must be a date (YYYY-MM-DD)",
        field=key,
    )


def _missing(key: str) -> DomainError:
    return _bad(
        "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
    )


def _choice(
    payload: Mapping[str, Any], key: str, valid: Iterable[str], code: str, zh: str, en: str
) -> str:
    """A value from a closed list: absent is `missing_fields`, anything else not in the list
    is `code` (e.g. `invalid_licence_type`), with the valid values."""
    raw = payload.get(key)
    if raw is None or raw == "":
        raise _missing(key)
    options = list(valid)
    if raw not in options:
        raise _bad(code, zh, en, valid=options, field=key)
    return str(raw)


def _fen(payload: Mapping[str, Any], key: str, *, positive: bool = False) -> int:
    raw = payload.get(key)
    if raw is None:
        raise _missing(key)
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int)
        or raw < (1 if positive else 0)
        or (raw > MAX_FEE_FEN)
    ):
        raise _bad(
            "invalid_amount",
            f"{key}须为以分计的{'正' if positive else '非负'}整数",
            f"{key} must be a {'positive' if positive else 'non-negative'} integer in fen",
            field=key,
        )
    return raw


def _int(payload: Mapping[str, Any], key: str) -> int:
    raw = payload.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    return raw


def _blob(uow: UnitOfWork, identity: Identity, raw: Any, key: str) -> str:
    """A file the request names: the caller's own upload (issue 18)."""
    if raw is None:
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    return require_own(uow, identity.user_id, raw, field=key)


def _counterparty(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A licensee, pledgee or counterparty: an organisation with a credit code, or a natural
    person (whose name the public sees masked)."""
    raw = payload.get(key)
    if not isinstance(raw, dict):
        raise _bad(
            "missing_fields", f"缺少必填项：{key}", f"missing required field: {key}", fields=[key]
        )
    name = _text(raw, "name")[:200]
    kind = raw.get("kind", "legal_person")
    if kind not in ("legal_person", "unincorporated", "natural_person"):
        raise _bad("invalid_party_kind", f"{key}.kind 无效", f"{key}.kind is invalid")
    if kind == "natural_person":
        return {"kind": kind, "name": name}
    code = raw.get("credit_code")
    if not isinstance(code, str):
        raise _bad(
            "missing_fields",
            f"缺少必填项：{key}.credit_code",
            f"missing required field: {key}.credit_code",
            fields=[f"{key}.credit_code"],
        )
    return {"kind": kind, "name": name, "credit_code": check_uscc(code).number}


def _public_party(p: dict[str, Any]) -> dict[str, Any]:
    """What the public sees of a party: a natural person's name masked, no ID number."""
    if p.get("kind") == "natural_person":
        return {"kind": p["kind"], "name": mask_name(str(p["name"]))}
    return dict(p)


def _holder_from_party(party: m.Party, share_bp: int, bounds: str = "") -> dict[str, Any]:
    pub = _public_party(
        {"kind": party.kind, "name": party.name}
        if party.kind == "natural_person"
        else {"kind": party.kind, "name": party.name, "credit_code": party.id_number}
    )
    return {**pub, "party_id": party.id, "share_bp": share_bp, "rights_bounds": bounds}
