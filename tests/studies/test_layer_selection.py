"""Notebook 01's claims: each one tested on the named systems' runs."""
import numpy as np
import pandas as pd
from conftest import ranked_run

from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.studies import layer_selection as study


def test_the_papers_two_layer_set_scales_with_depth():
    assert paper_two_layer_set(6) == [5, 6] and paper_two_layer_set(12) == [10, 12]


def test_claims_compare_the_named_systems_and_give_verdicts():
    L, n = 6, 60
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(n)}
    good, poor = [1] * n, [1 if i % 3 else 0 for i in range(n)]  # Top-20 1.0 vs 0.67 (0: not retrieved)
    sets = study.layer_sets(L, [1, 2, 4, 6])
    ranks = {name: poor for name in sets} | {"MLR last-4": good, "MLR {L-2,L}": good}
    runs = {name: ranked_run(name, r) for name, r in ranks.items()}
    test = pd.DataFrame([{"system": name, "metric": "Top-20", "value": float(np.mean([r < 21 and r > 0 for r in rk]))}
                         for name, rk in ranks.items()])
    cosine = np.full((L + 1, L + 1), 0.9)
    claims = study.claims_table(test, runs, qrels, sets, cosine, L)
    # last-4 beats the DE, uniform-4 and last-6; the paper's {L-1,L} (for L = 6) loses to {L-2,L}
    assert list(claims.verdict) == ["supported", "supported", "contradicted", "supported", "measured"]
    assert "tested: last-4 vs MLR last-6" in claims.loc[3, "here"] and "0.90" in claims.loc[4, "here"]
