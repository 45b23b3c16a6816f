"""R32 (issue 24 §3, §5): CSTR (GB/T 32843-2016) and DOI (DOI Handbook §2.2) syntax, and how
the one search box tells an identifier from text. The valid CSTRs are published ones (Science
Data Bank, the National Cryosphere Desert Data Center, the Africa PID Alliance's example)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataip.domain.errors import DomainError
from dataip.domain.resource_ids import (
    check_changes,
    check_cstr,
    check_doi,
    classify,
    is_public_institution,
    name_key,
    search_key,
)
from tests.support.api import make_uscc

VALID_CSTR = [
    ("CSTR:31253.11.sciencedb.00245", "CSTR:31253.11.sciencedb.00245"),
    ("CSTR:11738.11.NCDC.BNORSG.DB7212.2026", "CSTR:11738.11.NCDC.BNORSG.DB7212.2026"),
    ("CSTR:16389.09.A08V-0001", "CSTR:16389.09.A08V-0001"),
    ("cstr:31253.11.sciencedb.j00001.00123", "CSTR:31253.11.sciencedb.j00001.00123"),
    ("31253.11.sciencedb.00245", "CSTR:31253.11.sciencedb.00245"),  # without the prefix
    ("https://cstr.cn/31253.11.sciencedb.00245", "CSTR:31253.11.sciencedb.00245"),  # a link
    ("https://cstr.cn/CSTR:11738.11.NCDC.X", "CSTR:11738.11.NCDC.X"),
    ("  ＣＳＴＲ：３１２５３.１１.sciencedb.00245 ", "CSTR:31253.11.sciencedb.00245"),  # NFKC
    ("CSTR:32379.14.JEIT250188", "CSTR:32379.14.JEIT250188"),
    ("CSTR:15732.11.nesdc_ecodb/mod.2020", "CSTR:15732.11.nesdc_ecodb/mod.2020"),
]

INVALID_CSTR = [
    ("", "length"),
    ("CSTR:", "format"),
    ("CSTR:3125.11.sciencedb.00245", "format"),  # 4-digit agency code
    ("CSTR:312530.11.sciencedb.00245", "format"),  # 6 digits
    ("CSTR:31253.1.sciencedb.00245", "format"),  # 1-digit type code
    ("CSTR:31253.111.x", "format"),  # 3-digit type code
    ("CSTR:ABCDE.11.sciencedb.00245", "format"),  # letters in the agency code
    ("CSTR:31253.11.", "format"),  # no own identifier
    ("CSTR:31253.11..x", "format"),  # empty segment
    ("CSTR:31253.11.x.", "format"),  # ends with a dot
    ("CSTR:31253.11.数据集", "format"),  # not ASCII
    ("CSTR:31253.11.a b", "format"),  # a space
    ("CSTR:31253.11.a" + "b" * 300, "length"),
    ("10.1000/182", "format"),  # a DOI is not a CSTR
]

VALID_DOI = [
    ("10.1000/182", "10.1000/182", "https://doi.org/10.1000/182"),
    ("doi:10.57760/sciencedb.16704", "10.57760/sciencedb.16704", None),
    ("https://doi.org/10.5281/zenodo.20901489", "10.5281/zenodo.20901489", None),
    ("http://dx.doi.org/10.1000/ABC", "10.1000/ABC", None),
    ("10.1000.10/123456", "10.1000.10/123456", None),  # a registrant code with a subdivision
    ("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", None, None),
    ("10.12199/nesdc.ecodb.mod.20200001.04", None, None),
    ("10.1000/a#b?c", None, "https://doi.org/10.1000/a%23b%3Fc"),  # encoded in the link
]

INVALID_DOI = [
    "",
    "11.1000/182",  # not the DOI directory
    "10./182",
    "10.1000",  # no suffix
    "10.1000/",
    "10.abc/182",  # registrant code not numeric
    "10.1000/a b",  # a space
    "doi:",
    "CSTR:31253.11.sciencedb.00245",
]


@pytest.mark.parametrize(("raw", "text"), VALID_CSTR)
def test_r32_valid_cstr_is_normalised(raw: str, text: str) -> None:
    c = check_cstr(raw)
    assert c.text == text
    assert c.url == "https://cstr.cn/" + text.removeprefix("CSTR:")
    assert c.key == text.removeprefix("CSTR:").upper()


@pytest.mark.parametrize(("raw", "reason"), INVALID_CSTR)
def test_r32_invalid_cstr_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as e:
        check_cstr(raw)
    assert e.value.code == "invalid_cstr" and e.value.status == 422
    assert e.value.details["reason"] == reason
    assert "GB/T 32843" in e.value.message_zh or reason == "length"


@pytest.mark.parametrize(("raw", "text", "url"), VALID_DOI)
def test_r32_valid_doi_is_normalised(raw: str, text: str | None, url: str | None) -> None:
    d = check_doi(raw)
    assert d.text == (text or raw)
    assert d.key == d.text.upper()  # case-insensitive (DOI Handbook §2.4)
    if url:
        assert d.url == url


@pytest.mark.parametrize("raw", INVALID_DOI)
def test_r32_invalid_doi_is_refused(raw: str) -> None:
    with pytest.raises(DomainError) as e:
        check_doi(raw)
    assert e.value.code == "invalid_doi" and e.value.status == 422


def test_r32_doi_and_cstr_compare_case_insensitively() -> None:
    assert check_doi("10.1000/AbC").key == check_doi("doi:10.1000/abc").key
    assert (
        check_cstr("CSTR:31253.11.SCIENCEDB.00245").key
        == check_cstr("31253.11.sciencedb.00245").key
    )


@given(
    agency=st.from_regex(r"[0-9]{5}", fullmatch=True),
    kind=st.from_regex(r"[0-9]{2}", fullmatch=True),
    own=st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9_/-]{0,10}[A-Za-z0-9])?", fullmatch=True),
)
def test_r32_every_well_formed_cstr_round_trips(agency: str, kind: str, own: str) -> None:
    c = check_cstr(f"CSTR:{agency}.{kind}.{own}")
    assert check_cstr(c.text) == c == check_cstr(c.url)
    assert classify(c.text) == ("cstr", c.key)


def test_r32_change_checks_identifiers_first() -> None:
    check_changes({"identifiers": {"cstr": "CSTR:31253.11.x", "doi": None}})  # null removes
    check_changes({"update": {"frequency": "weekly"}})
    with pytest.raises(DomainError) as e:
        check_changes({"identifiers": {"cstr": "CSTR:1.1.x"}})
    assert e.value.code == "invalid_cstr"
    with pytest.raises(DomainError) as e:
        check_changes({"identifiers": {"doi": "10.x/y"}})
    assert e.value.code == "invalid_doi"


def test_r32_public_institutions_are_found_by_their_credit_code() -> None:
    # GB 32100: authority 1 (机构编制), type 2 (事业单位): the code replaced the registration
    # certificate's number in 2015
    assert is_public_institution("12520000429012345X")
    assert not is_public_institution(make_uscc(1))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("CSTR:31253.11.sciencedb.00245", "cstr"),
        ("https://cstr.cn/31253.11.sciencedb.00245", "cstr"),
        ("31253.11.sciencedb.00245", "cstr"),
        ("10.1000/182", "doi"),
        ("doi:10.1000/182", "doi"),
        ("https://doi.org/10.1000/182", "doi"),
        ("202622000000001X", "registration_number"),
        ("202622000000001x", "registration_number"),
        ("20261152000000001", "certificate_number"),
        ("GG202652000000012", "announcement_number"),
        ("BA202652000000001", "number"),
        ("BQ202652000000001", "number"),
        (make_uscc(7), "credit_code"),
        ("城市交通", None),
        ("贵州黔通智联交通大数据有限公司", None),
        ("2026", None),
        ("10 1000", None),
        ("CSTR:bad", None),  # shaped like a CSTR, invalid: nothing, not text
    ],
)
def test_r32_the_one_box_tells_identifiers_from_text(text: str, kind: str | None) -> None:
    found = classify(text)
    assert (found[0] if found else None) == kind


def test_r32_keys_meet_between_index_and_query() -> None:
    for kind, value in [
        ("cstr", "cstr:31253.11.SciDB.1"),
        ("doi", "https://doi.org/10.1000/Xy"),
        ("credit_code", make_uscc(3).lower()),
        ("registration_number", "202622000000001x"),
    ]:
        found = classify(value)
        assert found is not None and found == (kind, search_key(kind, value))
    assert name_key("贵州 黔通智联 有限公司") == name_key("贵州黔通智联有限公司")
    assert name_key("ＡＢＣ数据公司") == "ABC数据公司"
