"""Issue 20 §6: a 中登网 登记证明编号 is 20 digits (normalised as typed from a printed
certificate); the log's schema takes it and the enforcement method as closed kinds and
refuses anything else in a bank's pledge events."""

from __future__ import annotations

import pytest

from dataip.domain.errors import DomainError
from dataip.domain.numbering import registration_number
from dataip.domain.pledges import ENFORCEMENT_METHODS, zdw_reference
from dataip.domain.public_record import NOT_ALLOWED, check_public

REG = {
    "registration_number": registration_number(
        year=2026, source_code="2", applicant_type_code="2", sequence=1
    ),
    "state": "valid",
}


@pytest.mark.parametrize(
    "typed",
    [
        "04093727000235578371",
        "0409 3727 0002 3557 8371",
        "０４０９３７２７０００２３５５７８３７１",
        "0409-3727-0002-3557-8371",
    ],
)
def test_i20_zdw_reference_is_normalised(typed: str) -> None:
    assert zdw_reference(typed) == "04093727000235578371"


@pytest.mark.parametrize(
    "bad",
    [
        None,
        4093727000235578371,
        "",
        "0409372700023557837",
        "040937270002355783711",
        "ZD2026-0001",
        "0409372700023557837X",
    ],
)
def test_i20_zdw_reference_refuses_anything_but_20_digits(bad: object) -> None:
    with pytest.raises(DomainError) as e:
        zdw_reference(bad)
    assert e.value.code == "invalid_zdw_reference" and e.value.status == 422


def test_i20_pledge_events_take_codes_only() -> None:
    check_public(
        "PledgeReferenceRecorded",
        {**REG, "filing_number": "BA202652000000001", "zdw_reference": "04093727000235578371"},
    )
    for method in ENFORCEMENT_METHODS:
        check_public(
            "PledgeEnforced",
            {
                **REG,
                "filing_number": "BA202652000000001",
                "method": method,
                "enforced_on": "2026-10-20",
            },
        )
    check_public(
        "PledgeProposed",
        {
            **REG,
            "proposal_number": "ZY202652000000001",
            "contract_date": "2026-10-19",
            "due_on": "2026-11-02",
            "lapses_on": "2026-11-03",
        },
    )
    refused = [
        ("PledgeReferenceRecorded", {"zdw_reference": "张三的质押"}),
        ("PledgeEnforced", {"method": "foreclosure"}),
        ("PledgeProposed", {"loan_reference": "贷2026-0042"}),
        ("PledgeProposed", {"proposal_number": "BA202652000000001"}),
        ("PledgeProposalDeclined", {"reason": "金额不符"}),
    ]
    for event, public in refused:
        with pytest.raises(DomainError) as e:
            check_public(event, {**REG, **public})
        assert e.value.code == NOT_ALLOWED, (event, public)
