"""R26: the C digit-run pass (``_digits.c``) finds exactly what the pure-Python pass finds —
same kinds, positions, canonical values and order — on generated text, on edge cases at
each of its boundaries, and on the labelled corpus. The Python pass is the reference (it is
the one the detectors' rules are written in), and what runs where the C module is not built.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataip.screening import detect
from tests.unit.screening.corpus import rows

TODAY = "20261202"


def both(text: str) -> tuple[detect.Hits, detect.Hits]:
    native = detect._hits(text, TODAY)
    saved = detect._native
    detect._native = None
    try:
        reference = detect._hits(text, TODAY)
    finally:
        detect._native = saved
    return native, reference


def test_the_c_pass_is_built() -> None:
    assert detect._native is not None, (
        "dataip.screening._digits is not built: install gcc and the Python headers "
        "(Debian: build-essential python3-dev) and run bin/setup again"
    )


EDGES = [
    "11010519491231002X",  # X check character, alone
    "11010519491231002Xa",  # …then a letter: the X is part of it
    "11010519491231002X.",
    "11010519491231002X5",  # …then a digit: 17 digits alone (a card-shaped number)
    "11010519491231002X@a.cn",
    "11010519491231002x号",
    "身份证11010519491231002X，手机13812345678",
    "+8613812345678 008613812345678 8613812345678",
    "138 1234 5678",
    "138-1234-5678 2023",
    "010-12345678",
    "(0851)88888888",
    "0851-8888888",
    "2023-05-01 10:00",
    "192.168.1.20",
    "1.2.3.4.5",
    "10.0.0.1:8080",
    "91520115MA6DXXXX0Y",
    "91520115MA6D00000123456789",  # a credit code with letters, digits running on
    "12AB34567890123456",  # letters then a 14-digit run inside one 18-character token
    "6222021234567890123",  # 19-digit UnionPay
    "6222 0212 3456 7890 123",
    "62220212345678901234",  # 20 digits: nothing
    "a@13812345678",
    "13812345678@qq.com",
    "x.13812345678",
    "E12345678 G12345678 C12345678",
    "１３８１２３４５６７８",
    "",
    "\n\n13812345678\n",
]


@pytest.mark.parametrize("text", EDGES)
def test_r26_c_pass_equals_python_pass_on_edges(text: str) -> None:
    native, reference = both(detect.normalise(text))
    assert native == reference


_PIECES = st.sampled_from(
    [
        "0",
        "1",
        "8",
        "9",
        "X",
        "x",
        "A",
        "M",
        "@",
        ".",
        "-",
        " ",
        ":",
        "\n",
        "号",
        "（",
        "138",
        "0086",
        "86",
        "010",
        "11010519491231002",
        "11010519491231002X",
        "622202123456789",
        "6222021234567890123",
        "91520115MA6DXXXX0Y",
        "13812345678",
        "192.168.",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_r26_c_pass_equals_python_pass_on_generated_text(text: str) -> None:
    native, reference = both(text)
    assert native == reference


def test_r26_c_pass_equals_python_pass_on_the_corpus() -> None:
    lines = [cells for cells, _labels in itertools.islice(rows(20260507, 3000), 3000)]
    columns = ["\n".join(col) for col in zip(*lines, strict=True)]
    for column in columns:
        native, reference = both(detect.normalise(column))
        assert native == reference
