"""RFC 8785 JSON canonicalisation: the RFC's examples and its Appendix B number table."""

from __future__ import annotations

import json
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.ledger.canonical import JSONValue, canonicalize, canonicalize_text, is_canonical
from dataip.ledger.errors import FormatError

# RFC 8785 §3.2.2 (input as JSON text) and §3.2.3 (sorting).
RFC_INPUT = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)
RFC_SORT_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC_SORT_ORDER = [
    "Carriage Return",
    "One",
    "Control",
    "Latin Small Letter O With Diaeresis",
    "Euro Sign",
    "Emoji: Grinning Face",
    "Hebrew Letter Dalet With Dagesh",
]
# §3.2.4: the UTF-8 bytes of the §3.2.2 example.
RFC_UTF8_HEX = (
    "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c "
    "22 6e 75 6d 62 65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 "
    "65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74 72 69 6e 67 22 "
    "3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d"
)

# Appendix B: IEEE 754 bit patterns and their canonical serialisation.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]
APPENDIX_B_ERRORS = ["7fffffffffffffff", "7ff0000000000000"]  # NaN, Infinity


def _double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


def test_rfc_example() -> None:
    out = canonicalize_text(RFC_INPUT)
    assert out.decode() == RFC_OUTPUT
    assert out == bytes.fromhex(RFC_UTF8_HEX.replace(" ", ""))
    assert is_canonical(out) and not is_canonical(RFC_INPUT.encode())


def test_rfc_sorting_example() -> None:
    out = canonicalize_text(RFC_SORT_INPUT)
    assert list(json.loads(out).values()) == RFC_SORT_ORDER
    assert out.startswith(b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control"')


@pytest.mark.parametrize(("bits", "want"), APPENDIX_B)
def test_appendix_b_numbers(bits: str, want: str) -> None:
    assert canonicalize(_double(bits)) == want.encode()


@pytest.mark.parametrize("bits", APPENDIX_B_ERRORS)
def test_appendix_b_errors(bits: str) -> None:
    with pytest.raises(FormatError):
        canonicalize(_double(bits))


def test_registry_subset() -> None:
    value: JSONValue = {
        "type": "registration.granted",
        "subject": "DIP-2025-000001",
        "seq": 42,
        "public": True,
        "withdrawn": None,
        "fields": ["a", "b"],
        "nested": {"z": [], "a": {}},
        "中文": "数据知识产权",
    }
    out = canonicalize(value)
    assert (
        out
        == (
            '{"fields":["a","b"],"nested":{"a":{},"z":[]},"public":true,"seq":42,'
            '"subject":"DIP-2025-000001","type":"registration.granted","withdrawn":null,'
            '"中文":"数据知识产权"}'
        ).encode()
    )
    assert canonicalize_text(out) == out
    assert canonicalize((1, 2)) == b"[1,2]"


@pytest.mark.parametrize(
    "bad",
    [2**53, -(2**53), float("nan"), float("inf"), {1: "x"}, {"k": object()}, "\ud800", b"bytes"],
)
def test_unrepresentable_values_are_rejected(bad: object) -> None:
    with pytest.raises(FormatError):
        canonicalize(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',  # duplicate key (I-JSON)
        '{"a":NaN}',
        "[Infinity]",
        "[-Infinity]",
        "[1e400]",  # overflows to infinity
        '"\\ud800"',  # lone surrogate
        "{",
        "",
        b"\xff",
    ],
)
def test_strict_parsing(text: str | bytes) -> None:
    with pytest.raises(FormatError):
        canonicalize_text(text)
    data = text.encode() if isinstance(text, str) else text
    assert not is_canonical(data)


def test_large_integers_read_as_doubles() -> None:
    assert canonicalize_text("[9007199254740993]") == b"[9007199254740992]"
    assert not is_canonical(b"[9007199254740993]")
    assert is_canonical(b"[9007199254740992]")
    assert canonicalize_text("[100000000000000000000000]") == b"[1e+23]"


def test_deep_nesting_is_rejected_cleanly() -> None:
    with pytest.raises(FormatError):
        canonicalize_text("[" * 100_000 + "]" * 100_000)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_serialisation_round_trips(x: float) -> None:
    out = canonicalize(x).decode()
    assert float(out) == x or (x == 0 and out == "0")
    assert canonicalize_text(out) == out.encode()
    if x == int(x) and abs(x) < 1e21:
        # ES6: integral values below 1e21 print as digits (shortest, zero-padded), no exponent
        assert "e" not in out and "." not in out
    else:
        assert ("e" in out) == (abs(x) >= 1e21 or abs(x) < 1e-6)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=5), children, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_canonical_form_is_a_fixed_point(value: JSONValue) -> None:
    out = canonicalize(value)
    assert json.loads(out) == value
    assert canonicalize_text(out) == out
    pretty = json.dumps(value, indent=2, ensure_ascii=True)
    assert canonicalize_text(pretty) == out


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(max_codepoint=127), max_size=5), children, max_size=4
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(plain_values | json_values)
def test_the_fast_path_writes_exactly_what_rfc8785_writes(value: JSONValue) -> None:
    """`canonicalize` serialises plain documents with the standard library; for every value
    (plain or not) its bytes are rfc8785's."""
    assert canonicalize(value) == rfc8785.dumps(value)


def test_the_fast_path_leaves_floats_big_integers_and_non_ascii_keys_to_rfc8785() -> None:
    assert canonicalize({"a": 1e21}) == b'{"a":1e+21}'
    with pytest.raises(FormatError):
        canonicalize({"a": 2**53})
    assert canonicalize({"\U0001f600": 1, "\ufb33": 2}) == rfc8785.dumps(
        {"\U0001f600": 1, "\ufb33": 2}
    )
    with pytest.raises(FormatError):
        canonicalize({"a": "\ud800"})
