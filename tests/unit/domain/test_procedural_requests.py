"""R8 / G§12: the procedural requests' guards and the profile's options for them, pure."""

from __future__ import annotations

from datetime import date

import pytest

from dataip.config import load_profile, profile_from_toml
from dataip.domain.app_states import AppState
from dataip.domain.lifecycle import Context, allowed_actions
from dataip.domain.procedural_requests import (
    FAST_TRACK_GROUNDS,
    REFUSAL_REASONS,
    REFUSAL_REASONS_BY_KIND,
    RELIEF_GROUNDS,
    RequestFacts,
    guard,
)
from dataip.domain.public_record import VOCABULARIES

TODAY = date(2026, 11, 24)


def _ctx(**facts: object) -> Context:
    return Context(today=TODAY, requests=RequestFacts(**facts))  # type: ignore[arg-type]


def test_r8_only_a_pending_request_can_be_refused_but_the_registry_may_grant_on_its_own() -> None:
    offered = allowed_actions(AppState.UNDER_EXAMINATION, ["registry", "public"], _ctx())
    assert "grant_fast_track" in offered and "refuse_fast_track" not in offered
    offered = allowed_actions(
        AppState.UNDER_EXAMINATION, ["registry"], _ctx(pending=frozenset({"fast_track"}))
    )
    assert {"grant_fast_track", "refuse_fast_track"} <= set(offered)
    granted = allowed_actions(AppState.UNDER_EXAMINATION, ["holder"], _ctx(fast_track=True))
    assert "request_fast_track" not in granted
    # no fast track where the registry only waits for a court
    assert "request_fast_track" not in allowed_actions(
        AppState.AWAITING_JUDGMENT, ["holder"], _ctx()
    )


def test_g12_extension_is_asked_for_until_the_last_day_of_the_period() -> None:
    assert guard("request_extension", RequestFacts(correction_due=TODAY), TODAY) is None
    late = guard("request_extension", RequestFacts(correction_due=date(2026, 11, 23)), TODAY)
    assert late is not None and late.code == "correction_period_over"


def test_g12_reinstatement_is_asked_for_within_the_period() -> None:
    assert guard("request_reinstatement", RequestFacts(reinstatement_until=TODAY), TODAY) is None
    late = guard(
        "request_reinstatement", RequestFacts(reinstatement_until=date(2026, 11, 1)), TODAY
    )
    assert late is not None and late.code == "reinstatement_period_over"
    assert late.details["until"] == "2026-11-01"


def test_r8_g12_codes_are_log_vocabulary_and_every_refusal_reason_is_used() -> None:
    assert set(FAST_TRACK_GROUNDS) | set(RELIEF_GROUNDS) == VOCABULARIES["request_grounds"]
    used = {c for codes in REFUSAL_REASONS_BY_KIND.values() for c in codes}
    assert used == set(REFUSAL_REASONS) == VOCABULARIES["request_refusal_reasons"]


def test_r8_g12_profile_states_when_examination_starts_and_the_fast_track_grounds() -> None:
    shipped = load_profile("guizhou-2024")
    assert shipped.examination_starts == "materials_complete"
    assert shipped.fast_track_grounds == ("pledge_financing", "litigation", "major_project")
    assert shipped.period("reinstatement").days == 60
    text = load_profile_text()
    other = profile_from_toml(
        text.replace(
            'examination_starts = "materials_complete"', 'examination_starts = "submission"'
        )
    )
    assert other.examination_starts == "submission"
    with pytest.raises(ValueError, match="examination_starts"):
        profile_from_toml(text.replace('"materials_complete"', '"acceptance"'))
    with pytest.raises(ValueError, match="fast_track_grounds"):
        profile_from_toml(text.replace('"major_project"]', '"friendship"]'))
    # the optional periods default when a profile leaves them out
    bare = profile_from_toml(text.split("[periods.decide_request]")[0] + "\n[numbering]\n")
    assert bare.period("decide_request").days == 3
    assert bare.period("reinstatement").unit == "calendar_days"


def load_profile_text() -> str:
    from importlib import resources

    return resources.files("dataip.profiles").joinpath("guizhou-2024.toml").read_text("utf-8")
