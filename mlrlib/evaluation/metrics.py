"""IR metrics with ranx: Top-k accuracy, MRR@10, nDCG@10, Recall@100, CIs and paired tests.

Top-k accuracy (DPR) is ranx's `hit_rate@k`: a query counts as a hit when any relevant
passage is among its top k.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from ranx import Qrels, Run, compare, evaluate

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.methods.bm25 import BM25
from mlrlib.methods.search import search

warnings.filterwarnings("ignore", message=".*unsafe cast.*")  # numba noise inside ranx

METRICS = {"hit_rate@1": "Top-1", "hit_rate@5": "Top-5", "hit_rate@20": "Top-20", "hit_rate@100": "Top-100",
           "mrr@10": "MRR@10", "ndcg@10": "nDCG@10", "recall@100": "R@100"}


# ranx's constructors store the passage ids as numpy arrays of fixed-width strings, so its numba kernels take the
# longest id's length as part of their type: every run whose longest id has a new length compiled (or loaded from
# numba's cache) another set of kernels, 20-30 MiB each that the process keeps (over notebook 01's seven zero-shot
# [CLS] runs a process grew 276 MiB, and 127 MiB built as below, measured). Built through `add_multi`, the ids are
# plain strings to numba: one set of kernels serves every run and qrels, and `compile_metrics` can put all of them
# in the cache.
# Order and ties are the constructor's (both insert, then sort by ranx's own sort: `test_metrics`).


def ranx_run(run: dict[str, dict[str, float]], name: str | None = None) -> Run:
    """A ranx Run of {query: {passage: score}}, its ids plain strings to numba (see above)."""
    out = Run(name=name)
    if run:
        out.add_multi(list(run), [list(hits) for hits in run.values()], [list(hits.values()) for hits in run.values()])
    return out


def ranx_qrels(qrels: dict[str, dict[str, int]]) -> Qrels:
    """A ranx Qrels of {query: {passage: relevance}}, its ids plain strings to numba (see above)."""
    out = Qrels()
    out.add_multi(list(qrels), [list(rels) for rels in qrels.values()],
                  [list(rels.values()) for rels in qrels.values()])
    return out


def make_run(query_ids, hits: np.ndarray, scores: np.ndarray, corpus_ids, name: str) -> Run:
    """A ranx Run from search output (passage indices and scores, one row per query)."""
    run = {q: {corpus_ids[int(p)]: float(s) for p, s in zip(row, srow) if p >= 0}
           for q, row, srow in zip(query_ids, hits, scores)}
    return ranx_run(run, name=name)


def search_run(name: str, query_ids, queries: np.ndarray, passages: np.ndarray, corpus_ids, k: int = 100) -> Run:
    """Search (single- or multi-vector, exact) and wrap the top k of each query as a ranx Run."""
    scores, hits = search(queries, passages, k)
    return make_run(query_ids, hits, scores, corpus_ids, name)


def per_query(qrels: dict, run: Run, metrics=tuple(METRICS)) -> dict[str, np.ndarray]:
    """Per-query scores (same query order as the run's) for each metric."""
    out = evaluate(ranx_qrels(qrels), run, list(metrics), return_mean=False, make_comparable=True)
    return out if isinstance(out, dict) else {metrics[0]: out}


def bootstrap_ci(values: np.ndarray, n: int = 1000, seed: int = 0, level: float = 0.95):
    """Percentile bootstrap confidence interval of the mean over queries."""
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(n, len(values)), replace=True).mean(1)
    return tuple(np.quantile(means, [(1 - level) / 2, (1 + level) / 2]))


def evaluate_runs(qrels: dict, runs: list[Run], baseline: str | None = None, max_p: float = 0.05,
                  metrics=tuple(METRICS), seed: int = 0) -> pd.DataFrame:
    """One row per system: mean, 95% bootstrap CI, and the two-sided paired t-test's p-value
    against `baseline` (ranx `compare`, stat_test="student") for each metric.

    Not ranx's Fisher randomisation test: its permutations run in numba, whose random
    state `random_seed` does not reach, so its p-values change from run to run."""
    rows = []
    pvals = {}
    if baseline and len(runs) > 1:
        report = compare(ranx_qrels(qrels), runs, list(metrics), stat_test="student", max_p=max_p,
                         random_seed=seed, make_comparable=True).to_dict()
        pvals = {r.name: report[baseline]["comparisons"].get(r.name, {}) for r in runs if r.name != baseline}
    for run in runs:
        scores = per_query(qrels, run, metrics)
        for m in metrics:
            lo, hi = bootstrap_ci(scores[m], seed=seed)
            p = pvals.get(run.name, {}).get(m, np.nan)
            rows.append({"system": run.name, "metric": METRICS.get(m, m), "value": float(scores[m].mean()),
                         "ci_low": float(lo), "ci_high": float(hi), "p_vs_baseline": float(p),
                         "significant": bool(p < max_p) if p == p else False})
    return pd.DataFrame(rows)


def metric_table(long: pd.DataFrame, metrics=("Top-1", "Top-5", "Top-20", "Top-100", "MRR@10")) -> pd.DataFrame:
    """Wide table for reading: value in %, 95% CI half-width, '*' where p < 0.05 vs the baseline."""
    def cell(r):
        return f"{100 * r.value:.1f} ±{50 * (r.ci_high - r.ci_low):.1f}{'*' if r.significant else ''}"
    wide = long[long.metric.isin(metrics)].assign(cell=lambda d: d.apply(cell, axis=1))
    table = wide.pivot(index="system", columns="metric", values="cell")
    order = list(dict.fromkeys(long.system))
    return table.loc[order, [m for m in metrics if m in table.columns]]


TOP_K = 100


def compile_metrics() -> None:
    """Compile every numba function of ranx that `evaluate_runs` calls into numba's on-disk cache (ranx asks for
    `cache=True`), by evaluating two tiny runs. A later process loads them instead of compiling: a process's first
    evaluation held 377 MiB more when it compiled them and 106 MiB when it loaded them (LLVM), measured. Binder's
    postBuild runs it (`python -m mlrlib compile-metrics`)."""
    rng = np.random.default_rng(0)
    ids = [f"d{i}" for i in range(20)]
    qrels = {f"q{i}": {f"d{(i + j) % 20}": 1 for j in range(2)} for i in range(4)}
    hits = np.argsort(rng.random((4, 20)), axis=1)[:, :10]
    runs = [make_run(list(qrels), hits, rng.random((4, 10)), ids, name) for name in "abc"]
    evaluate_runs(qrels, runs, baseline="a")


def run_of(name, data, split, q_vecs, p_vecs, k=TOP_K):
    return search_run(name, data.split(split).ids, q_vecs, p_vecs, data.corpus_ids, k)


def bm25_run(data: RetrievalData, split: str, bm25: BM25 | None = None):
    bm25 = bm25 or BM25(data.corpus_texts)
    ids, texts, _ = data.split(split)
    scores, hits = bm25.search(texts, TOP_K)
    return make_run(ids, hits, scores, data.corpus_ids, "BM25")
