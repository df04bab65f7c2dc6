"""Teachers that give a score R(q, d) without reading q and d together: a stronger bi-encoder, and BM25 fused with
a dual encoder. Each has the `score` method of `CrossEncoder`, so it re-ranks (`evaluation.reranking`), scores the
training candidates for MD2PR's sentence-level KL and its false-negative filter (`training.md2pr.teacher_scores`),
and is compared with the cross-encoder on dev by the same test (`evaluation.teacher_choice`).

What a score teacher cannot serve: MD2PR's word level (attention and hidden states at the student's tokens, §3.2)
needs a teacher that reads the pair with the student's tokenizer; for it the cross-encoder stays the teacher.
"""
from __future__ import annotations

import numpy as np

from mlrlib.methods.bm25 import BM25
from mlrlib.methods.encoders import MultiLayerEncoder


def _unique(texts) -> tuple[list[str], np.ndarray]:
    """The distinct texts (first-seen order) and, for each input, the index of its text among them."""
    index: dict[str, int] = {}
    where = np.array([index.setdefault(t, len(index)) for t in texts], dtype=np.int64)
    return list(index), where


class BiEncoderScorer:
    """R(q, d) = cos(E(q), E(d)) / τ, with E a bi-encoder's pooled last layer (all-mpnet-base-v2: mean pooling, as it
    was trained). τ = 0.05 puts the scores on the students' scale (cosine / 0.05), so the KL's temperature means
    the same for either teacher. Each distinct text is encoded once per call; passages of a corpus indexed with
    `evaluation.teacher_choice.index_corpus` are looked up (a 12-layer model encodes about 4 passages a second on 2
    cores: the corpus is encoded once, cached, and every re-ranking and training score reads it)."""

    def __init__(self, name_or_path: str, pooling: str = "mean", temperature: float = 0.05, encoder=None,
                 bf16: bool = False):
        self.encoder = encoder or MultiLayerEncoder(name_or_path)
        self.pooling, self.temperature = pooling, temperature
        self.bf16 = bf16  # its own precision, whatever `score` is passed: bf16 is emulated (3x slower) on CPUs
        self.indexed: dict[str, np.ndarray] = {}  # passage text -> vector, encoded at `indexed_length` tokens
        self.indexed_length: int | None = None

    def use_index(self, texts, vectors: np.ndarray, max_length: int) -> None:
        """Look the passages `texts` up from `vectors` (encoded at `max_length` tokens) instead of encoding them:
        `evaluation.teacher_choice.index_corpus` encodes a corpus once into the cache and hands it over here."""
        self.indexed, self.indexed_length = dict(zip(texts, vectors)), max_length

    def embed(self, texts, max_length: int, batch_size: int, progress=False) -> np.ndarray:
        L = self.encoder.num_layers
        return self.encoder.encode(texts, [L], poolings=(self.pooling,), batch_size=batch_size, max_length=max_length,
                                   bf16=self.bf16, normalize=True, progress=progress)[self.pooling][:, 0]

    def passage_vectors(self, texts, max_length: int, batch_size: int, progress=False) -> np.ndarray:
        """The indexed vector of each text, the others encoded now and kept (a fusion's weights, re-ranking the same
        passages, encode them once)."""
        if self.indexed_length not in (None, max_length):
            return self.embed(list(texts), max_length, batch_size, progress)
        new = [t for t in texts if t not in self.indexed]
        if new:
            self.indexed.update(zip(new, self.embed(new, max_length, batch_size, progress)))
            self.indexed_length = max_length
        return np.stack([self.indexed[t] for t in texts])

    def score(self, queries, passages, q_max_len=32, p_max_len=128, batch_size=64, bf16=True,
              progress=False) -> np.ndarray:
        """R(q_i, d_i) for each pair (float32 array [N])."""
        if len(queries) != len(passages):
            raise ValueError(f"{len(queries)} queries against {len(passages)} passages: score takes pairs")
        (qs, qi), (ps, pi) = _unique(queries), _unique(passages)
        if not qs:
            return np.zeros(0, dtype=np.float32)
        Q = self.embed(qs, q_max_len, batch_size, progress)
        P = self.passage_vectors(ps, p_max_len, batch_size, progress)
        return (np.einsum("nh,nh->n", Q[qi], P[pi]) / self.temperature).astype(np.float32)


class FusionScorer:
    """R(q, d) = s_DE(q, d) + w · BM25(q, d): a dual encoder's score (its cosine / τ, from `BiEncoderScorer`) plus
    BM25's, weighted by w (chosen on dev by `evaluation.teacher_choice`). BM25 scores a passage of `corpus_texts`
    against the query with the corpus's own statistics; a passage outside the corpus is refused."""

    def __init__(self, dual_encoder: BiEncoderScorer, corpus_texts, weight: float):
        self.dual_encoder, self.weight = dual_encoder, weight
        self.bm25 = BM25(list(corpus_texts))
        self.position = {t: i for i, t in enumerate(corpus_texts)}

    def lexical(self, queries, passages) -> np.ndarray:
        """BM25(q_i, d_i) for each pair, from one full-corpus scoring per distinct query."""
        missing = next((p for p in passages if p not in self.position), None)
        if missing is not None:
            raise ValueError(f"FusionScorer scores corpus passages only; not in its corpus: {missing[:60]!r}...")
        import bm25s
        qs, qi = _unique(queries)
        tokens = bm25s.tokenize(qs, stopwords="en", show_progress=False, return_ids=False)
        full = [self.bm25.retriever.get_scores(t) for t in tokens]
        return np.array([full[q][self.position[p]] for q, p in zip(qi, passages)], dtype=np.float32)

    def score(self, queries, passages, q_max_len=32, p_max_len=128, batch_size=64, bf16=True,
              progress=False) -> np.ndarray:
        dense = self.dual_encoder.score(queries, passages, q_max_len, p_max_len, batch_size, bf16, progress)
        return (dense + self.weight * self.lexical(queries, passages)).astype(np.float32)
