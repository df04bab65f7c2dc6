"""Notebook 05's additions: two-sided MLR, the decorrelation penalty, causal attention and last-token
pooling, multi-vector-query search, the symmetric task, BEIR export, filter evaluation, ranker snapshots."""
import numpy as np
import pytest
import torch

from mlrlib.data.beir_export import write_beir
from mlrlib.data.loaders import load_beir
from mlrlib.data.retrieval_data import DataError, RetrievalData
from mlrlib.data.symmetric_task import same_answer_task
from mlrlib.evaluation.claims import claims_frame
from mlrlib.evaluation.layer_analysis import m_curve
from mlrlib.methods.encoders import MultiLayerEncoder, load_encoder, pool
from mlrlib.methods.false_negatives import (
    DynamicThreshold,
    StaticMargin,
    detection_quality,
    false_negative_mask,
    masks_over_plan,
    teacher_gaps,
)
from mlrlib.methods.losses import layer_decorrelation, max_sim_scores, two_sided_max_sim_scores, two_sided_mlr_loss
from mlrlib.methods.search import agrees_with_brute_force, brute_force_max_sim, search
from mlrlib.studies import open_questions as oq
from mlrlib.training.config import TrainConfig, inference_layers, training_layers
from mlrlib.training.dual_encoder import loss_for

# --- losses ------------------------------------------------------------------------------

def test_two_sided_scores_are_the_max_over_every_vector_pair_and_reduce_to_max_sim():
    g = torch.Generator().manual_seed(0)
    q, d = torch.randn(3, 2, 5, generator=g), torch.randn(4, 3, 5, generator=g)
    by_hand = torch.tensor([[max(float(q[b, a] @ d[n, c]) for a in range(2) for c in range(3)) for n in range(4)]
                            for b in range(3)])
    assert torch.allclose(two_sided_max_sim_scores(q, d), by_hand, atol=1e-5)
    assert torch.allclose(two_sided_max_sim_scores(q[:, :1], d), max_sim_scores(q[:, 0], d))
    loss = two_sided_mlr_loss(q, d[:3], 0.5)
    scores = by_hand[:, :3] / 0.5
    assert loss.item() == pytest.approx(float(-(scores.diag() - scores.logsumexp(1)).mean()), abs=1e-5)


def test_layer_decorrelation_is_the_mean_squared_cosine_between_a_texts_layers():
    parallel = torch.tensor([[[1.0, 0.0], [2.0, 0.0]]])
    orthogonal = torch.tensor([[[1.0, 0.0], [0.0, 3.0]]])
    assert layer_decorrelation(parallel).item() == pytest.approx(1.0)
    assert layer_decorrelation(orthogonal).item() == pytest.approx(0.0)
    d = np.random.default_rng(1).normal(size=(5, 4, 6))
    u = d / np.linalg.norm(d, axis=-1, keepdims=True)
    cos = np.einsum("nah,nbh->nab", u, u)[(slice(None), *np.triu_indices(4, 1))]
    assert layer_decorrelation(torch.from_numpy(d)).item() == pytest.approx(float((cos ** 2).mean()), abs=1e-5)
    with pytest.raises(ValueError, match="m >= 2"):
        layer_decorrelation(torch.ones(3, 1, 4))


# --- training configs --------------------------------------------------------------------

def test_new_settings_leave_older_configs_unchanged_and_are_read_with_their_defaults():
    cfg = TrainConfig()
    assert "decorrelation" not in cfg.key() and "attention" not in cfg.key()  # so older configs keep their hash
    assert cfg.decorrelation == 0.0 and cfg.attention == "bidirectional"
    on = TrainConfig(doc_layers=[5, 6], decorrelation=0.5, attention="causal")
    assert on.decorrelation == 0.5 and on.attention == "causal"
    assert on.key()["decorrelation"] == 0.5 and on.key()["attention"] == "causal"
    with pytest.raises(ValueError, match="decorrelation"):
        TrainConfig(decorrelation=-1.0)


