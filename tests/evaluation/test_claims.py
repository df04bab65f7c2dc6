"""Claim rows, verdict words and model selection on dev, shared by every study's claims table."""
import pandas as pd
import pytest

from mlrlib.evaluation.claims import best_on_dev, claim_row, difference, percent, significance


def test_best_on_dev_looks_at_the_dev_metric_only():
    dev = pd.DataFrame({"system": ["x", "y", "x", "y"], "metric": ["MRR@10", "MRR@10", "Top-5", "Top-5"],
                        "value": [0.3, 0.4, 0.9, 0.1]})
    assert best_on_dev(dev, ["x", "y"]) == "y"
    assert best_on_dev(dev, ["x", "y"], "Top-5") == "x"


def test_best_on_dev_takes_the_first_on_ties_and_none_of_nothing():
    dev = pd.DataFrame({"system": ["a", "b", "c"], "metric": "MRR@10", "value": [0.3, 0.5, 0.5]})
    assert best_on_dev(dev, ["a", "b", "c"]) == "b"
    assert best_on_dev(dev, ["c", "b"]) == "c"
    assert best_on_dev(dev, []) is None


@pytest.mark.parametrize("holds, verdict", [(True, "yes"), (False, "no"), (None, "n/a")])
def test_a_claim_row_says_its_verdict_in_a_word(holds, verdict):
    row = claim_row("MLR beats the DE", "+3.70", "+1.0", holds)
    assert row == {"claim (paper)": "MLR beats the DE", "paper": "+3.70", "here": "+1.0", "holds": verdict}


def test_significance_and_percent_read_as_the_tables_print_them():
    assert significance(True) == "significant" and significance(False) == "not significant"
    assert significance(False, "significantly different") == "not significantly different"
    assert percent(0.7654) == "76.5" and percent(1) == "100.0"


def test_difference_is_system_minus_baseline_with_the_systems_significance():
    test = pd.DataFrame({"system": ["DE", "MLR"], "metric": "MRR@10", "value": [0.5, 0.625],
                         "significant": [False, True]})
    assert difference(test, "MLR", "DE") == (0.125, True)
