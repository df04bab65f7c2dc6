"""Claims and verdicts: one row per claim of a paper, tested on the per-query values a notebook recorded.

A `Claim` names what it compares (`Test`: system, baseline, metric, split, seeds), the paper's own effect in that
metric, and the `Premise` without which its test cannot speak to the paper's mechanism. `claims_frame` computes
each row from a `PerQuery` table alone (so `python -m mlrlib claims` rebuilds it from the committed
`per_query.csv.gz`): the seed-aware paired comparison (`evaluation.paired.seeded_comparison`), Holm over the
table's directional claims, the MDE at the claim's Holm step, the effect ratio, and one of six verdicts
(docs/methods.md#verdicts):

- supported / contradicted: significant after Holm, in / against the paper's direction;
- ruled out: not significant in the paper's direction, and the 95% interval's bound in that direction lies short
  of the paper's effect (a one-sided minimum-effect test at 2.5%): "the paper's gain, if any here, is under X";
- not testable here: the premise, measured on dev, fails (the test is still shown);
- inconclusive: none of the above (the MDE says what the split could have seen);
- measured: a cost or a property read directly.
Equivalence claims ("within 1%") are decided by their interval against the margin.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from mlrlib.evaluation.paired import ALPHA, Paired, holm, holm_levels, seeded_comparison
from mlrlib.evaluation.per_query import PerQuery

CLAIM_COLUMNS = ("claim (paper)", "paper", "here", "system", "baseline", "metric", "seeds", "paper effect",
                 "difference", "95% CI", "p (Holm)", "MDE", "effect ratio", "premise", "verdict")
VERDICTS = ("supported", "contradicted", "ruled out", "not testable here", "inconclusive", "measured")
DIRECTIONS = ("greater", "less", "equivalent")


@dataclass(frozen=True)
class Test:
    """What a claim compares: `system` - `baseline` on `metric`, paired over the judged queries of `split` and
    over `seeds` (the same seeds for both). With `minus` = (c, d) the compared quantity is a difference of gains,
    (system - baseline) - (c - d) per query: "does a change help one model more than another?"."""
    system: str
    baseline: str
    metric: str
    split: str = "test"
    seeds: tuple[int, ...] = (0,)
    minus: tuple[str, str] | None = None
    __test__ = False  # not a pytest test class

    def compare(self, evidence: PerQuery) -> Paired:
        def table(name):
            return evidence.scores(name, self.split, self.metric, self.seeds)
        a, b = table(self.system), table(self.baseline)
        if self.minus:
            c, d = table(self.minus[0]), table(self.minus[1])
            a, b = a - b, c - d
        if not a.index.equals(b.index):
            raise ValueError(f"{self.system!r} and {self.baseline!r} were recorded on different queries of "
                             f"{self.split!r}: a paired test needs the same queries")
        return seeded_comparison(a.to_numpy(), b.to_numpy(), self.metric)

    def label(self) -> tuple[str, str]:
        """(system, baseline) as the table names them."""
        if self.minus:
            return f"({self.system} − {self.baseline})", f"({self.minus[0]} − {self.minus[1]})"
        return self.system, self.baseline


@dataclass(frozen=True)
class Condition:
    """One measured part of a premise: a property `value` held against `threshold` (at least it, or at most it
    with `at_most`), or a dev comparison `test` that must be significant (p < 0.05) in `direction` ("greater",
    "less", or "different")."""
    what: str
    value: float | None = None
    threshold: float | None = None
    at_most: bool = False
    test: Test | None = None
    direction: str = "greater"
    percent: bool = True  # print value and threshold as percentages

    def check(self, evidence: PerQuery) -> tuple[bool, str]:
        """(holds, what was measured in words)."""
        if self.test is None:
            holds = self.value <= self.threshold if self.at_most else self.value >= self.threshold
            shown = (lambda x: f"{100 * x:.1f}%") if self.percent else (lambda x: f"{x:.3g}")
            need = f"{'≤' if self.at_most else '≥'} {shown(self.threshold)}"
            return bool(holds), f"{self.what}: {shown(self.value)} (needs {need})"
        c = self.test.compare(evidence)
        sign = {"greater": c.difference > 0, "less": c.difference < 0, "different": True}[self.direction]
        holds = bool(c.significant and sign)
        need = {"greater": "> 0", "less": "< 0", "different": "≠ 0"}[self.direction]
        return holds, (f"{self.what}: {100 * c.difference:+.1f} [{100 * c.ci_low:+.1f}, {100 * c.ci_high:+.1f}], "
                       f"p {c.p:.2g} (needs {need}, p < 0.05)")


@dataclass(frozen=True)
class Premise:
    """What must hold on dev for a claim's test to speak to the paper's mechanism: every condition, or nothing
    (`none_needed` says why)."""
    conditions: tuple[Condition, ...] = ()
    none_needed: str = ""

    def check(self, evidence: PerQuery) -> tuple[bool, str]:
        if not self.conditions:
            return True, f"none needed: {self.none_needed}" if self.none_needed else "none needed"
        results = [c.check(evidence) for c in self.conditions]
        holds = all(h for h, _ in results)
        return holds, "; ".join(text for _, text in results) + (" — holds" if holds else " — fails")


@dataclass(frozen=True)
class Claim:
    """A paper's claim and what was measured here.

    With a `test` the claim is tested: `direction` "greater" means the paper says system > baseline, "less"
    system < baseline, "equivalent" that the two are within ±`margin` (decided by the 95% interval, not by p).
    `paper_effect` is the paper's own difference in the test's metric ([0, 1] units, signed as system - baseline;
    the smallest gain it reports for the claim), `paper_effect_note` says which. Without a test the row is a
    cost or property read directly (`here`): its verdict is "measured".
    """
    claim: str
    paper: str
    here: str
    test: Test | None = None
    direction: str = "greater"
    margin: float = 0.0
    paper_effect: float | None = None
    paper_effect_note: str = ""
    premise: Premise | None = None

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.paper_effect is not None and self.direction != "equivalent" and \
                (self.paper_effect > 0) != (self.direction == "greater"):
            raise ValueError(f"{self.claim!r}: a paper effect of {self.paper_effect:+g} points the other way from "
                             f"its direction {self.direction!r}")
        if self.test is not None and self.direction != "equivalent" and self.premise is None:
            raise ValueError(f"{self.claim!r}: a directional claim needs a premise (Premise(none_needed=...) "
                             "when it needs none)")


@dataclass(frozen=True)
class ClaimsTable:
    """One claims table of a study: its file (e.g. "paper_vs_here.md"), its claims, and columns renamed for it."""
    file: str
    claims: tuple[Claim, ...]
    rename: dict = field(default_factory=dict)


def verdict(claim: Claim, c: Paired | None, p_adjusted: float | None = None, premise_holds: bool = True) -> str:
    """One of `VERDICTS` (see the module docstring); `p_adjusted` replaces the comparison's own p (Holm)."""
    if c is None:
        return "measured"
    if not premise_holds:
        return "not testable here"
    if claim.direction == "equivalent":
        if -claim.margin <= c.ci_low and c.ci_high <= claim.margin:
            return "supported"
        return "contradicted" if c.ci_low > claim.margin or c.ci_high < -claim.margin else "inconclusive"
    p = c.p if p_adjusted is None else p_adjusted
    toward = 1.0 if claim.direction == "greater" else -1.0
    if p < ALPHA and c.difference != 0:  # a nan p is no evidence either way
        return "supported" if toward * c.difference > 0 else "contradicted"
    bound = c.ci_high if toward > 0 else c.ci_low  # the interval's end in the paper's direction
    if claim.paper_effect is not None and toward * bound < toward * claim.paper_effect:
        return "ruled out"
    return "inconclusive"


