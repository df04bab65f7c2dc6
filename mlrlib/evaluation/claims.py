"""Claims and verdicts: one row per claim of a paper, and the comparisons the rows rest on.

Every study's `claims_table` is a list of `claim_row`s; a comparison between two systems reads its
difference and paired significance through `difference` and says it in words through `significance`.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

CLAIM_COLUMNS = ("claim (paper)", "paper", "here", "holds")


def claim_row(claim: str, paper: str, here: str, holds: bool | None) -> dict:
    """One row of a claims table. holds: True / False, or None where the paper gives a number to set
    beside ours rather than a claim to check ("n/a")."""
    verdict = "n/a" if holds is None else "yes" if holds else "no"
    return dict(zip(CLAIM_COLUMNS, (claim, paper, here, verdict)))


def percent(x: float) -> str:
    """A metric in [0, 1] as the tables show it: 0.7654 -> "76.5"."""
    return f"{100 * x:.1f}"


def significance(significant: bool, word: str = "significant") -> str:
    """"significant" or "not significant" (or another `word`, e.g. "significantly different")."""
    return word if significant else f"not {word}"


def difference(test: pd.DataFrame, system: str, baseline: str, metric: str = "MRR@10") -> tuple[float, bool]:
    """(metric of system - metric of baseline, whether the paired test says p < 0.05); `test` must have
    been evaluated with `baseline` as its baseline."""
    v = test[test.metric == metric].set_index("system")
    return float(v.loc[system, "value"] - v.loc[baseline, "value"]), bool(v.loc[system, "significant"])


def best_on_dev(dev: pd.DataFrame, candidates: Sequence[str], metric: str = "MRR@10") -> str | None:
    """The candidate with the highest dev `metric`; on a tie the first (list the simplest first).
    None when there is no candidate. Model selection never looks at the test split."""
    values = dev[dev.metric == metric].set_index("system").value
    return max(candidates, key=lambda n: values[n], default=None)
