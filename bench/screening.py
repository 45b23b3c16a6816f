"""Benchmark sample-data screening (`dataip.screening`, issue 7): MB/s on a mixed Chinese CSV
against Presidio's analyzer with equivalent Chinese pattern recognizers, in the same run, and
precision/recall of both on the same labelled rows.

    python bench/screening.py                 # 100 MB corpus
    python bench/screening.py --mb 20 --repeat 1 --presidio-repeat 1

What is measured, in this order:

  1. corpus   — `--mb` MB (10^6 bytes) of CSV from tests/unit/screening/corpus.py (seeded):
                12 columns (序号, 姓名, 身份证号, 手机, 邮箱, 地址, 银行卡号, 订单号, 金额, 日期,
                车牌, 备注), UTF-8, about 215 bytes a row, every row with several labelled
                identifiers and decoys (bad check digits, random 19-digit order numbers,
                amounts, dates); the 备注 free text carries identifiers glued to Chinese,
                full-width, grouped. Labels go to a side file. The CSV is read once, untimed,
                so every run reads from the page cache.
  2. dataip   — `screen_path(csv, workers=1)` and `workers=2` (processes; `spawn` start-up
                included): wall time of the whole call — read, decode, parse, detect,
                column statistics, report; and `workers=1` again with the pure-Python passes
                instead of the C ones (`dataip_1_worker_no_c`). `--repeat` runs each,
                interleaved; the median.
  3. presidio — presidio-analyzer's `AnalyzerEngine` with `NoOpNlpEngine` (no spaCy model:
                a blank `zh` pipeline is pathologically slow) and no predefined recognizers;
                registered for `zh`: one `PatternRecognizer` per Chinese kind with the same
                shapes dataip matches (digit look-arounds, not `\\b`; no check digits — Presidio
                has none for these), Presidio's own `CreditCardRecognizer` (Luhn) and
                `IpRecognizer`, and an e-mail `PatternRecognizer` (the stock one may fetch the
                public-suffix list). `analyze(line, language="zh")` for every data line of the
                CSV (read line by line, one process): the timer covers the loop, not the
                scoring, which is done between batches with the timer stopped.
                `--presidio-repeat` runs (default 1: it is slow); the median.
  4. accuracy — per kind, over ALL rows: a found (row, kind, canonical value) is a true
                positive if labelled for that row. dataip: `screen_bytes(..., keep_entities=
                True)` over batches of 20,000 rows (the size of one of screen_path's chunks, so
                the same column rules apply); Presidio: the results of its timed run.

MB/s is 10^6 bytes of CSV per wall-clock second; MB/CPU-s per CPU second of this process and
its workers (user + system), which a shared machine disturbs less. Other processes' CPU
seconds during each run (from /proc/stat) are recorded. Results:
bench/results/screening.json.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the labelled corpus lives with the tests

from tests.unit.screening import corpus  # noqa: E402

from dataip.screening import VALUE_KINDS, native, screen_bytes, screen_path  # noqa: E402
from smoke import add_smoke_option  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results" / "screening.json"
SEED = 20260507
BATCH = 20_000
AIM_MB_S_PER_CORE = 25.0
AIM_RATIO = 5.0

PRESIDIO_PATTERNS = {
    "CN_RESIDENT_ID": r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])",
    "CN_USCC": r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Z])",
    "CN_MOBILE": r"(?<![0-9])(?:(?:\+|00)86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])",
    "CN_LANDLINE": r"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3}-?)[2-9][0-9]{6,7}(?![0-9])",
    "EMAIL_ADDRESS": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "CN_PASSPORT": r"(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})(?![0-9A-Za-z])",
    "CN_HK_MACAU_PERMIT": r"(?<![0-9A-Za-z])(?:[CW][0-9]{8}|C[A-HJ-NP-Z][0-9]{7}"
    r"|[HM][0-9]{8}(?:[0-9]{2})?)(?![0-9A-Za-z])",
    "CN_PLATE": f"[{corpus.PLATE_PROVINCES}][A-HJ-NP-Z][-·• ]?"
    r"(?:[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{5})(?![0-9A-Za-z])",
}
PRESIDIO_KIND = {
    "CN_RESIDENT_ID": "resident_id",
    "CN_USCC": "uscc",
    "CN_MOBILE": "mobile",
    "CN_LANDLINE": "landline",
    "EMAIL_ADDRESS": "email",
    "CN_PASSPORT": "passport",
    "CN_HK_MACAU_PERMIT": "hk_macau_permit",
    "CN_PLATE": "plate",
    "CREDIT_CARD": "bank_card",
}


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _machine_busy() -> float:
    """CPU seconds all processes have used since boot (/proc/stat; 0 if unavailable)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def timed(fn: Callable[[], Any]) -> dict[str, Any]:
    gc.collect()
    busy0, cpu0, t0 = _machine_busy(), _own_cpu(), time.perf_counter()
    value = fn()
    t1, cpu1, busy1 = time.perf_counter(), _own_cpu(), _machine_busy()
    return {
        "seconds": t1 - t0,
        "cpu_seconds": cpu1 - cpu0,
        "other_cpu_seconds": max(0.0, busy1 - busy0 - (cpu1 - cpu0)),
        "value": value,
    }


