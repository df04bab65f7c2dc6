"""Per-query metric values of every system a notebook evaluates: the evidence its claims table is rebuilt from.

One long table per study, `results/<study>/per_query.csv.gz`, with a row per (system, seed, split, query_id,
metric) and its `value` (a query's Top-k hit, 0 or 1, or its reciprocal rank). Systems are named as in the
notebook's tables; `seed` is the training seed (0 for a system that was not trained, such as BM25). Values are
rounded to 6 decimals before anything is computed from them, so a table rebuilt from the file (`python -m mlrlib
claims`) is the table the notebook printed.
"""
from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from ranx import Run

from mlrlib.evaluation.metrics import METRICS, per_query

PER_QUERY_FILE = "per_query.csv.gz"
COLUMNS = ("system", "seed", "split", "query_id", "metric", "value")
TABLE_METRICS = ("Top-1", "Top-5", "Top-20", "Top-100", "MRR@10")
_RANX_NAME = {shown: ranx for ranx, shown in METRICS.items()}
DECIMALS = 6


class PerQuery:
    """The per-query values a notebook has recorded so far (`add`, `add_values`), as one table (`frame`).

    Recording the same (system, seed, split, query, metric) twice is fine when the values agree, and an error
    when they do not: two different systems were given one name.
    """

    def __init__(self, frame: pd.DataFrame | None = None):
        self._parts: list[pd.DataFrame] = [] if frame is None else [frame[list(COLUMNS)]]
        self._frame: pd.DataFrame | None = None

    def add(self, system: str, runs: Run | Sequence[Run], qrels: dict, split: str, seeds: Sequence[int] = (0,),
            metrics: Sequence[str] = TABLE_METRICS) -> None:
        """Record `system`'s per-query `metrics` on the judged queries of `qrels`: one run, or one run per seed
        (`seeds` in the same order)."""
        runs = [runs] if isinstance(runs, Run) else list(runs)
        if len(runs) != len(seeds):
            raise ValueError(f"{system}: {len(runs)} runs for {len(seeds)} seeds {list(seeds)}")
        ordered = {q: qrels[q] for q in sorted(qrels)}
        names = [_RANX_NAME.get(m, m) for m in metrics]
        for run, seed in zip(runs, seeds):
            scores = per_query(ordered, run, tuple(names))
            for shown, name in zip(metrics, names):
                self.add_values(system, seed, split, list(ordered), shown, scores[name])

    def add_mean(self, system: str, runs: Sequence[Run], qrels: dict, split: str, seed: int = 0,
                 metrics: Sequence[str] = TABLE_METRICS) -> None:
        """Record the per-query mean of several runs of one seed (e.g. one model's layers 1..3) as one system."""
        ordered = {q: qrels[q] for q in sorted(qrels)}
        for shown in metrics:
            name = _RANX_NAME.get(shown, shown)
            mean = np.mean([per_query(ordered, run, (name,))[name] for run in runs], axis=0)
            self.add_values(system, seed, split, list(ordered), shown, mean)

    def add_values(self, system: str, seed: int, split: str, query_ids: Sequence[str], metric: str,
                   values: Sequence[float]) -> None:
        """Record per-query values computed elsewhere (the same order as `query_ids`)."""
        if len(query_ids) != len(values):
            raise ValueError(f"{system}: {len(values)} values for {len(query_ids)} queries")
        self._parts.append(pd.DataFrame({"system": system, "seed": int(seed), "split": split,
                                         "query_id": [str(q) for q in query_ids], "metric": metric,
                                         "value": np.round(np.asarray(values, dtype=float), DECIMALS)}))
        self._frame = None

    def frame(self) -> pd.DataFrame:
        """Every recorded value, once, sorted (system, seed, split, metric, query_id)."""
        if self._frame is None:
            self._frame = _deduplicated(pd.concat(self._parts, ignore_index=True) if self._parts
                                        else pd.DataFrame(columns=list(COLUMNS)))
        return self._frame

    def scores(self, system: str, split: str, metric: str, seeds: Sequence[int]) -> pd.DataFrame:
        """(query_id x seed) table of `system`'s values; a clear error when a seed or the system is missing."""
        f = self.frame()
        rows = f[(f.system == system) & (f.split == split) & (f.metric == metric)]
        if rows.empty:
            known = sorted(f[f.split == split].system.unique())
            raise KeyError(f"no per-query {metric} of system {system!r} on split {split!r}; recorded: {known}")
        table = rows.pivot(index="query_id", columns="seed", values="value")
        missing = [s for s in seeds if s not in table.columns]
        if missing:
            raise KeyError(f"system {system!r} on {split!r} has no per-query values for seed(s) {missing}")
        return table[list(seeds)]

    def write(self, path: Path) -> None:
        """Write the table gzipped, atomically (a reader never sees half a file), byte-identical for equal tables."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        text = self.frame().to_csv(index=False, float_format=f"%.{DECIMALS}g")
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(text.encode())
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> PerQuery:
        with gzip.open(path, "rb") as f:
            frame = pd.read_csv(io.BytesIO(f.read()), dtype={"system": str, "split": str, "query_id": str,
                                                             "metric": str, "seed": int, "value": float})
        return cls(frame)


def _deduplicated(frame: pd.DataFrame) -> pd.DataFrame:
    key = ["system", "seed", "split", "query_id", "metric"]
    frame = frame.assign(seed=frame.seed.astype(int), value=frame.value.astype(float).round(DECIMALS))
    spread = frame.groupby(key).value.agg(["min", "max"])
    clash = spread[spread["max"] - spread["min"] > 10 ** -DECIMALS]
    if len(clash):
        system, seed, split, query, metric = clash.index[0]
        raise ValueError(f"two different per-query values recorded for {system!r} (seed {seed}, {split}, query "
                         f"{query}, {metric}): name the two systems apart")
    return frame.drop_duplicates(key).sort_values(["system", "seed", "split", "metric", "query_id"],
                                                  kind="stable").reset_index(drop=True)
