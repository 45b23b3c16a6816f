"""R26: every validated identifier kind is found in running text — glued to Chinese and
Latin words and labels, in half- and full-width punctuation, across line breaks, in URLs
and JSON, in full-width forms — and nothing is found in the decoys (issue 19). The corpus
is tests/unit/screening/adversarial.py; each test runs on the C passes and on the
pure-Python ones, which must agree hit for hit.

Recorded on this corpus (5,014 positives in 85 contexts, 5,461 decoy texts) before the
fix, both paths alike: recall resident_id 0.974, uscc 0.943, mobile 0.979, landline 0.976,
bank_card 0.970, email 0.960, ipv4 0.870, ipv6 0.892, passport 0.960, hk_macau_permit 0.960,
plate 0.981; 4 hits in decoys (``n.a@…`` after an escaped ``\\n``, a card made of an
escape's hex digits and a 12-digit number) and 15 wrong e-mail extents in positives
(``nzhang@…``, ``u6237zhang@…``): precision email 0.952, bank_card 0.998. After: recall 1.0
and precision 1.0 for every kind, no decoy hit. IPv4 and IPv6 were lost entirely in a
free-text column once any cell held a full-width digit: normalisation turns the ``：`` of
``IP地址：10.0.0.1`` into ``:``, which the address passes took for part of an IPv6 address.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from functools import cache

import pytest

from dataip.screening import VALUE_KINDS, detect, screen_bytes
from dataip.screening import native as c_ext
from tests.unit.screening import adversarial
from tests.unit.screening.adversarial import Sample


@pytest.fixture(params=["c", "python"])
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test once with the C passes and once with the pure-Python ones."""
    saved = c_ext.module
    if request.param == "c":
        assert saved is not None, "dataip.screening._scan is not built (see test_scan_native)"
    else:
        c_ext.module = None
    try:
        yield request.param
    finally:
        c_ext.module = saved


@cache
def _samples() -> tuple[Sample, ...]:
    return tuple(adversarial.samples())


def _score(samples: tuple[Sample, ...]) -> tuple[dict[str, Counter[str]], list[str]]:
    """Per kind: tp, fp (anything found but the planted value), fn; and the failures."""
    score: dict[str, Counter[str]] = {kind: Counter() for kind in VALUE_KINDS}
    failures: list[str] = []
    for s in samples:
        found = {(e.kind, e.value) for e in detect.find_entities(s.text)}
        planted = {(s.kind, s.value)} if s.kind is not None else set()
        for kind, _ in found & planted:
            score[kind]["tp"] += 1
        for kind, value in found - planted:
            score[kind]["fp"] += 1
            failures.append(f"found {kind} {value!r} in {s.context}: {s.text!r}")
        for kind, _ in planted - found:
            score[kind]["fn"] += 1
            failures.append(f"missed {kind} in {s.context}: {s.text!r}")
    return score, failures


def test_r26_the_adversarial_corpus_covers_every_kind_and_context() -> None:
    samples = _samples()
    kinds = Counter(s.kind for s in samples if s.kind is not None)
    assert set(kinds) == set(VALUE_KINDS)
    contexts = {s.context for s in samples if s.kind is not None}
    for needed in (
        "cjk_both",
        "label_zh_colon_fullwidth",
        "label_latin_equals",
        "bracket_0",  # 「」
        "punct_fullwidth_0",  # ，
        "punct_ascii_0",
        "crlf",
        "url_query",
        "url_path",
        "json_string",
        "json_number",
        "json_escaped_newline",
        "fullwidth",
        "latin_before",
    ):
        assert needed in contexts
    for kind in VALUE_KINDS:  # every kind in at least 60 contexts
        assert len({s.context for s in samples if s.kind == kind}) >= 60, kind
    assert sum(s.kind is None for s in samples) > 5000
    assert "json_ensure_ascii" in contexts


