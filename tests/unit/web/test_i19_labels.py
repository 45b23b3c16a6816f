"""Issue 19 §5: every value the closed vocabularies of the public record allow — states,
kinds, outcomes, grounds, bases, event types — and every role, grade and screening kind has
a label in both languages in `web/pages/labels.py`, so no page can fall back to the raw
code for a value the registry produces."""

from __future__ import annotations

import re

from dataip.domain.model import ROLES
from dataip.domain.public_record import EVENT_SCHEMAS, VOCABULARIES
from dataip.screening import KINDS
from dataip.web.pages.labels import ANNOUNCEMENT_FIELDS, label

BY_VOCABULARY = {
    "app_states": "application_state",
    "reg_states": "registration_state",
    "deadline_kinds": "deadline",
    "request_kinds": "request_kind",
    "request_states": "request_state",
    "decision_outcomes": "outcome",
    "transfer_bases": "basis",
    "cancellation_grounds": "cancellation_ground",
    "sample_publication": "sample_publication",
    "licence_types": "licence_type",
    "filing_kinds": "filing_kind",
    "trade_rights": "right",
    "changed_items": "form_field",
    "party_kinds": "party_kind",
    "registers": "register",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _labelled(table: str, values: object) -> None:
    for v in values:  # type: ignore[attr-defined]
        value = getattr(v, "value", v)
        zh, en = label(table, value, "zh-CN"), label(table, value, "en")
        assert CJK.search(zh), (table, value, zh)
        assert "_" not in en and en != "", (table, value, en)


def test_i19_every_value_of_the_public_vocabularies_has_a_label() -> None:
    for vocabulary, table in BY_VOCABULARY.items():
        _labelled(table, VOCABULARIES[vocabulary])


def test_i19_every_event_type_role_grade_and_screening_kind_has_a_label() -> None:
    _labelled("event", EVENT_SCHEMAS)
    _labelled("role", ROLES)
    _labelled("grade", ("general", "important", "core"))
    _labelled("finding_kind", KINDS)
    _labelled("objection_status", ("filed", "notified", "answered", "decided"))
    _labelled("filing_state", ("in_force", "released", "ended"))
    _labelled("property_right", ("resource_holding", "processing_use", "product_operation"))


def test_i19_every_announced_field_has_a_label_in_both_languages() -> None:
    for key, (zh, en) in ANNOUNCEMENT_FIELDS.items():
        assert CJK.search(zh) and en and "_" not in en, key
