"""Claims and verdicts: one row per claim of a paper, and the comparisons the rows rest on."""
from __future__ import annotations

import pandas as pd


def difference(test: pd.DataFrame, system: str, baseline: str, metric: str = "MRR@10") -> tuple[float, bool]:
    """(metric of system - metric of baseline, whether the paired test says p < 0.05); `test` must have
    been evaluated with `baseline` as its baseline."""
    v = test[test.metric == metric].set_index("system")
    return float(v.loc[system, "value"] - v.loc[baseline, "value"]), bool(v.loc[system, "significant"])
