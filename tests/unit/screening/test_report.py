"""R26 (desensitisation, classification and grading) and R14(6) (data endangering personal
privacy): the report shows masked values only, previews GB/T 37964 techniques and hints a
GB/T 43697 grade; the services can tell "found nothing" from "personal data"."""

from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest

from dataip.screening import GradeRules, grade_hint, screen_bytes
from dataip.screening.mask import (
    generalise_address,
    generalise_date,
    mask_name,
    mask_value,
    pseudonymise,
)
from tests.unit.screening.corpus import Gen, luhn_digit

KEY = b"registry-pseudonym-key-for-tests"


def _sample(rows: int = 30, seed: int = 1) -> tuple[bytes, list[list[str]]]:
    g = Gen(seed, pool_size=200)
    body = [
        [
            g.rng.choice(g.names),
            g.resident_id(),
            g.mobile(),
            g.bank_card(),
            g.rng.choice(g.addresses),
            g.rng.choice(["确诊高血压", "青霉素过敏", "2型糖尿病复诊"]),
            g.rng.choice(["苹果", "香蕉"]),
        ]
        for _ in range(rows)
    ]
    header = ["联系人", "证件号码", "手机", "银行卡号", "住址", "诊断", "产品"]
    text = "\n".join(",".join(r) for r in [header, *body])
    return text.encode(), body


def test_r26_masking_examples_follow_gb_t_37964() -> None:
    assert mask_value("resident_id", "11010519491231002X") == "110105********002X"
    assert mask_value("mobile", "13812345678") == "138****5678"
    assert mask_value("bank_card", "6222021234567891234") == "6222 **** **** *** 1234"
    assert mask_value("bank_card", "6222021234561234") == "6222 **** **** 1234"
    assert mask_value("email", "zhang@example.com") == "z***@example.com"
    assert mask_value("ipv4", "192.168.1.10") == "192.168.*.*"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧阳**"
    assert generalise_address("贵州省贵阳市观山湖区长岭北路55号") == "贵州省贵阳市…"
    assert generalise_date("1990-03-07") == "1990年"
    p = pseudonymise("张三", KEY)
    assert p == pseudonymise("张三", KEY) != pseudonymise("张三", b"another key")
    assert p.startswith("P-") and len(p) == 14


def test_r26_report_json_holds_no_raw_value() -> None:
    data, body = _sample()
    report = screen_bytes(data, filename="样本.csv", pseudonym_key=KEY)
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    for row in body:
        for cell in row[:5]:  # the personal columns
            assert cell not in text, cell
    kinds = {c.name: c.kinds for c in report.columns}
    assert kinds["联系人"] == {"person_name"}
    assert kinds["证件号码"] == {"resident_id"}
    assert kinds["手机"] == {"mobile"}
    assert kinds["银行卡号"] == {"bank_card"}
    assert kinds["住址"] == {"address"}
    assert kinds["诊断"] == {"health"}
    assert kinds["产品"] == set()


def test_r26_masking_preview_applies_a_technique_per_column() -> None:
    data, body = _sample(rows=8)
    preview = screen_bytes(data, filename="a.csv", pseudonym_key=KEY).preview
    techniques = {name: t for name, t, _ in preview.columns}
    assert techniques == {
        "联系人": "pseudonymisation",
        "证件号码": "masking",
        "手机": "masking",
        "银行卡号": "masking",
        "住址": "generalisation",
        "诊断": "suppression",
    }
    assert len(preview.rows) == 5
    first = dict(zip([c[0] for c in preview.columns], preview.rows[0], strict=True))
    assert first["联系人"] == pseudonymise(body[0][0], KEY)
    assert first["证件号码"] == body[0][1][:6] + "********" + body[0][1][14:].upper()
    assert first["手机"] == body[0][2][:3] + "****" + body[0][2][7:]
    assert first["住址"].endswith("…") and first["诊断"] == "[已隐去 suppressed]"
    without_key = screen_bytes(data, filename="a.csv").preview
    assert dict((n, t) for n, t, _ in without_key.columns)["联系人"] == "masking"
    assert without_key.rows[0][0] == mask_name(body[0][0])


def test_r14_found_nothing_only_when_no_finding() -> None:
    clean = "产品,数量,单价\n苹果,3,4.50\n香蕉,10,2.00\n".encode()
    report = screen_bytes(clean, filename="a.csv")
    assert report.found_nothing and not report.has_personal_data and report.kinds == set()
    assert report.grade.grade == "general" and report.preview.rows == ((), ())
    org = "企业,统一社会信用代码\n某公司,91350100M000100Y43\n".encode()
    report = screen_bytes(org, filename="a.csv")
    assert report.kinds == {"uscc"} and not report.has_personal_data and not report.found_nothing
    data, _ = _sample()
    assert screen_bytes(data, filename="a.csv").has_personal_data


