"""The typed training configs: frozen, validated, and keyed exactly as the dicts they replaced (so every cached
checkpoint is still found)."""
import dataclasses

import pytest

from mlrlib.runtime.cache import config_hash
from mlrlib.runtime.presets import get_preset
from mlrlib.runtime.presets.shared import TRAIN
from mlrlib.studies import md2pr_ablation, open_questions
from mlrlib.training.config import DistillConfig, LightConfig, TrainConfig
from mlrlib.training.light_de import light_config
from mlrlib.training.ranker import RankerConfig

# config_hash of each config's key, computed by the code before the configs were dataclasses (they were dicts
# then, built by train_config / distill_config / light_config / ranker_config): the checkpoints cached under them
OLD_HASHES = {
    "default": "88b6edc9d4d3",
    "self-anchored": "18b665440ad9",
    "causal": "1c3dff469218",
    "student": "c6da98f0e0b9",
    "light": "623c739b9261",
    "ranker": "6af99d6664eb",
    "03 laptop + both + dynamic filter": "85e79dc65457",
    "05 laptop m=6 + decorrelation γ=1": "f2f269e03be9",
}


def configs() -> dict:
    p03 = get_preset("03_md2pr_distillation", "laptop")
    # notebook 05's laptop training as it was then (bf16; it now trains in float32)
    p05_train = {**TRAIN, "steps": 30, "batch_size": 8, "hard_negatives": True, "pooling": "mean"}
    return {
        "default": TrainConfig(),
        "self-anchored": TrainConfig(doc_layers=[5, 6], query_layer=6, objective="self-anchored", lam=0.1, seed=2,
                                     steps=30, lr=5e-5, hard_negatives=False),
        "causal": TrainConfig(decorrelation=10.0, attention="causal", pooling="last", doc_layers=[3, 4, 5, 6]),
        "student": TrainConfig().replace(distill=DistillConfig(alpha=1.0, beta_attention=100.0, beta_hidden=5.0,
                                                               layer_map=[(6, 6), (3, 3)], fn_filter="dynamic")),
        "light": light_config("minilm", 2, "ce", {"steps": 45, "lr": 3e-4, "batch_size": 8, "hard_negatives": True,
                                                  "pooling": "mean"}, alpha=1.0, beta=1.0),
        "ranker": RankerConfig(model="minilm", kind="gated", steps=60, lr=1e-4),
        # notebook 03's laptop students as they were then (they now train 50 steps in mean pooling)
        "03 laptop + both + dynamic filter": md2pr_ablation.ablation_configs(
            "minilm", 6, {**p03["train"], "steps": 30, "pooling": "cls", "bf16": True}, p03["distill"], 0)[
                md2pr_ablation.FULL],
        # notebook 05's laptop penalty as it was then (it now weighs 10)
        "05 laptop m=6 + decorrelation γ=1": open_questions.m_configs(
            "minilm", 6, p05_train, [1, 4, 6], [(6, 1.0)], 0)[
                open_questions.penalised(6, 1.0)],
    }


@pytest.mark.parametrize("name", OLD_HASHES)
def test_keys_hash_as_before_the_dataclasses(name):
    assert config_hash(configs()[name].key()) == OLD_HASHES[name]


def test_later_fields_stay_out_of_the_key_at_their_default():
    key = TrainConfig().key()
    assert "decorrelation" not in key and "attention" not in key and "distill" not in key and "light" not in key
    assert TrainConfig(attention="causal").key()["attention"] == "causal"


def test_a_key_reads_back_into_the_same_config():
    for cfg in configs().values():
        if isinstance(cfg, TrainConfig):
            assert TrainConfig.from_key(cfg.key()) == cfg


def test_configs_are_frozen_and_compare_by_value():
    cfg = TrainConfig(doc_layers=[5, 6])
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed = 1
    assert cfg == TrainConfig(doc_layers=(5, 6)) and cfg.replace(seed=1) != cfg and cfg.replace(seed=1).seed == 1


def test_values_are_kept_as_given():
    key = TrainConfig(lr=1, temperature=0.05).key()
    assert key["lr"] == 1 and isinstance(key["lr"], int) and key["doc_layers"] == [6]


@pytest.mark.parametrize("make, message", [
    (lambda: TrainConfig(objective="colbert"), "unknown objective"),
    (lambda: TrainConfig(doc_layers=[4, 5], query_layer=6, objective="self-anchored"), "ending with the query layer"),
    (lambda: TrainConfig(decorrelation=-1.0), "decorrelation"),
    (lambda: DistillConfig(fn_filter="sometimes"), "unknown fn_filter"),
    (lambda: DistillConfig(negatives=0), "negatives >= 1"),
    (lambda: LightConfig(layers=2, init="bert"), "unknown init"),
    (lambda: LightConfig(layers=2, init="ce", beta=-1), "beta must be >= 0"),
    (lambda: RankerConfig(kind="poly"), "unknown ranker kind"),
    (lambda: RankerConfig(steps=-1), "steps >= 0"),
])
def test_bad_values_are_refused_with_a_message(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_config_hashes_and_logs_as_its_key_wherever_it_is_put(tmp_path):
    import json

    from mlrlib.runtime.cache import atomic_write_json
    cfg = configs()["student"]
    assert config_hash({"config": cfg, "data": "x"}) == config_hash({"config": cfg.key(), "data": "x"})
    atomic_write_json(tmp_path / "log.json", {"key": {"config": cfg}})
    assert TrainConfig.from_key(json.loads((tmp_path / "log.json").read_text())["key"]["config"]) == cfg
