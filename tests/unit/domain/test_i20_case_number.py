"""Issue 20 §7: a court's case number (案号) is a public fact of a freeze, so its syntax is
closed (domain.preservation): the year, a court code, a case-type code of a closed list, the
serial — no room for a name, an ID number or any other words."""

from __future__ import annotations

import pytest

from dataip.domain.errors import DomainError
from dataip.domain.numbering import registration_number
from dataip.domain.preservation import normalise_case_number, valid_case_number
from dataip.domain.public_record import NOT_ALLOWED, check_public
from dataip.screening import find_entities

GOOD = [
    "（2026）黔01民初123号",
    "（2026）最高法知民终5号",
    "（2026）黔0102财保12号",
    "（2025）京73民初1号",
    "（2026）浙执保999999号",
]
BAD = [
    "2026黔01民初123号",  # no brackets
    "（2026）黔01张三123号",  # a name where the case type goes
    "（2026）黔01民初0号",  # serial starts at 1
    "（2026）黔012民初1号",  # a court code is 2 or 4 digits
    "（2026）黔01民初1234567号",  # at most 6 digits of serial
    "（2026）黔01民初123号 钱多多",
    "（2026）黔01民初13985012345号",  # a phone number does not fit
    "（1899）黔01民初1号",
    "",
    "(2026)黔01民初123号",  # half-width: normalised before it is checked, not after
]


@pytest.mark.parametrize("text", GOOD)
def test_i20_case_numbers_of_the_rules_are_valid(text: str) -> None:
    assert valid_case_number(text)
    assert not find_entities(text), text  # nothing the detectors would flag


@pytest.mark.parametrize("text", BAD)
def test_i20_anything_else_is_not_a_case_number(text: str) -> None:
    assert not valid_case_number(text)


def test_i20_half_width_brackets_are_normalised() -> None:
    assert normalise_case_number(" (2026)黔01民初123号 ") == "（2026）黔01民初123号"


def test_i20_a_freeze_leaf_publishes_the_case_number_and_nothing_typed() -> None:
    public = {
        "registration_number": registration_number(
            year=2026, source_code="2", applicant_type_code="2", sequence=17
        ),
        "state": "valid",
        "announcement_number": "GG202652000000001",
        "freeze_number": "BQ202652000000001",
        "case_number": "（2026）黔01民初123号",
        "term_end": "2029-10-19",
    }
    check_public("RegistrationFrozen", public, {"court": "x", "ruling": "y"})
    for field, value in (("case_number", "钱多多"), ("court", "贵阳中院"), ("ruling", "冻结")):
        with pytest.raises(DomainError) as e:
            check_public("RegistrationFrozen", {**public, field: value})
        assert e.value.code == NOT_ALLOWED