def test_layers_of_the_multi_query_objectives():
    both = TrainConfig(doc_layers=[4, 5, 6], objective="both-sides")
    query = TrainConfig(doc_layers=[4, 5, 6], objective="query-side")
    assert inference_layers(both) == training_layers(both) == ([4, 5, 6], [4, 5, 6])
    assert inference_layers(query) == training_layers(query) == ([4, 5, 6], [6])
    single = TrainConfig(doc_layers=[5, 6], objective="self-anchored")
    assert inference_layers(single) == ([6], [6]) and training_layers(single) == ([6], [5, 6])


def test_loss_for_adds_gamma_times_the_penalty():
    g = torch.Generator().manual_seed(2)
    q, d = torch.randn(3, 1, 8, generator=g), torch.randn(6, 2, 8, generator=g)
    plain = loss_for(TrainConfig(doc_layers=[5, 6], temperature=1.0))(q, d)
    with_penalty = loss_for(TrainConfig(doc_layers=[5, 6], temperature=1.0, decorrelation=2.0))(q, d)
    assert (with_penalty - plain).item() == pytest.approx(2.0 * layer_decorrelation(d).item(), abs=1e-5)


# --- encoders: last-token pooling, causal attention ----------------------------------------

def test_last_token_pooling_takes_the_last_real_token_with_either_padding():
    hidden = torch.arange(2 * 4 * 1, dtype=torch.float32).view(2, 4, 1)
    right = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    assert pool(hidden, right, "last")[:, 0].tolist() == [1.0, 7.0]
    assert pool(hidden, left, "last")[:, 0].tolist() == [3.0, 7.0]


def test_causal_attention_hides_later_tokens_and_survives_save_and_load(tiny_model, tmp_path):
    enc = MultiLayerEncoder(tiny_model, attention="causal").eval()
    batch = enc.tokenize(["alpha beta gamma delta", "alpha beta gamma other words here"], 16)
    with torch.no_grad():
        h = enc.model(**batch).last_hidden_state
    assert torch.allclose(h[0, :4], h[1, :4], atol=1e-5)
    bidirectional = MultiLayerEncoder(tiny_model).eval()
    with torch.no_grad():
        hb = bidirectional.model(**batch).last_hidden_state
    assert not torch.allclose(hb[0, :4], hb[1, :4], atol=1e-3)
    enc.save(tmp_path / "causal")
    assert load_encoder(tmp_path / "causal").model.config.is_decoder
    with pytest.raises(ValueError, match="attention"):
        MultiLayerEncoder(tiny_model, attention="sideways")


# --- search with multi-vector queries -------------------------------------------------------

@pytest.mark.parametrize("mq,md", [(1, 1), (1, 3), (3, 1), (3, 4)])
def test_multi_vector_query_search_is_exact(mq, md):
    rng = np.random.default_rng(mq * 10 + md)
    queries = rng.normal(size=(7, mq, 16)).astype(np.float32)
    passages = rng.normal(size=(50, md, 16)).astype(np.float32)
    assert agrees_with_brute_force(queries, passages, 10)
    scores, hits = search(queries, passages, 10)
    ref_scores, ref_hits = brute_force_max_sim(queries, passages, 10)
    assert np.allclose(scores, ref_scores, atol=1e-4) and (hits == ref_hits).mean() > 0.95


# --- the symmetric task --------------------------------------------------------------------

def toy_benchmark():
    ids = ["a#0", "a#1", "a#2", "b#0", "b#1", "c#0", "t#0", "t#1", "doc:x:1#0"]
    texts = [f"text {i}" for i in ids]
    queries = {"train": {"t": "question t"}, "dev": {"b": "question b", "c": "question c"}, "test": {"a": "question a"}}
    qrels = {"train": {"t": {"t#0": 1, "t#1": 1}}, "dev": {"b": {"b#0": 1, "b#1": 1}, "c": {"c#0": 1}},
             "test": {"a": {"a#0": 1, "a#1": 1, "a#2": 1}}}
    return RetrievalData("toy", ids, texts, queries, qrels, [])


def test_same_answer_task_queries_first_passages_and_judges_the_rest():
    sym = same_answer_task(toy_benchmark())
    assert sym.queries == {"test": {"a": "text a#0"}, "dev": {"b": "text b#0"}}  # c has one passage: no query
    assert sym.qrels["test"] == {"a": {"a#1": 1, "a#2": 1}} and sym.qrels["dev"] == {"b": {"b#1": 1}}
    assert "a#0" not in sym.corpus_ids and "b#0" not in sym.corpus_ids and "t#0" in sym.corpus_ids
    assert sym.train_pairs == [{"query": "text t#0", "positive": "text t#1", "positive_id": "t#1",
                                "source": "same-answer"}]


