"""The cross-encoder teacher of MD2PR and DE-l: trained once (cached), and its scores of the training candidates."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.methods.cross_encoder import CrossEncoder
from mlrlib.training.md2pr import teacher_scores
from mlrlib.training.ranker import RankerConfig, Snapshots, ranker_key, train_ranker, train_ranker_snapshots


class Teacher(NamedTuple):
    ranker: CrossEncoder
    key: dict            # its cache key: names the teacher in its students' keys
    log: dict            # its training log (losses, train_seconds, cached)
    scores: np.ndarray   # [P, 1 + n] scores of each training pair's candidates (positive first); NaN off `rows`


def teacher(data: RetrievalData, negs, params: dict, enc: dict, rows, progress=None) -> Teacher:
    """The cross-encoder of `params` (a `RankerConfig`), trained on the data's pairs or loaded from the
    cache, and its cached scores of the candidates of the training pairs `rows`."""
    cfg = RankerConfig(**params)
    ranker, log = train_ranker(data.train_pairs, negs, cfg, progress)
    key = ranker_key(cfg, data.train_pairs, negs)
    scores = teacher_scores(ranker, key, data.train_pairs, negs, cfg.negatives, enc, rows, progress)
    return Teacher(ranker, key, log, scores)


def teacher_snapshots(data: RetrievalData, negs, params: dict, points: int) -> tuple[Snapshots | dict, dict]:
    """The teacher of `params` before training and at `points` evenly spaced steps of its ONE training run (its
    learning curve's models), cached; the last snapshot is the teacher `teacher` then loads from the cache."""
    cfg = RankerConfig(**params)
    if cfg.steps == 0:  # a trained ranker loaded as is: its curve is one point
        ranker, log = train_ranker(data.train_pairs, negs, cfg)
        return {0: ranker}, log
    at = sorted({0, *(round(cfg.steps * k / points) for k in range(1, points + 1))})
    return train_ranker_snapshots(data.train_pairs, negs, cfg, at)
