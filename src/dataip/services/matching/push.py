"""Push (精准推送, issue 23 §4; Z§4.1): who is told of a match, through the inbox.

* A need is published → the holders of its strong matches (`matching.PUSH`: at most 5
  registrations, each within half the best score and sharing about two specific words) are
  served a `need_match` notice, in the publishing transaction; the need's author is never told
  of its own registrations.
* A registration is granted → the authors of the open needs it strongly matches are served a
  `registration_match` notice by `dataip tick` (`registrations_granted`: a cursor over the
  registrations' ids, so each is looked at once; a holder's own needs are left out).

Each push is a `need_pushes` row, unique per need, registration, direction and recipient: two
ticks at once, or a retry, serve one notice. Nobody else is told anything. The sharing API's
webhooks are not used: they carry the public log's events to institutional clients (courts,
banks, registries) under scopes, and a match is neither a logged event nor an institution's
business — holders and need authors are users, whose channel is the inbox.
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.matching import strong_hits
from dataip.matching.needs import Need
from dataip.services.context import Env
from dataip.services.matching import index
from dataip.services.matching.needs import need_hits, registration_hits
from dataip.services.ports import UnitOfWork
from dataip.services.recording import serve_notice

CURSOR = "matching:registrations_pushed"


def _push(
    uow: UnitOfWork,
    env: Env,
    *,
    need: Need,
    reg: m.Registration,
    direction: str,
    kind: str,
    recipient: int,
) -> bool:
    body: dict[str, Any] = {
        "need_id": need.id,
        "need_title": need.title,
        "registration_number": reg.registration_number,
    }
    if not uow.matching.add_push(
        need_id=need.id,
        registration_id=reg.id,
        direction=direction,
        recipient_user_id=recipient,
        notice_id=None,
        pushed_at=env.now(),
    ):
        return False  # pushed before
    serve_notice(
        uow,
        application_id=reg.application_id,
        kind=kind,
        recipient_user_id=recipient,
        at=env.now(),
        body=body,
    )
    return True


def on_need(uow: UnitOfWork, env: Env, need: Need) -> int:
    """Serve `need_match` notices to the holders of the need's strong matches; how many."""
    from dataip.services.after_registration.roles import holder_users

    hits = strong_hits(registration_hits(env, need, k=10))
    served = 0
    for reg in uow.registrations.many([h.key for h in hits]):
        for user in holder_users(uow, reg):
            if user != need.author_user_id:
                served += _push(
                    uow,
                    env,
                    need=need,
                    reg=reg,
                    direction="need",
                    kind="need_match",
                    recipient=user,
                )
    return served


def registrations_granted(env: Env, *, batch_size: int = 200) -> int:
    """`dataip tick`: tell the authors of open needs of the registrations granted since the
    last run that match them; how many notices were served."""
    from dataip.services.after_registration.roles import holder_users

    served = 0
    if not index.needs(env, env.today()).docs:  # no open need: nobody to tell
        with env.uow() as uow:
            uow.set_value(CURSOR, uow.matching.last_registration_id())
            uow.commit()
        return 0
    while True:
        with env.uow() as uow:
            after = uow.values(CURSOR).get(CURSOR, 0)
            regs = [r for r in uow.registrations.page(after_id=after, limit=batch_size)]
            if not regs:
                return served
            for reg in regs:
                if reg.state != "valid":
                    continue
                holders = set(holder_users(uow, reg))
                hits = strong_hits(need_hits(env, reg, k=10, exclude_authors=holders))
                found = uow.matching.needs([h.key for h in hits])
                for h in hits:
                    need = found[h.key]
                    served += _push(
                        uow,
                        env,
                        need=need,
                        reg=reg,
                        direction="registration",
                        kind="registration_match",
                        recipient=need.author_user_id,
                    )
            uow.set_value(CURSOR, regs[-1].id)
            uow.commit()
        if len(regs) < batch_size:
            return served
