"""The screening report: per-column findings, a masking preview and a grade hint.

What the examiner sees (DESIGN §7) and what the services layer branches on. A report holds
masked examples only: the one field with raw values, ``entities`` (asked for with
``keep_entities=True``, for evaluation), is never serialised.

Grade hint (GB/T 43697-2024 《数据安全技术 数据分类分级规则》, 一般/重要/核心数据): the
standard grades data by the harm its leak would do, which screening cannot know; the hint
only reads what was found and how many records it concerns. The thresholds are registry
policy (:class:`GradeRules`), not numbers from the standard:

* ``core`` — sensitive personal information (GB/T 35273 / PIPL art. 28: identity document
  numbers, financial accounts, health) of at least ``core_records`` records (§3.3: "high
  coverage … large scale");
* ``important`` — personal information of at least ``important_records`` records, or any
  sensitive personal information;
* ``general`` — anything else (including organisation codes only).

It is a hint for the examiner, never an automatic refusal; the records counted are the
declared size of the whole data set when the caller knows it, else the rows screened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataip.screening import mask
from dataip.screening.columns import COLUMN_KINDS, ColumnTally
from dataip.screening.detect import VALUE_KINDS, Entity, find_entities

__all__ = [
    "PERSONAL_KINDS",
    "SENSITIVE_KINDS",
    "ColumnReport",
    "Finding",
    "GradeHint",
    "GradeRules",
    "MaskingPreview",
    "Report",
    "build_column",
    "grade_hint",
    "masking_preview",
]

KINDS = VALUE_KINDS + COLUMN_KINDS
SENSITIVE_KINDS = frozenset({"resident_id", "passport", "hk_macau_permit", "bank_card", "health"})
PERSONAL_KINDS = frozenset(KINDS) - {"uscc"}
_SAME_HINT = {"landline": {"mobile", "landline"}, "ipv4": {"ipv4", "ipv6"}}
_BASE_CONFIDENCE = {
    "resident_id": 0.97,
    "uscc": 0.97,
    "bank_card": 0.9,
    "mobile": 0.9,
    "landline": 0.75,
    "email": 0.97,
    "ipv4": 0.8,
    "ipv6": 0.9,
    "passport": 0.6,
    "hk_macau_permit": 0.6,
    "plate": 0.85,
}
# column kinds: share of non-empty values of the kind's shape that flags a column by itself
_SHAPE_THRESHOLD = {"person_name": 0.6, "address": 0.5, "health": 0.3}
_SHAPE_COUNT = {
    "person_name": "name_like",
    "address": "address_like",
    "health": "health_like",
    "birth_date": "date_like",
}
CARD_CHANCE_MIN = 20  # card-shaped numbers before the Luhn pass rate is judged


@dataclass(frozen=True)
class Finding:
    """One kind found in one column. ``share`` = ``values`` / non-empty values."""

    kind: str
    count: int  # occurrences
    values: int  # values (cells) with at least one
    share: float
    examples: tuple[str, ...]  # masked
    confidence: float
    basis: str  # "values", "header", "header+values"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "values": self.values,
            "share": round(self.share, 4),
            "examples": list(self.examples),
            "confidence": round(self.confidence, 2),
            "basis": self.basis,
        }


@dataclass(frozen=True)
class ColumnReport:
    name: str
    non_empty: int
    header_hint: str | None
    masked_values: int  # values already showing a mask (``*``)
    findings: tuple[Finding, ...]
    notes: tuple[tuple[str, str], ...] = ()  # (zh, en)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "non_empty": self.non_empty,
            "header_hint": self.header_hint,
            "masked_values": self.masked_values,
            "findings": [f.to_dict() for f in self.findings],
            "notes": [{"zh": zh, "en": en} for zh, en in self.notes],
        }


def _value_finding(
    kind: str, tally: ColumnTally, hint: str | None
) -> tuple[Finding | None, tuple[str, str] | None]:
    t = tally.kinds[kind]
    agrees = hint == kind or kind in _SAME_HINT.get(hint or "", ())
    if (
        kind == "bank_card"
        and not agrees
        and t.candidates >= CARD_CHANCE_MIN
        and t.count * 3 <= t.candidates - t.count
    ):
        # Random numbers pass Luhn 1 time in 10, so n failing numbers come with about n/9
        # passing by chance; unless the passing ones are well above that (n/3), the column
        # holds order or account numbers of another kind, not cards.
        note = (
            f"{t.candidates} 个卡号形态的数字中仅 {t.count} 个通过 Luhn 校验，接近随机水平，"
            "不计为银行卡",
            f"only {t.count} of {t.candidates} card-shaped numbers pass Luhn, about what random "
            "numbers do: not counted as bank cards",
        )
        return None, note
    share = t.values / tally.non_empty
    base = _BASE_CONFIDENCE[kind]
    if agrees:
        confidence = 0.99
    elif share >= 0.8:
        confidence = base + (1 - base) / 2
    else:
        confidence = base
    basis = "header+values" if agrees else "values"
    return Finding(kind, t.count, t.values, share, tuple(t.examples), confidence, basis), None


def _column_finding(kind: str, tally: ColumnTally, hint: str | None) -> Finding | None:
    ne = tally.non_empty
    shaped = int(getattr(tally, _SHAPE_COUNT[kind]))
    share = shaped / ne
    examples = tuple(tally.examples.get(kind, ()))
    if hint == kind:
        unmasked = ne - tally.masked
        if unmasked * 2 < ne:
            return None  # already masked: reported as masked_values
        if kind == "birth_date" and share < 0.5:
            return None
        if not examples:
            examples = (mask.SUPPRESSED,) if kind == "health" else ()
        if share >= 0.2:
            return Finding(kind, unmasked, unmasked, unmasked / ne, examples, 0.97, "header+values")
        return Finding(kind, unmasked, unmasked, unmasked / ne, examples, 0.7, "header")
    threshold = _SHAPE_THRESHOLD.get(kind)
    if threshold is None or share < threshold or shaped < 3:
        return None
    if kind == "person_name" and tally.name_distinct < min(50, shaped / 2):
        return None  # a few repeated words (黄瓜, 金华): categories, not names
    confidence = {"person_name": 0.8, "address": 0.85, "health": 0.75}[kind]
    return Finding(kind, shaped, shaped, share, examples, confidence, "values")


def build_column(name: str, tally: ColumnTally, hint: str | None) -> ColumnReport:
    """The findings of one column from its tally and its header's hint."""
    findings: list[Finding] = []
    notes: list[tuple[str, str]] = []
    if tally.non_empty:
        for kind in VALUE_KINDS:
            if kind in tally.kinds and tally.kinds[kind].count:
                finding, note = _value_finding(kind, tally, hint)
                if finding is not None:
                    findings.append(finding)
                if note is not None:
                    notes.append(note)
        for kind in COLUMN_KINDS:
            col = _column_finding(kind, tally, hint)
            if col is not None and not any(f.share >= 0.5 for f in findings):
                findings.append(col)
    if hint and hint not in {f.kind for f in findings} and tally.masked:
        notes.append(
            (
                f"表头提示为 {hint}，{tally.masked} 个值已含遮蔽符号 *",
                f"the header suggests {hint}; {tally.masked} values already show a mask (*)",
            )
        )
    return ColumnReport(name, tally.non_empty, hint, tally.masked, tuple(findings), tuple(notes))


