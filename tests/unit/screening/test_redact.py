"""Free text masked for an announcement (screening.redact)."""

from __future__ import annotations

import pytest

from dataip.screening.redact import redact

ISSUE = "请求人钱多多（身份证520103199002021188，电话13985012345）所述理由不成立"


def test_i18_the_issues_reason_is_masked_without_being_told_the_name() -> None:
    assert redact(ISSUE) == "请求人钱**（身份证520103********1188，电话139****2345）所述理由不成立"


@pytest.mark.parametrize(
    ("text", "names", "shown"),
    [
        # identifiers, as the screening preview masks them
        ("邮箱qian@example.com", (), "邮箱q***@example.com"),
        ("统一社会信用代码91520115MA6DQ4FT6U", (), "统一社会信用代码91520115MA6DQ4FT6U"),
        ("卡号6222021234567890128", (), "卡号6222 **** **** *** 0128"),
        # known names, wherever they are; compound surnames keep both characters
        ("经查欧阳娜娜提交的材料不实", ("欧阳娜娜",), "经查欧阳**提交的材料不实"),
        ("张三、张三丰均未到场", ("张三", "张三丰"), "张*、张**均未到场"),
        # a name after a role word, unknown to the caller
        ("申请人：王五所述不成立", (), "申请人：王**述不成立"),
        ("被申请人李四未答复", (), "被申请人李**答复"),
        # …but not a word that starts with a surname character after a role word
        (
            "申请人和登记主体均未到场，申请人于10月提出",
            (),
            "申请人和登记主体均未到场，申请人于10月提出",
        ),
        ("证据不足", (), "证据不足"),
    ],
)
def test_i18_redact(text: str, names: tuple[str, ...], shown: str) -> None:
    assert redact(text, names=names) == shown


def test_i18_redact_never_shows_the_raw_values_when_spans_overlap() -> None:
    text = "联系人钱多多13985012345"
    out = redact(text, names=("多多139",))  # overlaps the role-word name and the phone
    assert out == "联系人钱*************"
    assert "13985012345" not in out and "多多" not in out
