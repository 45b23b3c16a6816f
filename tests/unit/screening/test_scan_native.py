"""R26: the C value passes (``_scan.c``) find exactly what the pure-Python passes find —
same kinds, positions, canonical values and order — on generated text, on edge cases at
each of their boundaries, and on the labelled corpus. The Python passes are the reference
(the detectors' rules are written in them), and what runs where the C module is not built.
"""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataip.screening import columns, detect, parse
from dataip.screening import native as c_ext
from dataip.screening.errors import ScreeningError
from tests.unit.screening.corpus import rows

TODAY = "20261202"


def both(text: str) -> tuple[detect.Hits, detect.Hits]:
    native = detect._hits(text, TODAY)
    saved = c_ext.module
    c_ext.module = None
    try:
        reference = detect._hits(text, TODAY)
    finally:
        c_ext.module = saved
    return native, reference


def test_the_c_pass_is_built() -> None:
    assert c_ext.module is not None, (
        "dataip.screening._scan is not built: install gcc and the Python headers "
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
    # an X check character belongs to an 18-character resident ID only
    "1381234567X",
    "0851888888X",
    "138 1234 567X",
    "110105 19491231 002X",
    "11010519491231002X1",
    "110105194912310021X",
    # grouped numbers at their limits
    "13 8123 4567 8",
    "138 1234 5678@x.cn",
    "138 1234 5678 12@",
    "6222 0212 3456 7890 12",
    "6222 0212 3456 7890 123 4567",
    "1234567 123 4567",
    "12 123456789 123",
    "0851-8888888X",
    # IPv4 and its neighbours
    "01.2.3.4 256.1.1.1 1.2.3.4.5 a1.2.3.4 1.2.3.4: :1.2.3.4 255.255.255.255",
    "1.2.3.4.",
    # credit codes with letters, documents
    "A1520115MA6DXXXX0Y 91520115MA6DXXXX0Y9 x91520115MA6DXXXX0Y",
    "91350100M000100Y43 9135010000010047X3",
    "E1234567 EA1234567 GA1234567 CA1234567 WA1234567 H1234567890 M12345678 H123456789",
    "EA12345678 E123456789012 aE12345678 E12345678a",
    # plates
    "京A12345 京A·12345 京A-D12345 粤B12345D 京AD1234F 京A1234学 京A1234学5 京AB1CD2",
    "京A123456 京A1234567 京A12345a 京a12345 京I12345 沪A 12345 沪A12345I",
    # e-mail
    "a@b.cn a.b@c.d.com .a@b.cn a.@b.cn a..b@c.cn a@b.c a@-b.cn a@b-.cn a@b.cn.x",
    "a@b.cn.x@y.cn x@y.c0m x@y.com1 x@y.co-m 张三zhang.san@example.com。",
    "x" * 64 + "@a.cn " + "y" * 65 + "@a.cn",
    "a@" + "b" * 63 + ".cn a@" + "b" * 64 + ".cn",
    # IPv6 candidates
    "2001:db8::1 fe80::1%eth0 ::1 12:30:00 1:2:3:4:5:6:7:8 ::ffff:1.2.3.4 2001:db8::g",
    # issue 19: labels, glue and escapes in running text
    "No.13812345678 No.110105194912310021 No.91520115MA6DXXXX0Y x.13812345678 1.13812345678",
    "3.14159265358979323846 0.13812345678 v1.2.3.4 a.1.2.3.4 No.192.168.1.20",
    "IP:192.168.1.20 ID:10.0.0.1 10.0.0.1:8080 连接10.0.0.1:3306 ::ffff:10.0.0.1 1.2.3.4::",
    "1.2.3.4:5:6 fe80:1.2.3.4 12:30:1.2.3.4 登录IP10.0.0.1 VIP1.2.3.4 ip1.2.3.4 P1.2.3.4",
    "ip:2001:db8::1 IPv6:2001:db8::1 IPv6:::ffff:1.2.3.4 地址:::1 No.::1 登录IP2001:db8::1",
    "IP::1 ID:fe80::1 :1:2::3 x:2001:db8::1 a:::1 1:2:3:4:5:6:7:8: 2001:db8::1. 2001:db8::1:",
    "see 2001:db8::1. Next 甲:2001:db8::1:乙 2001:db8::1:: ::. :: ::: 6:2001:db8::1 v6:::1",
    "2026-12-06 10:30:45 010-39481295 10:30:45 138 1234 5678 10:30:45 91520115MA6DXXXX0Y",
    "1201 138-1234-5678 3 138 1234 5678 06 138 1234 5678 2023 138 1234 5678",
    "1234 5678 9012 3456 7890 12 3456 7890 1234 5678 45 4367 4211 2185 5354 45 6222 0212 34",
    "45 010-12345678X 45 0851-8888888@a 1 23 456-789 12 345 6789 01",
    '{"a":"\\nE12345678\\tC12345678\\rH12345678\\bG12345678"}',
    "\\nzhang@example.com \\n@example.com \\tn@x.cn \\\\nE12345678 \\nnE12345678",
    "\\n91520115MA6DXXXX0Y \\n2001:db8::1 \\n10.0.0.1 \\b2001::1 \\f::1 \\x2001::1",
    '{"n": "\\u53f713812345678\\u4eacA12345\\u6237E12345678\\u6237zhang@x.cn\\u00b710.0.0.1"}',
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
        "京A",
        "D",
        "学",
        "a@b.cn",
        "@",
        "::",
        "E",
        "Y",
        "\\",
        "n",
        "IP",
        "v6",
        "No.",
        "：",
        "2001:db8::1",
        "10.0.0.1",
        "45 ",
        "1234",
        "-",
    ]
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


