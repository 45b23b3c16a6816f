"""Issue 19 for a schema's refusal of a portal form (`web/pages/form_errors.py`): every kind
of pydantic error a form's schema raises reads as plain words in the page's language — the
Chinese from the catalogue — after the form's label, never pydantic's English and never the
schema's field name; a field without a label is reported by its message alone."""

from __future__ import annotations

import re
from datetime import date
from gettext import NullTranslations
from typing import Annotated, Literal

import pytest
from babel.messages.pofile import read_po
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dataip.web.pages.form_errors import DEFAULT_LABELS, PARTY_LABELS, items
from dataip.web.pages.render import CATALOGUE, _translations


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=2, max_length=5)
    needed: str
    count: int = Field(ge=1, le=9)
    weight_bp: int = Field(ge=1, le=10_000)
    kind: Literal["a", "b"]
    tags: list[Annotated[str, Field(max_length=3)]] = Field(min_length=1, max_length=2)
    on: date
    code: str = Field(pattern=r"^[0-9]{4}$")
    flag: bool
    unlabelled: int = 0
    party_id: int = Field(ge=1)
    industry: str


LABELS = {
    "title": "Title",
    "needed": "Description",
    "count": "Budget",
    "weight_bp": "Contribution weight (%)",
    "kind": "Kind of source",
    "tags": "Service category",
    "on": "Open until",
    "code": "Region",
    "flag": ("是否公开", "Public"),
    "party_id": "Publishing subject (verified real name)",
    "industry": "Industry (GB/T 4754 name or code)",
}
BAD = {
    "title": "x",
    "count": "many",
    "weight_bp": 20_000,
    "kind": "c",
    "tags": ["abcd", "b", "c"],
    "on": "2026-02-30",
    "code": "12",
    "flag": "perhaps",
    "unlabelled": "x",
    "surplus": 1,
    "party_id": 0,  # nothing picked in the select
    "industry": None,  # nothing typed
}
PYDANTIC = re.compile(r"should|Input|Field required|Value error|unable to parse|Extra inputs")


def _zh() -> NullTranslations:
    return _translations("zh-CN")  # what the pages translate with


def _errors(**over: object) -> ValidationError:
    with pytest.raises(ValidationError) as e:
        _Form.model_validate({**BAD, **over})
    return e.value


def test_i19_every_error_kind_in_chinese_after_the_forms_label() -> None:
    texts = [t for t, _f in items(_errors(), _zh().gettext, False, LABELS)]
    joined = " | ".join(texts)
    assert not PYDANTIC.search(joined), joined
    for raw in ("title", "needed", "count", "weight_bp", "kind", "tags", "unlabelled", "surplus"):
        assert raw not in joined, (raw, joined)
    for expected in (
        "标题：至少须填写 2 个字",
        "简介：为必填项",
        "预算：须填写数字",
        "超出允许的范围",  # basis points: the limit is not what the form shows
        "来源类型：不是可选的选项",
        "服务类别：最多可选择或填写 2 项",
        "征集截止：须为日期，如 2026-12-07",
        "地区：格式不正确",
        "是否公开：须选择是或否",
        "不是本表单的填写项",
        "发布主体（已实名核验）：为必填项",
        "行业（GB/T 4754 名称或代码）：为必填项",
    ):
        assert expected in joined, (expected, joined)
    assert "10000" not in joined
    item = [t for t, _f in items(_errors(tags=["b", "abcd"]), _zh().gettext, False, LABELS)]
    assert "服务类别（第 2 项）：最多 3 个字" in item, item


def test_i19_every_error_kind_in_english_after_the_forms_label() -> None:
    texts = [t for t, _f in items(_errors(), lambda s: s, True, LABELS)]
    joined = " | ".join(texts)
    assert not PYDANTIC.search(joined), joined
    for expected in (
        "Title: must be at least 2 characters",
        "Description: is required",
        "Budget: must be a number",
        "Contribution weight (%): is out of the allowed range",
        "Kind of source: is not one of the choices offered",
        "Service category: choose or enter at most 2 item(s)",
        "Open until: must be a date such as 2026-12-07",
        "Region: is not in the expected format",
        "Public: must be yes or no",
        "is not a field of this form",
        "Publishing subject (verified real name): is required",
        "Industry (GB/T 4754 name or code): is required",
    ):
        assert expected in joined, (expected, joined)
    limits = " | ".join(t for t, _f in items(_errors(count=10), lambda s: s, True, LABELS))
    assert "Budget: must be at most 9" in limits, limits
    item = [t for t, _f in items(_errors(tags=["b", "abcd"]), lambda s: s, True, LABELS)]
    assert "Service category (item 2): must be at most 3 characters" in item, item


def test_i19_shared_labels_are_translated() -> None:
    """Every label the error box falls back to is a message the catalogue translates."""
    with CATALOGUE.open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id and m.string}
    for label in (*DEFAULT_LABELS.values(), *PARTY_LABELS.values()):
        assert isinstance(label, tuple) or label in ids, label