@dataclass(frozen=True)
class GradeRules:
    """Registry policy for the grade hint (see the module docstring)."""

    important_records: int = 100_000
    core_records: int = 10_000_000


@dataclass(frozen=True)
class GradeHint:
    grade: str  # "general" | "important" | "core"
    reason_zh: str
    reason_en: str
    records: int
    sensitive_kinds: tuple[str, ...]
    personal_kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "standard": "GB/T 43697-2024",
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "records": self.records,
            "sensitive_kinds": list(self.sensitive_kinds),
            "personal_kinds": list(self.personal_kinds),
            "is_hint": True,
        }


_HINT_ZH = "（仅供审查员参考，不自动驳回；分级由数据处理者依 GB/T 43697 确定）"
_HINT_EN = " (a hint for the examiner, never an automatic refusal; the grade is the data "
_HINT_EN += "processor's to determine under GB/T 43697)"


def grade_hint(kinds: frozenset[str], records: int, rules: GradeRules = GradeRules()) -> GradeHint:
    """General / important / core from the kinds found and the number of records."""
    sensitive = tuple(k for k in KINDS if k in kinds and k in SENSITIVE_KINDS)
    personal = tuple(k for k in KINDS if k in kinds and k in PERSONAL_KINDS)
    names = "、".join(sensitive) or "、".join(personal)
    if sensitive and records >= rules.core_records:
        grade = "core"
        zh = (
            f"含敏感个人信息（{names}），涉及 {records} 条记录，达到大规模阈值 {rules.core_records}"
        )
        en = (
            f"sensitive personal information ({', '.join(sensitive)}) in {records} records, "
            f"at least the large-scale threshold of {rules.core_records}"
        )
    elif sensitive:
        grade = "important"
        zh = f"含敏感个人信息（{names}）"
        en = f"sensitive personal information ({', '.join(sensitive)})"
    elif personal and records >= rules.important_records:
        grade = "important"
        zh = f"含个人信息（{names}），涉及 {records} 条记录，不少于 {rules.important_records} 条"
        en = (
            f"personal information ({', '.join(personal)}) in {records} records, at least "
            f"{rules.important_records}"
        )
    elif personal:
        grade = "general"
        zh = f"含个人信息（{names}），但非敏感且规模小于 {rules.important_records} 条"
        en = (
            f"personal information ({', '.join(personal)}), not sensitive, fewer than "
            f"{rules.important_records} records"
        )
    else:
        grade = "general"
        zh = "未发现个人信息"
        en = "no personal information found"
    return GradeHint(grade, zh + _HINT_ZH, en + _HINT_EN, records, sensitive, personal)


