"""The premises' measured properties: which layer wins a max over layers, which lists change, where a curve
flattens, where a pooler starts."""
import numpy as np
import pandas as pd
import pytest

from mlrlib.evaluation.metrics import ranx_run
from mlrlib.evaluation.premises import changed_lists, last_quarter_rise, lower_layer_share


def test_a_lower_layer_wins_the_max_only_where_its_score_is_higher():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    # passages x 2 layers (5, 6): passage 0's layer 5 matches query 0; every other score is won by layer 6
    p = np.array([[[1.0, 0.0], [0.5, 0.0]], [[0.0, 0.1], [0.0, 0.9]], [[0.0, 0.0], [0.2, 0.2]]])
    share = lower_layer_share(q, p, [5, 6], 6, k=2)
    # query 0's top 2: passage 0 (won by layer 5) and passage 2 (layer 6); query 1's: passages 1, 2 (layer 6)
    assert share == pytest.approx(1 / 4)
    assert lower_layer_share(q, p[:, [1]], [6], 6, k=2) == 0.0  # the DE: no other layer to win
    with pytest.raises(ValueError, match="layers"):
        lower_layer_share(q, p, [4, 5, 6], 6)


def test_changed_lists_counts_queries_whose_top_k_differs_in_ids_or_order():
    a = ranx_run({"q1": {"x": 3.0, "y": 2.0}, "q2": {"x": 3.0, "y": 2.0}, "q3": {"x": 1.0}})
    b = ranx_run({"q1": {"x": 3.0, "y": 2.0}, "q2": {"x": 2.0, "y": 3.0}, "q3": {"z": 1.0}})
    assert changed_lists(a, a) == 0.0 and changed_lists(a, b) == pytest.approx(2 / 3)


def test_last_quarter_rise_reads_the_end_of_a_curve():
    curve = pd.DataFrame({"step": [0, 25, 50, 75, 100], "MRR@10": [0.3, 0.6, 0.7, 0.74, 0.745]})
    assert last_quarter_rise(curve) == pytest.approx(0.005)
    rising = curve.assign(**{"MRR@10": [0.3, 0.4, 0.5, 0.6, 0.7]})
    assert last_quarter_rise(rising) == pytest.approx(0.1)


def test_a_pooler_starts_at_the_baseline_only_when_its_output_is_the_baselines_vector(tiny_model):
    from mlrlib.evaluation.premises import pooler_start_cosine
    from mlrlib.training.config import TrainConfig
    enc = {"batch_size": 4, "q_max_len": 16, "p_max_len": 32, "bf16": False}
    de = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, pooling="mean")
    texts = ["a passage about python packages", "another on perl", "debian documentation", "a fourth one"]
    same = de.replace(layer_pooling="average")  # the average of the last layer alone: the DE's vector
    assert pooler_start_cosine(same, de, texts, enc) == pytest.approx(1.0, abs=1e-5)
    attention = de.replace(doc_layers=(1, 2, 3), layer_pooling="attention", seed=0)
    assert pooler_start_cosine(attention, de, texts, enc) == pytest.approx(1.0, abs=1e-5)  # starts at x_L
    neutral = attention.replace(pooler_start="neutral")  # random output projections: elsewhere
    assert pooler_start_cosine(neutral, de, texts, enc) < 0.99
