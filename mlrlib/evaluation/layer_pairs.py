"""Which layer pair decides a multi-vector score, and the same model scored otherwise (notebook 05, question 1).

A model with layer vectors on both sides scores s(q, d) = max_{a, b in S} <q_a, d_b> (MLR's symmetric extension,
arXiv 2509.23861, §6). Which (a, b) wins that max, over each query's top 10, says whether the extra query layers
are doing anything: if nearly every max is won by pairs of the near-constant early layers, "both sides" measures
their shared direction rather than what the texts say. Two re-scorings of the same trained vectors separate the two:
- centred: each layer's mean passage vector subtracted from queries and passages, then unit length again
  (`layer_analysis.centred`), so a direction every text shares no longer scores;
- the last layer on the query side: s(q, d) = max_{b in S} <q_L, d_b>, the passage-side score, on the same model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mlrlib.evaluation.layer_analysis import centred
from mlrlib.evaluation.metrics import search_run


def winning_pairs(queries: np.ndarray, passages: np.ndarray, k: int = 10) -> np.ndarray:
    """[mq, mp] share of the top-k max-sim scores won by each (query layer a, passage layer b): for every query, its
    k best passages by max_{a, b} <q_a, d_b> (queries [Q, mq, H], passages [N, mp, H]), and in each of those scores
    the pair that attains the max. Sums to 1."""
    counts = np.zeros((queries.shape[1], passages.shape[1]))
    for q in queries:  # one query at a time: [N, mq, mp] fits memory for any corpus searched exactly here
        pairs = np.einsum("ah,nbh->nab", q, passages)
        best = pairs.reshape(len(passages), -1).max(1)
        for n in np.argsort(-best, kind="stable")[:k]:
            a, b = np.unravel_index(pairs[n].argmax(), pairs[n].shape)
            counts[a, b] += 1
    return counts / counts.sum()


def pair_table(shares: np.ndarray, layers) -> pd.DataFrame:
    """`winning_pairs`'s matrix as a table: rows the query's layer, columns the passage's (percent)."""
    names = [f"layer {l}" for l in layers]
    return pd.DataFrame(100 * shares, index=pd.Index(names, name="query"), columns=pd.Index(names, name="passage"))


def rescored_runs(name: str, query_ids, queries: np.ndarray, passages: np.ndarray, corpus_ids) -> dict:
    """A both-sides model's vectors scored two other ways (the module's docstring): {label: ranx Run}. queries
    [Q, m, H] and passages [N, m, H] on the same layers S, ascending (the last is L)."""
    q_c, p_c = centred(queries, passages)
    return {"centred": search_run(f"{name}, centred", query_ids, q_c, p_c, corpus_ids),
            "last layer on the query side": search_run(f"{name}, query layer L", query_ids, queries[:, -1], passages,
                                                       corpus_ids)}
