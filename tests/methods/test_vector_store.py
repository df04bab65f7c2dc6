"""The on-disk vector store: round trip, resume after a kill, ranks, spec checks, streamed exact search."""
import json

import numpy as np
import pytest
import torch

from mlrlib.methods import search
from mlrlib.methods.search import ExactInnerProduct, MultiVectorIndex, store_index
from mlrlib.methods.vector_store import StoreSpec, VectorStore, encode_to_store, union_layers

SETS = {"last": [3], "mlr": [1, 3]}


class StubEncoder:
    """Deterministic vectors per (text, layer); counts encode calls and the texts it saw."""

    dim = 8

    def __init__(self, pooled: bool = False):
        self.calls, self.pooled = [], pooled

    def vectors_per_text(self, layers):
        return 1 if self.pooled else len(layers)

    def encode(self, texts, layers, poolings=("cls",), **kw):
        self.calls.append(list(texts))
        seeds = [int(t.split()[-1]) for t in texts]
        vecs = np.stack([[np.random.default_rng([s, l]).standard_normal(self.dim) for l in layers] for s in seeds])
        vecs = vecs.mean(1, keepdims=True) if self.pooled else vecs
        return {p: vecs.astype(np.float32) for p in poolings}


def texts(n):
    return [f"passage {i}" for i in range(n)]


def test_round_trip_equals_in_memory_encoding(tmp_path):
    encoder = StubEncoder()
    store = encode_to_store(encoder, texts(23), SETS, tmp_path / "s", dtype="float32", chunk_size=5)
    full = StubEncoder().encode(texts(23), [1, 3])["cls"]
    assert store.complete and len(encoder.calls) == 5
    reopened = VectorStore.open(tmp_path / "s")
    np.testing.assert_array_equal(reopened.array("mlr"), full)
    np.testing.assert_array_equal(reopened.array("last"), full[:, 1:])
    assert reopened.array("mlr").shape == (23, 2, 8) and reopened.rows(4) == slice(20, 23)
    meta = json.loads((tmp_path / "s" / "meta.json").read_text())
    assert meta["n"] == 23 and meta["vectors_per_text"] == {"last": 1, "mlr": 2}
    assert np.load(tmp_path / "s" / "mlr.npy").shape == (23, 2, 8)


def test_resume_redoes_only_unmarked_chunks(tmp_path):
    folder = tmp_path / "s"
    first = StubEncoder()
    store = encode_to_store(first, texts(20), SETS, folder, chunk_size=5)
    reference = np.array(store.array("mlr"))
    # simulate a kill: chunk 1 unmarked (its rows possibly half-written), chunk 3 rows zeroed and unmarked
    (folder / "done" / f"{1:08d}").unlink()
    (folder / "done" / f"{3:08d}").unlink()
    store.array("mlr")[15:18] = 0
    store.array("mlr").flush()
    assert not VectorStore.open(folder).complete and VectorStore.open(folder).missing() == [1, 3]
    again = StubEncoder()
    resumed = encode_to_store(again, texts(20), SETS, folder, chunk_size=5)
    assert again.calls == [texts(20)[5:10], texts(20)[15:20]]
    assert resumed.complete
    np.testing.assert_array_equal(VectorStore.open(folder).array("mlr"), reference)
    done = StubEncoder()
    encode_to_store(done, texts(20), SETS, folder, chunk_size=5)
    assert done.calls == []


def test_a_failed_write_leaves_the_chunk_unmarked(tmp_path):
    spec = StoreSpec(n=10, dim=8, layer_sets={"a": [1]}, vectors_per_text={"a": 1}, chunk_size=5)
    store = VectorStore.create_or_open(tmp_path / "s", spec)
    with pytest.raises(ValueError, match="shape"):
        store.write_chunk(0, {"a": np.zeros((4, 1, 8))})
    assert not store.done(0)
    store.write_chunk(0, {"a": np.ones((5, 1, 8))})
    assert store.done(0) and not store.done(1) and not store.complete


def test_two_ranks_write_the_same_store_as_one(tmp_path):
    one = encode_to_store(StubEncoder(), texts(31), SETS, tmp_path / "one", chunk_size=4)
    encoders = [StubEncoder(), StubEncoder()]
    for rank in (1, 0):
        encode_to_store(encoders[rank], texts(31), SETS, tmp_path / "two", chunk_size=4, rank=rank, world_size=2)
    assert [len(e.calls) for e in encoders] == [4, 4]
    two = VectorStore.open(tmp_path / "two")
    assert two.complete
    for name in SETS:
        np.testing.assert_array_equal(two.array(name), one.array(name))