def claims_frame(claims: Sequence[Claim], evidence: PerQuery, scale: float = 100.0) -> pd.DataFrame:
    """The claims table: one row per claim (`CLAIM_COLUMNS`), in points (x `scale`), computed from `evidence`."""
    tests = [c.test.compare(evidence) if c.test is not None else None for c in claims]
    directional = [i for i, c in enumerate(claims) if tests[i] is not None and c.direction != "equivalent"]
    family = [tests[i].p for i in directional]
    adjusted = dict(zip(directional, holm(family)))
    levels = dict(zip(directional, holm_levels(family)))
    rows = []
    for i, (claim, c) in enumerate(zip(claims, tests)):
        c = c.at_level(levels[i]) if i in levels else c
        holds, premise = claim.premise.check(evidence) if claim.premise else (True, "")
        room = _headroom(claim, evidence)
        if room:
            holds, premise = False, f"{premise}; {room}" if premise else room
        rows.append(_row(claim, c, adjusted.get(i), holds, premise, evidence, scale))
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))


def _headroom(claim: Claim, evidence: PerQuery) -> str:
    """"" when the baseline leaves room for the paper's effect (a metric in [0, 1]); else why not: a baseline at
    98% cannot gain the paper's 3 points, and a zero-width interval at the ceiling would "rule out" any gain."""
    t = claim.test
    if t is None or t.minus or claim.paper_effect is None or claim.direction == "equivalent":
        return ""
    base = float(evidence.scores(t.baseline, t.split, t.metric, t.seeds).to_numpy().mean())
    if 0.0 <= base + claim.paper_effect <= 1.0:
        return ""
    return (f"no room for the paper's effect: {t.baseline} is at {100 * base:.1f} {t.metric}, "
            f"{100 * claim.paper_effect:+.2f} would leave [0, 100] — fails")


