"""Claims and their verdicts, Holm within a table, and model selection on dev, shared by every study's claims table."""
import pandas as pd
import pytest

from mlrlib.evaluation.claims import (
    CLAIM_COLUMNS,
    Claim,
    best_on_dev,
    claims_frame,
    difference,
    percent,
    significance,
    verdict,
    verdict_counts,
)
from mlrlib.evaluation.paired import Paired


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


def _paired(difference, p, half=0.02, mde=0.03):
    return Paired("MRR@10", 1200, difference, difference - half, difference + half, p, mde)


@pytest.mark.parametrize("difference, p, direction, expected", [
    (0.05, 0.001, "greater", "supported"), (-0.05, 0.001, "greater", "contradicted"),
    (0.05, 0.2, "greater", "inconclusive"), (-0.05, 0.001, "less", "supported"),
    (0.05, 0.001, "less", "contradicted"), (0.0, 1.0, "greater", "inconclusive")])
def test_a_directional_claim_is_decided_by_significance_and_sign(difference, p, direction, expected):
    assert verdict(Claim("c", "p", "h", _paired(difference, p), direction)) == expected


@pytest.mark.parametrize("difference, half, expected", [
    (0.001, 0.005, "supported"),     # the whole interval inside ±0.01
    (0.001, 0.02, "inconclusive"),   # the interval reaches past the margin: the data cannot tell
    (-0.05, 0.01, "contradicted")])  # the whole interval beyond the margin
def test_an_equivalence_claim_is_decided_by_its_interval_and_margin(difference, half, expected):
    claim = Claim("c", "p", "h", _paired(difference, 0.5, half), "equivalent", margin=0.01)
    assert verdict(claim) == expected


def test_a_claim_without_a_comparison_is_measured_and_a_bad_direction_is_refused():
    assert verdict(Claim("index bytes equal", "same", "1.00x")) == "measured"
    with pytest.raises(ValueError, match="direction"):
        Claim("c", "p", "h", _paired(0.1, 0.01), "bigger")


def test_claims_frame_corrects_with_holm_and_prints_points():
    claims = [Claim("a", "", "", _paired(0.05, 0.02)), Claim("b", "", "", _paired(0.04, 0.03)),
              Claim("cost", "", "2.0x"), Claim("eq", "", "", _paired(0.0, 0.9, 0.005), "equivalent", 0.01)]
    table = claims_frame(claims)
    assert list(table.columns) == list(CLAIM_COLUMNS)
    # Holm over the two directional claims: 2 x 0.02 = 0.04, then max(0.04, 1 x 0.03) = 0.04
    assert list(table["p (Holm)"]) == ["0.04", "0.04", "", "equivalence (CI)"]
    assert list(table.verdict) == ["supported", "supported", "measured", "supported"]
    assert table.loc[0, "difference"] == "+5.0" and table.loc[0, "95% CI"] == "[+3.0, +7.0]"
    assert table.loc[0, "MDE"] == "3.0" and table.loc[2, "MDE"] == ""
    # alone, a p of 0.03 is significant; beside a second claim at p = 0.04 Holm makes both 0.06
    two = claims_frame([Claim("a", "", "", _paired(0.05, 0.04)), Claim("b", "", "", _paired(0.04, 0.03))])
    assert list(two.verdict) == ["inconclusive", "inconclusive"]
    assert verdict_counts(table) == {"supported": 3, "contradicted": 0, "inconclusive": 0, "measured": 1}


def test_significance_and_percent_read_as_the_tables_print_them():
    assert significance(True) == "significant" and significance(False) == "not significant"
    assert significance(False, "significantly different") == "not significantly different"
    assert percent(0.7654) == "76.5" and percent(1) == "100.0"


def test_difference_is_system_minus_baseline_with_the_systems_significance():
    test = pd.DataFrame({"system": ["DE", "MLR"], "metric": "MRR@10", "value": [0.5, 0.625],
                         "significant": [False, True]})
    assert difference(test, "MLR", "DE") == (0.125, True)


def test_a_nan_p_value_is_no_evidence():
    assert verdict(Claim("c", "p", "h", _paired(0.05, float("nan")))) == "inconclusive"
