"""A labelled corpus of Chinese tabular data for measuring the screening detectors.

Rows look like a typical customer export: 序号, 姓名, 身份证号, 手机, 邮箱, 地址, 银行卡号,
订单号, 金额, 日期, 车牌, 备注. Faker (zh_CN, fixed seed) supplies names, addresses,
e-mails and sentences (as pools: Faker is too slow to call per cell for a 100 MB file);
identifiers are generated here with their real check characters. Every planted identifier
is labelled (row, column, kind, canonical value); everything else is a decoy that must not
be found:

* resident IDs with a wrong check digit, cards failing Luhn, USCCs with a wrong check
  character, mobile numbers in unallocated segments (12x, 100…);
* 19-digit order numbers (random, so one in ten passes Luhn by chance), amounts, dates,
  times, six-digit postcodes, product codes, version strings;
* the hard positives: numbers glued to Chinese text (手机13812345678), full-width digits
  (１３８…), grouped digits (6222 0212 …, 138-1234-5678, +86 …), 19-digit UnionPay cards,
  lower-case ``x`` check characters, counties younger than their holders (450327…).

Used by tests/unit/screening/test_corpus.py and bench/screening.py.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from faker import Faker

HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "手机",
    "邮箱",
    "地址",
    "银行卡号",
    "订单号",
    "金额",
    "日期",
    "车牌",
    "备注",
]
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
MOBILE_SEGMENTS = ["130", "135", "139", "147", "150", "158", "166", "173", "177", "182", "188"]
MOBILE_SEGMENTS += ["189", "191", "199", "198", "176", "186", "153", "133"]
BAD_SEGMENTS = ["120", "100", "110", "121", "140", "160"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def id_check(first17: str) -> str:
    return "0123456789X"[(1 - 2 * int(first17, 13)) % 11]


def luhn_digit(partial: str) -> str:
    """The digit that makes partial + digit pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass
class Gen:
    """Identifier generators over one seeded PRNG and Faker pools."""

    seed: int
    pool_size: int = 4000
    rng: random.Random = field(init=False)
    names: list[str] = field(init=False)
    addresses: list[str] = field(init=False)
    emails: list[str] = field(init=False)
    sentences: list[str] = field(init=False)
    areas: list[str] = field(init=False)
    ipv6s: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        fake = Faker("zh_CN")
        fake.seed_instance(self.seed)
        n = self.pool_size
        self.names = [fake.name() for _ in range(n)]
        self.addresses = [fake.address().replace("\n", " ") for _ in range(n)]
        self.emails = [fake.email() for _ in range(n)]
        self.sentences = [fake.sentence() for _ in range(n)]
        self.areas = [*sorted({fake.ssn()[:6] for _ in range(n)}), "450327"]
        self.ipv6s = [fake.ipv6() for _ in range(n // 4)]

    # --- positives ---------------------------------------------------------------------------

    def resident_id(self, *, valid: bool = True) -> str:
        r = self.rng
        year = r.randint(1930, 2015)
        if r.random() < 0.02:
            area = "450327"  # a county code younger than many holders (python-stdnum rejects)
            year = r.randint(1930, 1960)
        else:
            area = r.choice(self.areas)
        body = f"{area}{year}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 999):03d}"
        check = id_check(body)
        if not valid:
            check = r.choice([c for c in "0123456789X" if c != check])
        if check == "X" and r.random() < 0.2:
            check = "x"
        return body + check

    def bank_card(self, *, valid: bool = True) -> str:
        r = self.rng
        length = r.choice([16, 16, 19, 19, 19, 17, 18])
        prefix = r.choice(["622202", "621700", "622848", "623052", "625965", "436742", "524094"])
        partial = prefix + "".join(r.choice("0123456789") for _ in range(length - len(prefix) - 1))
        digit = luhn_digit(partial)
        if not valid:
            digit = str((int(digit) + r.randint(1, 9)) % 10)
        return partial + digit

    def mobile(self, *, valid: bool = True) -> str:
        r = self.rng
        seg = r.choice(MOBILE_SEGMENTS if valid else BAD_SEGMENTS)
        return seg + f"{r.randint(0, 99_999_999):08d}"

    def landline(self) -> str:
        r = self.rng
        if r.random() < 0.4:
            area = r.choice(["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"])
            return area + str(r.randint(2, 8)) + f"{r.randint(0, 9_999_999):07d}"
        area = r.choice(["0851", "0755", "0571", "0531", "0371", "0898", "0991", "0471"])
        return area + str(r.randint(2, 8)) + f"{r.randint(0, 999_999):06d}"

    def uscc(self, *, valid: bool = True) -> str:
        r = self.rng
        area = r.choice(self.areas)
        org = "".join(r.choice(USCC_ALPHABET) for _ in range(9))
        body = r.choice(["91", "92", "93", "12", "52"]) + area + org
        check = uscc_check(body)
        if not valid:
            check = r.choice([c for c in USCC_ALPHABET if c != check])
        return body + check

    def passport(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return "E" + r.choice(PLATE_LETTERS) + f"{r.randint(0, 9_999_999):07d}"
        return r.choice("EG") + f"{r.randint(0, 99_999_999):08d}"

    def permit(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.4:
            return "C" + f"{r.randint(0, 99_999_999):08d}"
        if kind < 0.6:
            return "C" + r.choice(PLATE_LETTERS) + f"{r.randint(0, 9_999_999):07d}"
        return r.choice("HM") + f"{r.randint(0, 99_999_999):08d}"

    def plate(self) -> str:
        r = self.rng
        head = r.choice(PLATE_PROVINCES) + r.choice(PLATE_LETTERS)
        if r.random() < 0.3:  # new energy
            if r.random() < 0.5:
                return head + r.choice("DF") + r.choice(PLATE_LETTERS) + f"{r.randint(0, 9999):04d}"
            return head + f"{r.randint(0, 99_999):05d}" + r.choice("DF")
        letter = r.choice(PLATE_LETTERS) if r.random() < 0.4 else str(r.randint(0, 9))
        return head + letter + f"{r.randint(0, 9999):04d}"

    def ipv4(self) -> str:
        r = self.rng
        return ".".join(str(r.randint(1, 254)) for _ in range(4))

    # --- decoys ------------------------------------------------------------------------------

    def order_number(self) -> str:
        r = self.rng
        return str(r.randint(1, 9)) + "".join(r.choice("0123456789") for _ in range(18))

    def amount(self) -> str:
        return f"{self.rng.uniform(0, 100_000):.2f}"

    def day(self) -> str:
        r = self.rng
        return f"{r.randint(2015, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


Label = tuple[int, str, str]  # (column index, kind, canonical value)


def canonical(kind: str, value: str) -> str:
    v = value.translate({0xFF10 + i: 0x30 + i for i in range(10)})
    v = v.replace(" ", "").replace("-", "").replace("·", "")
    if kind == "mobile":
        return v[-11:]
    if kind == "email":
        return v.lower()
    if kind == "ipv6":
        return v.lower()
    return v.upper()


def _spaced(value: str, groups: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for g in groups:
        out.append(value[i : i + g])
        i += g
    if i < len(value):
        out.append(value[i:])
    return sep.join(p for p in out if p)


def note(g: Gen) -> tuple[str, list[tuple[str, str]]]:
    """Free text, sometimes carrying identifiers glued to Chinese, full-width or grouped."""
    r = g.rng
    text = r.choice(g.sentences)
    planted: list[tuple[str, str]] = []
    roll = r.random()
    if roll < 0.10:
        m = g.mobile()
        text = f"联系电话{m}请回电" if r.random() < 0.5 else f"手机{m.translate(FULLWIDTH)}，{text}"
        planted.append(("mobile", m))
    elif roll < 0.15:
        m = g.mobile()
        shown = r.choice([_spaced(m, (3, 4, 4), " "), _spaced(m, (3, 4, 4), "-"), "+86 " + m])
        text = f"{text}电话{shown}"
        planted.append(("mobile", m))
    elif roll < 0.20:
        c = g.bank_card()
        text = f"退款至卡号{_spaced(c, (4, 4, 4, 4), ' ')}，{text}"
        planted.append(("bank_card", c))
    elif roll < 0.24:
        i = g.resident_id()
        text = f"身份证{i}已核验"
        planted.append(("resident_id", i))
    elif roll < 0.27:
        text = f"证件号{g.resident_id(valid=False)}待核实"  # a bad check digit: not counted
    elif roll < 0.30:
        e = r.choice(g.emails)
        text = f"邮箱{e}，{text}"
        planted.append(("email", e))
    elif roll < 0.33:
        u = g.uscc()
        text = f"供应商统一社会信用代码{u}"
        planted.append(("uscc", u))
    elif roll < 0.35:
        text = f"代码{g.uscc(valid=False)}有误"
    elif roll < 0.38:
        p = g.passport()
        text = f"护照号码{p}，{text}"
        planted.append(("passport", p))
    elif roll < 0.41:
        p = g.permit()
        text = f"港澳通行证{p}"
        planted.append(("hk_macau_permit", p))
    elif roll < 0.44:
        ip = g.ipv4()
        text = f"登录IP {ip}，{text}"
        planted.append(("ipv4", ip))
    elif roll < 0.46:
        ip = r.choice(g.ipv6s)
        text = f"IPv6地址{ip}"
        planted.append(("ipv6", ip))
    elif roll < 0.50:
        ll = g.landline()
        text = f"座机{_spaced(ll, (3 if ll[1] in '12' else 4,), '-')}，{text}"
        planted.append(("landline", ll))
    elif roll < 0.55:
        text = f"订单{g.order_number()}于{g.day()} 12:30:45 发货，金额{g.amount()}元"
    elif roll < 0.58:
        text = f"版本1.2.3 批次{r.randint(100000, 999999)} 邮编{r.randint(100000, 999999)}"
    elif roll < 0.60:
        text = f"号码{g.mobile(valid=False)}已停用"
    return text, planted


def row(g: Gen, index: int) -> tuple[list[str], list[Label]]:
    r = g.rng
    labels: list[Label] = []

    def put(col: int, kind: str, value: str) -> str:
        labels.append((col, kind, canonical(kind, value)))
        return value

    rid = g.resident_id() if r.random() < 0.95 else ""
    if rid:
        put(2, "resident_id", rid)
    elif r.random() < 0.5:
        rid = g.resident_id(valid=False)
    mob = put(3, "mobile", g.mobile()) if r.random() < 0.97 else ""
    mail = put(4, "email", r.choice(g.emails)) if r.random() < 0.8 else ""
    card = put(6, "bank_card", g.bank_card()) if r.random() < 0.9 else g.bank_card(valid=False)
    plate = put(10, "plate", g.plate()) if r.random() < 0.5 else ""
    text, planted = note(g)
    for kind, value in planted:
        labels.append((11, kind, canonical(kind, value)))
    cells = [
        str(index),
        r.choice(g.names),
        rid,
        mob,
        mail,
        r.choice(g.addresses),
        card,
        g.order_number(),
        g.amount(),
        g.day(),
        plate,
        text,
    ]
    return cells, labels


def rows(seed: int, n: int) -> Iterator[tuple[list[str], list[Label]]]:
    g = Gen(seed)
    for i in range(1, n + 1):
        yield row(g, i)


def csv_text(data: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(data)
    return out.getvalue()


# --- column-level corpus ------------------------------------------------------------------------

COLUMN_DECOYS = {
    "产品": ["苹果", "香蕉", "黄瓜", "白菜", "金鱼", "石榴", "高粱", "马铃薯", "方便面", "江米"],
    "城市": ["贵阳", "武汉", "石家庄", "高雄", "金华", "温州", "常州", "遵义", "安顺", "六盘水"],
    "部门": ["财务部", "人事处", "技术中心", "市场部", "后勤", "法务", "采购部", "客服"],
    "状态": ["正常", "冻结", "注销", "待审核", "已完成"],
}
HEALTH_VALUES = [
    "确诊2型糖尿病，口服二甲双胍",
    "高血压三级，规律用药",
    "青霉素过敏",
    "肺炎住院治疗一周",
    "乙肝病毒携带",
    "术后恢复良好，无并发症",
    "抑郁症复诊",
    "体检未见异常",
]


def column_tables(
    seed: int, count: int = 40
) -> Iterator[tuple[list[str], list[list[str]], dict[int, str]]]:
    """Small tables with labelled column kinds: (header, rows, {column: kind})."""
    g = Gen(seed, pool_size=600)
    r = g.rng
    for t in range(count):
        n = r.randint(20, 200)
        headed = t % 2 == 0  # half the tables use neutral headers: values alone must decide
        cols: list[tuple[str, list[str], str | None]] = []
        cols.append(
            ("姓名" if headed else "字段A", [r.choice(g.names) for _ in range(n)], "person_name")
        )
        cols.append(
            ("地址" if headed else "字段B", [r.choice(g.addresses) for _ in range(n)], "address")
        )
        if t % 3 == 0:
            cols.append(
                (
                    "诊断" if headed else "字段C",
                    [r.choice(HEALTH_VALUES) for _ in range(n)],
                    "health",
                )
            )
        if t % 4 == 0 and headed:
            cols.append(
                ("出生日期", [g.day().replace("20", "19", 1) for _ in range(n)], "birth_date")
            )
        for title, values in COLUMN_DECOYS.items():
            cols.append((title, [r.choice(values) for _ in range(n)], None))
        cols.append(("交易日期", [g.day() for _ in range(n)], None))
        cols.append(
            ("公司", [r.choice(["华为", "中兴", "联想"]) + "有限公司" for _ in range(n)], None)
        )
        r.shuffle(cols)
        header = [c[0] for c in cols]
        body = [[c[1][i] for c in cols] for i in range(n)]
        truth = {i: c[2] for i, c in enumerate(cols) if c[2]}
        yield header, body, truth