@dataclass(frozen=True)
class MaskingPreview:
    """The first rows of the flagged columns, de-identified (GB/T 37964-2019)."""

    columns: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, technique, kinds)
    rows: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": "GB/T 37964-2019",
            "columns": [{"name": n, "technique": t, "kinds": list(k)} for n, t, k in self.columns],
            "rows": [list(r) for r in self.rows],
        }


_PREVIEW_CHARS = 60


def _mask_spans(cell: str) -> str:
    entities = find_entities(cell)
    if not entities:
        return cell
    out, last = [], 0
    for e in entities:
        start = e.start
        if start >= 5 and cell[start - 5 : start - 3] == "\\u" and cell[start] != e.value[0]:
            start -= 5  # it starts with a decoded \uXXXX escape (a plate's 京): mask all of it
        if start < last:
            continue
        out += [cell[last:start], mask.mask_value(e.kind, e.value)]
        last = e.end
    out.append(cell[last:])
    return "".join(out)


def _preview_cell(cell: str, technique: str, kinds: frozenset[str], key: bytes | None) -> str:
    if not cell.strip():
        return ""
    if technique == "suppression":
        return mask.SUPPRESSED
    if technique == "generalisation":
        if "address" in kinds:
            return mask.generalise_address(cell)
        return mask.generalise_date(cell)
    if technique == "pseudonymisation" and key is not None:
        return mask.pseudonymise(cell, key)
    if "person_name" in kinds:
        return mask.mask_name(cell)
    shown = _mask_spans(cell)
    return shown if len(shown) <= _PREVIEW_CHARS else shown[: _PREVIEW_CHARS - 1] + "…"


def masking_preview(
    columns: Sequence[ColumnReport],
    first_rows: Sequence[Mapping[str, str]],
    key: bytes | None,
) -> MaskingPreview:
    """Columns with findings only: an unflagged column's values are not shown at all."""
    chosen = [
        (c.name, mask.technique_for(c.kinds, have_key=key is not None), c.kinds)
        for c in columns
        if c.findings
    ]
    rows = tuple(
        tuple(_preview_cell(row.get(name, ""), t, kinds, key) for name, t, kinds in chosen)
        for row in first_rows
    )
    return MaskingPreview(tuple((n, t, tuple(sorted(k))) for n, t, k in chosen), rows)


@dataclass(frozen=True)
class Report:
    """What screening found in one file. :meth:`to_dict` is the JSON (masked only)."""

    filename: str
    format: str
    encoding: str | None
    rows: int
    columns: tuple[ColumnReport, ...]
    preview: MaskingPreview
    grade: GradeHint
    entities: Mapping[str, Sequence[Entity]] | None = field(default=None, repr=False)
    # the first rows as read, for `public_sample` only: never serialised
    head: tuple[Mapping[str, str], ...] = field(default=(), repr=False)

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind found in any column."""
        return frozenset(k for c in self.columns for k in c.kinds)

    @property
    def has_personal_data(self) -> bool:
        """Any personal information (every kind but ``uscc``, an organisation code)."""
        return bool(self.kinds & PERSONAL_KINDS)

    @property
    def found_nothing(self) -> bool:
        """No finding of any kind: the only state in which sample rows may go public."""
        return not self.kinds

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "columns": [c.to_dict() for c in self.columns],
            "kinds": sorted(self.kinds),
            "has_personal_data": self.has_personal_data,
            "found_nothing": self.found_nothing,
            "masking_preview": self.preview.to_dict(),
            "grade_hint": self.grade.to_dict(),
        }

    def public_sample(self, *, masked: bool, key: bytes | None = None) -> PublicSample:
        """The first rows as they may be published (issue 7, point 4): as read only when
        screening found nothing (else :class:`ValueError`); masked, every flagged column
        de-identified with its technique and every other cell still passed through the
        detectors, so a value found later in the text is masked too."""
        if not masked and not self.found_nothing:
            raise ValueError("sample rows with findings may only be published masked")
        # the columns of the rows read (a workbook's first sheet; JSON keys seen in them)
        present = {k for row in self.head for k in row}
        chosen = [
            (c.name, mask.technique_for(c.kinds, have_key=key is not None) if c.findings else None)
            for c in self.columns
            if c.name in present or not present
        ]
        kinds = {c.name: c.kinds for c in self.columns}

        def cell(value: str, name: str, technique: str | None) -> str:
            if masked and technique is not None:
                shown = _preview_cell(value, technique, kinds[name], key)
            else:
                shown = _mask_spans(value) if masked else value
            return shown if len(shown) <= _PUBLIC_CHARS else shown[: _PUBLIC_CHARS - 1] + "…"

        rows = tuple(
            tuple(cell(row.get(name, ""), name, t) for name, t in chosen) for row in self.head
        )
        return PublicSample(self.filename, masked, tuple(chosen), rows)


_PUBLIC_CHARS = 200


@dataclass(frozen=True)
class PublicSample:
    """A sample file's first rows as published on the registration's public page."""

    filename: str
    masked: bool
    columns: tuple[tuple[str, str | None], ...]  # (name, GB/T 37964 technique or None)
    rows: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "masked": self.masked,
            "columns": [{"name": n, "technique": t} for n, t in self.columns],
            "rows": [list(r) for r in self.rows],
        }