def test_spec_mismatch_is_a_clear_error(tmp_path):
    encode_to_store(StubEncoder(), texts(10), SETS, tmp_path / "s", chunk_size=4)
    with pytest.raises(ValueError, match="delete the folder"):
        encode_to_store(StubEncoder(), texts(11), SETS, tmp_path / "s", chunk_size=4)
    with pytest.raises(ValueError, match="dtype"):
        encode_to_store(StubEncoder(), texts(10), SETS, tmp_path / "s", chunk_size=4, dtype="float32")
    with pytest.raises(FileNotFoundError, match="no vector store"):
        VectorStore.open(tmp_path / "nothing")
    with pytest.raises(ValueError, match="rank"):
        encode_to_store(StubEncoder(), texts(10), SETS, tmp_path / "t", rank=2, world_size=2)


def test_bad_spec_and_read_only_store(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        StoreSpec(n=3, dim=2, layer_sets={"a": [1]}, vectors_per_text={"a": 1}, dtype="int8")
    with pytest.raises(ValueError, match="file name"):
        StoreSpec(n=3, dim=2, layer_sets={"a/b": [1]}, vectors_per_text={"a/b": 1})
    encode_to_store(StubEncoder(), texts(4), {"a": [1]}, tmp_path / "s")
    with pytest.raises(PermissionError, match="read-only"):
        VectorStore.open(tmp_path / "s").write_chunk(0, {"a": np.zeros((4, 1, 8))})
    with pytest.raises(KeyError, match="no layer set"):
        VectorStore.open(tmp_path / "s").array("b")


def test_float16_store_and_overflow(tmp_path):
    store = encode_to_store(StubEncoder(), texts(9), SETS, tmp_path / "s", chunk_size=4)
    full = StubEncoder().encode(texts(9), [1, 3])["cls"]
    assert store.array("mlr").dtype == np.float16
    np.testing.assert_array_equal(store.array("mlr"), full.astype(np.float16))
    assert (tmp_path / "s" / "mlr.npy").stat().st_size < 9 * 2 * 8 * 4
    spec = StoreSpec(n=2, dim=8, layer_sets={"a": [1]}, vectors_per_text={"a": 1})
    with pytest.raises(ValueError, match="float32"):
        VectorStore.create_or_open(tmp_path / "o", spec).write_chunk(0, {"a": np.full((2, 1, 8), 1e6)})


def test_layer_pooling_encoder_fills_its_own_layer_set(tmp_path):
    store = encode_to_store(StubEncoder(pooled=True), texts(6), {"pooled": [1, 3]}, tmp_path / "s", chunk_size=4)
    assert store.array("pooled").shape == (6, 1, 8) and store.spec.vectors_per_text == {"pooled": 1}
    with pytest.raises(ValueError, match="its own store"):
        union_layers(StubEncoder(pooled=True), SETS)
    assert union_layers(StubEncoder(), SETS) == ([1, 3], {"last": [1], "mlr": [0, 1]})


@pytest.mark.parametrize("block", [3, 7, 1000])
def test_streamed_search_equals_in_memory_search_exactly(tmp_path, monkeypatch, block):
    monkeypatch.setattr(search, "BLOCK", block)
    store = encode_to_store(StubEncoder(), texts(50), SETS, tmp_path / "s", chunk_size=16)
    queries = np.random.default_rng(1).standard_normal((6, 8)).astype(np.float32)
    for name in SETS:
        mapped = store.array(name)
        assert isinstance(mapped, np.memmap)
        index = store_index(VectorStore.open(tmp_path / "s"), name)
        assert index.index.streamed and isinstance(index.index.vectors, np.memmap)
        in_memory = MultiVectorIndex(np.array(mapped, dtype=np.float32))
        for k in (1, 5, 60):
            got, want = index.search(queries, k), in_memory.search(queries, k)
            np.testing.assert_array_equal(got[1], want[1])
            np.testing.assert_array_equal(got[0], want[0])
        multi_query = queries.reshape(3, 2, 8)
        for got, want in zip(index.search(multi_query, 4), in_memory.search(multi_query, 4)):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("block", [4, 1000])
def test_torch_backend_matches_numpy(monkeypatch, block):
    monkeypatch.setattr(search, "BLOCK", block)
    rng = np.random.default_rng(0)
    corpus, queries = rng.standard_normal((101, 16)).astype(np.float32), rng.standard_normal((5, 16)).astype(np.float32)
    want = ExactInnerProduct(corpus).search(queries, 10)
    got = ExactInnerProduct(corpus, device=torch.device("cpu"), backend="torch").search(queries, 10)
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)
    with pytest.raises(ValueError, match="backend"):
        ExactInnerProduct(corpus, backend="jax")
