"""A people's court's case number (案号), as a court's preservation (保全) of a data IP cites it
(issue 20 §7).

The Supreme People's Court's rules on case numbers (《最高人民法院关于人民法院案件案号的若干
规定》, 2015, revised 2018) fix its shape: the year the case was received in full-width
brackets, the court's code (its province's one-character abbreviation and, below the high
court, two or four digits; 最高法 for the Supreme People's Court), the case-type code, the
serial number and 号 — e.g. ``（2026）黔01民初123号``, ``（2026）最高法知民终5号``,
``（2026）黔0102财保12号``.

A case number names a case, not a person: courts publish it with every judgment. It is
therefore a public fact of a freeze (it enters the transparency log), checked here against
that closed syntax — only a province abbreviation, digits and a case-type code from the
closed list below, so no name or other words can ride in it. The ruling's text stays a
commitment. Pure: stdlib only.
"""

from __future__ import annotations

import re

__all__ = ["CASE_TYPES", "PROVINCES", "normalise_case_number", "valid_case_number"]

# 省级行政区简称 (and 兵 for the courts of the Xinjiang Production and Construction Corps)
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵黔粤青藏川宁琼兵"

# 类型代字 a preservation is ruled or enforced under (civil, IP, enforcement, preservation
# before litigation, bankruptcy, administrative, criminal)
CASE_TYPES = [
    "民初",
    "民终",
    "民再",
    "民申",
    "民特",
    "民辖",
    "民撤",
    "知民初",
    "知民终",
    "知民再",
    "知民申",
    "知行初",
    "知行终",
    "财保",
    "证保",
    "行保",
    "执保",
    "执",
    "执恢",
    "执异",
    "执复",
    "执监",
    "执他",
    "破申",
    "破",
    "强清",
    "行初",
    "行终",
    "刑初",
    "刑终",
    "商初",
    "商终",
    "协外认",
]

_TYPES = "|".join(sorted(map(re.escape, CASE_TYPES), key=len, reverse=True))
CASE_NUMBER = re.compile(
    rf"（(?:19|20)[0-9]{{2}}）(?:最高法|[{PROVINCES}](?:[0-9]{{2}}|[0-9]{{4}})?)"
    rf"(?:{_TYPES})[1-9][0-9]{{0,5}}号"
)


def normalise_case_number(text: str) -> str:
    """Half-width brackets, as typed on most keyboards, become the full-width ones of the
    rules; surrounding spaces go."""
    return text.strip().replace("(", "（").replace(")", "）")


def valid_case_number(text: object) -> bool:
    return isinstance(text, str) and CASE_NUMBER.fullmatch(text) is not None