def _own_cpu() -> float:
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- the corpus --------------------------------------------------------------------------------


def make_corpus(folder: Path, mb: float) -> tuple[Path, Path, int]:
    """CSV and labels (one JSON array per row), reused when the parameters match."""
    target = int(mb * 1e6)
    csv_path, labels_path = folder / f"corpus-{target}.csv", folder / f"corpus-{target}.jsonl"
    marker = folder / f"corpus-{target}.json"
    params = {"bytes": target, "seed": SEED, "version": 1}
    if marker.exists() and json.loads(marker.read_text()).get("params") == params:
        rows = json.loads(marker.read_text())["rows"]
        say(f"corpus: reusing {csv_path} ({rows:,} rows)")
        return csv_path, labels_path, rows
    say(f"corpus: writing ~{mb:g} MB to {csv_path} …")
    started = time.perf_counter()
    rows = 0
    with csv_path.open("w", encoding="utf-8", newline="") as f, labels_path.open("w") as lf:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(corpus.HEADER)
        for cells, labels in corpus.rows(SEED, 10**9):
            w.writerow(cells)
            lf.write(json.dumps(labels, ensure_ascii=False) + "\n")
            rows += 1
            if rows % 5000 == 0 and f.tell() >= target:
                break
    marker.write_text(json.dumps({"params": params, "rows": rows}))
    say(
        f"corpus: {rows:,} rows, {csv_path.stat().st_size:,} bytes in "
        f"{time.perf_counter() - started:.0f}s"
    )
    return csv_path, labels_path, rows


def label_batches(labels_path: Path) -> Iterator[list[list[tuple[int, str, str]]]]:
    batch: list[list[tuple[int, str, str]]] = []
    with labels_path.open() as f:
        for line in f:
            batch.append([tuple(x) for x in json.loads(line)])  # type: ignore[misc]
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def line_batches(csv_path: Path) -> Iterator[list[str]]:
    with csv_path.open(encoding="utf-8", newline="") as f:
        f.readline()
        batch: list[str] = []
        for line in f:
            batch.append(line)
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


class Scores:
    """TP/FP/FN per kind from multisets of (row, kind, canonical value)."""

    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(
        self, truth: Counter[tuple[int, str, str]], found: Counter[tuple[int, str, str]]
    ) -> None:
        for key, n in (truth & found).items():
            self.tp[key[1]] += n
        for key, n in (found - truth).items():
            self.fp[key[1]] += n
        for key, n in (truth - found).items():
            self.fn[key[1]] += n

    def table(self) -> dict[str, dict[str, float]]:
        out = {}
        for kind in VALUE_KINDS:
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
            out[kind] = {
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
                "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            }
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        out["all"] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        }
        return out


