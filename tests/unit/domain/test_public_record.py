"""The log's public schema (domain.public_record): closed, in step with the code's
vocabularies, and with no field that takes free text."""

from __future__ import annotations

import itertools

import pytest

from dataip.domain.errors import DomainError
from dataip.domain.numbering import registration_number
from dataip.domain.public_record import (
    EVENT_SCHEMAS,
    FORM_ITEMS,
    NOT_ALLOWED,
    VOCABULARIES,
    check_public,
    screened_strings,
)
from dataip.evidence.hashing import HASH_NAMES
from dataip.screening import find_entities
from dataip.services.parties import VERIFICATION_METHODS
from dataip.web.api.application_schemas import ApplicationForm

FREE_TEXT = (
    "请求人钱多多（身份证520103199002021188，电话13985012345）所述理由不成立",
    "钱多多",
    "Qian Duoduo",
    "13985012345",
    "贵州省贵阳市云岩区中华北路1号",
)


def test_i18_vocabularies_are_the_codes_the_services_accept() -> None:
    assert VOCABULARIES["verification_methods"] == set(VERIFICATION_METHODS)
    assert VOCABULARIES["hash_names"] == set(HASH_NAMES)
    assert set(ApplicationForm.model_fields) == FORM_ITEMS


@pytest.mark.parametrize(
    ("event_type", "field"),
    [(t, f) for t, schema in sorted(EVENT_SCHEMAS.items()) for f in sorted(schema)],
)
def test_i18_no_declared_field_takes_free_text(event_type: str, field: str) -> None:
    """Whatever the kind — code, number, date, digest, list or map of them — free text,
    a name, an address or a phone number is refused, bare or wrapped in a list or a map."""
    for text in FREE_TEXT:
        for value in (text, [text], {text: text}, {"correction": text}):
            with pytest.raises(DomainError) as caught:
                check_public(event_type, {field: value})
            assert caught.value.code == NOT_ALLOWED
            assert caught.value.details == {"event_type": event_type, "field": field}
            assert text not in caught.value.message_en + caught.value.message_zh


def test_i18_undeclared_fields_types_and_commitment_names_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        check_public("RequestDecided", {"request_id": 1, "reason": "证据不足"})
    assert caught.value.details == {"event_type": "RequestDecided", "field": "reason"}
    with pytest.raises(DomainError):
        check_public("SomethingNew", {})
    with pytest.raises(DomainError):
        check_public("DraftCreated", {}, {"钱多多": "00" * 32})
    check_public("DraftCreated", {}, {"form": "00" * 32, "actor": "11" * 32})


def test_i18_the_registrys_own_numbers_are_not_screened_because_detectors_misread_them() -> None:
    """Registration numbers start with a bank-card prefix (2) and pass Luhn one time in ten:
    the detectors would refuse their events at random. Declared, with their check
    character, they are exempt; anywhere undeclared they are screened like any string."""
    misread = next(
        n
        for n in (
            registration_number(year=2026, source_code="2", applicant_type_code="2", sequence=s)
            for s in itertools.count(1)
        )
        if n.isdigit() and find_entities(n)
    )
    assert [e.kind for e in find_entities(misread)] == ["bank_card"]
    public = {"registration_number": misread, "valid_until": "2028-10-12"}
    check_public("RenewalReminderServed", public)
    assert screened_strings("RenewalReminderServed", public) == []
    assert screened_strings("RenewalReminderServed", {"note": misread}) == [
        ("note", "note"),
        ("note", misread),
    ]
    assert check_public("RenewalReminderServed", public) == []


def test_i18_integers_are_not_screened() -> None:
    """A deposit of 13,985,012,345 bytes is a size, not a phone number."""
    public = {
        "number": "CZ202652000000001",
        "hash": "sha256",
        "root": "ab" * 32,
        "bytes": 13985012345,
    }
    check_public("EvidenceDeposited", public)
    assert all(text != "13985012345" for _, text in screened_strings("EvidenceDeposited", public))


def test_i18_codes_and_map_keys_are_screened_dates_are_not() -> None:
    public = {"action": "accept", "due": {"examine": "2026-10-10"}}
    expected = [("action", "accept"), ("due.examine", "examine")]  # dates are not screened
    assert screened_strings("ApplicationAccepted", public) == expected
    assert check_public("ApplicationAccepted", public) == expected


def test_i18_the_leaf_screenings_fast_path_never_skips_what_the_detectors_find() -> None:
    """`public_screening` skips the detectors for text without a digit, "@" or colon: every
    identifier in the screening corpus (full-width, glued to Chinese, grouped, IPv6 of hex
    letters) is in text the fast path sends on to them."""
    from dataip.services.public_screening import _MAYBE
    from tests.unit.screening import corpus

    found = 0
    texts = [cell for cells, _ in corpus.rows(seed=18, n=3000) for cell in cells]
    texts += ["地址abcd::ef", "邮箱ｑｉａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "手机１３９８５０１２３４５"]
    for text in texts:
        if find_entities(text):
            found += 1
            assert _MAYBE.search(text), text
    assert found > 5000
