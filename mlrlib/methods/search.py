"""Exact inner-product search, single- and multi-vector, over vectors in memory or memory-mapped.

Exact search is a blocked matrix product (numpy's BLAS) followed by torch's top-k, rather than
FAISS's flat index: on this project's 2-core machines FAISS's bundled BLAS made its flat index
4-5x slower on query batches and 1.6-1.9x slower one query at a time (`benchmarks/search.py`
measures both in one run). FAISS remains the library for approximate indexes (`ann`).

A memory-mapped corpus (`np.memmap`, e.g. a `vector_store.VectorStore` array, float16 or float32) is
never loaded whole: BLOCK rows at a time are read and converted to float32, so the result equals the
in-memory search of the float32-converted vectors, bit for bit. On a CUDA device (or with
backend="torch") the block product and top-k run in torch on that device.
"""
from __future__ import annotations

import mmap
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from mlrlib.methods.vector_store import VectorStore

BLOCK = 65_536  # corpus rows scored at once: bounds the score matrix to queries x BLOCK floats
BACKENDS = ("numpy", "torch")


def _backend(device: torch.device | None, backend: str | None) -> tuple[torch.device, str]:
    """(device, backend): numpy's BLAS on the CPU unless asked otherwise; torch on any other device."""
    device = torch.device("cpu") if device is None else torch.device(device)
    backend = backend or ("numpy" if device.type == "cpu" else "torch")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    if backend == "numpy" and device.type != "cpu":
        raise ValueError(f"backend 'numpy' runs on the CPU only; use backend='torch' for device {device}")
    return device, backend


def _merge(best: tuple | None, top: torch.Tensor, ids: torch.Tensor, k: int) -> tuple:
    """The running top-k (scores, ids) merged with one block's."""
    if best is None:
        return top, ids
    top, ids = torch.cat([best[0], top], 1), torch.cat([best[1], ids], 1)
    top, keep = torch.topk(top, min(k, top.shape[1]), dim=1)
    return top, torch.gather(ids, 1, keep)


