"""Comparing trained systems: metric tables of named models with paired tests, and seed summaries."""
from __future__ import annotations

import numpy as np
import pandas as pd
from ranx import Run

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.metrics import METRICS, evaluate_runs, per_query, ranx_run
from mlrlib.evaluation.paired import Paired, seeded_comparison

_RANX_NAME = {shown: ranx for ranx, shown in METRICS.items()}


def evaluate(data: RetrievalData, models: dict, split: str, extra_runs=(), baseline: str | None = None) -> pd.DataFrame:
    """Long metric table (ranx) of `models` on `split` (systems named by their keys), paired
    tests against `baseline`."""
    runs = [_renamed(m.runs[split], name) for name, m in models.items()] + list(extra_runs)
    return evaluate_runs(data.split(split).qrels, runs, baseline=baseline)


def query_scores(qrels: dict, runs: Run | list[Run], metric: str = "MRR@10") -> np.ndarray:
    """Per-query `metric` of a system in the order of `qrels`; a list of runs (one per seed) gives
    each query's mean over the seeds."""
    runs = runs if isinstance(runs, list) else [runs]
    name = _RANX_NAME.get(metric, metric)
    ordered = {q: qrels[q] for q in sorted(qrels)}
    return np.mean([per_query(ordered, run, (name,))[name] for run in runs], axis=0)


def compare_runs(qrels: dict, system: Run | list[Run], baseline: Run | list[Run], metric: str = "MRR@10") -> Paired:
    """Paired comparison (difference, 95% CI, p, MDE) of two systems on the judged queries of `qrels`.
    With lists of runs (the same seeds for both, in the same order) the seeds' variance enters the interval
    (`paired.seeded_comparison`)."""
    def table(runs):
        return np.stack([query_scores(qrels, r, metric) for r in (runs if isinstance(runs, list) else [runs])], 1)
    return seeded_comparison(table(system), table(baseline), metric)


def _renamed(run: Run, name: str) -> Run:
    return run if run.name == name else ranx_run(run.to_dict(), name=name)


def seed_summary(per_seed: pd.DataFrame, baseline: str, other: str,
                 metrics=("Top-1", "Top-5", "Top-20", "Top-100", "MRR@10")) -> pd.DataFrame:
    """Mean ± std over seeds of each system, and of the per-seed difference other - baseline.

    per_seed: long table with columns seed, system, metric, value, significant.
    """
    d = per_seed[per_seed.metric.isin(metrics)]
    wide = d.pivot_table(index=["seed", "metric"], columns="system", values="value")
    wide[f"{other} − {baseline}"] = wide[other] - wide[baseline]
    sig = d[d.system == other].set_index(["seed", "metric"]).significant
    rows = {}
    for col in (baseline, other, f"{other} − {baseline}"):
        by_metric = wide[col].groupby(level="metric")
        rows[col] = {m: f"{100 * by_metric.mean()[m]:+.1f} ± {100 * by_metric.std(ddof=1)[m]:.1f}"
                     if "−" in col else f"{100 * by_metric.mean()[m]:.1f} ± {100 * by_metric.std(ddof=1)[m]:.1f}"
                     for m in metrics}
    rows["seeds with p < 0.05"] = {m: f"{int(sig.xs(m, level='metric').sum())} of "
                                      f"{wide.index.get_level_values('seed').nunique()}"
                                   for m in metrics}
    return pd.DataFrame(rows).T[list(metrics)]


def seed_deltas(per_seed: pd.DataFrame, baseline: str, other: str, metric: str) -> np.ndarray:
    """Per-seed difference other - baseline of `metric` (seed order)."""
    v = per_seed[per_seed.metric == metric].pivot(index="seed", columns="system", values="value")
    return (v[other] - v[baseline]).to_numpy()


