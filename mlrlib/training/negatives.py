"""Hard negatives for training, mined with BM25."""
from __future__ import annotations

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.methods.bm25 import BM25, mine_hard_negative_lists, mine_hard_negatives


def negative_lists(data: RetrievalData, n: int) -> list[list[str]]:
    return mine_hard_negative_lists(BM25(data.corpus_texts), data.corpus_ids, data.corpus_texts, data.train_pairs, n)


def training_data(data: RetrievalData, hard_negatives: bool):
    """Training pairs and, when asked for, one BM25 hard negative per pair."""
    pairs = data.train_pairs
    if not hard_negatives:
        return pairs, []
    return pairs, mine_hard_negatives(BM25(data.corpus_texts), data.corpus_ids, data.corpus_texts, pairs)