def test_r26_screening_recall_adversarial_every_kind(path: str) -> None:
    score, failures = _score(_samples())
    lines = [f"{path}: kind tp fp fn recall precision"]
    for kind, c in score.items():
        recall = c["tp"] / (c["tp"] + c["fn"])
        precision = c["tp"] / (c["tp"] + c["fp"])
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        lines.append(f"  {kind:16} {tp:5} {fp:3} {fn:3} {recall:.3f} {precision:.3f}")
    print("\n".join(lines))
    assert not failures[:20], "\n".join(failures[:20])
    for kind, c in score.items():
        assert c["tp"] > 0 and c["fn"] == 0 and c["fp"] == 0, kind


def test_r26_decoys_stay_silent(path: str) -> None:
    """Precision on the decoys: not one identifier in 5,000-odd texts of failed check
    characters, order numbers, timestamps, amounts, versions and longer digit runs."""
    decoys = tuple(s for s in _samples() if s.kind is None)
    found = [(s.text, e.kind) for s in decoys for e in detect.find_entities(s.text)]
    assert found == []


def test_r26_c_pass_equals_python_pass_on_the_adversarial_corpus() -> None:
    assert c_ext.module is not None
    saved = c_ext.module
    for s in _samples():
        text = detect.normalise(s.text)
        native = detect._hits(text, "20261206")
        c_ext.module = None
        try:
            reference = detect._hits(text, "20261206")
        finally:
            c_ext.module = saved
        assert native == reference, s


def _csv(cells: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(cells)
    return out.getvalue().encode("utf-8")


def test_r26_free_text_column_finds_every_kind(path: str) -> None:
    """End to end: the samples as the cells of one free-text column (with line breaks and
    quotes inside cells, and the full-width digits that make the whole column normalised),
    a decoy column beside it. Every planted value is reported in its row; the decoy column
    has no finding."""
    positives = [s for s in _samples() if s.kind is not None]
    decoys = [s.text for s in _samples() if s.kind is None]
    rows = [["备注", "说明"]]
    for i, s in enumerate(positives):
        rows.append([s.text, decoys[i % len(decoys)]])
    report = screen_bytes(_csv(rows), filename="adversarial.csv", keep_entities=True)
    assert report.rows == len(positives)
    notes, other = report.columns
    assert notes.kinds == set(VALUE_KINDS)
    assert other.findings == ()
    assert report.entities is not None
    found = Counter((e.row, e.kind, e.value) for e in report.entities["备注"])
    planted = Counter((row, s.kind, s.value) for row, s in enumerate(positives))
    assert found == planted


def test_r26_ip_after_a_full_width_colon_in_a_normalised_column(path: str) -> None:
    """The held-out miss: ``IP地址：`` in a free-text column where another cell has a
    full-width digit. IPv4 and IPv6 must be found, not only in a column of addresses."""
    rows = [["备注"]]
    for i in range(30):
        rows.append([f"客户登录IP：10.1.{i}.7，手机１３８１２３４５６{i % 10}{i % 10}"])
        rows.append([f"IPv6地址：2001:db8::{i + 1:x}"])
    report = screen_bytes(_csv(rows), filename="notes.csv")
    counts = {f.kind: f.count for f in report.columns[0].findings}
    assert counts == {"mobile": 30, "ipv4": 30, "ipv6": 30}


def test_r26_masked_sample_of_a_json_cell_written_with_ensure_ascii(path: str) -> None:
    """The masking preview masks identifiers inside ensure_ascii JSON where they stand, a
    plate's escaped province character included, and leaves the rest as read."""
    cells = [
        json.dumps({"p": "京A12345", "m": "号13812345678"}),
        json.dumps({"n": "护照E12345678"}),
    ]
    assert "\\u4eacA12345" in cells[0]
    report = screen_bytes(_csv([["备注"], *([c] for c in cells)]), filename="json-cells.csv")
    assert report.columns[0].kinds == {"plate", "mobile", "passport"}
    shown = [row[0] for row in report.public_sample(masked=True).to_dict()["rows"]]
    assert [json.loads(c) for c in shown] == [
        {"p": "京A***45", "m": "号138****5678"},
        {"n": "护照E******78"},
    ]
