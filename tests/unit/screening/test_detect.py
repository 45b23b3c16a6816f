"""R26 (sensitive-data identification during review): the detectors find Chinese identifiers
where general-purpose tools miss them, and count only those that validate."""

from __future__ import annotations

import pytest
from stdnum.cn import ric, uscc

from dataip.screening import detect, find_entities
from dataip.screening.validate import luhn_ok, resident_id_ok, uscc_ok
from tests.unit.screening.corpus import Gen, id_check, luhn_digit, uscc_check


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.value) for e in find_entities(text)]


def test_r26_resident_id_check_digit_validated() -> None:
    good = "11010519491231002X"
    assert kinds(f"身份证{good}") == [("resident_id", good)]
    bad = good[:17] + "3"
    assert kinds(f"身份证{bad}") == []
    assert kinds("身份证11010519491231002x") == [("resident_id", "11010519491231002X")]


def test_r26_resident_id_validates_like_stdnum_on_faker_numbers() -> None:
    g = Gen(11, pool_size=300)
    for _ in range(2000):
        number = g.resident_id()
        assert resident_id_ok(number), number
        bad = number[:17] + ("0" if number[17] != "0" else "1")
        assert not resident_id_ok(bad)
    assert not resident_id_ok("99010519491231002X")  # no province 99
    assert not resident_id_ok("110105" + "20990101" + "001" + id_check("11010520990101001"))
    assert not resident_id_ok("110105" + "18990101" + "001" + id_check("11010518990101001"))
    body = "11010519990229001"  # 1999 is not a leap year
    assert not resident_id_ok(body + id_check(body))


def test_r26_resident_id_county_younger_than_holder_is_accepted() -> None:
    # 450327 (灌阳县 code) did not exist in 1950 per python-stdnum's county table, but real
    # numbers of people born then carry it: the county must not decide.
    body = "45032719500101001"
    number = body + id_check(body)
    assert not ric.is_valid(number)  # the trap the issue names
    assert resident_id_ok(number)
    assert kinds(number) == [("resident_id", number)]


def test_r26_uscc_check_character_validated_and_agrees_with_stdnum() -> None:
    g = Gen(5, pool_size=200)
    for _ in range(500):
        code = g.uscc()
        assert uscc_ok(code) and uscc.is_valid(code), code
        bad = g.uscc(valid=False)
        assert not uscc_ok(bad) and not uscc.is_valid(bad), bad
    assert kinds("统一社会信用代码91350100M000100Y43") == [("uscc", "91350100M000100Y43")]


def test_r26_bank_card_luhn_and_19_digit_unionpay() -> None:
    partial = "621700123456789012"
    card = partial + luhn_digit(partial)  # 19 digits, UnionPay 62
    assert len(card) == 19 and luhn_ok(card)
    assert kinds(f"卡号{card}") == [("bank_card", card)]
    assert kinds(f"卡号{card[:-1]}{(int(card[-1]) + 1) % 10}") == []
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    assert kinds(f"退款至{grouped}。") == [("bank_card", card)]


def test_r26_numbers_glued_to_chinese_and_full_width_digits_found() -> None:
    assert kinds("手机13812345678") == [("mobile", "13812345678")]
    assert kinds("电话１３８１２３４５６７８请回电") == [("mobile", "13812345678")]
    assert kinds("联系人张三13912345678，备用+86 138 1234 5678") == [
        ("mobile", "13912345678"),
        ("mobile", "13812345678"),
    ]


def test_r26_mobile_segments_and_landlines_validated() -> None:
    assert kinds("12012345678") == []  # no 120 segment
    assert kinds("10012345678") == []
    assert kinds("座机010-62345678") == [("landline", "01062345678")]
    assert kinds("（0851）8888888") == [("landline", "08518888888")]
    assert kinds("0851-88886666转123") == [("landline", "085188886666")]
    assert kinds("010-02345678") == []  # a local number does not start with 0


def test_r26_email_ip_passport_permit_plate() -> None:
    assert kinds("邮箱zhang.san@example.com。") == [("email", "zhang.san@example.com")]
    assert kinds("13812345678@qq.com") == [("email", "13812345678@qq.com")]
    assert kinds("登录IP 192.168.1.10") == [("ipv4", "192.168.1.10")]
    assert kinds("IP 256.1.1.1 或 1.2.3") == []
    assert kinds("地址2001:db8::ff00:42:8329") == [("ipv6", "2001:db8::ff00:42:8329")]
    assert kinds("时间12:30:45") == []
    assert kinds("本机 ::1，映射 ::ffff:192.0.2.1") == [
        ("ipv6", "::1"),
        ("ipv6", "::ffff:192.0.2.1"),
    ]
    longest = "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:255.255.255.255"  # 45 characters
    assert kinds(f"地址{longest}") == [("ipv6", longest.lower())]
    assert kinds("护照E12345678，EA1234567") == [
        ("passport", "E12345678"),
        ("passport", "EA1234567"),
    ]
    assert kinds("通行证C12345678 回乡证H1234567890") == [
        ("hk_macau_permit", "C12345678"),
        ("hk_macau_permit", "H1234567890"),
    ]
    assert kinds("车牌京A12345，粤B·D12345，沪A12345F") == [
        ("plate", "京A12345"),
        ("plate", "粤BD12345"),
        ("plate", "沪A12345F"),
    ]
    assert kinds("京AABC12") == []  # three letters: not a plate
    assert kinds("京AX12345") == []  # six characters without D/F: not new energy


@pytest.mark.parametrize(
    "text",
    [
        "订单号2024-01-15，金额1234.56元，时间12:30:45",
        "版本1.2.3，邮编550001，批次20240115",
        "数量 100 000 件",
        "价格0.13812345678",
    ],
)
def test_r26_ordinary_numbers_are_not_identifiers(text: str) -> None:
    assert kinds(text) == []


def test_r26_a_mistyped_resident_id_is_not_a_bank_card() -> None:
    g = Gen(3, pool_size=100)
    for _ in range(300):
        bad = g.resident_id(valid=False)
        assert kinds(bad) == [], bad


def test_r26_uscc_check_helper_matches_generator() -> None:
    body = "91520115MA6J0EXA8"
    assert uscc_check(body) == "X"
    assert uscc_ok(body + "X")


def test_r26_rows_and_offsets_are_per_value_even_when_a_value_holds_a_line_break() -> None:
    # CSV quoted cells may hold line breaks: the row is then not the line
    for values in (
        ["手机13812345678", "无", "13912345678"],
        ["备注\n第二行13812345678", "无", "\n\n13912345678"],
    ):
        kept: list[detect.Entity] = []
        tallies, _text = detect.scan_text(values, keep=kept)
        assert tallies["mobile"].count == 2
        assert tallies["mobile"].values == 2
        assert [(e.row, values[e.row][e.start : e.end]) for e in kept] == [
            (0, "13812345678"),
            (2, "13912345678"),
        ]
