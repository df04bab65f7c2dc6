"""Notebook 01's claims: each one tested on the named systems' runs."""
import numpy as np
from conftest import ranked_run

from mlrlib.evaluation.claims import claims_frame
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.studies import layer_selection as study


def test_the_papers_two_layer_set_scales_with_depth():
    assert paper_two_layer_set(6) == [5, 6] and paper_two_layer_set(12) == [10, 12]


def test_claims_compare_the_named_systems_on_the_papers_metrics_with_their_premise():
    L, n = 6, 60
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(n)}
    good, poor = [1] * n, [1 if i % 3 else 0 for i in range(n)]  # Top-5/Top-20 1.0 vs 0.67 (0: not retrieved)
    sets = study.layer_sets(L, [1, 2, 4, 6])
    ranks = {name: poor for name in sets} | {study.HEADLINE_MLR: good, "MLR {L-2,L}": good}
    runs = {name: ranked_run(name, r) for name, r in ranks.items()}
    seed_runs = {study.DE: [runs[study.DE]] * 3, study.HEADLINE_MLR: [runs[study.HEADLINE_MLR]] * 3}
    other_runs = {study.DE: runs[study.DE], study.HEADLINE_MLR: runs[study.DE]}  # no difference in the other pooling
    cmp = study.Comparisons(runs, seed_runs, other_runs)
    evidence = PerQuery()
    study.record(evidence, cmp, qrels, [0, 1, 2], 0)
    shares = {name: 0.2 for name in sets} | {study.HEADLINE_MLR + study.OTHER: 0.01}  # the other pooling's is the DE
    claims = claims_frame(study.claims(cmp, sets, "mean", np.full((L + 1, L + 1), 0.9), L, [0, 1, 2], shares,
                                       {1: 0.67, 4: 1.0, 6: 0.67}), evidence)
    # last-4 beats the DE on Top-5 and Top-20 (3 seeds, identical seeds: the query-level test); the other pooling's
    # lower layers never win (1% < 5%): not testable; last-4 beats uniform-4 and last-6; the paper's {L-1,L} (for
    # L = 6) loses to {L-2,L}
    assert list(claims.verdict) == ["supported", "not testable here", "supported", "not testable here",
                                    "supported", "contradicted", "supported", "measured"]
    assert list(claims.metric[:4]) == ["Top-5", "Top-5", "Top-20", "Top-20"] and claims.seeds[0] == "0, 1, 2"
    named = claims["claim (paper)"]
    assert "mean pooling, 3 seeds" in named[0] and "[CLS] pooling" in named[1]
    assert "1.0% (needs ≥ 5.0%)" in claims.loc[1, "premise"] and claims.loc[6, "baseline"] == "MLR last-6"
    assert "0.90" in claims.loc[7, "here"]


def test_each_config_is_the_same_training_but_its_layer_set_and_pooling():
    sets = study.layer_sets(6, [1, 2, 4, 6])
    cfgs = study.configs(sets, "minilm", 6, {"steps": 50, "batch_size": 16}, "mean", 0, " mean")
    assert set(cfgs) == {f"{n} mean" for n in sets}
    assert {c.replace(doc_layers=(6,)) for c in cfgs.values()} == {cfgs[f"{study.DE} mean"]}
    assert {c.pooling for c in cfgs.values()} == {"mean"} and study.other("mean") == "cls"
