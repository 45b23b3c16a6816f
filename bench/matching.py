"""Benchmark service matching (issue 23 §4): a need's matches at 100,000 registrations, with
10,000 needs asked, against a naive scan in the same run.

    python bench/matching.py                          # 100,000 registrations x 10,000 needs
    python bench/matching.py --registrations 20000    # smaller
    python bench/matching.py --smoke                  # seconds; CI runs it

The corpus is made here, deterministically (`--seed`): each registration and each need takes
one of the labelled set's 72 topics (tests/data/matching/) and varies it — a place, a time
span, a granularity, two to four extra words from the topic's own pool and from the whole
pool — so the vocabulary, the document lengths and the term statistics are those of real
filings rather than random strings. Steps, each timed: segmenting every text (jieba search
mode, `matching.terms`: what a server pays once per text, then caches), building the bm25s
index (`matching.Index`: what a rebuild costs after the corpus changes), then every need
asked once (`Index.search`, top 10, filtered to registrations valid on the need's first day
— what `GET /needs/{id}/matches` does after its cheap freshness check). The baseline is the
obvious scan: for each need, every registration's word set intersected with the need's,
ranked by the number of shared words (`heapq.nlargest`); being O(registrations) in Python it
runs on a fixed sample of the needs (`--naive-sample`), and BM25's latency is reported on
the same sample too. The labelled set's nDCG@10 is reported for both rankers. One process,
one core. Results: bench/results/matching.json (`matching`; issue 23's distribution timing
goes beside it under its own key).
"""

from __future__ import annotations

import argparse
import heapq
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.unit.matching import labelled  # noqa: E402

from dataip.matching import Doc, Filters, Index, ndcg_at, terms  # noqa: E402
from smoke import add_smoke_option  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results" / "matching.json"
PLACES = [
    "贵阳市",
    "遵义市",
    "六盘水市",
    "安顺市",
    "毕节市",
    "铜仁市",
    "凯里市",
    "都匀市",
    "兴义市",
    "贵安新区",
    "杭州市",
    "苏州市",
]
SPANS = [
    "2019年至2021年",
    "2020年至2023年",
    "2021年以来",
    "2022年全年",
    "近三年",
    "近五年",
    "2024年上半年",
]
GRAINS = ["按日", "按小时", "按周", "按月", "五分钟粒度", "分区县", "分网格", "分企业"]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_percentile(values, 0.50) * 1000, 3),
        "p95_ms": round(_percentile(values, 0.95) * 1000, 3),
        "p99_ms": round(_percentile(values, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
    }


def corpus(n_regs: int, n_needs: int, seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Registrations (text, industry, region, valid-until ordinal) and need texts."""
    rng = random.Random(seed)
    names = labelled.industry_names()
    topics = labelled.registrations()
    pool = [w for t in topics for w in terms(t["name"] + t["description"])]
    regs = []
    for i in range(n_regs):
        t = topics[i % len(topics)]
        extra = " ".join(rng.sample(pool, rng.randint(2, 4)))
        name = f"{rng.choice(PLACES)}{t['name']}"
        text = (
            f"{name} {name} {names.get(t['industry_code'], '')} "
            f"{t['description']}，{rng.choice(SPANS)}{rng.choice(GRAINS)}汇总 {extra}"
        )
        regs.append(
            {
                "text": text,
                "industry": t["industry_code"],
                "region": rng.choice(["520100", "520300", "520400", "330100", "320500"]),
                "valid_until": 739_000 + rng.randint(0, 1500),
            }
        )
    needs = labelled.needs()
    out = []
    for i in range(n_needs):
        n = needs[i % len(needs)]
        extra = " ".join(rng.sample(pool, rng.randint(1, 3)))
        out.append(f"{n.title} {n.data_wanted} {rng.choice(SPANS)} {extra}")
    return regs, out


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    got = fn()
    return got, time.perf_counter() - start


def naive_top(query: set[str], docs: Sequence[frozenset[str]], k: int = 10) -> list[int]:
    """The baseline: every document's count of shared words, the k largest."""
    return [i for _, i in heapq.nlargest(k, ((len(query & d), i) for i, d in enumerate(docs)))]


def labelled_ndcg() -> dict[str, float]:
    names = labelled.industry_names()
    index = labelled.bm25_index()
    docs = [
        (int(r["id"]), frozenset(labelled.registration_doc(r, names).words))
        for r in labelled.registrations()
    ]
    bm25, naive = [], []
    for n in labelled.needs():
        words = labelled.need_words(n, names)
        bm25.append(ndcg_at([h.key for h in index.search(words, k=10)], n.grades))
        top = naive_top(set(words), [d for _, d in docs])
        naive.append(ndcg_at([docs[i][0] for i in top], n.grades))
    return {
        "bm25": round(statistics.fmean(bm25), 4),
        "naive_overlap": round(statistics.fmean(naive), 4),
        "needs": len(bm25),
    }


def run_matching(args: argparse.Namespace) -> dict[str, Any]:
    regs, needs = corpus(args.registrations, args.needs, args.seed)
    reg_words, t_seg = _timed(lambda: [tuple(terms(r["text"])) for r in regs])
    need_words, t_seg_needs = _timed(lambda: [terms(t) for t in needs])
    docs = [
        Doc(
            i,
            w,
            industry_code=r["industry"],
            section="",
            region=r["region"],
            valid_until=r["valid_until"],
        )
        for i, (r, w) in enumerate(zip(regs, reg_words, strict=True))
    ]
    index, t_build = _timed(lambda: Index(docs))
    day = Filters(valid_on=739_600)
    latencies = []
    for words in need_words:
        _, t = _timed(lambda words=words: index.search(words, k=10, filters=day))
        latencies.append(t)
    rng = random.Random(args.seed + 1)
    sample = sorted(rng.sample(range(len(need_words)), min(args.naive_sample, len(need_words))))
    sets = [frozenset(w) for w in reg_words]
    naive, same = [], []
    for i in sample:
        query = set(need_words[i])
        _, t = _timed(lambda query=query: naive_top(query, sets))
        naive.append(t)
        same.append(latencies[i])
    bm25_p95, naive_p95 = _percentile(same, 0.95), _percentile(naive, 0.95)
    return {
        "registrations": len(regs),
        "needs": len(needs),
        "segmentation_s": {
            "registrations": round(t_seg, 2),
            "needs": round(t_seg_needs, 2),
            "per_text_ms": round(t_seg / len(regs) * 1000, 3),
        },
        "index_build_s": round(t_build, 3),
        "bm25_all_needs": _ms(latencies),
        "naive_sample": len(sample),
        "bm25_on_naive_sample": _ms(same),
        "naive_scan": _ms(naive),
        "speedup_p95": round(naive_p95 / bm25_p95, 1) if bm25_p95 else None,
        "labelled_ndcg_at_10": labelled_ndcg(),
    }


# issue 23: each part of the benchmark under its own key (the distribution's goes here too)
SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "matching": run_matching,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(parser, argv, "matching", registrations=2_000, needs=200, naive_sample=50)
    args = parser.parse_args(argv)
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "command": " ".join(sys.argv),
    }
    for name, section in SECTIONS.items():
        result[name] = section(args)
        print(json.dumps({name: result[name]}, ensure_ascii=False, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
