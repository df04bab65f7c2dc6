"""Claims and verdicts: one row per claim of a paper, and the comparisons the rows rest on.

Every study's `claims_table` is a list of `Claim`s made into a table by `claims_frame`: each claim
tested by a paired comparison (`mlrlib.evaluation.paired`) gets a verdict, supported, contradicted
or inconclusive (with the minimum detectable effect beside it), corrected with Holm over the
notebook's claims; a cost or property read directly is "measured". Never "holds" on a
non-significant difference.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mlrlib.evaluation.paired import ALPHA, Paired, holm

CLAIM_COLUMNS = ("claim (paper)", "paper", "here", "difference", "95% CI", "p (Holm)", "MDE", "verdict")
VERDICTS = ("supported", "contradicted", "inconclusive", "measured")
DIRECTIONS = ("greater", "less", "equivalent")


@dataclass(frozen=True)
class Claim:
    """A paper's claim and what was measured here.

    With a `comparison` (system - baseline, paired over queries) the claim is tested: `direction`
    "greater" means the paper says system > baseline, "less" system < baseline, "equivalent" that the
    two are within ±`margin` (an equivalence claim, decided by the 95% interval, not by p). Without a
    comparison the row is a cost or property read directly: its verdict is "measured".
    """
    claim: str
    paper: str
    here: str
    comparison: Paired | None = None
    direction: str = "greater"
    margin: float = 0.0

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")


def verdict(claim: Claim, p_adjusted: float | None = None) -> str:
    """supported / contradicted / inconclusive / measured (see `Claim`); `p_adjusted` replaces the
    comparison's own p (Holm within a notebook)."""
    c = claim.comparison
    if c is None:
        return "measured"
    if claim.direction == "equivalent":
        if -claim.margin <= c.ci_low and c.ci_high <= claim.margin:
            return "supported"
        return "contradicted" if c.ci_low > claim.margin or c.ci_high < -claim.margin else "inconclusive"
    p = c.p if p_adjusted is None else p_adjusted
    if not p < ALPHA or c.difference == 0:  # a nan p is no evidence either way
        return "inconclusive"
    return "supported" if (c.difference > 0) == (claim.direction == "greater") else "contradicted"


def claims_frame(claims: Sequence[Claim], scale: float = 100.0) -> pd.DataFrame:
    """The claims table of a notebook: one row per claim with the difference, its 95% interval, the
    Holm-adjusted p (over the notebook's directional claims), the MDE (in points: x `scale`) and the
    verdict."""
    tested = [i for i, c in enumerate(claims) if c.comparison is not None and c.direction != "equivalent"]
    adjusted = dict(zip(tested, holm([claims[i].comparison.p for i in tested])))
    rows = []
    for i, c in enumerate(claims):
        cmp = c.comparison
        cells = ("", "", "", "") if cmp is None else (
            f"{scale * cmp.difference:+.1f}", f"[{scale * cmp.ci_low:+.1f}, {scale * cmp.ci_high:+.1f}]",
            "equivalence (CI)" if i not in adjusted else f"{adjusted[i]:.3g}",
            "n/a" if cmp.mde != cmp.mde else f"{scale * cmp.mde:.1f}")
        rows.append(dict(zip(CLAIM_COLUMNS, (c.claim, c.paper, c.here, *cells, verdict(c, adjusted.get(i))))))
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))


def premise_caveat(premise: Paired, says: str) -> str:
    """"" when the premise comparison (system - baseline) is significantly positive, else " [`says`]": the words set
    beside every claim that rests on it, whose verdict then says nothing about the case the paper meant."""
    return "" if premise.significant and premise.difference > 0 else f" [{says}]"


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many claims of a claims table are supported, contradicted, inconclusive and measured."""
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
