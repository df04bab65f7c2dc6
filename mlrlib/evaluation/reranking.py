"""Retrieve, then re-rank: a cross-encoder re-scores the top of a first-stage run."""
from __future__ import annotations

import json

import pandas as pd
from ranx import Run

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.comparison import compare_runs, query_scores
from mlrlib.evaluation.metrics import ranx_run
from mlrlib.methods.cross_encoder import CrossEncoder
from mlrlib.runtime.cache import atomic_write_json, cache_dir, config_hash
from mlrlib.runtime.progress import resolved


def rerank(ranker: CrossEncoder, run: Run, query_text: dict, passage_text: dict, depth: int, enc: dict,
           name: str | None = None, progress=None) -> Run:
    """Re-score the top `depth` passages of every query in `run` with the ranker; a new Run that keeps the tail:
    the passages below the top `depth` follow, in the first stage's order, so every cut-off is defined (Top-20
    after re-ranking the top 10 is the re-ranked top 10 and then the first stage's ranks 11-20)."""
    ranked = {q: [p for p, _ in sorted(hits.items(), key=lambda kv: -kv[1])] for q, hits in run.to_dict().items()}
    pairs = [(q, p) for q, ids in ranked.items() for p in ids[:depth]]
    scores = ranker.score([query_text[q] for q, _ in pairs], [passage_text[p] for _, p in pairs],
                          enc["q_max_len"], enc["p_max_len"], enc["batch_size"], enc["bf16"], resolved(progress))
    out: dict = {}
    for (q, p), s in zip(pairs, scores):
        out.setdefault(q, {})[p] = float(s)
    for q, ids in ranked.items():
        floor = min(out[q].values()) if q in out else 0.0
        out.setdefault(q, {}).update({p: floor - 1.0 - i for i, p in enumerate(ids[depth:])})
    return ranx_run(out, name=name or f"{run.name} + rerank")


def reorders_only_the_top(reranked: Run, first: Run, depth: int) -> bool:
    """Whether `reranked` holds, for every query of `first`, the same passages, its top `depth` among the first
    stage's top `depth` and below them the first stage's order. Read by first-stage score, not by position, so
    passages tied in the first stage (duplicate texts, say) may come in either order."""
    new, old = reranked.to_dict(), first.to_dict()
    return new.keys() == old.keys() and all(_only_top_reordered(new[q], old[q], depth) for q in old)


def _only_top_reordered(new: dict, old: dict, depth: int) -> bool:
    if new.keys() != old.keys():
        return False
    ranked = sorted(new, key=lambda p: -new[p])
    top, tail = [old[p] for p in ranked[:depth]], [old[p] for p in ranked[depth:]]
    in_first_order = all(a >= b for a, b in zip(tail, tail[1:]))
    return in_first_order and (not top or not tail or min(top) >= max(tail))


def cached_rerank(ranker, key: dict, run: Run, data: RetrievalData, split: str, depth: int, enc: dict,
                  name: str, progress=None) -> Run:
    """The teacher's re-ranking of `run`'s top `depth`, cached under (teacher, run, depth)."""
    folder = cache_dir("reranks", {"teacher": key, "run": config_hash(run.to_dict()), "depth": depth,
                                   "enc": enc, "tail": "first stage"})
    if (folder / "run.json").exists():
        return ranx_run(json.loads((folder / "run.json").read_text()), name=name)
    ids, texts, _ = data.split(split)
    out = rerank(ranker, run, dict(zip(ids, texts)), dict(zip(data.corpus_ids, data.corpus_texts)), depth, enc,
                 name, progress)
    atomic_write_json(folder / "run.json", out.to_dict())
    return out


def rerank_curve(snapshots, key: dict, run: Run, data: RetrievalData, split: str, depth: int, enc: dict,
                 metric: str = "MRR@10") -> pd.DataFrame:
    """A teacher's learning curve read as what it is for: each snapshot (`{step: ranker}`) re-ranks the top `depth`
    of the retriever's `run`. One row per step: `metric` after re-ranking, the retriever's, and the paired
    comparison of the two over the split's queries (difference, 95% CI, p, MDE), all in [0, 1] units."""
    qrels = data.split(split).qrels
    alone = float(query_scores(qrels, run, metric).mean())
    rows = []
    for step in snapshots:
        reranked = cached_rerank(snapshots[step], {**key, "snapshot": step}, run, data, split, depth, enc,
                                 f"step {step}")
        c = compare_runs(qrels, reranked, run, metric)
        rows.append({"step": step, metric: alone + c.difference, "retriever": alone, "difference": c.difference,
                     "ci_low": c.ci_low, "ci_high": c.ci_high, "p": c.p, "MDE": c.mde})
    return pd.DataFrame(rows)
