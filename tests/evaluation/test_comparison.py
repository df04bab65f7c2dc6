"""Seed summaries: mean ± std of each system and of the per-seed difference."""
import numpy as np
import pandas as pd

from mlrlib.evaluation.comparison import seed_deltas, seed_summary


def long(rows):
    return pd.DataFrame(rows, columns=["seed", "system", "metric", "value", "significant"])


def test_seed_summary_gives_mean_std_and_the_per_seed_difference():
    per_seed = long([(s, sys, "Top-5", v, sig) for s, sys, v, sig in [
        (0, "DE", 0.50, False), (1, "DE", 0.52, False), (2, "DE", 0.54, False),
        (0, "MLR", 0.55, True), (1, "MLR", 0.53, False), (2, "MLR", 0.57, True)]])
    table = seed_summary(per_seed, "DE", "MLR", metrics=("Top-5",))
    assert table.loc["DE", "Top-5"] == "52.0 ± 2.0"
    assert table.loc["MLR", "Top-5"] == "55.0 ± 2.0"
    assert table.loc["MLR − DE", "Top-5"] == "+3.0 ± 2.0"        # differences 5, 1, 3
    assert table.loc["seeds with p < 0.05", "Top-5"] == "2 of 3"
    np.testing.assert_allclose(seed_deltas(per_seed, "DE", "MLR", "Top-5"), [0.05, 0.01, 0.03])
