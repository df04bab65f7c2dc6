import numpy as np

from mlrlib.evaluation.metrics import bootstrap_ci, evaluate_runs, make_run, metric_table

QRELS = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q3": {"d": 1}}
CORPUS = ["a", "b", "c", "d", "e"]


def run(rows, name):
    ids = np.array(rows)
    return make_run(["q1", "q2", "q3"], ids, -np.arange(ids.shape[1])[None].repeat(3, 0).astype(float), CORPUS, name)


def test_top_k_accuracy_counts_a_hit_if_any_relevant_passage_is_in_the_top_k():
    r = run([[0, 4, 1], [4, 2, 1], [4, 1, 0]], "sys")  # q1 hit@1, q2 hit@2 (c), q3 never
    t = evaluate_runs(QRELS, [r],
                      metrics=("hit_rate@1", "hit_rate@5", "mrr@10", "recall@100")).set_index("metric").value
    assert t["Top-1"] == 1 / 3 and t["Top-5"] == 2 / 3
    assert np.isclose(t["MRR@10"], (1 + 1 / 2 + 0) / 3)
    assert np.isclose(t["R@100"], (1 + 1 + 0) / 3)


def test_significance_and_confidence_intervals_are_reported():
    good, bad = run([[0, 1, 2], [1, 2, 0], [3, 0, 1]], "good"), run([[4, 1, 2], [4, 3, 0], [4, 0, 1]], "bad")
    table = evaluate_runs(QRELS, [good, bad], baseline="good")
    row = table[(table.system == "bad") & (table.metric == "Top-1")].iloc[0]
    assert row.value == 0 and 0 <= row.p_vs_baseline <= 1 and row.ci_low <= row.value <= row.ci_high
    assert np.isnan(table[table.system == "good"].p_vs_baseline).all()
    wide = metric_table(table)
    assert wide.loc["good", "Top-1"].startswith("100.0")


def test_bootstrap_interval_contains_the_mean():
    values = np.random.default_rng(0).random(200)
    lo, hi = bootstrap_ci(values)
    assert lo < values.mean() < hi and hi - lo < 0.2


def test_significance_tests_are_deterministic():
    rng = np.random.default_rng(1)
    qrels = {f"q{i}": {f"d{i}": 1} for i in range(60)}
    corpus = [f"d{i}" for i in range(70)]
    runs = [make_run(list(qrels), np.array([rng.permutation(70)[:10] for _ in range(60)]),
                     -np.tile(np.arange(10.0), (60, 1)), corpus, name) for name in ("a", "b")]
    first, second = evaluate_runs(qrels, runs, baseline="a"), evaluate_runs(qrels, runs, baseline="a")
    assert first.equals(second)
