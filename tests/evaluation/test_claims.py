"""Claims and their six verdicts, computed from per-query values: Holm within a table, the MDE at the Holm step,
the paper's effect and its ratio, premises; the files a table is rebuilt from; model selection on dev."""
import json

import numpy as np
import pandas as pd
import pytest

from mlrlib.evaluation.claims import (
    CLAIM_COLUMNS,
    VERDICTS,
    Claim,
    ClaimsTable,
    Condition,
    Premise,
    Test,
    best_on_dev,
    claims_frame,
    difference,
    percent,
    significance,
    verdict_counts,
)
from mlrlib.evaluation.claims_store import load_tables, rebuild, stale, write_claims
from mlrlib.evaluation.per_query import PerQuery

NONE = Premise(none_needed="a property of the test split")
Q = 400


def _evidence(shifts: dict[str, float], seeds=(0,), noise=0.2, split="test") -> PerQuery:
    """A baseline "B" of 0/1 hits and systems whose mean difference from it is exactly `shifts[name]`."""
    rng = np.random.default_rng(0)
    ids = [f"q{i:03d}" for i in range(Q)]
    base = (rng.random(Q) < 0.5).astype(float)
    ev = PerQuery()
    for s in seeds:
        ev.add_values("B", s, split, ids, "Top-5", base)
        for name, shift in shifts.items():
            e = rng.normal(0, noise, Q)
            ev.add_values(name, s, split, ids, "Top-5", base + shift + e - e.mean())
    return ev


def _claim(system, direction="greater", effect=None, premise=NONE, **kw):
    return Claim(f"{system} vs B", "paper", "", Test(system, "B", "Top-5", **kw), direction, paper_effect=effect,
                 paper_effect_note="smallest" if effect is not None else "", premise=premise)


def test_each_of_the_six_verdicts():
    ev = _evidence({"up": 0.05, "down": -0.05, "flat": 0.001, "wide": 0.0})
    fails = Premise((Condition("share won below L", value=0.01, threshold=0.05),))
    claims = [_claim("up"), _claim("down"), _claim("flat", effect=0.05), _claim("up", premise=fails),
              _claim("wide", effect=0.001), Claim("index bytes", "same", "1.00x")]
    table = claims_frame(claims, ev)
    assert list(table.columns) == list(CLAIM_COLUMNS)
    assert list(table.verdict) == ["supported", "contradicted", "ruled out", "not testable here", "inconclusive",
                                   "measured"]
    assert set(table.verdict) == set(VERDICTS)
    # the failing premise is shown with what was measured; the test still is
    assert "1.0% (needs ≥ 5.0%)" in table.premise[3] and "fails" in table.premise[3] and table.difference[3] == "+5.0"
    assert table.loc[0, "premise"].startswith("none needed")
    assert table.loc[2, "effect ratio"] == "+0.02" and table.loc[2, "paper effect"] == "+5.00 (smallest)"
    assert table.loc[0, "system"] == "up" and table.loc[0, "baseline"] == "B" and table.loc[0, "seeds"] == "0"
    assert verdict_counts(table)["ruled out"] == 1


def test_ruled_out_needs_the_interval_short_of_the_papers_effect_in_its_direction():
    ev = _evidence({"flat": 0.001, "fall": -0.001})
    # a gain of 5 points lies above the interval; one of 0.5 points inside it: inconclusive
    assert claims_frame([_claim("flat", effect=0.05)], ev).verdict[0] == "ruled out"
    assert claims_frame([_claim("flat", effect=0.005)], ev).verdict[0] == "inconclusive"
    assert claims_frame([_claim("fall", "less", effect=-0.05)], ev).verdict[0] == "ruled out"
    with pytest.raises(ValueError, match="other way"):
        _claim("fall", "less", effect=0.05)


def test_holm_over_the_table_and_the_mde_at_each_claims_step():
    ev = _evidence({"a": 0.03, "b": 0.025})
    one = claims_frame([_claim("a")], ev)
    two = claims_frame([_claim("a"), _claim("b")], ev)
    mde = lambda cell: float(cell.split()[0])  # noqa: E731
    assert "α 0.025" in two.MDE[0] and "α 0.05)" in two.MDE[1]  # a has the smaller p: the first step, α/2
    assert mde(two.MDE[0]) > mde(one.MDE[0])
    assert float(two["p (Holm)"][0]) >= float(one["p (Holm)"][0])


def test_seeds_enter_the_verdict():
    rng = np.random.default_rng(4)
    ids = [f"q{i}" for i in range(Q)]
    base = (rng.random(Q) < 0.5).astype(float)
    ev = PerQuery()
    for s, shift in zip((0, 1, 2), (-0.122, -0.084, -0.045)):
        e = rng.normal(0, 0.3, Q)
        ev.add_values("B", s, "test", ids, "Top-5", base)
        ev.add_values("pen", s, "test", ids, "Top-5", base + shift + e - e.mean())
    row = claims_frame([_claim("pen", seeds=(0, 1, 2))], ev).iloc[0]
    assert row.verdict == "inconclusive" and row.seeds == "0, 1, 2"
    assert claims_frame([_claim("pen", seeds=(0,))], ev).verdict[0] == "contradicted"


