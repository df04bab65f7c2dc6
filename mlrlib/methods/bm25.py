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


def same_answer(passage_id: str, positive_id: str) -> bool:
    """Whether two passage ids are chunks of the same answer or section (the part before '#')."""
    return passage_id.split("#")[0] == positive_id.split("#")[0]


def mine_hard_negative_lists(bm25: BM25, corpus_ids: list[str], corpus_texts: list[str], pairs: list[dict],
                             n: int, depth: int = 30, keep_same_answer: bool = False) -> list[list[str]]:
    """For each training pair, the n highest-ranked BM25 passages that are not its answer.

    A passage is excluded when it is the positive, any chunk of the same answer (ids
    share the part before '#'; kept with keep_same_answer=True, the naive mining that
    only knows the labelled positive), has the positive's text, or repeats an earlier pick.
    When fewer than n survive in the top `depth`, the list is filled from the bottom
    of the ranking. Returns passage texts, n per pair.
    """
    _, hits = bm25.search([p["query"] for p in pairs], max(depth, n + 1))
    lists = []
    for pair, row in zip(pairs, hits):
        picked = []
        for idx in row:
            text = corpus_texts[idx]
            sibling = same_answer(corpus_ids[idx], pair["positive_id"]) and not keep_same_answer
            if not sibling and text != pair["positive"] and text not in picked:
                picked.append(text)
            if len(picked) == n:
                break
        fill = (corpus_texts[i] for i in row[::-1] if corpus_texts[i] != pair["positive"])
        while len(picked) < n:
            picked.append(next(fill))
        lists.append(picked)
    return lists


def mine_hard_negatives(bm25: BM25, corpus_ids: list[str], corpus_texts: list[str], pairs: list[dict],
                        depth: int = 20) -> list[str]:
    """For each training pair, the highest-ranked BM25 passage that is not its answer (see
    `mine_hard_negative_lists`)."""
    return [negs[0] for negs in mine_hard_negative_lists(bm25, corpus_ids, corpus_texts, pairs, 1, depth)]
