"""Approximate inner-product search through FAISS (HNSW or IVF-Flat), for corpora where exact search is
too slow; `search` has `ExactInnerProduct`'s interface (scores [Q, k] descending, passage ids [Q, k]).

Built from an array or a memory-mapped `VectorStore` array in blocks of `AnnConfig.block` rows (each
converted to float32 as it is added), so the source is never in memory whole beside the index. A
passage with m > 1 vectors is searched like `search.MultiVectorIndex`: the index holds all N*m vectors,
k*m hits come back and map to passages (an approximate index may miss some, so fewer than k passages
can come back: those places hold id -1 and score -inf, FAISS's convention).

IVF moves to every GPU (`faiss.index_cpu_to_all_gpus`) when FAISS sees one (a faiss-gpu build); FAISS
has no GPU HNSW, so HNSW always runs on the CPU.
"""
from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from mlrlib.methods.search import passages_from_hits

KINDS = ("hnsw", "ivf")


@dataclass
class AnnConfig:
    """How the approximate index is built and searched."""

    kind: str = "hnsw"  # "hnsw" (a neighbour graph, no training) or "ivf" (k-means cells, trained on a sample)
    M: int = 32  # HNSW: graph neighbours per vector; more = higher recall, more memory and build time
    ef_construction: int = 80  # HNSW: candidates kept while inserting; more = a better graph, slower build
    ef_search: int = 128  # HNSW: candidates kept per query (>= k); the recall / latency knob
    nlist: int = 0  # IVF: k-means cells; 0 = 4 * sqrt(vectors), at most vectors / 39 (FAISS's minimum sample)
    nprobe: int = 16  # IVF: cells scanned per query; the recall / latency knob
    train_size: int = 0  # IVF: vectors sampled to train the cells; 0 = min(vectors, 64 * nlist)
    block: int = 65_536  # rows converted and added at a time: bounds the build's extra memory
    use_gpu: bool = True  # IVF on every GPU when FAISS sees one
    seed: int = 0  # the training sample's seed

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown ANN kind {self.kind!r}; use one of {KINDS}")
        if min(self.M, self.ef_construction, self.ef_search, self.nprobe, self.block) < 1:
            raise ValueError("M, ef_construction, ef_search, nprobe and block must be >= 1")
        if self.nlist < 0 or self.train_size < 0:
            raise ValueError("nlist and train_size must be >= 0 (0 = chosen from the corpus size)")


def _float32(block: np.ndarray) -> np.ndarray:
    return np.array(block, dtype=np.float32, order="C")


def _ivf_cells(config: AnnConfig, rows: int) -> int:
    nlist = config.nlist or int(4 * np.sqrt(rows))
    return max(1, min(nlist, rows // 39 or 1))


class AnnIndex:
    """An approximate max-sim index over passages [N, H] or [N, m, H] (in memory or memory-mapped)."""

    def __init__(self, passages: np.ndarray, config: AnnConfig | None = None):
        self.config = config or AnnConfig()
        passages = passages[:, None, :] if passages.ndim == 2 else passages
        self.n, self.m, self.dim = passages.shape
        flat = passages.reshape(self.n * self.m, self.dim)
        self.gpu = False
        self.index = self._hnsw() if self.config.kind == "hnsw" else self._ivf(flat)
        for start in range(0, len(flat), self.config.block):
            self.index.add(_float32(flat[start:start + self.config.block]))

    @classmethod
    def from_store(cls, store, name: str, config: AnnConfig | None = None) -> "AnnIndex":
        """An index over one layer set of a `vector_store.VectorStore`."""
        return cls(store.array(name), config)

    def _hnsw(self):
        index = faiss.IndexHNSWFlat(self.dim, self.config.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.config.ef_construction
        index.hnsw.efSearch = self.config.ef_search
        return index

    def _ivf(self, flat: np.ndarray):
        """An IVF-Flat index trained on a random sample of rows (read from the source row by row)."""
        nlist = _ivf_cells(self.config, len(flat))
        self.quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(self.quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        size = min(len(flat), self.config.train_size or 64 * nlist)
        sample = np.sort(np.random.default_rng(self.config.seed).choice(len(flat), size, replace=False))
        index.train(_float32(flat[sample]))
        index.nprobe = self.config.nprobe
        if self.config.use_gpu and faiss.get_num_gpus() > 0:
            index, self.gpu = faiss.index_cpu_to_all_gpus(index), True
            index.nprobe = self.config.nprobe
        return index

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k passages by max-sim: (scores [Q, k], passage ids [Q, k], -1 where none)."""
        queries = _float32(queries)
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries must be [Q, {self.dim}], got shape {queries.shape}")
        k = min(k, self.n)
        scores, hits = self.index.search(queries, min(k * self.m, self.n * self.m))
        scores = np.where(hits < 0, -np.inf, scores).astype(np.float32)
        return passages_from_hits(scores, hits.astype(np.int64), self.m, k)


def recall_against_exact(approx_ids: np.ndarray, exact_ids: np.ndarray, k: int) -> float:
    """Mean over queries of |approx top-k ∩ exact top-k| / k (ids -1, "not found", never count)."""
    approx_ids, exact_ids = np.asarray(approx_ids), np.asarray(exact_ids)
    if approx_ids.shape[0] != exact_ids.shape[0]:
        raise ValueError(f"{approx_ids.shape[0]} approximate rows against {exact_ids.shape[0]} exact rows")
    if min(approx_ids.shape[1], exact_ids.shape[1]) < k:
        raise ValueError(f"recall@{k} needs at least {k} ids per query in both results")
    hits = [len((set(a[:k].tolist()) - {-1}) & set(e[:k].tolist())) for a, e in zip(approx_ids, exact_ids)]
    return float(np.mean(hits)) / k
