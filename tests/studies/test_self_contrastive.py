import numpy as np

from mlrlib.evaluation import cost
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.runtime.presets import get_preset
from mlrlib.studies import self_contrastive as study
from mlrlib.training.config import TrainConfig

TRAIN = {"steps": 2, "batch_size": 4}


def test_headline_has_the_de_and_both_readings_with_both_layer_sets():
    configs = study.headline_configs("m", 6, TRAIN, 0.5, seed=3)
    assert configs[study.DE].doc_layers == (6,) and configs[study.DE].objective == "mlr"
    assert configs["SV-MLR (a) {L-1,L}"].doc_layers == (5, 6)
    assert configs["SV-MLR (b) {L-2,L}"].doc_layers == (4, 6)
    assert {c.objective for n, c in configs.items() if n != study.DE} == {"query-anchored", "self-anchored"}
    assert all(c.lam == 0.5 and c.seed == 3 and c.steps == 2 for n, c in configs.items() if n != study.DE)
    one_set = study.headline_configs("m", 6, TRAIN, 0.5, seed=3, sets=("{L-1,L}",))
    assert sorted(one_set) == sorted([study.DE, "SV-MLR (a) {L-1,L}", "SV-MLR (b) {L-1,L}"])
    name, cfg = study.other_set("SV-MLR (b) {L-1,L}", one_set["SV-MLR (b) {L-1,L}"])
    assert name == "SV-MLR (b) {L-2,L}" and cfg == configs[name]


def test_lambda_and_pooling_configs_change_only_what_they_name():
    base = study.headline_configs("m", 6, TRAIN, 1.0, 0)["SV-MLR (b) {L-1,L}"]
    sweep = study.lambda_configs(base, [0.01, 10])
    assert sorted(sweep) == [0.01, 10.0]
    assert all({k for k, v in base.key().items() if v != c.key()[k]} == {"lam"} for c in sweep.values())
    pools = study.pooling_configs("m", 6, TRAIN, {"average": 1e-3, "attention": 2e-3}, 0)
    assert [(c.layer_pooling, c.head_lr) for c in pools.values()] == [("average", 1e-3), ("attention", 2e-3)]
    assert all(c.doc_layers == (1, 2, 3, 4, 5, 6) for c in pools.values())


def test_laptop_preset_runs_three_seeds_in_the_papers_regime_and_names_what_it_cut():
    p = get_preset("02_self_contrastive_mlr", "laptop")
    paper, own = p["regimes"]["paper"], p["regimes"]["own"]
    assert paper["seeds"] == 3 and len(p["seeds"]) >= 3 and paper["readings"] == ["a", "b"]
    assert "attention" in paper["poolings"] and p["lam"] in paper["lambdas"]
    # cut to fit the hour: the own regime trains the paper regime's reading only, and nothing else beyond the DE
    assert own["readings"] is None and not own["poolings"] and own["lambdas"] == [p["lam"]] and not own["other_set"]
    assert {paper["train"]["pooling"], own["train"]["pooling"]} == {"cls", "mean"}
    full = get_preset("02_self_contrastive_mlr", "paper")["regimes"]
    assert all(r["lambdas"] == [0.01, 0.1, 1.0, 10.0] and r["other_set"] for r in full.values())
    assert all(set(r["poolings"]) == {"average", "scalar-mix", "attention"} for r in full.values())
    smoke = get_preset("02_self_contrastive_mlr", "smoke")["regimes"]
    assert smoke["paper"]["other_set"] and len(smoke["paper"]["lambdas"]) > 1 and smoke["own"]["readings"] is None


def test_headline_trains_only_the_readings_named():
    configs = study.headline_configs("m", 6, TRAIN, 1.0, 0, ("{L-1,L}",), ("b",))
    assert sorted(configs) == sorted([study.DE, "SV-MLR (b) {L-1,L}"])
    assert list(study.headline_configs("m", 6, TRAIN, 1.0, 0, readings=())) == [study.DE]
    assert study.reading_of("SV-MLR (b) {L-2,L} λ=10") == "b"


def test_index_cost_counts_vectors_and_grows_with_them():
    one, two = cost.index_cost(np.ones((10, 1, 8), np.float32)), cost.index_cost(np.ones((10, 2, 8), np.float32))
    assert one["vectors"] == 10 and two["vectors"] == 20 and two["bytes"] > one["bytes"]


