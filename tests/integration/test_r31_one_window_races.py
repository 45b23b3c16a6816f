"""Issue 24 §2: the race rows for the one-window routes (`one_window_cases`, run by
test_i18_create_races): eight identical requests at once on SQLite and PostgreSQL — every
filing makes its own dossier; a dossier is submitted once (its two applications once each);
never a 500."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from tests.e2e.api.test_r31_data_property import PROPERTY
from tests.support.api import Api, World, complete_form
from tests.support.db import count
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]


def _body(api: Api, w: World) -> dict[str, Any]:
    return {
        "registers": ["data_ip", "data_property"],
        "form": complete_form(sample=api.upload(w.applicant), property=dict(PROPERTY)),
        "applicants": [{"party_id": w.party}],
    }


def _file(api: Api, w: World) -> Request:
    return "POST", f"{PREFIX}/dossiers", api.h(w.applicant), {"json": _body(api, w)}


def _submit(api: Api, w: World) -> Request:
    r = api.c.post(f"{PREFIX}/dossiers", headers=api.h(w.applicant), json=_body(api, w))
    assert r.status_code == 201, r.text
    return "POST", f"{PREFIX}/dossiers/{r.json()['id']}/submit", api.h(w.applicant), {}


def _eight_dossiers(registry: Registry) -> None:
    assert count(registry, "dossiers") == 8
    assert count(registry, "applications") == 16


def _submitted_once(registry: Registry) -> None:
    assert count(registry, "events", type="ApplicationSubmitted") == 2
    assert count(registry, "events", type="DossierSubmitted") == 1


def one_window_cases(case: Any) -> list[Any]:
    """The race rows, built with test_i18_create_races' own `Case`."""
    return [
        case("POST /dossiers", _file, "all", set(), _eight_dossiers),
        case(
            "POST /dossiers/{dossier_id}/submit",
            _submit,
            "one",
            {
                (409, "dossier_submitted"),
                (409, "concurrent_update"),
                (409, "action_not_allowed_in_state"),
            },
            _submitted_once,
        ),
    ]
