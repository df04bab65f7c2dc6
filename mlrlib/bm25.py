"""BM25 with bm25s: the lexical baseline, and the hard-negative miner for training."""
from __future__ import annotations

import bm25s
import numpy as np


class BM25:
    def __init__(self, corpus_texts: list[str]):
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(corpus_texts, stopwords="en", show_progress=False),
                             show_progress=False)
        self.size = len(corpus_texts)

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores [Q, k], passage indices [Q, k]), best first."""
        tokens = bm25s.tokenize(queries, stopwords="en", show_progress=False)
        hits, scores = self.retriever.retrieve(tokens, k=min(k, self.size), show_progress=False,
                                               n_threads=1)
        return scores, hits


def mine_hard_negatives(bm25: BM25, corpus_ids: list[str], corpus_texts: list[str], pairs: list[dict],
                        depth: int = 20) -> list[str]:
    """For each training pair, the highest-ranked BM25 passage that is not its answer.

    A passage is excluded when it is the positive, any chunk of the same answer (ids
    share the part before '#'), or has the positive's text. Returns passage texts.
    """
    _, hits = bm25.search([p["query"] for p in pairs], depth)
    negatives = []
    for pair, row in zip(pairs, hits):
        answer = pair["positive_id"].split("#")[0]
        for idx in row:
            pid = corpus_ids[idx]
            if pid.split("#")[0] != answer and corpus_texts[idx] != pair["positive"]:
                negatives.append(corpus_texts[idx])
                break
        else:
            negatives.append(corpus_texts[row[-1]])
    return negatives
