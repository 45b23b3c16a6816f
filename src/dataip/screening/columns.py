"""Column-level kinds: what a whole column holds, from its header and its values' statistics.

A name, an address or a diagnosis has no check digit, so one value proves nothing; a column
does. Four kinds are decided per column:

* ``person_name`` — header 姓名 / 联系人 / 法定代表人 / name…, or most values are 2–4 CJK
  characters starting with a common surname (a list of ~300 single and the compound
  surnames), not ending like a place or an organisation (市, 县, 路, 局…), and they are
  diverse: many ordinary words start with a surname character too (黄瓜, 金华, 高粱), but a
  column of categories repeats a few values while a column of names does not;
* ``address`` — header 地址 / 住址 / 详细地址 / address…, or most values name an
  administrative unit (省/市/区/县…) followed by a street-level one (路/街/号/村/室…);
* ``health`` — header 病历 / 诊断 / 病史 / 症状 / diagnosis…, or a good share of values use
  medical vocabulary (确诊, 高血压, 过敏…);
* ``birth_date`` — header 出生日期 / 生日 / birth… AND mostly date values (a date alone is
  not personal).

Headers also hint the value kinds (身份证号 → ``resident_id``): a hint raises a finding's
confidence, and is reported on its own when values no longer validate (e.g. already masked).
The value-statistics patterns run once over the column's joined text, in C.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from dataip.screening import mask, native
from dataip.screening.detect import Entity, KindTally, find_entities, lengths, scan_text

__all__ = [
    "COLUMN_KINDS",
    "ColumnTally",
    "header_hint",
    "hint_for",
    "looks_like_header",
    "scan_column",
    "unique_names",
]

COLUMN_KINDS = ("person_name", "address", "health", "birth_date")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫阎段雷龙黎史陶贺毛"
    "郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄牛樊齐耿关祝葛兰殷鲍涂左巫单邢华裴翟倪"
    "温季梅俞靳焦滕詹卓蒙童申霍苗凌岳鲁纪毕成路游宁聂甘阮柴包尚伍舒屈麦芦项蓝丘房谷车饶管宫窦"
    "景刁佟冉解晏邬时尤戚褚卫蒲邝全艾吉桂喻颜鞠宣占明瞿雍柳连符简米池席农仇湛司娄祁荣闻牟储强"
    "栾厉巩练封习邸苟姬隋衣查庞商虞冀郎薄戈郜钮盛桑慕门竺匡曲谌植税才母缪乐晋卜汝过鄢阙谈乌"
    "沙和盖宗仲元古冷那索荆官原万邱诸茅鲜来狄麻寇揭银达边戎"
)
_SURNAME_CLASS = "".join(sorted(set(SURNAMES)))
_CJK = "\u4e00-\u9fff"
_COMPOUND = tuple(sorted(mask.COMPOUND_SURNAMES))
_NAME_SUFFIXES = "市省县区路街局院厂店村镇乡司行部处所站队园馆"  # places and organisations
_NAME_VALUE = re.compile(
    "^(?:" + "|".join(_COMPOUND) + f"|[{_SURNAME_CLASS}])[{_CJK}]{{1,2}}(?<![{_NAME_SUFFIXES}])$",
    re.M,
)
_ADMIN_UNITS = ("省", "市", "自治区", "自治州", "县", "区", "镇", "乡")
_STREET_UNITS = (
    *("路", "街", "道", "巷", "弄", "胡同", "号", "村", "组"),
    *("座", "栋", "幢", "单元", "室", "楼", "小区", "大厦"),
)
_ADDRESS_VALUE = re.compile(
    f"(?:{'|'.join(_ADMIN_UNITS)})[^\\n]{{0,40}}?(?:{'|'.join(_STREET_UNITS)})[^\\n]*"
)
_HEALTH_TERMS = tuple(
    "诊断 确诊 病史 病历 病情 症状 患有 疾病 糖尿病 高血压 冠心病 心脏病 肿瘤 癌 白血病 肺炎 "  # noqa: SIM905
    "肝炎 胃炎 哮喘 抑郁 焦虑症 精神分裂 艾滋 HIV 乙肝 丙肝 梅毒 结核 感染 过敏 手术 住院 "
    "用药 处方 阳性 骨折 中风 脑梗 贫血 痛风 甲亢 不孕 流产 妊娠 残疾 透析 化疗".split()
)
# a term, then the rest of its line: at most one match per value
_HEALTH_VALUE = re.compile(f"(?:{'|'.join(_HEALTH_TERMS)})[^\\n]*")
if native.module is not None:  # the same word lists for the C line statistics
    native.module.configure(
        _SURNAME_CLASS, _COMPOUND, _NAME_SUFFIXES, _ADMIN_UNITS, _STREET_UNITS, _HEALTH_TERMS
    )
_DATE_VALUE = re.compile(
    r"^\s*(?:19|20)[0-9]{2}[-/.年]?(?:0?[1-9]|1[0-2])[-/.月]?(?:0?[1-9]|[12][0-9]|3[01])日?"
    r"(?:[ T][0-9:]{5,8})?\s*$",
    re.M,
)
_MASKED_VALUE = re.compile(r"[*＊][^\n]*")

# header keyword -> kind; checked in this order (联系人电话 is a phone, not a name)
_HEADER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("resident_id", r"身份证|公民身份|证件号|id.?card|id.?no|id.?number|sfz"),
        ("uscc", r"统一社会信用代码|信用代码|uscc|credit.?code"),
        ("bank_card", r"银行卡|卡号|银行账[号户]|账号|card.?(?:no|num)|bank.?account"),
        ("email", r"邮箱|电子邮件|e-?mail"),
        ("mobile", r"手机|移动电话|mobile|cell"),
        ("landline", r"电话|座机|固话|联系方式|phone|tel"),
        ("passport", r"护照|passport"),
        ("hk_macau_permit", r"通行证|回乡证|permit"),
        ("plate", r"车牌|号牌|plate"),
        ("ipv4", r"(?:^|_|\b)ip(?:$|_|\b)|ip地址|ip.?addr"),
        (
            "health",
            r"病历|诊断|病史|症状|病情|疾病|过敏|用药|处方|化验|检查结果|diagnos|symptom|"
            r"medical|disease|illness",
        ),
        ("address", r"地址|住址|住所|居住地|户籍地|所在地|address|addr"),
        ("birth_date", r"出生|生日|birth|dob"),
        (
            "person_name",
            r"姓名|名字|联系人|法定代表人|法人代表|负责人|患者|客户名|收件人|收货人|"
            r"持卡人|户主|^name$|full.?name|^contact$|person",
        ),
    )
)


def header_hint(header: str) -> str | None:
    """The kind a column header suggests, if any."""
    h = header.strip()
    if not h:
        return None
    for kind, rx in _HEADER_RULES:
        if rx.search(h):
            return kind
    return None


@dataclass
class ColumnTally:
    """Everything counted about one column; chunks of rows merge with :meth:`merge`."""

    cells: int = 0
    non_empty: int = 0
    max_chars: int = 0
    kinds: dict[str, KindTally] = field(default_factory=dict)
    name_like: int = 0
    name_distinct: int = 0  # distinct name-shaped values: the most in one chunk
    address_like: int = 0
    health_like: int = 0
    date_like: int = 0
    masked: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)  # column kinds, masked

    def merge(self, other: ColumnTally, max_examples: int = 3) -> None:
        self.cells += other.cells
        self.non_empty += other.non_empty
        self.max_chars = max(self.max_chars, other.max_chars)
        for kind, tally in other.kinds.items():
            self.kinds.setdefault(kind, KindTally()).merge(tally, max_examples)
        self.name_like += other.name_like
        self.name_distinct = max(self.name_distinct, other.name_distinct)
        self.address_like += other.address_like
        self.health_like += other.health_like
        self.date_like += other.date_like
        self.masked += other.masked
        for kind, shown in other.examples.items():
            mine = self.examples.setdefault(kind, [])
            for e in shown:
                if len(mine) < max_examples and e not in mine:
                    mine.append(e)


def _examples(found: list[str], render: str, limit: int = 3) -> list[str]:
    out: list[str] = []
    for value in found[:50]:
        shown = mask.mask_value(render, value)
        if shown not in out:
            out.append(shown)
            if len(out) == limit:
                break
    return out


def _line_stats(text: str, names: bool, addresses: bool) -> tuple[list[str], int, list[str], int]:
    """The name-shaped lines (if ``names``), the number of address-shaped lines and the first
    ten of them (if ``addresses``), and the number of lines with a medical term: the
    reference for ``_scan.line_stats``."""
    found = _NAME_VALUE.findall(text) if names else []
    address_like, whole = 0, []
    if addresses:
        address_like = len(_ADDRESS_VALUE.findall(text))
        for m in islice(_ADDRESS_VALUE.finditer(text), 10):
            whole.append(text[text.rfind("\n", 0, m.start()) + 1 : m.end()])
    return found, address_like, whole, len(_HEALTH_VALUE.findall(text))


def line_stats(text: str, names: bool, addresses: bool) -> tuple[list[str], int, list[str], int]:
    """``_line_stats``, in C when it is built."""
    if native.module is None:
        return _line_stats(text, names, addresses)
    found: tuple[list[str], int, list[str], int] = native.module.line_stats(text, names, addresses)
    return found


def scan_column(
    values: Sequence[str], *, hint: str | None = None, keep: list[Entity] | None = None
) -> ColumnTally:
    """Count value kinds and column-level statistics over one column's values.

    The statistics that cannot matter are skipped: name shapes in a column whose values
    average over 8 characters, address shapes under 5, date shapes unless the header says
    birth date (a date alone is not personal)."""
    tally = ColumnTally(cells=len(values))
    if not values:
        return tally
    tally.max_chars, empty = lengths(values)
    tally.non_empty = len(values) - empty
    if tally.non_empty == 0:
        return tally
    tally.kinds, text = scan_text(values, keep=keep)
    mean = (len(text) - len(values) + 1) / tally.non_empty
    names, tally.address_like, whole, tally.health_like = line_stats(text, mean <= 8, mean >= 5)
    tally.name_like = len(names)
    tally.name_distinct = len(set(names))
    if names:
        tally.examples["person_name"] = _examples(names, "person_name")
    if tally.address_like:
        tally.examples["address"] = _examples(whole, "address")
    if tally.health_like:
        tally.examples["health"] = [mask.SUPPRESSED]
    dates = _DATE_VALUE.findall(text) if hint == "birth_date" else []
    tally.date_like = len(dates)
    if dates:
        tally.examples["birth_date"] = _examples(dates, "birth_date")
    # for a column flagged by its header alone: its first values, de-identified
    heads = [v for v in islice((v for v in values if v.strip()), 3)]
    for kind, render in (("person_name", "person_name"), ("address", "address")):
        if kind not in tally.examples:
            tally.examples[kind] = _examples(heads, render)
    if "*" in text or "＊" in text:
        tally.masked = len(_MASKED_VALUE.findall(text))
    return tally


_NUMERIC = re.compile(r"[\d\s.,:/+\-%$¥￥]+")


def looks_like_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first of ``rows`` (the first records of a table) is a header row.

    A numeric cell, a detected identifier or a cell over 64 characters means data; then a
    known header word (姓名, 手机…) means a header; repeated cells, or mostly name- or
    address-shaped cells, mean data. Otherwise (all short distinct labels) it is a header.
    """
    if not rows:
        return False
    cells = [c.strip() for c in rows[0]]
    filled = [c for c in cells if c]
    if not filled:
        return False
    if any(len(c) > 64 for c in filled) or any(_NUMERIC.fullmatch(c) for c in filled):
        return False
    if any(find_entities(c) for c in filled):
        return False
    if any(header_hint(c) for c in filled):
        return True
    if len(set(filled)) != len(filled):
        return False
    shaped = sum(1 for c in filled if _NAME_VALUE.fullmatch(c) or _ADDRESS_VALUE.search(c))
    return shaped * 2 <= len(filled)


def unique_names(header: Sequence[str]) -> list[str]:
    """Column names from a header row: blanks become ``column_N``, repeats get `` (2)``."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header):
        name = raw.strip() or f"column_{i + 1}"
        candidate, n = name, 2
        while candidate in seen:
            candidate = f"{name} ({n})"
            n += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def hint_for(name: str) -> str | None:
    """The header hint of a column name that may be a path (``data.user.phone``,
    ``Sheet1!姓名``, ``person/@name``): its last component."""
    last = re.split(r"[.!/@]", name.replace("[]", ""))
    return header_hint(next((p for p in reversed(last) if p.strip()), name))