def _truth(labels: list[list[tuple[int, str, str]]], base: int) -> Counter[tuple[int, str, str]]:
    return Counter(
        (base + i, kind, value) for i, row in enumerate(labels) for _, kind, value in row
    )


def dataip_accuracy(csv_path: Path, labels_path: Path) -> dict[str, dict[str, float]]:
    scores = Scores()
    header = ",".join(corpus.HEADER) + "\n"
    base = 0
    for lines, labels in zip(line_batches(csv_path), label_batches(labels_path), strict=True):
        report = screen_bytes(
            (header + "".join(lines)).encode(), filename="batch.csv", keep_entities=True
        )
        assert report.entities is not None
        found = Counter(
            (base + e.row, e.kind, e.value) for ents in report.entities.values() for e in ents
        )
        scores.add(_truth(labels, base), found)
        base += len(lines)
    return scores.table()


def pure_python(csv_path: Path, workers: int) -> Any:
    """screen_path with the pure-Python passes instead of the C ones (``_scan.c``)."""
    saved = native.module
    native.module = None
    try:
        return screen_path(csv_path, workers=workers)
    finally:
        native.module = saved


# --- presidio ---------------------------------------------------------------------------------


def presidio_engine() -> Any:
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        raise SystemExit(
            "the baseline needs presidio-analyzer: .venv/bin/pip install -e '.[bench]'"
        ) from None
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IpRecognizer

    registry = RecognizerRegistry(supported_languages=["zh"])
    for entity, regex in PRESIDIO_PATTERNS.items():
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=entity,
                patterns=[Pattern(entity, regex, 0.5)],
                supported_language="zh",
            )
        )
    registry.add_recognizer(CreditCardRecognizer(supported_language="zh"))
    registry.add_recognizer(IpRecognizer(supported_language="zh"))
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "noop"}]),
        supported_languages=["zh"],
    )
    return engine


def presidio_run(engine: Any, csv_path: Path, labels_path: Path | None) -> dict[str, Any]:
    """One pass over every data line; timer stopped while a batch is scored."""
    scores = Scores()
    seconds = cpu = other = 0.0
    results = 0
    nbytes = 0
    base = 0
    labels_iter = label_batches(labels_path) if labels_path else None
    for lines in line_batches(csv_path):
        gc.collect()
        busy0, cpu0, t0 = _machine_busy(), _own_cpu(), time.perf_counter()
        found_lines = [engine.analyze(text=line, language="zh") for line in lines]
        t1, cpu1, busy1 = time.perf_counter(), _own_cpu(), _machine_busy()
        seconds += t1 - t0
        cpu += cpu1 - cpu0
        other += max(0.0, busy1 - busy0 - (cpu1 - cpu0))
        nbytes += sum(len(line.encode()) for line in lines)
        results += sum(map(len, found_lines))
        if labels_iter is not None:
            found: Counter[tuple[int, str, str]] = Counter()
            for i, (line, res) in enumerate(zip(lines, found_lines, strict=True)):
                for r in res:
                    text = line[r.start : r.end]
                    if r.entity_type == "IP_ADDRESS":
                        kind = "ipv6" if ":" in text else "ipv4"
                    else:
                        kind = PRESIDIO_KIND[r.entity_type]
                    found[(base + i, kind, corpus.canonical(kind, text))] += 1
            scores.add(_truth(next(labels_iter), base), found)
        base += len(lines)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "other_cpu_seconds": other,
        "bytes": nbytes,
        "results": results,
        "accuracy": scores.table() if labels_iter is not None else None,
    }


# --- report -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        presidio = version("presidio-analyzer")
    except PackageNotFoundError:  # a smoke run (--presidio-repeat 0) needs no Presidio
        presidio = None

    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "presidio_analyzer": presidio,
        "c_passes": native.module is not None,
    }