def _row(claim: Claim, c: Paired | None, p_adj: float | None, holds: bool, premise: str, evidence: PerQuery,
         scale: float) -> dict:
    v = verdict(claim, c, p_adj, holds)
    if c is None:
        return dict(zip(CLAIM_COLUMNS, (claim.claim, claim.paper, claim.here, *[""] * 11, v)))
    t = claim.test
    system, baseline = t.label()
    paper_effect = (f"{scale * claim.paper_effect:+.2f} ({claim.paper_effect_note})" if claim.paper_effect is not None
                    else f"none ({claim.paper_effect_note})" if claim.paper_effect_note else "none")
    ratio = ("" if claim.paper_effect is None or claim.direction == "equivalent"
             else f"{c.difference / claim.paper_effect:+.2f}")
    return dict(zip(CLAIM_COLUMNS, (
        claim.claim, claim.paper, _here(claim, c, evidence, scale), system, baseline, t.metric,
        ", ".join(map(str, t.seeds)), paper_effect, f"{scale * c.difference:+.1f}",
        f"[{scale * c.ci_low:+.1f}, {scale * c.ci_high:+.1f}]",
        "equivalence (CI)" if p_adj is None else f"{p_adj:.3g}",
        "n/a" if c.mde != c.mde else f"{scale * c.mde:.1f}" + (f" (α {c.alpha:.3g})" if p_adj is not None else ""),
        ratio, premise, v)))


def _here(claim: Claim, c: Paired, evidence: PerQuery, scale: float) -> str:
    """The two systems' means (over queries and seeds), then the notebook's note; for an equivalence claim whose
    interval is wider than its margin, that this split cannot decide it."""
    t = claim.test
    if t.minus:
        text = f"gain {scale * c.difference:+.1f} more"
    else:
        mean = {n: float(evidence.scores(n, t.split, t.metric, t.seeds).to_numpy().mean())
                for n in (t.system, t.baseline)}
        text = f"{t.metric} {scale * mean[t.system]:.1f} vs {scale * mean[t.baseline]:.1f}"
    if claim.here:
        text += f"; {claim.here}"
    half = (c.ci_high - c.ci_low) / 2
    if claim.direction == "equivalent":
        text += f"; margin ±{scale * claim.margin:.1f}"
        if half > claim.margin:
            text += f" (the interval's half-width {scale * half:.1f} exceeds it: this split cannot decide it)"
    return text


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many claims of a claims table got each verdict."""
    return {v: int((table["verdict"] == v).sum()) for v in VERDICTS}


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


__all__ = ["CLAIM_COLUMNS", "VERDICTS", "Claim", "ClaimsTable", "Condition", "Premise", "Test", "best_on_dev",
           "claims_frame", "difference", "percent", "significance", "verdict", "verdict_counts"]
