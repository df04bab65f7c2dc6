"""A paired comparison of two systems on the same queries (and seeds), and how large an effect it could have seen.

One seed. For per-query scores a_i (system) and b_i (baseline) of n queries, with d_i = a_i - b_i, mean d̄ and
standard deviation s:

    difference   d̄,   95% interval  d̄ ± t_{0.975, n-1} · s/√n
    p            two-sided paired t-test (scipy's `ttest_rel`, the test ranx's `compare` runs)
    MDE          the smallest true difference δ the test detects with probability 0.8 at level α:
                 P(|T| > t_{1-α/2, df}) = 0.8 with T ~ noncentral t(df, δ/se);
                 close to (t_{1-α/2} + t_{0.8}) · se ≈ 2.8 · se at α = 0.05.

Several seeds (S seeds, the same for both systems: each seed trains both on the same batches). The differences
d_qs of query q under seed s follow a two-way random-effects model d_qs = δ + a_q + b_s + e_qs (query, seed and
their interaction), and the grand mean d̄ has

    Var(d̄) = σ²_a/Q + σ²_b/S + σ²_e/(QS) = (MS_query + MS_seed - MS_resid) / (QS)

from the mean squares of the two-way table (each variance component floored at 0, as ANOVA estimators are). Its
t statistic d̄ / √Var(d̄) is read against Satterthwaite's degrees of freedom for that combination of mean squares
(`seeded_comparison`). When the seeds disagree, MS_seed dominates and the degrees of freedom fall towards S - 1 = 2:
three seeds at -12.2, -8.4 and -4.5 points give p ≈ 0.06, as a t-test over the three seed means does. When they
agree, the seed term vanishes and the test is the one-seed paired t-test over queries again, with its power.
docs/methods.md#statistics says why this and not a bootstrap over seeds.

The MDE is what makes a non-significant result readable: "inconclusive, MDE 4.1 points" says that an effect of
4 points would have been seen 4 times in 5, and that smaller ones may hide in the noise. Several claims in one
notebook are corrected with Holm's step-down method (`holm`); a claim's MDE is then computed at the level of its
Holm step (`holm_levels`), the α its own p is held against.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, stats

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class Paired:
    """One paired comparison: system - baseline on `metric`, over `n` queries and `seeds` seeds."""
    metric: str
    n: int
    difference: float  # mean per-query difference (system - baseline), over queries and seeds
    ci_low: float      # 95% t interval of the difference
    ci_high: float
    p: float           # two-sided t-test; 1.0 when the two systems never differ
    mde: float         # minimum detectable effect (80% power, at `alpha`); nan when they never differ
    se: float = float("nan")   # standard error of the difference (seed variance included)
    df: float = float("nan")   # its degrees of freedom (n - 1 for one seed; Satterthwaite's for several)
    seeds: int = 1
    alpha: float = ALPHA       # the level the MDE is computed at

    @property
    def significant(self) -> bool:
        return self.p < ALPHA

    def at_level(self, alpha: float) -> Paired:
        """The same comparison with its MDE computed at level `alpha` (e.g. a Holm step's)."""
        if self.se != self.se or self.mde != self.mde:
            return replace(self, alpha=alpha)
        return replace(self, alpha=alpha, mde=minimum_detectable_effect_se(self.se, self.df, alpha))


def paired_comparison(system: Sequence[float], baseline: Sequence[float], metric: str = "",
                      alpha: float = ALPHA, power: float = POWER) -> Paired:
    """Compare per-query scores of two systems (same queries, same order), one seed."""
    a, b = np.asarray(system, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"paired_comparison needs two equal-length 1-d score arrays of at least 2 queries, "
                         f"got shapes {a.shape} and {b.shape}")
    return seeded_comparison(a[:, None], b[:, None], metric, alpha, power)


def seeded_comparison(system, baseline, metric: str = "", alpha: float = ALPHA, power: float = POWER) -> Paired:
    """Compare per-query scores of two systems over queries and seeds: arrays of shape (queries, seeds), the same
    seed in the same column of both (see the module docstring for the model)."""
    a, b = np.asarray(system, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] < 2 or a.shape[1] < 1:
        raise ValueError(f"seeded_comparison needs two (queries, seeds) score arrays of the same shape with at "
                         f"least 2 queries, got shapes {a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("paired_comparison got nan scores; every query needs a score from both systems")
    d = a - b
    (n, seeds), mean = d.shape, float(d.mean())
    if float(np.abs(d - mean).max()) <= 1e-12 * max(1.0, abs(mean)):  # constant differences: no spread to test
        return Paired(metric, n, mean, mean, mean, 1.0 if mean == 0 else 0.0, float("nan"), 0.0, float(n - 1),
                      seeds, alpha)
    se, df = _standard_error(d)
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    p = float(2 * stats.t.sf(abs(mean) / se, df))
    return Paired(metric, n, mean, mean - half, mean + half, p, minimum_detectable_effect_se(se, df, alpha, power),
                  se, df, seeds, alpha)


def _standard_error(d: np.ndarray) -> tuple[float, float]:
    """(standard error of the grand mean, degrees of freedom) of a (queries, seeds) table of differences."""
    n, seeds = d.shape
    if seeds == 1:
        return float(d[:, 0].std(ddof=1) / np.sqrt(n)), float(n - 1)
    by_query, by_seed, grand = d.mean(1), d.mean(0), d.mean()
    ms_query = seeds * float(((by_query - grand) ** 2).sum()) / (n - 1)
    ms_seed = n * float(((by_seed - grand) ** 2).sum()) / (seeds - 1)
    resid = d - by_query[:, None] - by_seed[None, :] + grand
    ms_resid = float((resid ** 2).sum()) / ((n - 1) * (seeds - 1))
    # Var(d̄)·QS = MS_q·[σ²_a > 0] + MS_s·[σ²_b > 0] + MS_r·(1 - [σ²_a > 0] - [σ²_b > 0]): a floored component
    # leaves its mean square out, and MS_resid stands in for what it no longer subtracts
    use_q, use_s = ms_query > ms_resid, ms_seed > ms_resid
    terms = [(1.0 if use_q else 0.0, ms_query, n - 1), (1.0 if use_s else 0.0, ms_seed, seeds - 1),
             (1.0 - use_q - use_s, ms_resid, (n - 1) * (seeds - 1))]
    total = sum(c * ms for c, ms, _ in terms)
    df = total ** 2 / sum((c * ms) ** 2 / k for c, ms, k in terms if c)  # Satterthwaite
    return float(np.sqrt(total / (n * seeds))), float(min(max(df, 1.0), n * seeds - 1))


def minimum_detectable_effect(sd: float, n: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """The true mean difference a two-sided paired t-test on n queries (differences of standard
    deviation `sd`) detects with probability `power` at level `alpha`."""
    return minimum_detectable_effect_se(sd / np.sqrt(n), n - 1, alpha, power)


def minimum_detectable_effect_se(se: float, df: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """The true difference a two-sided t-test of standard error `se` on `df` degrees of freedom detects with
    probability `power` at level `alpha`."""
    crit = stats.t.ppf(1 - alpha / 2, df)

    def shortfall(effect: float) -> float:
        shift = effect / se
        return stats.nct.sf(crit, df, shift) + stats.nct.cdf(-crit, df, shift) - power

    rough = (crit + stats.t.ppf(power, df)) * se  # the normal-approximation answer
    high = rough
    for _ in range(30):
        gap = shortfall(high)
        if gap != gap:  # nan: the noncentral t failed this far out (tiny df); keep the approximation
            return float(rough)
        if gap >= 0:
            try:
                return float(optimize.brentq(shortfall, 0.0, high))
            except ValueError:  # the noncentral t gave nan inside the bracket (tiny df, tiny α)
                return float(rough)
        high *= 1.5
    return float(rough)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error ≤ α over the family); nan stays nan."""
    p = np.asarray(pvalues, dtype=float)
    order = _holm_order(p)
    adjusted = np.full(len(p), np.nan)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def holm_levels(pvalues: Sequence[float], alpha: float = ALPHA) -> list[float]:
    """The level each p is held against at its Holm step: α/m for the smallest, α/(m-1) for the next, ..., α for
    the largest (nan for a nan p). A claim's MDE at this level is the effect it could have detected as the family
    is corrected."""
    p = np.asarray(pvalues, dtype=float)
    order = _holm_order(p)
    levels = np.full(len(p), np.nan)
    for rank, i in enumerate(order):
        levels[i] = alpha / (len(order) - rank)
    return levels.tolist()


def _holm_order(p: np.ndarray) -> np.ndarray:
    known = np.flatnonzero(~np.isnan(p))
    return known[np.argsort(p[known], kind="stable")]
