"""The one-window sibling (一窗受理的关联登记, issue 24 §2): the application filed with another
in one dossier, in the other register, and its registration once there is one. Reads only."""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork


def sibling_application(uow: UnitOfWork, app: m.Application) -> m.Application | None:
    """The other register's application of the same one-window filing, if any."""
    if app.dossier_id is None:
        return None
    return next(
        (
            a
            for a in uow.applications.of_dossier(app.dossier_id)
            if a.id != app.id and a.register != app.register
        ),
        None,
    )


def sibling_registration(uow: UnitOfWork, reg: m.Registration) -> m.Registration | None:
    """The sibling's registration, once the sibling is registered too."""
    if uow.applications.dossier_of(reg.application_id) is None:
        return None  # no one-window filing (most registrations): no application to load
    app = uow.applications.get(reg.application_id)
    sib = sibling_application(uow, app) if app is not None else None
    return uow.registrations.by_application(sib.id) if sib is not None else None


def reference(reg: m.Registration) -> dict[str, str]:
    """What a certificate and a page say of the sibling: its register and numbers (public:
    codes, not what anyone typed)."""
    return {
        "register": reg.register,
        "registrationNumber": reg.registration_number,
        "certificateNumber": reg.certificate_number,
    }


def page_facts(env: Env, number: str) -> dict[str, Any]:
    """What a registration's public page says of its register (issue 24 §1) and of its
    one-window sibling (§2): the register, the rights a data property registration holds,
    and the sibling's register and numbers once it is registered. Codes and numbers only."""
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            return {}
        rights: list[str] = []
        if reg.register != "data_ip":
            version = uow.registration_versions.latest(reg.id)
            rights = list(
                ((version.form if version else {}).get("property") or {}).get("rights") or []
            )
        sib = sibling_registration(uow, reg)
        return {
            "register": reg.register,
            "rights": rights,
            "body": env.profile_for(reg.register).registry_name_zh
            if reg.register != "data_ip"
            else None,
            "sibling": reference(sib) if sib is not None and sib.state == "valid" else None,
        }
