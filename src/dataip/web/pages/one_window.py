"""One window (一窗受理, issue 24 §2): the dossier page the applicant and both registers'
examiners read — each registration applied for, its state, its deadlines' next due date and,
once registered, its certificate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from dataip.services import applications
from dataip.services.one_window import dossiers
from dataip.web.deps import EnvDep
from dataip.web.pages.forms import signed_in
from dataip.web.pages.render import lang_of, render

router = APIRouter(include_in_schema=False)
DossierId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/dossiers/{dossier_id}", response_class=HTMLResponse)
def dossier_page(request: Request, env: EnvDep, dossier_id: DossierId) -> Response:
    who = signed_in(request, env)
    if isinstance(who, Response):
        return who
    d = dossiers.read(who, env=env, dossier_id=dossier_id)
    en = lang_of(request) == "en"
    rows = []
    for v in d.applications:
        a = v.application
        zh_state, en_state = applications.state_label(a.state)
        due = sorted((x for x in v.deadlines if x.status == "open"), key=lambda x: x.due_on)
        rows.append(
            {
                "a": a,
                "state": en_state if en else zh_state,
                "next_due": due[0] if due else None,
                "registration": v.registration,
                "link": (
                    f"/workbench/applications/{a.id}"
                    if who.is_registry
                    else f"/applications/{a.id}"
                ),
            }
        )
    return render(request, "dossier.html", {"d": d, "rows": rows})