def test_same_answer_task_refuses_data_without_multi_passage_answers():
    data = RetrievalData("flat", ["p1", "p2"], ["x", "y"], {"test": {"q": "?"}}, {"test": {"q": {"p1": 1}}})
    with pytest.raises(DataError, match="two passages"):
        same_answer_task(data)


# --- BEIR export ---------------------------------------------------------------------------

def test_write_beir_then_load_beir_round_trips(tmp_path):
    data = toy_benchmark()
    loaded = load_beir(write_beir(data, tmp_path / "toy"))
    assert loaded.corpus_ids == data.corpus_ids and loaded.corpus_texts == data.corpus_texts
    for split in ("dev", "test"):
        assert loaded.qrels[split] == data.qrels[split] and loaded.queries[split] == data.queries[split]
    assert [p["query"] for p in loaded.train_pairs] == ["question t", "question t"]  # train qrels -> pairs


# --- false-negative filters -----------------------------------------------------------------

def test_masks_over_plan_match_the_filters_applied_batch_by_batch():
    scores = torch.tensor(np.random.default_rng(3).normal(size=(10, 4)), dtype=torch.float32)
    plan = [[3, 1, 4], [0, 9, 2, 6], [5, 8, 7]]
    assert torch.equal(masks_over_plan(lambda: StaticMargin(0.5), scores, plan), false_negative_mask(scores, 0.5))
    expected = torch.zeros(10, 3, dtype=torch.bool)
    dyn = DynamicThreshold(1.0)
    for rows in plan:
        expected[rows] = teacher_gaps(scores[rows]) < dyn.update(teacher_gaps(scores[rows]))
    assert torch.equal(masks_over_plan(lambda: DynamicThreshold(1.0), scores, plan), expected)


def test_detection_quality_by_hand():
    mask = torch.tensor([[True, False], [True, True]])
    known = torch.tensor([[True, True], [False, False]])
    q = detection_quality(mask, known)
    assert (q["masked"], q["known found"], q["precision"], q["recall"], q["masked share"]) == (3, 1, 1 / 3, 0.5, 0.75)
    assert np.isnan(detection_quality(torch.zeros(2, 2, dtype=torch.bool), known)["precision"])


def test_planted_false_negatives_are_sibling_passages_of_the_answer():
    ids = ["a#0", "a#1", "b#0", "c#0"]
    texts = ["python list sort method", "python list sort key reverse", "perl hash keys", "debian apt install"]
    pairs = [{"query": "how to sort a python list", "positive": texts[0], "positive_id": "a#0", "source": "faq"},
             {"query": "perl hash", "positive": texts[2], "positive_id": "b#0", "source": "faq"}]
    data = RetrievalData("toy", ids, texts, {}, {}, pairs)
    kept, negs, known = oq.planted_false_negatives(data, 2)
    assert [p["positive_id"] for p in kept] == ["a#0"]  # b has no sibling passage
    assert negs[0][0] == texts[1] and known.tolist() == [[True, False]]


def test_filter_sweep_is_monotone_in_its_thresholds():
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(40, 4)).astype(np.float32)
    known = torch.from_numpy(rng.random((40, 3)) < 0.2)
    sweep = oq.filter_sweep(scores, known, 8, [-1.0, 0.0, 1.0], [0.5, 1.0, 2.0], seed=0)
    static, dynamic = sweep[sweep["filter"] == "static"].masked, sweep[sweep["filter"] == "dynamic"].masked
    assert list(static) == sorted(static) and list(dynamic) == sorted(dynamic, reverse=True)
    assert sweep.iloc[1].masked == int((teacher_gaps(torch.from_numpy(scores)) < 0.0).sum())


# --- study configs and tables --------------------------------------------------------------------