def test_a_premise_tested_on_dev_and_one_with_several_conditions():
    ev = _evidence({"teacher": 0.04, "weak": -0.04}, split="dev")
    for name, shift in (("up", 0.05), ("B", 0.0)):
        ev.add_values(name, 0, "test", [f"q{i:03d}" for i in range(Q)], "Top-5",
                      _evidence({"up": shift}).scores(name, "test", "Top-5", (0,))[0].to_numpy())
    strong = Condition("dev Top-5, teacher - B", test=Test("teacher", "B", "Top-5", "dev"))
    weak = Condition("dev Top-5, weak - B", test=Test("weak", "B", "Top-5", "dev"))
    share = Condition("share of lists changed", value=0.3, threshold=0.05)
    table = claims_frame([_claim("up", premise=Premise((strong, share))),
                          _claim("up", premise=Premise((strong, weak)))], ev)
    assert list(table.verdict) == ["supported", "not testable here"]
    assert table.premise[0].endswith("holds") and table.premise[1].endswith("fails")


def test_an_equivalence_claim_says_when_the_split_cannot_decide_it():
    ev = _evidence({"same": 0.0005, "far": -0.2}, noise=0.05)
    eq = lambda system, margin: Claim("eq", "", "", Test(system, "B", "Top-5"), "equivalent", margin)  # noqa: E731
    table = claims_frame([eq("same", 0.05), eq("same", 0.001), eq("far", 0.05)], ev)
    assert list(table.verdict) == ["supported", "inconclusive", "contradicted"]
    assert "cannot decide" in table.here[1] and "cannot decide" not in table.here[0]
    assert list(table["p (Holm)"]) == ["equivalence (CI)"] * 3


def test_a_gain_difference_is_tested_per_query():
    ev = _evidence({"small+": 0.06, "small": 0.0, "big+": 0.01, "big": 0.0})
    t = Test("small+", "small", "Top-5", minus=("big+", "big"))
    row = claims_frame([Claim("helps the small more", "", "", t, premise=NONE)], ev).iloc[0]
    assert row.difference == "+5.0" and row.verdict == "supported" and row.system == "(small+ − small)"


def test_a_directional_claim_needs_a_premise_and_a_bad_direction_is_refused():
    with pytest.raises(ValueError, match="premise"):
        Claim("c", "p", "h", Test("a", "B", "Top-5"))
    with pytest.raises(ValueError, match="direction"):
        Claim("c", "p", "h", Test("a", "B", "Top-5"), "bigger", premise=NONE)


def test_per_query_values_round_trip_and_clashes_are_refused(tmp_path):
    ev = _evidence({"up": 0.05}, seeds=(0, 1))
    ev.write(tmp_path / "pq.csv.gz")
    back = PerQuery.read(tmp_path / "pq.csv.gz")
    pd.testing.assert_frame_equal(back.frame(), ev.frame())
    ev.add_values("up", 0, "test", ["q000"], "Top-5", [7.0])
    with pytest.raises(ValueError, match="name the two systems apart"):
        ev.frame()
    with pytest.raises(KeyError, match="seed"):
        back.scores("up", "test", "Top-5", (0, 5))


def test_a_table_is_rebuilt_from_its_files_alone_and_a_stale_one_is_found(tmp_path):
    ev = _evidence({"up": 0.05, "flat": 0.0}, seeds=(0, 1, 2))
    claims = (_claim("up", seeds=(0, 1, 2)), _claim("flat", effect=0.05),
              _claim("up", premise=Premise((Condition("lists changed", value=0.2, threshold=0.05),))))
    written = write_claims(tmp_path, [ClaimsTable("paper_vs_here.md", claims, {"here": "what we found"})], ev)
    assert "what we found" in written["paper_vs_here.md"].columns
    assert load_tables(tmp_path)[0].claims == claims
    assert json.loads((tmp_path / "claims.json").read_text())["tables"][0]["file"] == "paper_vs_here.md"
    assert stale(tmp_path) == []
    (tmp_path / "paper_vs_here.md").write_text((tmp_path / "paper_vs_here.md").read_text().replace("supported", "x"))
    assert stale(tmp_path) == ["paper_vs_here.md"]
    rebuild(tmp_path)
    assert stale(tmp_path) == []
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


def test_significance_and_percent_read_as_the_tables_print_them():
    assert significance(True) == "significant" and significance(False) == "not significant"
    assert significance(False, "significantly different") == "not significantly different"
    assert percent(0.7654) == "76.5" and percent(1) == "100.0"


def test_difference_is_system_minus_baseline_with_the_systems_significance():
    test = pd.DataFrame({"system": ["DE", "MLR"], "metric": "MRR@10", "value": [0.5, 0.625],
                         "significant": [False, True]})
    assert difference(test, "MLR", "DE") == (0.125, True)


def test_a_baseline_at_the_ceiling_leaves_no_room_for_the_papers_gain():
    ids = [f"q{i}" for i in range(50)]
    ev = PerQuery()
    for name in ("up", "B"):
        ev.add_values(name, 0, "test", ids, "Top-5", [1.0] * 50)  # both at 100%: a zero-width interval at 0
    row = claims_frame([_claim("up", effect=0.0067)], ev).iloc[0]
    assert row.verdict == "not testable here" and "no room for the paper's effect" in row.premise
    assert claims_frame([_claim("up")], ev).verdict[0] == "inconclusive"  # no paper effect: nothing to rule out
