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


def test_lambda_and_pooling_configs_change_only_what_they_name():
    base = study.headline_configs("m", 6, TRAIN, 1.0, 0)["SV-MLR (b) {L-1,L}"]
    sweep = study.lambda_configs(base, [0.01, 10])
    assert sorted(sweep) == [0.01, 10.0]
    assert all({k for k, v in base.key().items() if v != c.key()[k]} == {"lam"} for c in sweep.values())
    pools = study.pooling_configs("m", 6, TRAIN, {"average": 1e-3, "attention": 2e-3}, 0)
    assert [(c.layer_pooling, c.head_lr) for c in pools.values()] == [("average", 1e-3), ("attention", 2e-3)]
    assert all(c.doc_layers == (1, 2, 3, 4, 5, 6) for c in pools.values())


def test_laptop_preset_runs_three_seeds_and_lambdas_either_side_of_one():
    # 0.01 left the laptop sweep with issue 21 (converged models cost more; 0.1 already moved nothing); paper keeps it
    p = get_preset("02_self_contrastive_mlr", "laptop")
    assert len(p["seeds"]) >= 3 and p["lambdas"] == [0.1, 1.0, 10.0] and p["lam"] in p["lambdas"]
    assert get_preset("02_self_contrastive_mlr", "paper")["lambdas"] == [0.01, 0.1, 1.0, 10.0]
    assert set(p["poolings"]) == {"average", "scalar-mix", "attention"}


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