class ExactInnerProduct:
    """Exact top-k by inner product over fixed vectors [n, H]; `search` mirrors FAISS's
    (scores [Q, k] descending, row ids [Q, k]).

    An `np.memmap` is kept mapped, not copied (read BLOCK rows at a time); anything else is copied
    to float32 in memory as before. device: where scoring runs (default the CPU); backend: "numpy"
    (the CPU default) or "torch" (the default on CUDA; selectable on the CPU).
    """

    def __init__(self, vectors: np.ndarray, device: torch.device | None = None, backend: str | None = None):
        self.streamed = isinstance(vectors, np.memmap)
        self.vectors = vectors if self.streamed else np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2:
            raise ValueError(f"vectors must be [n, H], got shape {self.vectors.shape}")
        self.device, self.backend = _backend(device, backend)

    @property
    def nbytes(self) -> int:
        """Bytes of the vectors as float32 (what an in-memory index keeps)."""
        return int(self.vectors.size) * 4

    def _block(self, start: int) -> np.ndarray:
        block = self.vectors[start:start + BLOCK]
        if not self.streamed:
            return block
        block = np.array(block, dtype=np.float32, order="C")
        mapping = getattr(self.vectors, "_mmap", None)  # numpy keeps the mapping private; absent on a copy
        if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
            # drop the pages just read from this process's memory (they stay in the kernel's page cache), so
            # a search's resident memory is one block, not the whole store after one pass
            mapping.madvise(mmap.MADV_DONTNEED)
        return block

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, len(self.vectors))
        if self.backend == "torch":
            return self._search_torch(queries, k)
        best = None
        for start in range(0, len(self.vectors), BLOCK):
            scores = torch.from_numpy(queries @ self._block(start).T)
            top, ids = torch.topk(scores, min(k, scores.shape[1]), dim=1)
            best = _merge(best, top, ids + start, k)
        return best[0].numpy(), best[1].numpy().astype(np.int64)

    @torch.inference_mode()
    def _search_torch(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The same blocked search with the product and top-k in torch on `self.device`."""
        q, best = torch.from_numpy(queries).to(self.device), None
        for start in range(0, len(self.vectors), BLOCK):
            block = torch.from_numpy(self._block(start)).to(self.device)
            scores = q @ block.T
            top, ids = torch.topk(scores, min(k, scores.shape[1]), dim=1)
            best = _merge(best, top, ids + start, k)
        return best[0].cpu().numpy(), best[1].cpu().numpy().astype(np.int64)


def _as_multi(passages: np.ndarray) -> np.ndarray:
    """[N, H] single vectors as [N, 1, H]; [N, m, H] unchanged."""
    return passages[:, None, :] if passages.ndim == 2 else passages


class MultiVectorIndex:
    """An exact inner-product index over passages with m vectors each ([N, m, H]; m = 1 is a
    plain dual-encoder index), searched by max-sim."""

    def __init__(self, passages: np.ndarray, device: torch.device | None = None, backend: str | None = None):
        passages = _as_multi(passages)
        self.n, self.m, h = passages.shape
        self.passages = passages
        self.index = ExactInnerProduct(passages.reshape(self.n * self.m, h), device=device, backend=backend)

    @property
    def nbytes(self) -> int:
        """Bytes of the stored vectors (what an exact index keeps, float32)."""
        return self.index.nbytes

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k passages by max-sim: (scores [Q, k], passage indices [Q, k]). queries: [Q, H], or
        [Q, mq, H] for multi-vector queries (`search_multi_query`)."""
        if queries.ndim == 3:
            return self.search_multi_query(queries, k) if queries.shape[1] > 1 else self.search(queries[:, 0], k)
        return self._search(queries, k)

    def search_multi_query(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by max over every (query vector, passage vector) pair; queries [Q, mq, H].

        Each query vector's own top k are candidates. A passage in the true top k is in the
        top k of the query vector that attains its max (every passage above it there scores
        at least as high overall), so rescoring the union exactly gives the exact top k.
        """
        k = min(k, self.n)
        hits = np.concatenate([self._search(queries[:, j], k)[1] for j in range(queries.shape[1])], 1)
        out_scores = np.empty((len(queries), k), dtype=np.float32)
        out_ids = np.empty((len(queries), k), dtype=np.int64)
        for row, (q, cand) in enumerate(zip(queries, hits)):
            cand = np.unique(cand)
            scores = max_pair_scores(q, np.asarray(self.passages[cand], dtype=np.float32))
            top = np.argsort(-scores, kind="stable")[:k]
            out_scores[row], out_ids[row] = scores[top], cand[top]
        return out_scores, out_ids

    def _search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Single-vector queries [Q, H] against max-sim passages.

        All N*m vectors sit in one exact index; the top k*m vectors are fetched and mapped back
        to passages, keeping each passage's first (= best) hit. Since a passage owns at most m
        vectors, k*m hits hold at least k distinct passages, and any passage not among them
        scores below all of them: the result equals brute-force max-sim.
        """
        n, m = self.n, self.m
        k = min(k, n)
        scores, hits = self.index.search(queries, min(k * m, n * m))
        return passages_from_hits(scores, hits, m, k)


def passages_from_hits(scores: np.ndarray, hits: np.ndarray, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Vector hits (scores and row ids [Q, k*m], best first, rows of an [N*m, H] index) as the top-k
    passages (row // m), each passage at its first (= best) hit. Ids < 0 (FAISS's "no result") are
    skipped; a query with fewer than k passages found is padded with id -1 and score -inf."""
    if m == 1:
        return scores[:, :k], hits[:, :k]
    out_scores = np.full((len(scores), k), -np.inf, dtype=np.float32)
    out_ids = np.full((len(scores), k), -1, dtype=np.int64)
    for row, (s, h_ids) in enumerate(zip(scores, hits)):
        found = h_ids >= 0
        s, h_ids = s[found], h_ids[found] // m
        _, first = np.unique(h_ids, return_index=True)
        first = np.sort(first)[:k]
        out_scores[row, :len(first)], out_ids[row, :len(first)] = s[first], h_ids[first]
    return out_scores, out_ids


def store_index(store: "VectorStore", name: str, device: torch.device | None = None,
                backend: str | None = None) -> "MultiVectorIndex":
    """An exact max-sim index over one layer set of a vector store, searched from disk block by block."""
    return MultiVectorIndex(store.array(name), device=device, backend=backend)


def search(queries: np.ndarray, passages: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k passages by inner product (passages [N, H]) or by max-sim (passages [N, m, H]);
    see `MultiVectorIndex.search`. Returns (scores [Q, k], passage indices [Q, k])."""
    return MultiVectorIndex(passages).search(queries, k)


def max_pair_scores(query: np.ndarray, passages: np.ndarray) -> np.ndarray:
    """[n] scores of one query's vectors [mq, H] (or [H]) against passages [n, m, H] (or [n, H]):
    the max over every (query vector, passage vector) pair."""
    query, passages = np.atleast_2d(query), _as_multi(passages)
    return np.einsum("ah,nmh->nam", query, passages).reshape(len(passages), -1).max(1)


def brute_force_max_sim(queries: np.ndarray, passages: np.ndarray, k: int):
    """Reference implementation: full score matrix, max over each (query vector, passage vector) pair."""
    scores = np.stack([max_pair_scores(q, passages) for q in queries])
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, top, 1), top


def agrees_with_brute_force(queries, passages, k: int, atol: float = 1e-4) -> bool:
    """The index's (multi-vector) search returns the brute-force max-sim top k: same scores rank by
    rank, and each returned passage's own max-sim equals its reported score. (Passages with
    tied scores may come in either order, so ids are not compared position by position.)"""
    scores, hits = search(queries, passages, k)
    ref_scores, _ = brute_force_max_sim(queries, passages, k)
    own = np.stack([max_pair_scores(q, _as_multi(passages)[h]) for q, h in zip(queries, hits)])
    return bool(np.allclose(scores, ref_scores, atol=atol) and np.allclose(own, scores, atol=atol))
