"""The cross-encoder teacher of MD2PR and DE-l: trained once (cached), and its scores of the training candidates."""
from __future__ import annotations

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.training.md2pr import teacher_scores
from mlrlib.training.ranker import ranker_config, ranker_key, train_ranker


def teacher(data: RetrievalData, negs, params: dict, enc: dict, rows, progress=False):
    """(ranker, its cache key, train log, [P, 1 + n] cached scores of the candidates of the
    training pairs `rows`, NaN elsewhere)."""
    cfg = ranker_config(**params)
    ranker, log = train_ranker(data.train_pairs, negs, cfg, progress)
    key = ranker_key(cfg, data.train_pairs, negs)
    scores = teacher_scores(ranker, key, data.train_pairs, negs, cfg["negatives"], enc, rows, progress)
    return ranker, key, log, scores