def test_r26_grade_hint_general_important_core_with_reasons() -> None:
    personal = frozenset({"mobile", "person_name"})
    assert grade_hint(personal, 1_000).grade == "general"
    hint = grade_hint(personal, 150_000)
    assert hint.grade == "important" and "150000" in hint.reason_en and hint.reason_zh
    assert grade_hint(frozenset({"health"}), 10).grade == "important"
    assert grade_hint(frozenset({"resident_id"}), 20_000_000).grade == "core"
    assert grade_hint(frozenset({"resident_id"}), 50, GradeRules(core_records=50)).grade == "core"
    assert grade_hint(frozenset({"uscc"}), 10**8).grade == "general"
    data, _ = _sample()
    report = screen_bytes(data, filename="a.csv", declared_records=2_000_000)
    assert report.grade.grade == "important" and report.grade.records == 2_000_000
    assert "hint" in report.grade.reason_en and report.to_dict()["grade_hint"]["is_hint"]


def test_r26_header_alone_flags_a_column_and_masked_values_are_noted() -> None:
    data = "姓名,身份证号\nJohn Smith,110105********002X\nMary Jones,110105********0029\n"
    report = screen_bytes(data.encode(), filename="a.csv")
    names, ids = report.columns
    assert names.kinds == {"person_name"} and names.findings[0].basis == "header"
    assert ids.kinds == set() and ids.masked_values == 2
    assert any("mask" in en for _, en in ids.notes)


def test_r26_random_long_numbers_are_not_bank_cards_by_chance() -> None:
    rng = random.Random(4)
    orders = [str(rng.randint(6 * 10**18, 7 * 10**18 - 1)) for _ in range(300)]
    cards = []
    for _ in range(300):
        partial = "6222" + "".join(rng.choice("0123456789") for _ in range(14))
        cards.append(partial + luhn_digit(partial))
    data = "订单号,卡号\n" + "\n".join(f"{o},{c}" for o, c in zip(orders, cards, strict=True))
    report = screen_bytes(data.encode(), filename="a.csv")
    orders_col, cards_col = report.columns
    assert orders_col.kinds == set() and "Luhn" in orders_col.notes[0][1]
    assert cards_col.kinds == {"bank_card"} and cards_col.findings[0].count == 300


def test_r26_public_sample_as_read_only_when_nothing_is_found() -> None:
    clean = screen_bytes("城市,品类\n贵阳,茶叶\n遵义,白酒\n".encode(), filename="a.csv")
    shown = clean.public_sample(masked=False).to_dict()
    assert shown["columns"] == [
        {"name": "城市", "technique": None},
        {"name": "品类", "technique": None},
    ]
    assert shown["rows"] == [["贵阳", "茶叶"], ["遵义", "白酒"]]
    rid = "11010519491231002X"
    personal = screen_bytes(
        f"姓名,证件,备注,城市\n张伟,{rid},联系13812345678,贵阳\n".encode(), filename="b.csv"
    )
    with pytest.raises(ValueError):
        personal.public_sample(masked=False)
    masked = personal.public_sample(masked=True).to_dict()
    text = json.dumps(masked, ensure_ascii=False)
    assert rid not in text and "13812345678" not in text and "张伟" not in text
    assert masked["rows"][0][3] == "贵阳"  # nothing found there: as read
    assert masked["rows"][0][2].startswith("联系138")  # the number masked inside the text


def test_r26_public_sample_of_a_workbook_with_two_sheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "客户"
    for row in (["姓名", "手机"], ["张伟", "13812345678"], ["李娜", "13987654321"]):
        first.append(row)
    second = wb.create_sheet("地区")
    for row in (["城市", "数量"], ["贵阳", "3"]):
        second.append(row)
    path = tmp_path / "s.xlsx"
    wb.save(path)
    report = screen_bytes(path.read_bytes(), filename="s.xlsx")
    shown = report.public_sample(masked=True).to_dict()
    assert [c["name"] for c in shown["columns"]] == ["客户!姓名", "客户!手机"]
    assert len(shown["rows"]) == 2 and all(all(cell for cell in r) for r in shown["rows"])
    assert "13812345678" not in json.dumps(shown, ensure_ascii=False)
