"""Free text made fit to publish (公告文本去标识化): a decision's reason, a licence's scope.

The registry announces some decisions with their reasons (G§19, G§20, G§23), and an examiner
writes a reason as a person would: ``请求人钱多多（身份证520103199002021188，电话13985012345）
所述理由不成立``. Before such text is published it is masked with the same GB/T 37964
techniques as a sample's preview (:mod:`.mask`):

* every identifier the detectors find (:func:`.detect.find_entities`: resident ID, credit
  code, mobile and landline numbers, bank card, e-mail, IP address, passport and permit,
  plate) is masked as the screening report shows it (``520103********1188``,
  ``139****2345``);
* names the caller knows to be natural persons' in the case (the holders, the requester, the
  objector…) are masked to the surname wherever they occur (``钱**``);
* a name right after a role word (请求人, 申请人, 异议人, 代理人, 联系人…) is masked too,
  even when the caller did not know it: two or three Chinese characters starting with a
  common surname. This may mask a word that only looks like a name; it never shows more.

A name with no role word before it and not known to the caller cannot be told from other
words; the caller passes every name of the case it knows. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dataip.screening.columns import SURNAMES
from dataip.screening.detect import find_entities
from dataip.screening.mask import COMPOUND_SURNAMES, mask_name, mask_value

__all__ = ["ROLE_WORDS", "redact"]

ROLE_WORDS = (
    "被申请人",
    "法定代表人",
    "被许可人",
    "请求人",
    "申请人",
    "异议人",
    "当事人",
    "代理人",
    "委托人",
    "联系人",
    "负责人",
    "质权人",
    "出质人",
    "许可人",
    "受让人",
    "转让人",
    "继承人",
    "权利人",
    "证人",
)
# characters that are surnames but far more often start an ordinary word after a role word
# (申请人和…, 申请人于…, 申请人对…): not taken for a name there
_NOT_AFTER_ROLE = "和于向对在从把被将为以由其之所该此等及或并且与时过来原能成才那"
_SURNAME = "".join(sorted(set(SURNAMES) - set(_NOT_AFTER_ROLE)))
_CJK = "\u4e00-\u9fff"
_ROLE_NAME = re.compile(
    f"(?:{'|'.join(ROLE_WORDS)})[：: ]?"
    f"((?:{'|'.join(sorted(COMPOUND_SURNAMES))})[{_CJK}]{{1,2}}|[{_SURNAME}][{_CJK}]{{1,2}})"
)


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with identifiers and natural persons' names masked (see the module doc)."""
    spans: list[tuple[int, int, str]] = [
        (e.start, e.end, mask_value(e.kind, e.value)) for e in find_entities(text)
    ]
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            spans.append((start, start + len(name), mask_name(name)))
            start = text.find(name, start + len(name))
    for m in _ROLE_NAME.finditer(text):
        spans.append((m.start(1), m.end(1), mask_name(m.group(1))))
    out: list[str] = []
    at = 0
    # longest first where spans start together; a span inside one already masked is dropped
    for start, end, shown in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < at:
            if end > at:  # overlapping: mask the rest of it too
                out.append("*" * (end - at))
                at = end
            continue
        out.append(text[at:start])
        out.append(shown)
        at = end
    out.append(text[at:])
    return "".join(out)
