import numpy as np
from ranx import Qrels, Run, evaluate
from ranx.data_structures import common

from mlrlib.evaluation.metrics import METRICS, bootstrap_ci, evaluate_runs, make_run, metric_table, per_query, ranx_run

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


def tied_runs(seed=0, queries=40):
    """qrels and a {query: {passage: score}} run with scores rounded to one decimal (many ties) and passage ids of
    many lengths."""
    rng = np.random.default_rng(seed)
    ids = [f"doc-{i}-" + "x" * int(rng.integers(0, 12)) for i in range(300)]
    qrels = {f"q{i}": {ids[j]: 1 for j in rng.choice(300, 3)} for i in range(queries)}
    run = {}
    for i in range(queries):
        docs, scores = rng.choice(300, 100, replace=False), np.round(rng.random(100), 1)
        order = np.argsort(-scores, kind="stable")
        run[f"q{i}"] = {ids[d]: float(s) for d, s in zip(docs[order], scores[order])}
    return qrels, run


def test_runs_built_for_numba_rank_and_break_ties_as_ranx_constructor_does():
    qrels, run = tied_runs()
    ours, theirs = ranx_run(run, "a"), Run(run, name="a")
    assert [list(h) for h in ours.to_dict().values()] == [list(h) for h in theirs.to_dict().values()]
    expected = evaluate(Qrels(qrels), theirs, list(METRICS), return_mean=False, make_comparable=True)
    got = per_query(qrels, ours)
    for metric in METRICS:
        np.testing.assert_array_equal(got[metric], expected[metric], err_msg=metric)


def test_one_set_of_numba_kernels_serves_passage_ids_of_every_length():
    """ranx's constructor compiles its kernels anew for every length of the longest id (tens of MiB each);
    ours are typed by plain strings, so runs with other id lengths add no signature."""
    def fixed_width_signatures():
        return {str(sig) for sig in common.create_and_sort.signatures} | {
            str(sig) for sig in common.to_typed_list.signatures if "unichr" in str(sig)}

    qrels, run = tied_runs(seed=1, queries=5)
    per_query(qrels, ranx_run(run, "a"))
    before = (fixed_width_signatures(), len(common.add_and_sort.signatures), len(common.to_typed_list.signatures))
    for width in (3, 17, 41):
        docs = sorted({d for hits in run.values() for d in hits})
        ids = {d: d.ljust(width, "z")[:width] + str(i) for i, d in enumerate(docs)}
        wide_run = {q: {ids[d]: s for d, s in hits.items()} for q, hits in run.items()}
        wide_qrels = {q: {ids.get(d, d): r for d, r in rels.items()} for q, rels in qrels.items()}
        evaluate_runs(wide_qrels, [ranx_run(wide_run, "a"), ranx_run(wide_run, "b")], baseline="a")
    after = (fixed_width_signatures(), len(common.add_and_sort.signatures), len(common.to_typed_list.signatures))
    assert after == before
