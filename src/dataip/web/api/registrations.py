"""Registrations (登记) as announced: public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from dataip.services import registrations as svc
from dataip.web.api.application_schemas import RegistrationRead
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["registrations"])


def _read(r: object) -> RegistrationRead:
    return RegistrationRead.model_validate(r, from_attributes=True)


@router.get("/registrations", response_model=list[RegistrationRead])
def list_(
    env: EnvDep,
    cursor: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RegistrationRead]:
    return [_read(r) for r in svc.list_registrations(env=env, after_id=cursor, limit=limit)]


@router.get("/registrations/{number}", response_model=RegistrationRead)
def get(number: Annotated[str, Path(pattern=r"^[0-9X]{16,17}$")], env: EnvDep) -> RegistrationRead:
    """By registration number (16 chars) or certificate number (17 digits)."""
    return _read(svc.get_registration(env=env, number=number))


@router.post("/registrations/{number}/actions/renew", response_model=RegistrationRead)
def renew(
    number: Annotated[str, Path(pattern=r"^[0-9X]{16,17}$")], env: EnvDep, identity: IdentityDep
) -> RegistrationRead:
    """R16: renew within the window before expiry (holder only); the term runs on from the
    day after the previous expiry."""
    return _read(svc.renew(identity, env=env, number=number))
