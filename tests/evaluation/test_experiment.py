"""One model end to end: a model already trained under the same name and config is reused, not retrained."""
import numpy as np
import pytest

from mlrlib.evaluation import experiment
from mlrlib.training.config import TrainConfig


def test_train_all_reuses_a_model_with_the_same_config(monkeypatch):
    cfg = TrainConfig(steps=1, hard_negatives=False)
    old = experiment.TrainedModel("x", cfg, None, {}, np.zeros((1, 1, 2)), {})
    monkeypatch.setattr(experiment, "train_and_evaluate", lambda *a, **k: pytest.fail("retrained"))
    assert experiment.train_all(None, {"x": cfg}, {}, trained={"x": old})["x"] is old


def test_train_all_mines_negatives_from_the_training_data_and_searches_the_eval_data(monkeypatch):
    seen = []
    monkeypatch.setattr(experiment, "train_encoder", lambda pairs, negatives, cfg, progress=None: ("enc", {}))
    monkeypatch.setattr(experiment, "evaluated",
                        lambda name, enc, log, cfg, data, e, splits: seen.append((data, splits)))
    monkeypatch.setattr(experiment, "training_data", lambda data, hard: seen.append(("mined", data)) or ([], []))

    class Data:
        train_pairs = []
    train, sample = Data(), Data()
    experiment.train_all(train, {"x": TrainConfig(steps=1, hard_negatives=True)}, {}, splits=("test",),
                         eval_data=sample)
    assert seen == [("mined", train), (sample, ("test",))]


def test_a_corpus_streamed_into_a_store_gives_the_runs_of_the_in_memory_corpus(tiny_model, small_beir):
    from mlrlib.data import load_beir
    from mlrlib.evaluation.corpus import corpus_vectors
    from mlrlib.methods.encoders import MultiLayerEncoder

    data, encoder = load_beir(small_beir), MultiLayerEncoder(tiny_model)
    cfg = TrainConfig(model=tiny_model, doc_layers=[2, 3], query_layer=3, normalize=True)
    enc = {"batch_size": 2, "q_max_len": 16, "p_max_len": 32, "bf16": False}
    memory_runs, memory = experiment.evaluate_model("m", encoder, cfg, data, enc, splits=("test",))
    stored_runs, stored = experiment.evaluate_model("m", encoder, cfg, data, enc | {"store": "float32"},
                                                    splits=("test",))
    assert isinstance(stored, np.memmap) and not isinstance(memory, np.memmap)
    np.testing.assert_array_equal(stored, memory)
    assert stored_runs["test"].to_dict() == memory_runs["test"].to_dict()
    again = corpus_vectors(encoder, data.corpus_texts, [2, 3], "cls", True, enc | {"store": "float32"})
    assert again.filename == stored.filename  # the same weights and corpus reuse the store