def test_r26_c_plate_provinces_are_the_python_ones() -> None:
    for province in detect.PLATE_PROVINCES:
        native, reference = both(f"{province}A12345")
        assert native == reference
        assert native["plate"][2] == [f"{province}A12345"]
    native, reference = both("港A12345 A12345")
    assert native == reference == {}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ascii only 13812345678",
        "全角数字１３８１２３４５６７８，（括号）",
        "（括号）和，标点：only",  # full-width punctuation alone: left as it is
        "ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ\u3000空格",
        "ＡＢＣ\U0001f600😀",
        "\u3000\uff01\uff5e\uff5f\uff00",
        # issue 19: \uXXXX escapes of non-ASCII characters decoded, six characters for six
        '{"n": "\\u53f713812345678\\u4eacA12345"}',
        "\\uff11\\uff13 \\ud83d\\ude00 \\u0041 \\u12 \\u12345 \\\\u53f7 \\u53F7 \\u0080",
        "\\u4e2d，１",  # decoded, then full-width
        "\\u",
        "x\\u53f",
    ],
)
def test_r26_c_normalise_equals_python(text: str) -> None:
    native = detect.normalise(text)
    assert native == detect._normalise(text)
    assert len(native) == len(text)


@given(st.text(alphabet=st.sampled_from("1a@．＠１ａＺ\u3000（，中\n😀\\uUfFd80"), max_size=40))
def test_r26_c_normalise_equals_python_on_generated_text(text: str) -> None:
    assert detect.normalise(text) == detect._normalise(text)


_ESCAPE_PIECES = st.sampled_from(
    ["\\u", "\\", "u", "53f7", "4eac", "ff11", "d83d", "0041", "0080", "00", "1", "Z", "１", "中"]
)


@settings(max_examples=800, deadline=None)
@given(st.lists(_ESCAPE_PIECES, max_size=20).map("".join))
def test_r26_c_normalise_equals_python_on_escapes(text: str) -> None:
    got = detect.normalise(text)
    assert got == detect._normalise(text)
    assert len(got) == len(text)


@pytest.mark.parametrize("values", [(), ("",), ("", "a", "中文字", ""), ["😀😀", "x"]])
def test_r26_c_lengths_equal_python(values: tuple[str, ...] | list[str]) -> None:
    assert detect.lengths(values) == detect._lengths(values)


def test_r26_c_lengths_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        detect.lengths(["a", 1])  # type: ignore[list-item]


LINE_EDGES = [
    "",
    "\n",
    "张三\n欧阳修\n欧阳\n欧阳修文\n王\n王小明明\n张市\n金华\nA张三\n张三 ",
    "北京市海淀区中关村大街1号\n上海市\n自治区路\n"
    + "省"
    + "x" * 40
    + "路\n"
    + "省"
    + "x" * 41
    + "路",
    "新疆维吾尔自治区乌鲁木齐市天山区解放北路\n区小区\n镇\n乡村",
    "确诊高血压\n患有HIV感染\nhiv\n癌\n无\n",
    "张三\n北京市朝阳区建国路88号\n高血压\n" * 3,
    "😀张三\n张😀\n张三😀",
]


def line_stats_both(text: str) -> None:
    for names, addresses in itertools.product((True, False), repeat=2):
        assert columns.line_stats(text, names, addresses) == columns._line_stats(
            text, names, addresses
        )


@pytest.mark.parametrize("text", LINE_EDGES)
def test_r26_c_line_statistics_equal_python_on_edges(text: str) -> None:
    line_stats_both(text)