def summary(r: dict[str, Any]) -> str:
    c = r["corpus"]
    lines = [
        f"dataip screening benchmark — {r['date']} — {r['machine']['cpu_count']} CPUs "
        f"({r['machine']['cpu_model']}), Python {r['machine']['python']}, presidio-analyzer "
        f"{r['machine']['presidio_analyzer']}",
        f"corpus: {c['bytes'] / 1e6:.1f} MB, {c['rows']:,} rows, 12 columns (warm page cache)",
        "",
        f"{'run':<22} {'seconds':>8} {'MB/s':>8} {'MB/CPU-s':>9} {'cores':>6} "
        f"{'vs presidio':>12} {'other CPU s':>12}",
    ]
    for key, x in r["runs"].items():
        lines.append(
            f"{key:<22} {x['seconds']:>8.2f} {x['mb_per_s']:>8.1f} {x['mb_per_cpu_s']:>9.1f} "
            f"{x['cores_used']:>6.2f} {_ratio(x['ratio_to_presidio']):>12} "
            f"{max(x['other_cpu_seconds_all']):>12.1f}"
        )
    a = r["aim"]
    lines.append(
        f"aim ≥ {AIM_MB_S_PER_CORE:g} MB/s per core and ≥ {AIM_RATIO:g}x Presidio: 1 worker "
        f"{a['mb_per_s_one_worker']:.1f} MB/s ({'met' if a['per_core_met'] else 'NOT met'}), "
        f"{_ratio(a['ratio_one_worker'])} ({'met' if a['ratio_met'] else 'NOT met'}); "
        f"2 workers scale {a['scaling_two_workers']:.2f}x"
    )
    lines += ["", f"{'kind':<16} {'dataip P':>9} {'R':>7}   {'presidio P':>10} {'R':>7}"]
    for kind in [*VALUE_KINDS, "all"]:
        d, p = r["accuracy"]["dataip"][kind], (r["accuracy"]["presidio"] or {}).get(kind)
        theirs = f"{p['precision']:>10.4f} {p['recall']:>7.4f}" if p else f"{'-':>10} {'-':>7}"
        lines.append(f"{kind:<16} {d['precision']:>9.4f} {d['recall']:>7.4f}   {theirs}")
    return "\n".join(lines)


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}x"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="dataip runs per worker count (3)")
    p.add_argument(
        "--presidio-repeat", type=int, default=1, help="Presidio runs (1; 0: no baseline)"
    )
    p.add_argument("--dir", type=Path, help="keep the corpus here and reuse it next time")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(p, argv, "screening", mb=0.5, repeat=1, presidio_repeat=0)
    args = p.parse_args(argv)
    if args.mb <= 0 or args.repeat < 1 or args.presidio_repeat < 0:
        p.error("--mb and --repeat must be positive, --presidio-repeat not negative")
    started = time.perf_counter()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="dataip-screen-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        csv_path, labels_path, rows = make_corpus(folder, args.mb)
        size = csv_path.stat().st_size
        with csv_path.open("rb") as f:  # warm the page cache
            while f.read(1 << 24):
                pass

        runs: dict[str, list[dict[str, Any]]] = {
            "dataip_1_worker": [],
            "dataip_2_workers": [],
            "dataip_1_worker_no_c": [],
        }
        for i in range(args.repeat):
            for workers, key in (
                (1, "dataip_1_worker"),
                (2, "dataip_2_workers"),
                (1, "dataip_1_worker_no_c"),
            ):
                run = pure_python if key.endswith("_no_c") else screen_path
                t = timed(lambda w=workers, run=run: run(csv_path, workers=w))
                report = t.pop("value")
                runs[key].append(t)
                say(
                    f"  {key} run {i + 1}: {t['seconds']:.2f}s ({size / t['seconds'] / 1e6:.1f} "
                    f"MB/s), {report.rows:,} rows"
                )
        assert report.rows == rows

        engine = presidio_engine() if args.presidio_repeat else None
        presidio: list[dict[str, Any]] = []
        for i in range(args.presidio_repeat):
            say(f"  presidio run {i + 1} …")
            presidio.append(presidio_run(engine, csv_path, labels_path if i == 0 else None))
            x = presidio[-1]
            say(
                f"  presidio run {i + 1}: {x['seconds']:.1f}s "
                f"({x['bytes'] / x['seconds'] / 1e6:.2f} MB/s), {x['results']:,} results"
            )
        say("  accuracy (dataip, batches of 20,000 rows) …")
        dataip_acc = dataip_accuracy(csv_path, labels_path)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    presidio_s = statistics.median(x["seconds"] for x in presidio) if presidio else None
    presidio_mb_s = presidio[0]["bytes"] / presidio_s / 1e6 if presidio_s else None
    out_runs: dict[str, Any] = {}
    for key, ts in runs.items():
        s = statistics.median(t["seconds"] for t in ts)
        cpu = statistics.median(t["cpu_seconds"] for t in ts)
        out_runs[key] = {
            "seconds": round(s, 3),
            "seconds_all": [round(t["seconds"], 3) for t in ts],
            "mb_per_s": round(size / s / 1e6, 2),
            "cores_used": round(cpu / s, 2),
            "mb_per_cpu_s": round(size / cpu / 1e6, 2),
            "ratio_to_presidio": round((size / s / 1e6) / presidio_mb_s, 2)
            if presidio_mb_s
            else None,
            "other_cpu_seconds_all": [round(t["other_cpu_seconds"], 1) for t in ts],
        }
    if presidio_s is not None and presidio_mb_s is not None:  # not with --presidio-repeat 0
        out_runs["presidio_1_process"] = {
            "seconds": round(presidio_s, 3),
            "seconds_all": [round(x["seconds"], 3) for x in presidio],
            "mb_per_s": round(presidio_mb_s, 2),
            "cores_used": round(presidio[0]["cpu_seconds"] / presidio[0]["seconds"], 2),
            "mb_per_cpu_s": round(presidio[0]["bytes"] / presidio[0]["cpu_seconds"] / 1e6, 2),
            "ratio_to_presidio": 1.0,
            "other_cpu_seconds_all": [round(x["other_cpu_seconds"], 1) for x in presidio],
            "results": presidio[0]["results"],
        }
    one, two = out_runs["dataip_1_worker"], out_runs["dataip_2_workers"]
    result: dict[str, Any] = {
        "benchmark": "dataip sample-data screening vs presidio-analyzer (Chinese patterns)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/screening.py", *(argv or sys.argv[1:])]),
        "options": {"mb": args.mb, "repeat": args.repeat, "presidio_repeat": args.presidio_repeat},
        "machine": machine(),
        "corpus": {"bytes": size, "rows": rows, "seed": SEED, "columns": corpus.HEADER},
        "runs": out_runs,
        "aim": {
            "mb_per_s_one_worker": one["mb_per_s"],
            "per_core_met": one["mb_per_s"] >= AIM_MB_S_PER_CORE,
            "ratio_one_worker": one["ratio_to_presidio"],
            "ratio_met": one["ratio_to_presidio"] is not None
            and one["ratio_to_presidio"] >= AIM_RATIO,
            "scaling_two_workers": round(two["mb_per_s"] / one["mb_per_s"], 2),
        },
        "accuracy": {
            "dataip": dataip_acc,
            "presidio": presidio[0]["accuracy"] if presidio else None,
        },
        "presidio_setup": {
            "nlp_engine": "NoOpNlpEngine",
            "predefined_recognizers": False,
            "pattern_recognizers": PRESIDIO_PATTERNS,
            "stock_recognizers": ["CreditCardRecognizer(zh)", "IpRecognizer(zh)"],
            "unit": "one analyze() call per CSV data line",
        },
        "notes": [
            "MB = 10^6 bytes of CSV; wall times are medians (all in seconds_all)",
            "dataip timings are whole screen_path calls, process-pool start-up included",
            "dataip_1_worker_no_c: the same with the pure-Python passes (the reference "
            "where the C extension is not built)",
            "accuracy: multisets of (row, kind, canonical value) against the corpus labels, "
            "over every row; Presidio's from its first timed run",
            "other_cpu_seconds: CPU other processes used during a run (shared machine)",
        ],
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(summary(result))
    print(f"\nwritten {args.out} (total {result['total_seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