def test_m_configs_give_the_curve_and_each_penalty_asked_for():
    configs = oq.m_configs("minilm", 6, {"steps": 2}, [1, 2, 4], [(2, 10.0), *oq.gamma_sweep(4, [0.1, 1])], seed=0)
    assert list(configs) == [oq.DE, "m=2", "m=4", "m=2 + decorrelation γ=10", "m=4 + decorrelation γ=0.1",
                             "m=4 + decorrelation γ=1"]
    assert configs["m=4"].doc_layers == (3, 4, 5, 6) and "decorrelation" not in configs["m=4"].key()
    assert configs["m=4 + decorrelation γ=1"].decorrelation == 1.0


def test_the_attention_grid_has_a_de_and_an_mlr_per_cell_on_one_budget():
    grid = oq.attention_grid("minilm", 6, [3, 4, 5, 6], {"steps": 60, "batch_size": 8}, seed=1)
    assert len(grid) == 8 and len({c.steps for c in grid.values()}) == 1
    cell = grid[oq.cell("causal", "last", "MLR")]
    assert (cell.attention, cell.pooling, cell.doc_layers, cell.seed) == ("causal", "last", (3, 4, 5, 6), 1)
    assert grid[oq.cell("bidirectional", "mean", "DE")].doc_layers == (6,)
    assert oq.cell("causal", "last", "DE") == "causal, last-token: DE"


def test_curves_start_at_the_de_and_find_their_peak():
    import pandas as pd
    rows = [(1, 0.0, 0.70), (2, 0.0, 0.72), (4, 0.0, 0.71), (2, 10.0, 0.60), (4, 10.0, 0.65)]
    points = pd.DataFrame([{"m": m, "gamma": g, "metric": "MRR@10", "value": v} for m, g, v in rows])
    assert list(m_curve(points, 10.0).value) == [0.70, 0.60, 0.65]
    assert oq.falls_after_peak(points, 0.0) == (2, True) and oq.falls_after_peak(points, 10.0) == (1, True)


def test_student_configs_truncate_and_scale_steps():
    train = {"steps": 30, "batch_size": 8, "hard_negatives": True, "pooling": "mean"}
    weights = {"alpha": 1.0, "kd_temperature": 1.0, "negatives": 3}
    configs = oq.student_configs("minilm", 6, [3], train, 3e-4, weights, seed=0)
    assert configs["3-layer student, labels"].light.key() == {"layers": 3, "init": "base", "beta": 0.0}
    assert configs["3-layer student, labels"].steps == 60 and configs["6-layer student, labels"].steps == 30
    assert configs["6-layer student, + CE scores"].distill.alpha == 1.0


def test_best_layers_and_layer_correlation():
    import pandas as pd
    rows = [{"step": s, "layer": l, "metric": "MRR@10", "pooling": "mean", "value": v}
            for s, vals in {0: [0.1, 0.2, 0.15, 0.5], 10: [0.1, 0.4, 0.3, 0.35]}.items() for l, v in enumerate(vals)]
    best = oq.best_layers(pd.DataFrame(rows), 3)
    assert best.loc[0, "best layer"] == 3 and best.loc[10, "best layer"] == 1
    assert best.loc[10, "early MRR@10"] == 0.4 and best.loc[0, "layer 3 MRR@10"] == 0.5
    assert best.loc[0, "layer 1 MRR@10"] == 0.2 and best.loc[10, "layer 1 MRR@10"] == 0.4  # L // 2 = 1
    same = np.ones((4, 2, 3))
    assert oq.layer_correlation(same, [0, 1]) == pytest.approx(1.0) and np.isnan(oq.layer_correlation(same[:, :1], [0]))


# --- ranker snapshots ---------------------------------------------------------------------------

