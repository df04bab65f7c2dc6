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
