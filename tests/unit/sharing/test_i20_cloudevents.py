"""Issue 20 §4: the CloudEvents mapping of ledger events (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dataip.domain.events import EVENT_LABELS
from dataip.domain.public_record import EVENT_SCHEMAS
from dataip.sharing import cloudevents as ce
from dataip.sharing.scopes import (
    EVENTS_READ,
    REGISTRATIONS_READ,
    REGISTRATIONS_READ_FULL,
    WEBHOOKS_MANAGE,
)

AT = datetime(2026, 10, 13, 1, 0, tzinfo=UTC)


def _event(event_type: str, public: dict[str, object], index: int = 7) -> ce.LoggedEvent:
    return ce.LoggedEvent(index, event_type, "registration", "2026100000000013", AT, public)


def test_i20_every_carried_event_type_is_a_declared_logged_event() -> None:
    for stored in ce.SOURCE_TYPES:
        assert stored in EVENT_SCHEMAS and stored in EVENT_LABELS, stored
    mapped = {ce.cloud_type(t, {}) for t in ce.SOURCE_TYPES}
    assert mapped <= set(ce.TYPES)


@pytest.mark.parametrize(
    ("kind", "outcome", "wanted"),
    [
        ("change", "approve", "cn.dataip.registration.changed"),
        ("transfer", "approve", "cn.dataip.registration.transferred"),
        ("cancellation", "approve", "cn.dataip.registration.cancelled"),
        ("revocation", "approve", "cn.dataip.registration.revoked"),
        ("change", "refuse", "cn.dataip.registration.request.decided"),
        ("re_examination", "approve", "cn.dataip.registration.request.decided"),
    ],
)
def test_i20_a_decided_request_is_typed_by_what_took_effect(
    kind: str, outcome: str, wanted: str
) -> None:
    public = {"request_kind": kind, "outcome": outcome}
    assert ce.cloud_type("RequestDecided", public) == wanted


def test_i20_scopes_decide_the_visible_types() -> None:
    assert ce.visible_types({REGISTRATIONS_READ, WEBHOOKS_MANAGE}) == frozenset()
    public = ce.visible_types({EVENTS_READ})
    assert "cn.dataip.registration.pledge.released" in public
    assert "cn.dataip.application.publicised" in public
    assert "cn.dataip.application.submitted" not in public
    full = ce.visible_types({EVENTS_READ, REGISTRATIONS_READ_FULL})
    assert full == frozenset(ce.TYPES)
    assert ce.stored_types(public) >= {"ApplicationApproved", "RequestDecided", "PledgeFiled"}
    assert "ApplicationSubmitted" not in ce.stored_types(public)


def test_i20_sequence_is_the_log_index_and_orders_as_a_string() -> None:
    values = [0, 9, 10, 99, 100, 123_456_789]
    texts = [ce.sequence_text(v) for v in values]
    assert texts == sorted(texts) and all(len(t) == 16 for t in texts)
    assert [int(t) for t in texts] == values
    with pytest.raises(ValueError):
        ce.sequence_text(-1)


def test_i20_cloudevent_is_thin_and_linked() -> None:
    public = {
        "registration_number": "2026100000000013",
        "state": "valid",
        "filing_number": "BA2026520000000001",
        "filing_kind": "pledge",
        "contract_date": "2026-10-19",
        "late": False,
    }
    out = ce.to_cloudevent(_event("PledgeFiled", public, 42), source="https://r.example/")
    assert out is not None
    assert out["id"] == "leaf-42" and out["sequence"] == "0000000000000042"
    assert out["source"] == "https://r.example" and out["subject"] == "2026100000000013"
    assert out["time"] == "2026-10-13T01:00:00.000Z"
    assert out["type"] == "cn.dataip.registration.filing.recorded"
    data = out["data"]
    assert data["log_index"] == 42 and data["filing_kind"] == "pledge"
    assert "contract_date" not in data and "late" not in data  # numbers and codes only
    assert data["links"]["inclusion_proof"] == (
        "https://r.example/api/v1/log/proofs/inclusion?index=42"
    )
    assert ce.to_cloudevent(_event("DraftCreated", {}), source="x") is None
