"""A one-window filing (一窗受理, issue 24 §2, R31, BJ§1): the applicant fills the shared parts
once — parties, agents (who files), data description, evidence, samples — and chooses the
registers (data IP, data property, or both); one application per register is made from them,
each under its own register's procedure; the applicant and both registers' examiners read
one dossier with both states.

`file` makes the dossier and its drafts in one transaction; `submit` submits every draft of
it in one (all or none: an incomplete data property part stops the data IP part as well, so
the applicant corrects one form); afterwards each application moves on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.registers import DATA_PROPERTY, REGISTERS
from dataip.services import preconditions, screening
from dataip.services.applications import (
    ApplicantIn,
    ApplicationView,
    conflict,
    create_draft,
    load,
    view,
)
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.procedure.transition import apply_action
from dataip.services.recording import record_event
from dataip.services.screening_worker import settle, setup


def not_found() -> DomainError:
    return DomainError("dossier_not_found", "一窗受理申请不存在", "dossier not found", status=404)


@dataclass
class DossierView:
    id: int
    registers: list[str]
    created_at: Any
    version: int
    applications: list[ApplicationView] = field(default_factory=list)


def _registers(chosen: Sequence[str]) -> list[str]:
    out = list(dict.fromkeys(chosen))
    if not out or any(r not in REGISTERS for r in out):
        raise DomainError(
            "invalid_registers",
            "请选择申请的登记：数据知识产权登记、数据产权登记或两者",
            "choose the registrations: data_ip, data_property or both",
            status=422,
            details={"allowed": list(REGISTERS)},
        )
    return sorted(out, key=REGISTERS.index)


def _form_for(register: str, form: dict[str, Any]) -> dict[str, Any]:
    """The shared parts for every register; the data property items only for its own."""
    if register == DATA_PROPERTY:
        return dict(form)
    return {k: v for k, v in form.items() if k != "property"}


def file(
    identity: Identity,
    *,
    env: Env,
    registers: Sequence[str],
    form: dict[str, Any],
    applicants: Sequence[ApplicantIn],
) -> DossierView:
    """Make the dossier and one draft per register chosen, in one transaction."""
    uid = identity.require_login()
    chosen = _registers(registers)
    for r in chosen:
        env.profile_for(r)  # 422 register_not_kept, before anything is written
    try:
        with env.uow() as uow:
            dossier = uow.registers.add_dossier(filer_user_id=uid, registers=chosen, at=env.now())
            for r in chosen:
                create_draft(
                    identity,
                    env=env,
                    form=_form_for(r, form),
                    applicants=applicants,
                    register=r,
                    dossier_id=dossier.id,
                    uow=uow,
                )
            uow.commit()
    except ConcurrencyConflict as e:
        raise conflict() from e
    return read(identity, env=env, dossier_id=dossier.id)


def _apps(uow: UnitOfWork, identity: Identity, dossier_id: int) -> list[m.Application]:
    """The dossier's applications the caller may see; none at all is not found."""
    out = []
    for a in uow.applications.of_dossier(dossier_id):
        try:
            out.append(load(uow, identity, a.id))
        except DomainError:
            continue
    if not out:
        raise not_found()
    return out


def read(identity: Identity, *, env: Env, dossier_id: int) -> DossierView:
    """One dossier with both registers' states: the applicant's, and each register's
    examiners' (who see every application; drafts only their applicants)."""
    with env.read() as uow:
        d = uow.registers.dossier(dossier_id)
        if d is None:
            raise not_found()
        ids = [a.id for a in _apps(uow, identity, dossier_id)]
    return DossierView(
        id=d.id,
        registers=list(d.registers),
        created_at=d.created_at,
        version=d.version,
        applications=[view(identity, env=env, application_id=i) for i in ids],
    )


def submit(
    identity: Identity,
    *,
    env: Env,
    dossier_id: int,
    if_match: preconditions.Expected = None,
) -> DossierView:
    """Submit every draft of the dossier, in one transaction: each gets its own register's
    application number, periods and notices; a defect in either stops both (the shared form
    is one)."""
    identity.require_login()
    with env.read() as uow:
        d = uow.registers.dossier(dossier_id)
        apps = _apps(uow, identity, dossier_id) if d is not None else []
    if d is None:
        raise not_found()
    preconditions.check(if_match, d.version, _stale)
    for a in apps:
        if a.state == "draft":
            settle(
                env,
                screening.samples_of(a.form),
                timeout=setup(env).submit_wait_seconds,
                owner=a.filer_user_id,
            )
    try:
        with env.uow() as uow:
            drafts = [a for a in uow.applications.of_dossier(dossier_id) if a.state == "draft"]
            if not drafts:
                raise DomainError(
                    "dossier_submitted",
                    "一窗受理申请已提交",
                    "the dossier was submitted already",
                    status=409,
                )
            for a in drafts:
                apply_action(uow, env, identity, a, "submit", {}, None)
            uow.registers.bump_dossier(dossier_id, d.version)
            record_event(
                uow,
                subject_type="dossier",
                subject_id=dossier_id,
                type="DossierSubmitted",
                at=env.now(),
                actor_user_id=identity.user_id,
                public={"registers": list(d.registers), "applications": [a.id for a in drafts]},
            )
            uow.commit()
    except ConcurrencyConflict as e:
        raise conflict() from e
    return read(identity, env=env, dossier_id=dossier_id)


def _stale(current: int) -> DomainError:
    return DomainError(
        "stale_version",
        "一窗受理申请已被他人修改，请刷新后重试",
        "the dossier changed since you read it; reload and retry",
        status=412,
        details={"current_version": current},
    )


def mine(identity: Identity, *, env: Env) -> list[DossierView]:
    """The caller's own one-window filings, newest first."""
    uid = identity.require_login()
    with env.read() as uow:
        ids = [d.id for d in uow.registers.dossiers_of(uid)]
    return [read(identity, env=env, dossier_id=i) for i in ids]