def test_latency_and_step_timings_have_a_row_per_system(tiny_model):
    cfg = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, bf16=False, batch_size=2)
    enc = {"batch_size": 4, "q_max_len": 16, "p_max_len": 16, "bf16": False}
    encoder = MultiLayerEncoder(tiny_model)
    passages = encoder.encode(["a b", "c d", "e"], [3], normalize=True)["cls"]
    table = cost.query_latency({"x": (encoder, cfg, passages), "y": (encoder, cfg, passages)}, ["q one", "q two"], enc,
                               k=2)
    assert list(table.index) == ["x", "y"] and table.loc["x", "ratio"] == 1.0 and (table.median_ms > 0).all()
    pairs = [{"query": f"q{i}", "positive": f"p{i}"} for i in range(4)]
    sv = cfg.replace(doc_layers=[2, 3], objective="self-anchored")
    steps = cost.train_step_seconds({"DE": cfg, "SV": sv}, pairs, steps=1)
    assert list(steps.index) == ["DE", "SV"] and steps.loc["DE", "ratio"] == 1.0


def test_regime_claims_read_each_regimes_premise():
    import pandas as pd
    from conftest import ranked_run

    from mlrlib.evaluation.claims import claims_frame
    from mlrlib.evaluation.per_query import PerQuery

    n, best = 60, "SV-MLR (a) {L-1,L}"
    qrels = {f"q{i}": {f"p{i}": 1} for i in range(n)}
    good, poor = [1] * n, [1 if i % 3 else 0 for i in range(n)]
    names = [study.DE, best, "SV-MLR (a) {L-2,L}", f"{best} λ=10", study.POOLING_NAMES["attention"]]
    paper = {name: ranked_run(name, good if name == best else poor) for name in names}
    own = {name: ranked_run(name, poor) for name in names}  # every system ranks as the DE: nothing changed
    evidence = PerQuery()
    for split in ("dev", "test"):
        study.record(evidence, paper, {}, qrels, split, (0,), 0)
        study.record(evidence, own, {}, qrels, split, (0,), 0, suffix=study.SUFFIX["own"])
    lam5 = pd.Series({1.0: 1.0, 10.0: 0.67})
    rows = [*study.regime_claims("paper", best, lam5, paper, (0,), 6, 1.0, 0.002, "cls"),
            *study.regime_claims("own", best, lam5, {k + study.SUFFIX["own"]: v for k, v in own.items()}, (0,), 6,
                                 1.0, 0.002, "mean"),
            *study.cost_claims({"sv_bytes": 1, "de_bytes": 1, "latency_ratio": 1.0, "train_ratio": 1.2})]
    claims = claims_frame(rows, evidence)
    assert list(claims.verdict[:2]) == ["supported", "supported"]
    own_rows = claims[claims.system.str.endswith(study.SUFFIX["own"])]
    # the collapse claim needs no premise; the others' lists never change in this model's own regime
    assert list(own_rows.verdict) == ["not testable here"] * 3 + ["inconclusive", "not testable here"]
    assert "this model's own regime: mean" in own_rows["claim (paper)"].iloc[0]
    assert list(claims.verdict[-2:]) == ["measured", "measured"]
    # a regime that trained only the DE and the chosen model keeps the headline claims alone
    reduced = {name: paper[name] for name in (study.DE, best)}
    kept = study.regime_claims("paper", best, lam5.iloc[:1], reduced, (0,), 6, None, 0.002, "cls")
    assert [c.test.metric for c in kept] == list(study.SV_METRICS)
    # reading (a) with no lower layer ever winning its max: its regularizer is the DE's loss, nothing to test
    idle = study.regime_claims("paper", best, lam5.iloc[:1], reduced, (0,), 6, None, 0.002, "cls", {best: 0.0})
    assert list(claims_frame(idle, evidence).verdict) == ["not testable here"] * 2
    acting = study.regime_claims("paper", best, lam5.iloc[:1], reduced, (0,), 6, None, 0.002, "cls", {best: 0.2})
    assert list(claims_frame(acting, evidence).verdict) == ["supported"] * 2
