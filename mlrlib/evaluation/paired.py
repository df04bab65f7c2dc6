"""A paired comparison of two systems on the same queries, and how large an effect it could have seen.

For per-query scores a_i (system) and b_i (baseline) of n queries, with d_i = a_i - b_i, mean d̄ and
standard deviation s:

    difference   d̄,   95% interval  d̄ ± t_{0.975, n-1} · s/√n
    p            two-sided paired t-test (scipy's `ttest_rel`, the test ranx's `compare` runs)
    MDE          the smallest true difference δ the test detects with probability 0.8 at α = 0.05:
                 P(|T| > t_{0.975, n-1}) = 0.8 with T ~ noncentral t(n-1, δ√n/s);
                 close to (t_{0.975} + t_{0.8}) · s/√n ≈ 2.8 · s/√n.

The MDE is what makes a non-significant result readable: "inconclusive, MDE 4.1 points" says that
an effect of 4 points would have been seen 4 times in 5, and that smaller ones may hide in the noise.
Several claims in one notebook are corrected with Holm's step-down method (`holm`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class Paired:
    """One paired comparison: system - baseline on `metric`, over `n` queries."""
    metric: str
    n: int
    difference: float  # mean per-query difference (system - baseline)
    ci_low: float      # 95% t interval of the difference
    ci_high: float
    p: float           # two-sided paired t-test; 1.0 when the two systems never differ
    mde: float         # minimum detectable effect (80% power, α = 0.05); nan when they never differ

    @property
    def significant(self) -> bool:
        return self.p < ALPHA


def paired_comparison(system: Sequence[float], baseline: Sequence[float], metric: str = "",
                      alpha: float = ALPHA, power: float = POWER) -> Paired:
    """Compare per-query scores of two systems (same queries, same order)."""
    a, b = np.asarray(system, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"paired_comparison needs two equal-length 1-d score arrays of at least 2 queries, "
                         f"got shapes {a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("paired_comparison got nan scores; every query needs a score from both systems")
    d = a - b
    n, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    if sd <= 1e-12 * max(1.0, abs(mean)):  # constant differences (up to float noise): no spread to test
        return Paired(metric, n, mean, mean, mean, 1.0 if mean == 0 else 0.0, float("nan"))
    se = sd / np.sqrt(n)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * se
    p = float(stats.ttest_rel(a, b).pvalue)
    return Paired(metric, n, mean, float(mean - half), float(mean + half), p,
                  minimum_detectable_effect(sd, n, alpha, power))


def minimum_detectable_effect(sd: float, n: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """The true mean difference a two-sided paired t-test on n queries (differences of standard
    deviation `sd`) detects with probability `power` at level `alpha`."""
    df, crit = n - 1, stats.t.ppf(1 - alpha / 2, n - 1)

    def shortfall(effect: float) -> float:
        shift = effect * np.sqrt(n) / sd
        return stats.nct.sf(crit, df, shift) + stats.nct.cdf(-crit, df, shift) - power

    rough = (crit + stats.t.ppf(power, df)) * sd / np.sqrt(n)  # the normal-approximation answer
    high = rough
    for _ in range(30):
        gap = shortfall(high)
        if gap != gap:  # nan: the noncentral t failed this far out (tiny n); keep the approximation
            return float(rough)
        if gap >= 0:
            return float(optimize.brentq(shortfall, 0.0, high))
        high *= 1.5
    return float(rough)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error ≤ α over the family); nan stays nan."""
    p = np.asarray(pvalues, dtype=float)
    known = np.flatnonzero(~np.isnan(p))
    order = known[np.argsort(p[known], kind="stable")]
    adjusted = np.full(len(p), np.nan)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()
