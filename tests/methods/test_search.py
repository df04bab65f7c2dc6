import numpy as np
import pytest

from mlrlib.methods.search import agrees_with_brute_force, brute_force_max_sim, search


@pytest.mark.parametrize("m", [1, 2, 4, 6])
def test_multi_vector_search_equals_brute_force_max_sim(m):
    rng = np.random.default_rng(m)
    q = rng.normal(size=(30, 16)).astype(np.float32)
    d = rng.normal(size=(400, m, 16)).astype(np.float32)
    scores, ids = search(q, d, 25)
    ref_scores, ref_ids = brute_force_max_sim(q, d, 25)
    np.testing.assert_array_equal(ids, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)
    assert agrees_with_brute_force(q, d, 25)


def test_single_vector_search_is_inner_product_top_k():
    q = np.array([[1.0, 0.0]], dtype=np.float32)
    d = np.array([[0.1, 5.0], [2.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    scores, ids = search(q, d, 2)
    assert ids.tolist() == [[1, 2]] and scores.tolist() == [[2.0, 1.0]]


def test_a_passage_is_returned_once_even_when_all_its_vectors_win():
    q = np.array([[1.0, 0.0]], dtype=np.float32)
    d = np.array([[[3.0, 0.0], [2.9, 0.0]], [[1.0, 0.0], [0.0, 1.0]]], dtype=np.float32)
    scores, ids = search(q, d, 2)
    assert ids.tolist() == [[0, 1]] and np.allclose(scores, [[3.0, 1.0]])


def test_agreement_check_catches_a_wrong_result(monkeypatch):
    import mlrlib.methods.search as s
    rng = np.random.default_rng(0)
    q, d = rng.normal(size=(5, 8)).astype(np.float32), rng.normal(size=(50, 2, 8)).astype(np.float32)
    real = s.search
    monkeypatch.setattr(s, "search", lambda *a: (lambda sc, ids: (sc, ids[:, ::-1].copy()))(*real(*a)))
    assert not s.agrees_with_brute_force(q, d, 10)


def test_layer_correlation_measures():
    from mlrlib.evaluation.layer_analysis import cross_passage_cosine, layer_cosine
    from mlrlib.methods.layer_sets import last_few, uniform
    rng = np.random.default_rng(0)
    base = rng.normal(size=(50, 8))
    same = np.ones(8)
    vecs = np.stack([base, 2 * base, np.tile(same, (50, 1))], 1)  # layer 1 = 2 x layer 0; layer 2 constant
    cos = layer_cosine(vecs)
    assert np.allclose(np.diag(cos), 1) and np.isclose(cos[0, 1], 1)
    spread = cross_passage_cosine(vecs)
    assert np.isclose(spread[2], 1) and abs(spread[0]) < 0.1
    assert uniform(6, 4) == [2, 3, 5, 6] and last_few(6, 4) == [3, 4, 5, 6] and uniform(12, 4) == [3, 6, 9, 12]
