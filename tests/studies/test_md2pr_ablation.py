import pandas as pd

from mlrlib.studies import md2pr_ablation as study
from mlrlib.training.batches import index_batches, plan_rows
from mlrlib.training.config import TrainConfig

PAIRS = [{"query": f"q{i}", "positive": f"positive passage {i}", "positive_id": f"p{i}"} for i in range(6)]
NEGS = [[f"negative {i}.{j}" for j in range(2)] for i in range(6)]
LOG = {"steps": [{"delta": -1.0, "negatives": 4, "masked": 1, "masked_examples": [[3, 1, -2.5]]},
                 {"delta": -0.5, "negatives": 4, "masked": 0, "masked_examples": []},
                 {"delta": -0.4, "negatives": 4, "masked": 2, "masked_examples": [[0, 0, -0.1], [5, 1, -0.2]]}]}


def test_ablation_configs_differ_only_in_the_distillation_terms():
    weights = {"alpha": 1.0, "beta_attention": 2.0, "beta_hidden": 3.0, "kd_temperature": 1.0,
               "layer_map": [[6, 6]], "negatives": 3, "kappa": 2.0, "margin": 0.0}
    cfgs = study.ablation_configs("minilm", 6, {"steps": 5}, weights, seed=0)
    assert list(cfgs) == [study.BASE, "+ sentence", "+ word", "+ both", study.FULL, study.STATIC]
    d = {n: c.distill for n, c in cfgs.items()}
    assert (d[study.BASE].alpha, d[study.BASE].beta_hidden, d[study.BASE].fn_filter) == (0.0, 0.0, None)
    assert (d["+ sentence"].alpha, d["+ sentence"].beta_attention) == (1.0, 0.0)
    assert (d["+ word"].alpha, d["+ word"].beta_attention, d["+ word"].beta_hidden) == (0.0, 2.0, 3.0)
    assert d[study.FULL].fn_filter == "dynamic" and d[study.STATIC].fn_filter == "static"
    strip = [c.replace(distill=None) for c in cfgs.values()]
    assert all(s == strip[0] for s in strip)


def test_plan_rows_are_the_union_of_the_batches():
    cfgs = [TrainConfig(batch_size=2, steps=2, seed=s) for s in (0, 1)]
    expected = {i for s in (0, 1) for b in index_batches(10, 2, 2, s) for i in b}
    assert plan_rows(10, cfgs) == sorted(expected)


def test_masking_by_epoch_and_examples():
    by_epoch = study.masking_by_epoch(LOG, n_pairs=4, batch_size=2)  # 2 steps per epoch
    assert by_epoch.masked.tolist() == [1, 2] and by_epoch.negatives.tolist() == [8, 4]
    assert by_epoch.delta_last.tolist() == [-0.5, -0.4]
    ex = study.masked_examples(LOG, PAIRS, NEGS, k=2)
    assert ex["query"].tolist() == ["q3", "q0"] and ex["masked negative"].tolist() == ["negative 3.1", "negative 0.0"]
    assert isinstance(ex, pd.DataFrame) and ex["step"].tolist() == [1, 3]


def test_the_student_curve_ends_at_the_checkpoint_the_notebook_then_loads(tiny_model):
    from conftest import pairs_data

    from mlrlib.training.md2pr import train_student
    data = pairs_data("dev")
    negs = [[p["positive"] for p in data.train_pairs if p is not pair][:2] for pair in data.train_pairs]
    base = study.ablation_configs(tiny_model, 3, {"steps": 9, "batch_size": 4, "bf16": False, "hard_negatives": True,
                                                  "pooling": "mean", "lr": 1e-3},
                                  {"alpha": 1.0, "beta_attention": 1.0, "beta_hidden": 1.0, "kd_temperature": 1.0,
                                   "layer_map": [[3, 3]], "negatives": 2, "kappa": 2.0, "margin": 0.0}, 0)[study.BASE]
    enc = {"batch_size": 4, "q_max_len": 16, "p_max_len": 32, "bf16": False}
    curve = study.student_curve(data, base, [1, 2], negs, None, None, None, enc)
    assert curve.step.tolist() == [0, 1, 2] and curve["MRR@10"].between(0, 1).all()
    _, log = train_student(data.train_pairs, negs, base.replace(steps=2))
    assert log["cached"]  # the curve's run is the 2-step student's checkpoint
