"""Industries named as people name them (行业名称): the GB/T 4754 table looked up by code, by
exact name or by the picker's "code name", for the application form's industry field and the
announcement search's filter. Kept apart from `reference` (which loads the tables and the
calendar) so the announcement search can use it without importing the scheduler."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env

LEVEL_NAMES = {
    "section": ("门类", "section"),
    "division": ("大类", "division"),
    "group": ("中类", "group"),
    "class": ("小类", "class"),
}


def find_industry(*, env: Env, text: str) -> m.Industry | None:
    """The GB/T 4754 industry `text` names: its code (`5411`, a section letter `G`), its
    exact name (`公共电汽车客运`), or both as the picker shows them (`5411 公共电汽车客运`);
    None when it names none. A name two levels share (a division with a single class) is
    the most specific one."""
    text = " ".join(text.split())
    if not text:
        return None
    head, _, tail = text.partition(" ")
    with env.read() as uow:
        if head.isascii() and head.isalnum():
            row = uow.industries.get(head.upper() if head.isalpha() else head)
            if row is not None and (not tail or tail == row.name):
                return row
            if not tail:
                return None
        named = uow.industries.named(text)
        return named[-1] if named else None


def resolve_industry(*, env: Env, text: str, level: str | None = None) -> m.Industry:
    """`find_industry`, refused with a message that says what is accepted: an unknown name
    or code (`unknown_industry`), or one of another level than `level` (`industry_not_class`
    for the form, which takes a class)."""
    row = find_industry(env=env, text=text)
    if row is None:
        raise DomainError(
            "unknown_industry",
            f"“{text[:50]}”不是《国民经济行业分类》（GB/T 4754-2017）中的行业名称或代码，"
            "请从列表中选择或填写准确的名称",
            f"“{text[:50]}” is neither a name nor a code of GB/T 4754-2017; pick one from the "
            "list or type the exact name",
            status=422,
            details={"field": "industry_code"},
        )
    if level is not None and row.level != level:
        zh, en = LEVEL_NAMES.get(row.level, (row.level, row.level))
        want_zh, want_en = LEVEL_NAMES.get(level, (level, level))
        raise DomainError(
            "industry_not_class",
            f"“{row.code} {row.name}”是{zh}，请选择其下的一个{want_zh}",
            f"“{row.code} {row.name}” is a {en}; choose a {want_en} within it",
            status=422,
            details={"field": "industry_code", "code": row.code},
        )
    return row
