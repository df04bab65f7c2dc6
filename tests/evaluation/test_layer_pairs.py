import numpy as np
import pytest

from mlrlib.evaluation.layer_pairs import pair_table, rescored_runs, winning_pairs
from mlrlib.evaluation.metrics import search_run


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_the_pair_that_attains_each_top_score_is_counted():
    # passage layer 1 carries the signal, layer 0 is one shared direction every passage has
    rng = np.random.default_rng(0)
    shared = unit(rng.normal(size=8))
    passages = np.stack([np.tile(0.3 * shared, (20, 1)), unit(rng.normal(size=(20, 8)))], axis=1)
    queries = np.stack([np.tile(0.3 * shared, (5, 1)), passages[:5, 1] * 2.0], axis=1)  # q_1 = 2 d_1 of its passage
    shares = winning_pairs(queries, passages, k=1)
    assert shares.shape == (2, 2) and shares.sum() == pytest.approx(1.0)
    assert shares[1, 1] == pytest.approx(1.0)  # each query's best passage is its own, won by (1, 1)
    table = pair_table(winning_pairs(queries, passages, k=10), [5, 6])
    assert list(table.columns) == ["layer 5", "layer 6"] and table.values.sum() == pytest.approx(100.0)


def test_the_argmax_is_the_brute_force_one():
    rng = np.random.default_rng(1)
    q, p = unit(rng.normal(size=(3, 3, 6))), unit(rng.normal(size=(30, 3, 6)))
    counts = np.zeros((3, 3))
    for query in q:
        scores = np.einsum("ah,nbh->nab", query, p)
        for n in np.argsort(-scores.reshape(30, -1).max(1))[:4]:
            counts[np.unravel_index(scores[n].argmax(), (3, 3))] += 1
    assert np.allclose(winning_pairs(q, p, k=4), counts / counts.sum())


def test_rescoring_with_the_last_query_layer_is_the_passage_side_search():
    rng = np.random.default_rng(2)
    q, p = unit(rng.normal(size=(4, 3, 6))), unit(rng.normal(size=(25, 3, 6)))
    qids, pids = [f"q{i}" for i in range(4)], [f"d{i}" for i in range(25)]
    runs = rescored_runs("both", qids, q, p, pids)
    assert runs["last layer on the query side"].to_dict() == search_run("x", qids, q[:, -1], p, pids).to_dict()
    assert runs["centred"].to_dict() != search_run("x", qids, q, p, pids).to_dict()
