"""R26: precision and recall per kind on a labelled corpus (tests/unit/screening/corpus.py),
printed by the test run; the checksummed kinds must reach 0.99 on both."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from dataip.screening import CHECKSUMMED_KINDS, COLUMN_KINDS, VALUE_KINDS, Report, screen_bytes
from tests.unit.screening import corpus

ROWS = 6000
SEED = 20261202
THRESHOLD = {kind: 0.99 for kind in CHECKSUMMED_KINDS}
OTHER_THRESHOLD = 0.95  # pattern-only kinds and column kinds


@cache
def _corpus() -> tuple[list[list[str]], list[list[corpus.Label]], str]:
    data = list(corpus.rows(SEED, ROWS))
    cells = [c for c, _ in data]
    return cells, [labels for _, labels in data], corpus.csv_text(cells)


def _score(
    truth: Counter[tuple[object, ...]], found: Counter[tuple[object, ...]]
) -> tuple[int, int, int]:
    tp = sum((truth & found).values())
    return tp, sum((found - truth).values()), sum((truth - found).values())


def _value_scores(
    report: Report, labels: list[list[corpus.Label]]
) -> dict[str, tuple[int, int, int]]:
    column = {name: i for i, name in enumerate(corpus.HEADER)}
    truth: Counter[tuple[object, ...]] = Counter(
        (row, col, kind, value) for row, found in enumerate(labels) for col, kind, value in found
    )
    assert report.entities is not None
    found: Counter[tuple[object, ...]] = Counter(
        (e.row, column[name], e.kind, e.value)
        for name, entities in report.entities.items()
        for e in entities
    )
    out = {}
    for kind in VALUE_KINDS:
        t = Counter({k: v for k, v in truth.items() if k[2] == kind})
        f = Counter({k: v for k, v in found.items() if k[2] == kind})
        out[kind] = _score(t, f)
    return out


def _column_scores() -> dict[str, tuple[int, int, int]]:
    truth: Counter[tuple[object, ...]] = Counter()
    found: Counter[tuple[object, ...]] = Counter()
    for t, (header, body, kinds) in enumerate(corpus.column_tables(SEED)):
        data = _table_csv(header, body)
        report = screen_bytes(data.encode("utf-8"), filename=f"t{t}.csv")
        for i, kind in kinds.items():
            truth[(t, i, kind)] += 1
        for i, col in enumerate(report.columns):
            for f in col.findings:
                if f.kind in COLUMN_KINDS:
                    found[(t, i, f.kind)] += 1
    return {
        kind: _score(
            Counter({k: v for k, v in truth.items() if k[2] == kind}),
            Counter({k: v for k, v in found.items() if k[2] == kind}),
        )
        for kind in COLUMN_KINDS
    }


def _table_csv(header: list[str], body: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return out.getvalue()


def _print_table(
    capsys: pytest.CaptureFixture[str], title: str, scores: dict[str, tuple[int, int, int]]
) -> dict[str, tuple[float, float]]:
    ratios = {}
    with capsys.disabled():
        print(f"\n{title}")
        print(f"  {'kind':<16} {'TP':>6} {'FP':>5} {'FN':>5} {'precision':>10} {'recall':>8}")
        for kind, (tp, fp, fn) in scores.items():
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            ratios[kind] = (p, r)
            print(f"  {kind:<16} {tp:>6} {fp:>5} {fn:>5} {p:>10.4f} {r:>8.4f}")
    return ratios


def test_r26_labelled_corpus_precision_and_recall_per_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, labels, text = _corpus()
    report = screen_bytes(text.encode("utf-8"), filename="corpus.csv", keep_entities=True)
    assert report.rows == ROWS
    scores = _value_scores(report, labels)
    ratios = _print_table(
        capsys, f"value kinds — {ROWS} rows, {len(text.encode()) / 1e6:.1f} MB", scores
    )
    ratios |= _print_table(capsys, "column kinds — 40 tables", _column_scores())
    for kind, (p, r) in ratios.items():
        need = THRESHOLD.get(kind, OTHER_THRESHOLD)
        assert p >= need and r >= need, (kind, p, r)
    for kind in VALUE_KINDS:
        assert scores[kind][0] > 50, kind  # every kind is exercised


def test_r26_gb18030_csv_detected() -> None:
    cells = _corpus()[0]
    head = corpus.csv_text(cells[:800])
    utf8 = screen_bytes(head.encode("utf-8"), filename="c.csv")
    gb = screen_bytes(head.encode("gb18030"), filename="c.csv")
    bom = screen_bytes(b"\xef\xbb\xbf" + head.encode("utf-8"), filename="c.csv")
    assert (utf8.encoding, gb.encoding, bom.encoding) == ("utf-8", "gb18030", "utf-8-sig")
    assert gb.to_dict()["columns"] == utf8.to_dict()["columns"] == bom.to_dict()["columns"]
    assert {"resident_id", "mobile", "bank_card", "person_name", "address"} <= gb.kinds
