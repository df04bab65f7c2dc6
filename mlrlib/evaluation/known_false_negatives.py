"""False-negative filters judged against KNOWN false negatives (MD2PR, arXiv 2312.16821, §3.3; notebooks 03 and 05).

Naive BM25 mining that knows only a question's labelled positive, on the questions whose answer spans several
passages, mines some of the answer's other passages as negatives: relevant by the benchmark's own judgements, so
known false negatives. A filter is then scored by what it masks of them.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import torch

from mlrlib.data.symmetric_task import passages_by_answer
from mlrlib.methods.bm25 import BM25, mine_hard_negative_lists, same_answer
from mlrlib.methods.false_negatives import DynamicThreshold, StaticMargin, detection_quality, masks_over_plan


def planted_false_negatives(data, n: int) -> tuple[list[dict], list[list[str]], torch.Tensor]:
    """Naive BM25 mining that knows only the labelled positive, on the training pairs whose answer
    has other passages in the corpus. Those sibling passages are relevant, so any of them mined as a
    negative is a KNOWN false negative. Returns (the pairs, their n negatives, known bool [P, n])."""
    groups = passages_by_answer(data.corpus_ids)
    pairs = [p for p in data.train_pairs if len(groups.get(p["positive_id"].rpartition("#")[0], {})) > 1]
    negs = mine_hard_negative_lists(BM25(data.corpus_texts), data.corpus_ids, data.corpus_texts, pairs, n,
                                    keep_same_answer=True)
    id_of = dict(zip(data.corpus_texts, data.corpus_ids))
    known = torch.tensor([[same_answer(id_of[t], p["positive_id"]) for t in row] for p, row in zip(pairs, negs)])
    return pairs, negs, known


def filter_sweep(scores: np.ndarray, known: torch.Tensor, batch_size: int, margins, kappas, seed: int) -> pd.DataFrame:
    """Each filter at each threshold over one epoch of the pairs in training order: what it masks,
    and its precision and recall against the known false negatives."""
    order = list(range(len(scores)))
    random.Random(seed).shuffle(order)
    plan = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    t = torch.from_numpy(scores)
    rows = [{"filter": "static", "threshold": f"margin {m:g}",
             **detection_quality(masks_over_plan(lambda: StaticMargin(m), t, plan), known)} for m in margins]
    rows += [{"filter": "dynamic", "threshold": f"kappa {k:g}",
              **detection_quality(masks_over_plan(lambda: DynamicThreshold(k), t, plan), known)} for k in kappas]
    return pd.DataFrame(rows)
