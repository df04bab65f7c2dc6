"""Exact inner-product search: equal to a full sort of the scores, across corpus blocks."""
import numpy as np
import pytest

from mlrlib.methods import search
from mlrlib.methods.search import ExactInnerProduct, MultiVectorIndex, agrees_with_brute_force


def _data(n, d=16, q=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((q, d), dtype=np.float32), rng.standard_normal((n, d), dtype=np.float32)


@pytest.mark.parametrize("block", [5, 64, 10_000])
def test_exact_top_k_equals_full_sort_across_blocks(monkeypatch, block):
    monkeypatch.setattr(search, "BLOCK", block)
    queries, corpus = _data(203)
    scores, ids = ExactInnerProduct(corpus).search(queries, 10)
    full = queries @ corpus.T
    want = np.argsort(-full, axis=1)[:, :10]
    assert np.array_equal(ids, want)
    assert np.allclose(scores, np.take_along_axis(full, want, 1), atol=1e-5)
    assert ids.dtype == np.int64 and scores.dtype == np.float32


def test_k_larger_than_corpus_returns_every_row():
    queries, corpus = _data(4)
    scores, ids = ExactInnerProduct(corpus).search(queries, 10)
    assert ids.shape == (7, 4) and sorted(ids[0]) == [0, 1, 2, 3]


def test_multi_vector_index_across_small_blocks(monkeypatch):
    monkeypatch.setattr(search, "BLOCK", 7)
    queries, corpus = _data(120 * 3)
    assert agrees_with_brute_force(queries, corpus.reshape(120, 3, -1), 10)
    assert MultiVectorIndex(corpus.reshape(120, 3, -1)).nbytes == corpus.nbytes
