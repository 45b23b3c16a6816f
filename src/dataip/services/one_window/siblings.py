"""Certificates that name each other (issue 24 §2): when the second of a one-window filing's
two applications is registered, the first's certificate is issued again, as a new version,
naming the second's certificate number; the second's names the first's from the start
(`certificates.issue` reads `links.sibling_registration`)."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.services.after_registration.renewal import _new_version
from dataip.services.context import Env
from dataip.services.one_window.links import sibling_registration
from dataip.services.ports import UnitOfWork

LINK_REASON = "sibling_link"  # the registration version a sibling's registration adds


def approved(uow: UnitOfWork, env: Env, app: m.Application, reg: m.Registration) -> None:
    """`reg` (of `app`) was just registered: a registered sibling gets a certificate version
    that names it. A sibling no longer valid keeps its certificates as they are."""
    if app.dossier_id is None:
        return
    sib = sibling_registration(uow, reg)
    if sib is None or sib.state != "valid":
        return
    _new_version(uow, env, sib, LINK_REASON)
