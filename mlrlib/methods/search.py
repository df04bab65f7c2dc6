"""Exact inner-product search, single- and multi-vector.

Exact search is a blocked matrix product (numpy's BLAS) followed by torch's top-k, rather than
FAISS's flat index: on this project's 2-core machines FAISS's bundled BLAS made its flat index
4-5x slower on query batches and 1.6-1.9x slower one query at a time (`benchmarks/search.py`
measures both in one run). FAISS remains the library for approximate indexes (HNSW, IVF-PQ).
"""
from __future__ import annotations

import numpy as np
import torch

BLOCK = 65_536  # corpus rows scored at once: bounds the score matrix to queries x BLOCK floats


class ExactInnerProduct:
    """Exact top-k by inner product over fixed vectors [n, H]; `search` mirrors FAISS's
    (scores [Q, k] descending, row ids [Q, k])."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, len(self.vectors))
        best_scores = best_ids = None
        for start in range(0, len(self.vectors), BLOCK):
            scores = torch.from_numpy(queries @ self.vectors[start:start + BLOCK].T)
            top, ids = torch.topk(scores, min(k, scores.shape[1]), dim=1)
            ids += start
            if best_scores is not None:
                top, ids = torch.cat([best_scores, top], 1), torch.cat([best_ids, ids], 1)
                top, keep = torch.topk(top, min(k, top.shape[1]), dim=1)
                ids = torch.gather(ids, 1, keep)
            best_scores, best_ids = top, ids
        return best_scores.numpy(), best_ids.numpy().astype(np.int64)


def _as_multi(passages: np.ndarray) -> np.ndarray:
    """[N, H] single vectors as [N, 1, H]; [N, m, H] unchanged."""
    return passages[:, None, :] if passages.ndim == 2 else passages


class MultiVectorIndex:
    """An exact inner-product index over passages with m vectors each ([N, m, H]; m = 1 is a
    plain dual-encoder index), searched by max-sim."""

    def __init__(self, passages: np.ndarray):
        passages = _as_multi(passages)
        self.n, self.m, h = passages.shape
        self.passages = passages
        self.index = ExactInnerProduct(passages.reshape(self.n * self.m, h))

    @property
    def nbytes(self) -> int:
        """Bytes of the stored vectors (what an exact index keeps, float32)."""
        return int(self.index.vectors.nbytes)

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
            scores = max_pair_scores(q, self.passages[cand])
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
        if m == 1:
            return scores[:, :k], hits[:, :k]
        out_scores = np.empty((len(queries), k), dtype=np.float32)
        out_ids = np.empty((len(queries), k), dtype=np.int64)
        for row, (s, h_ids) in enumerate(zip(scores, hits // m)):
            _, first = np.unique(h_ids, return_index=True)
            first = np.sort(first)[:k]
            out_scores[row], out_ids[row] = s[first], h_ids[first]
        return out_scores, out_ids


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
