"""An adversarial corpus for the value detectors: identifiers in running text (issue 19).

Every validated kind of :data:`dataip.screening.VALUE_KINDS`, in each of its written forms
(``138 1234 5678``, ``+86-138-…``, ``粤B·D12345``…), is put in every context free text gives
it — glued to Chinese characters, after Chinese and Latin labels (``身份证号：``, ``ID=``,
``IP:``), inside half- and full-width brackets and punctuation, between line breaks
(``\\n``, ``\\r\\n``, a lone ``\\r``, a tab), in URLs (as a query parameter, a path segment, a
host with a port), in JSON (a string, a number, an array, after an escaped ``\\n``), written
in full-width characters, in JSON written with ``ensure_ascii`` (``\\u5ba2\\u6237…``,
hex digits glued to the value), and glued to Latin letters or digits where the kind's boundary
allows it (a number may follow a letter; a passport may not: ``aE12345678`` is a different
token). Each sample plants one value, so its recall is exact.

Decoys go through the same contexts: numbers failing their check character, mobile numbers
in unallocated segments, order numbers, timestamps, amounts, dates and times, versions,
decimals, hashes, MAC addresses and longer digit runs containing a valid identifier as a
substring where a real one cannot be (``2013812345678999``). Nothing may be found in them,
and nothing but the planted value in a positive sample.

Deterministic: values come from a seeded PRNG with real check characters (the helpers of
:mod:`tests.unit.screening.corpus`). Used by test_adversarial.py.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.unit.screening.corpus import USCC_ALPHABET, id_check, luhn_digit, uscc_check

__all__ = ["LABELS", "Sample", "decoys", "positives", "samples"]

FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # ASCII to full-width forms


@dataclass(frozen=True)
class Sample:
    """One text: the kind and canonical value planted in it (None for a decoy)."""

    text: str
    kind: str | None
    value: str | None
    context: str


# kind -> (Chinese labels, Latin labels, a parameter / JSON key)
LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "resident_id": (("身份证号", "公民身份号码", "证件号"), ("ID", "id_no", "SFZ"), "idNo"),
    "uscc": (("统一社会信用代码", "信用代码"), ("USCC", "credit_code"), "uscc"),
    "mobile": (("手机", "联系电话", "手机号码"), ("Tel", "mobile", "phone"), "phone"),
    "landline": (("座机", "电话", "办公电话"), ("Tel", "phone", "fax"), "tel"),
    "bank_card": (("卡号", "银行卡", "收款账号"), ("card", "CardNo", "acct"), "cardNo"),
    "email": (("邮箱", "电子邮件"), ("Email", "mail", "E-mail"), "email"),
    "ipv4": (("IP地址", "登录IP", "来源IP"), ("IP", "ip", "host", "addr"), "ip"),
    "ipv6": (("IPv6地址", "登录IP"), ("IPv6", "ip", "addr"), "ip6"),
    "passport": (("护照号码", "护照"), ("Passport", "passport_no"), "passport"),
    "hk_macau_permit": (("港澳通行证", "通行证号码"), ("Permit", "permit_no"), "permit"),
    "plate": (("车牌号", "车牌"), ("plate", "Plate No"), "plate"),
}

# which glue a kind's boundary allows: (ASCII letter before, ASCII letter after)
_LATIN_GLUE = {
    "resident_id": (True, True),  # digits: a letter may touch them (not after an X)
    "mobile": (True, True),
    "landline": (True, True),
    "bank_card": (True, True),
    "uscc": (False, False),  # alphanumeric codes: a letter would be part of the token
    "passport": (False, False),
    "hk_macau_permit": (False, False),
    "email": (False, False),  # a letter would be part of the local part or the host
    "ipv4": (False, True),
    "ipv6": (False, False),
    "plate": (True, False),  # a province character starts it
}
_DIGIT_KINDS = frozenset({"resident_id", "mobile", "landline", "bank_card"})


# --- values: (written form, canonical value) ---------------------------------------------------


def _resident_ids(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for area, born in (("110105", "19491231"), ("520102", "19870615"), ("450327", "19550101")):
        body = f"{area}{born}{r.randint(0, 999):03d}"
        out.append((body + id_check(body), body + id_check(body)))
    while len(out) < 5:  # X check characters, upper and lower case
        body = f"440305{r.randint(1950, 2010)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
        body += f"{r.randint(0, 999):03d}"
        if id_check(body) == "X":
            out.append((body + ("X" if len(out) == 3 else "x"), body + "X"))
    return out


def _uscc(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for head in ("91520115MA6D", "92440300MA5F", "Y1110000MB0", "12100000400"):
        body = head + "".join(r.choice(USCC_ALPHABET) for _ in range(17 - len(head)))
        out.append(body + uscc_check(body))
    # an all-digit code: its organisation code (GB 11714) must pass too
    org8 = "40000012"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = (11 - sum(int(c) * w for c, w in zip(org8, weights, strict=True)) % 11) % 11
    if check < 10:
        body = "11100000" + org8 + str(check)
        if uscc_check(body).isdigit():
            out.append(body + uscc_check(body))
    return [(u, u) for u in out]


def _mobiles(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for seg in ("138", "199", "166", "147", "177"):
        m = seg + f"{r.randint(0, 99_999_999):08d}"
        out.append((m, m))
    m = out[0][1]
    out += [
        (f"{m[:3]} {m[3:7]} {m[7:]}", m),
        (f"{m[:3]}-{m[3:7]}-{m[7:]}", m),
        (f"+86{m}", m),
        (f"+86 {m}", m),
        (f"+86-{m[:3]}-{m[3:7]}-{m[7:]}", m),
        (f"0086{m}", m),
    ]
    return out


def _landlines(r: random.Random) -> list[tuple[str, str]]:
    a = f"{r.randint(2, 8)}{r.randint(0, 9_999_999):07d}"
    b = f"{r.randint(2, 8)}{r.randint(0, 999_999):06d}"
    c = f"{r.randint(2, 8)}{r.randint(0, 9_999_999):07d}"
    return [
        (f"010-{a}", f"010{a}"),
        (f"021{c}", f"021{c}"),
        (f"0851-{b}", f"0851{b}"),
        (f"0755 {c}", f"0755{c}"),
        (f"(0851){c}", f"0851{c}"),
        (f"（010）{a}", f"010{a}"),
    ]


def _cards(r: random.Random) -> list[tuple[str, str]]:
    out = []
    shapes = (("622202", 19), ("621700", 19), ("436742", 16), ("524094", 16), ("625965", 18))
    for prefix, n in shapes:
        partial = prefix + "".join(r.choice("0123456789") for _ in range(n - len(prefix) - 1))
        out.append(partial + luhn_digit(partial))
    c16, c19 = out[2], out[0]
    return [(c, c) for c in out] + [
        (" ".join(c16[i : i + 4] for i in range(0, 16, 4)), c16),
        ("-".join(c16[i : i + 4] for i in range(0, 16, 4)), c16),
        (" ".join(c19[i : i + 4] for i in range(0, 19, 4)), c19),
    ]


def _emails(r: random.Random) -> list[tuple[str, str]]:
    out = ["zhang.san@example.com", "Li_Si+tag@mail.qq.com", f"wang{r.randint(1, 9999)}@163.com"]
    out += ["chen-wu@sub.example.com.cn", "x9@bank.cn"]
    return [(e, e.lower()) for e in out]


def _ipv4s(r: random.Random) -> list[tuple[str, str]]:
    out = ["192.168.1.20", "10.0.0.1", "202.96.128.86", "8.8.8.8"]
    out.append(".".join(str(r.randint(1, 254)) for _ in range(4)))
    return [(ip, ip) for ip in out]


def _ipv6s(r: random.Random) -> list[tuple[str, str]]:
    out = ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "2409:8a1e:6b2:c0d0::1"]
    out += ["2001:0DB8:85A3:0000:0000:8A2E:0370:7334", "::ffff:192.168.1.1"]
    out.append(":".join(f"{r.randint(1, 0xFFFF):x}" for _ in range(8)))
    return [(ip, ip.lower()) for ip in out]


def _passports(r: random.Random) -> list[tuple[str, str]]:
    out = [f"E{r.randint(0, 99_999_999):08d}", f"G{r.randint(0, 99_999_999):08d}"]
    out.append(f"EA{r.randint(0, 9_999_999):07d}")
    return [(p, p) for p in out]


def _permits(r: random.Random) -> list[tuple[str, str]]:
    out = [f"C{r.randint(0, 99_999_999):08d}", f"CB{r.randint(0, 9_999_999):07d}"]
    out += [f"W{r.randint(0, 99_999_999):08d}", f"H{r.randint(0, 99_999_999):08d}"]
    out.append(f"M{r.randint(0, 9_999_999_999):010d}")
    return [(p, p) for p in out]


def _plates(r: random.Random) -> list[tuple[str, str]]:
    n = f"{r.randint(0, 99_999):05d}"
    return [
        (f"京A{n}", f"京A{n}"),
        (f"粤B·D{n[:4]}1", f"粤BD{n[:4]}1"),
        (f"沪AD{n[:4]}2", f"沪AD{n[:4]}2"),
        (f"苏E{n}D", f"苏E{n}D"),
        (f"贵A-{n}", f"贵A{n}"),
        (f"川A{n[:4]}学", f"川A{n[:4]}学"),
        (f"浙C1Z{n[:3]}", f"浙C1Z{n[:3]}"),
    ]


VALUES: dict[str, Callable[[random.Random], list[tuple[str, str]]]] = {
    "resident_id": _resident_ids,
    "uscc": _uscc,
    "mobile": _mobiles,
    "landline": _landlines,
    "bank_card": _cards,
    "email": _emails,
    "ipv4": _ipv4s,
    "ipv6": _ipv6s,
    "passport": _passports,
    "hk_macau_permit": _permits,
    "plate": _plates,
}

# --- contexts ---------------------------------------------------------------------------------

Context = Callable[[str, str, random.Random], str | None]  # (kind, written, rng) -> text


def _label(kind: str, r: random.Random, latin: bool) -> str:
    zh, en, _key = LABELS[kind]
    return r.choice(en if latin else zh)


_BRACKETS = ["「」", "（）", "【】", "《》", "〔〕", "“”", "‘’", "()", "[]", "{}", "<>", '""', "''"]
_PUNCT_FW = ["，", "。", "；", "：", "、", "！", "？", "…", "～", "—"]
_PUNCT_ASCII = [",", ";", "!", "?", "/", "|", "=", "&", "#", "*", "~", "_"]


def _contexts() -> dict[str, Context]:
    c: dict[str, Context] = {}
    c["alone"] = lambda k, w, r: w
    c["cjk_both"] = lambda k, w, r: f"客户{w}已核验"
    c["cjk_before"] = lambda k, w, r: f"请联系{w}"
    c["cjk_after"] = lambda k, w, r: f"{w}为准"
    c["label_zh"] = lambda k, w, r: f"{_label(k, r, False)}{w}"
    c["label_zh_colon_fullwidth"] = lambda k, w, r: f"{_label(k, r, False)}：{w}"
    c["label_zh_colon"] = lambda k, w, r: f"{_label(k, r, False)}:{w}"
    c["label_zh_is"] = lambda k, w, r: f"本人{_label(k, r, False)}是{w}，请核对"
    c["label_latin_colon"] = lambda k, w, r: f"{_label(k, r, True)}:{w}"
    c["label_latin_colon_space"] = lambda k, w, r: f"{_label(k, r, True)}: {w}"
    c["label_latin_colon_fullwidth"] = lambda k, w, r: f"{_label(k, r, True)}：{w}"
    c["label_latin_equals"] = lambda k, w, r: f"{_label(k, r, True)}={w}"
    c["label_latin_hash"] = lambda k, w, r: f"{_label(k, r, True)}#{w}"
    c["label_latin_no"] = lambda k, w, r: None if k == "email" else f"No.{w}"
    for i, (o, e) in enumerate(_BRACKETS):
        c[f"bracket_{i}"] = lambda k, w, r, o=o, e=e: f"见{o}{w}{e}后"
    for i, p in enumerate(_PUNCT_FW):
        c[f"punct_fullwidth_{i}"] = lambda k, w, r, p=p: f"甲{p}{w}{p}乙"
    for i, p in enumerate(_PUNCT_ASCII):
        # an e-mail's local part may hold "_": no boundary for it
        c[f"punct_ascii_{i}"] = lambda k, w, r, p=p: (
            None if k == "email" and p == "_" else f"a{p}{w}{p}b"
        )
    c["sentence_end_fullwidth"] = lambda k, w, r: f"号码为{w}。"
    c["sentence_end_ascii"] = lambda k, w, r: f"see {w}. Next"
    c["sentence_comma_ascii"] = lambda k, w, r: f"{w}, then"
    c["space_both"] = lambda k, w, r: f"号码 {w} 已登记"
    c["ideographic_space"] = lambda k, w, r: f"号码\u3000{w}\u3000已登记"
    c["nbsp"] = lambda k, w, r: f"号码\u00a0{w}\u00a0已登记"
    c["tab"] = lambda k, w, r: f"号码\t{w}\t已登记"
    c["newline"] = lambda k, w, r: f"第一行\n{w}\n第三行"
    c["crlf"] = lambda k, w, r: f"第一行\r\n{w}\r\n第三行"
    c["cr"] = lambda k, w, r: f"第一行\r{w}\r第三行"
    c["newline_glued_cjk"] = lambda k, w, r: f"备注\n{w}号"
    c["url_query"] = lambda k, w, r: f"https://example.com/api?{LABELS[k][2]}={w}&page=2"
    c["url_query_last"] = lambda k, w, r: f"访问https://example.com/api?a=1&{LABELS[k][2]}={w}"
    c["url_path"] = lambda k, w, r: f"https://example.com/users/{w}/detail"
    c["url_fragment"] = lambda k, w, r: f"https://example.com/page#{w}"
    c["json_string"] = lambda k, w, r: f'{{"{LABELS[k][2]}":"{w}","ok":true}}'
    c["json_string_spaced"] = lambda k, w, r: f'{{"{LABELS[k][2]}": "{w}", "n": 1}}'
    c["json_array"] = lambda k, w, r: f'["{w}","x"]'
    c["json_escaped_newline"] = lambda k, w, r: f'{{"note":"第一行\\n{w}\\n第二行"}}'
    c["json_escaped_tab"] = lambda k, w, r: f'{{"note":"备注\\t{w}"}}'
    c["json_number"] = lambda k, w, r: f'{{"{LABELS[k][2]}":{w},"n":1}}' if w.isdigit() else None
    # json.dumps' default (ensure_ascii) writes 客户 as \u5ba2\u6237, hex digits glued to the
    # value. A decoded escape keeps its six places (five of them padding), so a value with
    # an escaped character inside it (粤B·D…, 川A…学, （010）…) is no longer one piece: left out
    c["json_ensure_ascii"] = lambda k, w, r: (
        json.dumps({"note": f"客户{w}已核验"}) if w[1:].isascii() else None
    )
    c["json_ensure_ascii_value"] = lambda k, w, r: (
        json.dumps({LABELS[k][2]: w, "备注": "无"}) if w[1:].isascii() else None
    )
    c["fullwidth"] = lambda k, w, r: f"客户{w.translate(FULLWIDTH)}已核验"
    c["fullwidth_label"] = lambda k, w, r: f"{_label(k, r, False)}：{w.translate(FULLWIDTH)}。"
    c["latin_before"] = lambda k, w, r: f"abc{w}" if _LATIN_GLUE[k][0] else None
    c["latin_after"] = lambda k, w, r: (
        f"{w}abc" if _LATIN_GLUE[k][1] and w[-1] not in "Xx" else None
    )
    c["latin_both"] = lambda k, w, r: (
        f"No{w}ok" if all(_LATIN_GLUE[k]) and w[-1] not in "Xx" else None
    )
    c["after_timestamp"] = lambda k, w, r: f"2026-12-06 10:30:45 {w}"
    c["before_amount"] = lambda k, w, r: f"{w} 金额1,280.50元"
    return c


def _host_contexts(kind: str, w: str) -> Iterator[tuple[str, str]]:
    """Contexts only some kinds have: an address in a URL's host, an e-mail in mailto."""
    if kind == "ipv4":
        yield "url_host", f"http://{w}/admin"
        yield "url_host_port", f"http://{w}:8080/index.html"
        yield "host_port", f"连接{w}:3306失败"
        yield "cidr", f"网段{w}/24"
    elif kind == "ipv6":
        yield "url_host", f"http://[{w}]/admin"
        yield "url_host_port", f"http://[{w}]:8080/"
    elif kind == "email":
        yield "mailto", f"mailto:{w}?subject=hi"
        yield "display_name", f"张三 <{w}>"


