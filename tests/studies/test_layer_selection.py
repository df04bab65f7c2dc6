"""Notebook 01's claims: each one tested on the named systems' runs."""
import numpy as np
from conftest import ranked_run

from mlrlib.evaluation.claims import claims_frame
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.studies import layer_selection as study


def test_the_papers_two_layer_set_scales_with_depth():
    assert paper_two_layer_set(6) == [5, 6] and paper_two_layer_set(12) == [10, 12]


def test_claims_compare_the_named_systems_in_each_regime_on_the_papers_metrics_with_their_premise():
    L, n = 6, 60
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(n)}
    good, poor = [1] * n, [1 if i % 3 else 0 for i in range(n)]  # Top-5/Top-20 1.0 vs 0.67 (0: not retrieved)
    sets = study.layer_sets(L, [1, 2, 4, 6])
    ranks = {name: poor for name in sets} | {study.HEADLINE_MLR: good, "MLR {L-2,L}": good}
    runs = {name: ranked_run(name, r) for name, r in ranks.items()}
    per_seed = {study.DE: [runs[study.DE]] * 3, study.HEADLINE_MLR: [runs[study.HEADLINE_MLR]] * 3}
    paper = study.RegimeRuns("cls", runs, per_seed, (0, 1, 2), 0.004)
    flat = {name: runs[study.DE] for name in sets}  # this model's own regime: every set ranks as the DE does
    own = study.RegimeRuns("mean", flat, {study.DE: [flat[study.DE]], study.HEADLINE_MLR: [flat[study.HEADLINE_MLR]]},
                           (0,), 0.002)
    evidence = PerQuery()
    study.record(evidence, "paper", paper, qrels)
    study.record(evidence, "own", own, qrels)
    assert evidence.scores("MLR last-4 (own regime)", "test", "Top-5", (0,)).to_numpy().mean() < 1
    top20 = {1: 0.67, 4: 1.0, 6: 0.67}
    rows = [*study.regime_claims("paper", paper, sets, L, {name: 0.2 for name in sets}, top20),
            *study.regime_claims("own", own, sets, L, {name: 0.01 for name in sets}, top20),
            study.correlation_claim(np.full((L + 1, L + 1), 0.9), L, "cls")]
    claims = claims_frame(rows, evidence)
    # the paper's regime: last-4 beats the DE on Top-5 and Top-20 (3 seeds, identical seeds: the query-level test)
    # and beats uniform-4 and last-6; the paper's {L-1,L} (for L = 6) loses to {L-2,L}. This model's own regime:
    # lower layers win 1% < 5% of the max-sim scores, so nothing there is testable
    assert list(claims.verdict) == ["supported", "supported", "supported", "contradicted", "supported",
                                    *["not testable here"] * 5, "measured"]
    assert list(claims.metric[:2]) == ["Top-5", "Top-20"] and claims.seeds[0] == "0, 1, 2" and claims.seeds[5] == "0"
    named = claims["claim (paper)"]
    assert "the paper's regime: [CLS], 3 seeds" in named[0] and "this model's own regime: mean, 1 seed" in named[5]
    assert claims.system[5] == "MLR last-4 (own regime)" and claims.loc[4, "baseline"] == "MLR last-6"
    assert "1.0% (needs ≥ 5.0%)" in claims.loc[5, "premise"] and "0.4% (needs ≤ 1.0%)" in claims.loc[0, "premise"]
    assert "0.90" in claims.loc[10, "here"]


def test_a_de_that_has_not_reached_its_plateau_makes_the_regime_untestable():
    L, n = 6, 40
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(n)}
    sets = study.layer_sets(L, [1, 4])
    runs = {name: ranked_run(name, [1] * n if name == study.HEADLINE_MLR else [1 if i % 3 else 0 for i in range(n)])
            for name in sets}
    rr = study.RegimeRuns("cls", runs, {study.DE: [runs[study.DE]], study.HEADLINE_MLR: [runs[study.HEADLINE_MLR]]},
                          (0,), 0.05)  # still rising by 5 points over its last quarter
    evidence = PerQuery()
    study.record(evidence, "paper", rr, qrels)
    claims = claims_frame(study.regime_claims("paper", rr, sets, L, {name: 0.3 for name in sets}, {}), evidence)
    assert set(claims.verdict) == {"not testable here"} and "5.0% (needs ≤ 1.0%)" in claims.premise[0]


def test_each_config_is_the_same_training_but_its_layer_set_and_pooling():
    sets = study.layer_sets(6, [1, 2, 4, 6])
    cfgs = study.configs(sets, "minilm", 6, {"steps": 50, "batch_size": 16}, "mean", 0, " mean")
    assert set(cfgs) == {f"{n} mean" for n in sets}
    assert {c.replace(doc_layers=(6,)) for c in cfgs.values()} == {cfgs[f"{study.DE} mean"]}
    assert {c.pooling for c in cfgs.values()} == {"mean"} and study.other("mean") == "cls"


def test_a_claim_whose_layer_sets_a_regime_did_not_train_is_left_out():
    L, n = 6, 30
    sets = study.layer_sets(6, [1, 4], [study.DE, study.HEADLINE_MLR])
    assert list(sets) == [study.DE, study.HEADLINE_MLR]
    runs = {name: ranked_run(name, [1] * n) for name in sets}
    rr = study.RegimeRuns("mean", runs, {name: [run] for name, run in runs.items()}, (0,), 0.0)
    claims = study.regime_claims("own", rr, sets, L, {study.HEADLINE_MLR: 0.0}, {})
    assert [c.test.metric for c in claims] == ["Top-5", "Top-20"]  # the headline only