_LINE_PIECES = st.sampled_from(
    [
        "张",
        "欧阳",
        "王",
        "小",
        "明",
        "市",
        "省",
        "区",
        "自治区",
        "路",
        "大厦",
        "号",
        "x",
        "1",
        "确诊",
        "高血压",
        "癌",
        "HIV",
        " ",
        "\n",
        "\n",
        "😀",
        "金华",
    ]
)


@settings(max_examples=800, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=40).map("".join))
def test_r26_c_line_statistics_equal_python_on_generated_text(text: str) -> None:
    line_stats_both(text)


def test_r26_c_line_statistics_equal_python_on_the_corpus() -> None:
    lines = [cells for cells, _labels in itertools.islice(rows(20260507, 3000), 3000)]
    for col in zip(*lines, strict=True):
        line_stats_both(detect.normalise("\n".join(col)))


def reader_both(text: str, delimiter: str = ",", skip_first: bool = False) -> None:
    """The C CSV reader's columns are csv.reader's records (blank ones dropped), transposed
    with zip_longest — or None where csv.reader raises."""
    assert c_ext.module is not None
    try:
        rows = parse.csv_rows(text, delimiter, 0)
    except ScreeningError:
        assert (
            c_ext.module.csv_columns(text, delimiter, csv.field_size_limit(), 100, skip_first)
            is None
        )
        return
    rows = rows[1:] if skip_first else rows
    got = c_ext.module.csv_columns(text, delimiter, csv.field_size_limit(), 100, skip_first)
    assert got is not None
    count, columns = got
    assert count == len(rows)
    assert columns == [list(col) for col in itertools.zip_longest(*rows, fillvalue="")]


CSV_EDGES = [
    "",
    "\n",
    "\n\n\r\n\r",
    "a",
    "a,b\n1,2\n",
    "a,b\r\n1,2\r\n",
    "a,b\r1,2\r",
    "a,b\n1\n1,2,3\n",
    '"a,b",c\n"x""y",z\n',
    '"multi\nline",x\n"cr\rin",y\r\n',
    '"unterminated,x\ny',
    '""\n"",""\n',
    'a"b,c\n"a"b,c\n"a"",d\n',
    '"a" ,b\n',
    ",,\n,\n",
    "中文,字段\n张三,13812345678\n",
    "a,b\n\n\n1,2",
    '"x"\r\n"y"\r\n',
]


@pytest.mark.parametrize("text", CSV_EDGES)
@pytest.mark.parametrize("skip_first", [False, True])
def test_r26_c_csv_reader_equals_csv_module_on_edges(text: str, skip_first: bool) -> None:
    reader_both(text, skip_first=skip_first)


@settings(max_examples=1500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(['"', ",", ";", "\n", "\r", "a", "中", " ", "\t"]), max_size=40
    ),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_r26_c_csv_reader_equals_csv_module_on_generated_text(
    text: str, delimiter: str, skip_first: bool
) -> None:
    reader_both(text, delimiter, skip_first)


def test_r26_c_csv_reader_gives_way_over_the_limits() -> None:
    assert c_ext.module is not None
    assert c_ext.module.csv_columns("a,bbbbbb\n", ",", 5, 100, False) is None  # field limit
    assert c_ext.module.csv_columns("a,bbbbb\n", ",", 5, 100, False) == (1, [["a"], ["bbbbb"]])
    assert c_ext.module.csv_columns("a,b,c\n", ",", 100, 2, False) is None  # columns
    big = "x" * (csv.field_size_limit() + 1)
    reader_both(f"a,{big}\n")


def test_r26_c_csv_reader_equals_csv_module_on_the_corpus() -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for cells, _labels in itertools.islice(rows(20260507, 2000), 2000):
        writer.writerow(cells)
    reader_both(out.getvalue())


IPV6_EDGES = [
    "::",
    "::1",
    "1::",
    ":1::",
    "1::2::3",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::",
    "::1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7::8",
    ":1:2:3:4:5:6:7",
    "12345::1",
    "::ffff:1.2.3.4",
    "::ffff:01.2.3.4",
    "::ffff:1.2.3.256",
    "::1.2.3",
    "1.2.3.4::",
    "::1.2.3.4.5",
    "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "a:b:c",
    "fe80::1:",
    "FE80::ABCD",
    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555",
]


@pytest.mark.parametrize("text", IPV6_EDGES)
def test_r26_c_ipv6_equals_ipaddress_on_edges(text: str) -> None:
    native, reference = both(f"地址 {text} 。")
    assert native == reference


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(":.0123456789abcdefABCDEF"), max_size=47))
def test_r26_c_ipv6_equals_ipaddress_on_generated_text(text: str) -> None:
    native, reference = both(text)
    assert native == reference