def test_ranker_snapshots_start_untrained_end_at_the_teacher_and_are_cached(tiny_model):
    from mlrlib.training.ranker import RankerConfig, make_ranker, train_ranker, train_ranker_snapshots
    pairs = [{"query": f"question {i}", "positive": f"answer {i} text", "positive_id": f"p{i}", "source": "t"}
             for i in range(8)]
    negs = [[f"other {i} {j}" for j in range(3)] for i in range(8)]
    cfg = RankerConfig(model=tiny_model, kind="classifier", steps=3, batch_size=4, lr=1e-3, bf16=False)
    snaps, log = train_ranker_snapshots(pairs, negs, cfg, [0, 1, 3])
    assert sorted(snaps) == [0, 1, 3] and len(log["losses"]) == 3
    fresh = make_ranker(cfg).eval()
    same = lambda a, b: all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))  # noqa: E731
    assert same(snaps[0], fresh) and not same(snaps[1], fresh)
    teacher, teacher_log = train_ranker(pairs, negs, cfg, progress=False)
    assert teacher_log["cached"] and same(snaps[3], teacher)  # stored under the teacher's key, not retrained
    again, log2 = train_ranker_snapshots(pairs, negs, cfg, [0, 1, 3])
    assert log2["cached"] and same(again[1], snaps[1])
    with pytest.raises(ValueError, match="end at the last step"):
        train_ranker_snapshots(pairs, negs, cfg, [0, 1])


def test_snapshots_are_loaded_on_lookup_and_not_all_kept(tiny_model):
    import gc

    from mlrlib.training.ranker import RankerConfig, train_ranker_snapshots
    pairs = [{"query": f"question {i}", "positive": f"answer {i} text", "positive_id": f"p{i}", "source": "t"}
             for i in range(8)]
    negs = [[f"other {i} {j}" for j in range(3)] for i in range(8)]
    cfg = RankerConfig(model=tiny_model, kind="classifier", steps=2, batch_size=4, lr=1e-3, bf16=False)
    snaps, _ = train_ranker_snapshots(pairs, negs, cfg, [0, 2])
    held = snaps[2]
    assert snaps[2] is held and not held.training  # the same object while the caller holds it, in eval mode
    del held
    gc.collect()
    assert all(ref() is None for ref in snaps._loaded.values())  # nothing kept once the caller lets go
    with pytest.raises(KeyError):
        snaps[1]


# --- seeds and the summary ---------------------------------------------------------------------

def test_for_seeds_names_the_other_seeds_copies_and_seed_runs_collects_them_in_seed_order():
    configs = oq.for_seeds(lambda s: {"a": TrainConfig(seed=s), "b": TrainConfig(seed=s)}, [0, 3, 4], ("a",))
    assert list(configs) == ["a, seed 3", "a, seed 4"] and [c.seed for c in configs.values()] == [3, 4]

    class Trained:
        def __init__(self, run):
            self.runs = {"test": run}
    models = {"a": Trained("r0"), "a, seed 3": Trained("r3"), "a, seed 4": Trained("r4")}
    assert oq.seed_runs(models, "a", [0, 3, 4]) == ["r0", "r3", "r4"]


def test_a_gain_difference_is_recorded_and_tested_per_query():
    from mlrlib.evaluation.claims import Claim, Premise, Test
    from mlrlib.evaluation.metrics import ranx_run
    from mlrlib.evaluation.per_query import PerQuery
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(6)}

    def run(hits):  # rank 1 for the queries in `hits`, rank 2 for the others
        return ranx_run({q: {f"p{i}": 1.0 if i in hits else 0.5, "x": 0.8} for i, q in enumerate(qrels)})
    evidence = PerQuery()
    small = oq.tested(evidence, qrels, "small+", run({0, 1, 2, 3, 4}), "small", run({0}))  # distillation lifts four
    large = oq.tested(evidence, qrels, "large+", run({0, 1, 2}), "large", run({0, 1}))     # and one
    paired = Test("small+", "small", "MRR@10", minus=("large+", "large")).compare(evidence)
    assert paired.n == 6 and paired.difference == pytest.approx((4 - 1) * 0.5 / 6)
    table = oq.summary([Claim("4a. q", "h", "found", small, premise=Premise(none_needed="x")),
                        Claim("4a. q", "h", "found", large, premise=oq.share_premise(0.0, "m=4")),
                        Claim("3. q", "h", "read")])
    assert table.file == "summary.md" and table.rename["here"] == "what we found"
    frame = claims_frame(table.claims, evidence).rename(columns=table.rename)
    assert list(frame.columns[:3]) == ["question", "hypothesis", "what we found"]
    assert list(frame.verdict) == ["inconclusive", "not testable here", "measured"]
    assert frame.MDE.iloc[0] != "" and frame.MDE.iloc[2] == ""
