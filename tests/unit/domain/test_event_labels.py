"""Every event the procedure records has a Chinese and an English label, so no page shows
a bare identifier."""

from __future__ import annotations

import re
from pathlib import Path

import dataip.services
from dataip.domain import after_registration, lifecycle
from dataip.domain.events import EVENT_LABELS, event_label


def test_every_lifecycle_and_registration_event_has_both_labels() -> None:
    events = {t.event for t in lifecycle.TRANSITIONS} | {
        a.event for a in after_registration.ACTIONS
    }
    missing = sorted(events - EVENT_LABELS.keys())
    assert not missing, missing
    for zh, en in EVENT_LABELS.values():
        assert zh and en and not zh.isascii() and en.isascii()


def test_an_unknown_event_is_shown_as_its_identifier() -> None:
    assert event_label("ApplicationSubmitted", "zh-CN") == "提交登记申请"
    assert event_label("ApplicationSubmitted", "en") == "Application submitted"
    assert event_label("SomethingNew", "zh-CN") == "SomethingNew"


def test_every_event_the_services_record_by_name_has_a_label() -> None:
    root = Path(dataip.services.__file__).parent
    pattern = re.compile(r'\btype="([A-Z]\w+)"(?: if [^\n]* else "([A-Z]\w+)")?')
    named = {
        name
        for path in root.rglob("*.py")
        for m in pattern.finditer(path.read_text("utf-8"))
        for name in m.groups()
        if name
    }
    # the scan finds them, both forms
    assert {"DraftCreated", "CertificateIssued", "PartyVerificationRejected"} <= named
    missing = sorted(named - EVENT_LABELS.keys())
    assert not missing, missing