def positives(seed: int = 20261206) -> Iterator[Sample]:
    """Every written form of every kind in every context (one value a sample)."""
    r = random.Random(seed)
    contexts = _contexts()
    for kind, make in VALUES.items():
        for written, value in make(r):
            for name, context in contexts.items():
                text = context(kind, written, r)
                if text is not None:
                    yield Sample(text, kind, value, name)
            for name, text in _host_contexts(kind, written):
                yield Sample(text, kind, value, name)


# --- decoys -----------------------------------------------------------------------------------


def _bad_check(valid: str, alphabet: str) -> str:
    return valid[:-1] + next(c for c in alphabet if c != valid[-1])


def _decoy_values(r: random.Random) -> list[tuple[str, str]]:
    """(what it imitates, text)"""
    out: list[tuple[str, str]] = []
    for written, _ in _resident_ids(r)[:3]:
        out.append(("resident_id", _bad_check(written, "0123456789X")))
    for written, _ in _uscc(r)[:3]:
        out.append(("uscc", _bad_check(written, USCC_ALPHABET)))
    for written, _ in _cards(r)[:4]:
        out.append(("bank_card", _bad_check(written, "0123456789")))
    for seg in ("120", "100", "110", "140", "160", "154"):
        out.append(("mobile", seg + f"{r.randint(0, 99_999_999):08d}"))
    m = _mobiles(r)[0][1]
    out += [
        ("mobile", f"20{m}999"),  # a longer run holding a mobile number
        ("mobile", f"{m}0"),
        ("mobile", f"9{m}"),
    ]
    rid = _resident_ids(r)[0][1]
    out += [
        ("resident_id", f"{rid}1234"),  # 22 digits
        ("resident_id", f"9{rid}"),
        ("resident_id", rid[:17]),
    ]
    card = _cards(r)[0][1]
    out += [("bank_card", f"{card}12"), ("bank_card", f"1{card}")]  # 21 / 20 digits
    out += [
        ("order", f"{r.randint(1, 9)}{''.join(r.choice('0123456789') for _ in range(25))}"),
        ("order", f"DD{r.randint(10**17, 10**18 - 1)}"),
        ("order", "SO-2026-0001234"),
        ("order", "20261206103045123"),  # a timestamp yyyymmddhhmmssSSS
        ("timestamp", "1701234567890"),  # epoch milliseconds
        ("timestamp", "1701234567"),
        ("timestamp", "2026-12-06T10:30:45+08:00"),
        ("timestamp", "2026年12月6日 10:30:45"),
        ("timestamp", "12:30:45.123"),
        ("date", "2026-12-06"),
        ("date", "20261206"),
        ("amount", "¥1,380,012,345.00"),
        ("amount", "1380123.45元"),
        ("amount", "-12345678.90"),
        ("decimal", "3.14159265358979323846"),
        ("decimal", "0.13812345678"),
        ("version", "v1.2.3.4"),
        ("version", "1.2.3.4.5"),
        ("version", "10.0.19045.3803"),
        ("ip", "256.1.1.1"),
        ("ip", "192.168.1"),
        ("ip", "01.02.03.04"),
        ("ipv6", "12:30:45"),
        ("ipv6", "00:1A:2B:3C:4D:5E"),  # a MAC address
        ("ipv6", "2001:db8::g"),
        ("ipv6", "1:2:3:4:5:6:7:8:9"),
        ("hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("hash", "D41D8CD98F00B204E9800998ECF8427E"),
        ("uuid", "550e8400-e29b-41d4-a716-446655440000"),
        ("passport", "E1234567"),  # 7 digits
        ("passport", "E1234567890"),
        ("passport", "X12345678"),
        ("permit", "C1234567"),
        ("permit", "H123456789"),
        ("plate", "京A1234567"),
        ("plate", "京AB1CD2"),
        ("plate", "京I12345"),
        ("plate", "京A123"),
        ("email", "user@localhost"),
        ("email", "a..b@example.com"),
        ("email", ".a@example.com"),
        ("email", "@mention"),
        ("email", "a@b.c"),
        ("postcode", "550001"),
        ("phone", "12345"),
        ("phone", "95588"),
        ("phone", "400-820-8820"),  # a service number: no area code
        ("phone", "010-1234567"),  # 7 digits after 010
        ("phone", "0851-08888888"),  # local number starting with 0
    ]
    return out


def decoys(seed: int = 20261206) -> Iterator[Sample]:
    """Each decoy in every context: nothing may be found."""
    r = random.Random(seed + 1)
    contexts = _contexts()
    for imitates, text in _decoy_values(r):
        kind = imitates if imitates in LABELS else "mobile"  # labels only
        for name, context in contexts.items():
            if name.startswith("latin") or name == "json_number":
                continue  # glue changes what a decoy is
            wrapped = context(kind, text, r)
            if wrapped is not None:
                yield Sample(wrapped, None, None, f"{imitates}:{name}")


def samples(seed: int = 20261206) -> list[Sample]:
    return [*positives(seed), *decoys(seed)]
