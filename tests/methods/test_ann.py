"""Approximate search (FAISS HNSW, IVF): valid ids, high recall against exact search on clustered data."""
import numpy as np
import pytest

from mlrlib.methods.ann import AnnConfig, AnnIndex, recall_against_exact
from mlrlib.methods.search import MultiVectorIndex
from mlrlib.methods.vector_store import StoreSpec, VectorStore


def clustered(n, dim=32, clusters=20, seed=0):
    """Unit vectors around `clusters` centres, and queries drawn the same way."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))

    def draw(count):
        v = centres[rng.integers(clusters, size=count)] + 0.3 * rng.standard_normal((count, dim))
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    return draw(n), draw(50)


CONFIGS = [AnnConfig(kind="hnsw", M=32, ef_construction=100, ef_search=200, block=500),
           AnnConfig(kind="ivf", nlist=16, nprobe=8, block=500)]


@pytest.mark.parametrize("config", CONFIGS, ids=["hnsw", "ivf"])
def test_recall_is_high_and_ids_are_valid(config):
    corpus, queries = clustered(3000)
    scores, ids = AnnIndex(corpus, config).search(queries, 10)
    _, exact = MultiVectorIndex(corpus).search(queries, 10)
    assert ids.shape == (50, 10) and ids.dtype == np.int64 and scores.dtype == np.float32
    assert ((ids >= 0) & (ids < 3000)).all()
    assert (np.diff(scores, axis=1) <= 1e-6).all()
    assert recall_against_exact(ids, exact, 10) > 0.9


@pytest.mark.parametrize("config", CONFIGS, ids=["hnsw", "ivf"])
def test_multi_vector_passages_from_a_store(tmp_path, config):
    corpus, queries = clustered(2 * 1200)
    passages = corpus.reshape(1200, 2, -1)
    spec = StoreSpec(n=1200, dim=32, layer_sets={"mlr": [1, 2]}, vectors_per_text={"mlr": 2}, dtype="float32",
                     chunk_size=500)
    store = VectorStore.create_or_open(tmp_path / "s", spec)
    for chunk in store.chunks():
        store.write_chunk(chunk, {"mlr": passages[store.rows(chunk)]})
    _, ids = AnnIndex.from_store(VectorStore.open(tmp_path / "s"), "mlr", config).search(queries, 10)
    _, exact = MultiVectorIndex(passages).search(queries, 10)
    assert ((ids >= 0) & (ids < 1200)).all()
    assert all(len(set(row)) == 10 for row in ids)
    assert recall_against_exact(ids, exact, 10) > 0.9


def test_recall_counts_overlap_and_ignores_missing():
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    approx = np.array([[4, 3, 9, -1], [5, 6, 7, 8]])
    assert recall_against_exact(approx, exact, 4) == pytest.approx((2 / 4 + 1) / 2)
    with pytest.raises(ValueError, match="needs at least"):
        recall_against_exact(approx[:, :2], exact, 4)


def test_bad_config_and_queries():
    with pytest.raises(ValueError, match="kind"):
        AnnConfig(kind="lsh")
    corpus, _ = clustered(200)
    with pytest.raises(ValueError, match="queries must be"):
        AnnIndex(corpus, AnnConfig(kind="ivf", nlist=4)).search(np.zeros((2, 5), np.float32), 3)
