"""BEIR folders: write any `RetrievalData` as one, and an offline non-QA task to write.

A BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`) is how most retrieval
tasks outside open-domain QA are distributed (SciFact, NFCorpus, ArguAna, ...). Notebook 05
evaluates its models on one through `loaders.load_beir`, the same path a user's folder takes.
Offline, the folder is `heading_task`: documentation search, find a section of the Python and
Perl documentation from its heading. Headings are titles, not questions ("Assignment
expressions", "Sorting with a custom key"), and the sections are held out from the benchmark's
training pairs.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from mlrlib.data.debian_docs import doc_sections, locate_docs
from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.data.textclean import chunk_words, normalize_key
from mlrlib.runtime.cache import atomic_dir, cache_dir, config_hash


def write_beir(data: RetrievalData, folder) -> Path:
    """Write `data`'s corpus, queries and qrels (every split) as a BEIR folder, atomically."""
    folder = Path(folder)
    with atomic_dir(folder) as tmp:
        with open(tmp / "corpus.jsonl", "w", encoding="utf-8") as f:
            for pid, text in zip(data.corpus_ids, data.corpus_texts):
                f.write(json.dumps({"_id": pid, "title": "", "text": text}) + "\n")
        with open(tmp / "queries.jsonl", "w", encoding="utf-8") as f:
            for split in data.queries:
                for qid, text in data.queries[split].items():
                    f.write(json.dumps({"_id": qid, "text": text}) + "\n")
        (tmp / "qrels").mkdir()
        for split, qrels in data.qrels.items():
            lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{p}\t{g}" for q, rel in qrels.items()
                                                      for p, g in rel.items()]
            (tmp / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _heading_query(title: str) -> bool:
    return len(title.split()) >= 3 and bool(re.search(r"[A-Za-z]{3}", title))


def heading_task(exclude_texts, n_queries: int = 300, corpus_size: int = 2000, passage_words: int = 100,
                 seed: int = 0) -> RetrievalData:
    """Documentation search: query = a section's heading (at least 3 words, unique among the
    candidates), relevant = the section's passages; corpus = those passages plus passages of
    other sections, up to `corpus_size`. Sections whose passages appear in `exclude_texts` (e.g.
    a benchmark's training positives) are left out, so the task is held out. One split: test."""
    excluded = {normalize_key(t) for t in exclude_texts}
    candidates, pool, seen = {}, {}, set()
    titles = {}
    for i, entry in enumerate(doc_sections(locate_docs())):
        chunks = [c for c in chunk_words(entry.body, passage_words) if len(c.split()) >= 10]
        keys = [normalize_key(c) for c in chunks]
        if not chunks or any(k in excluded or k in seen for k in keys):
            continue
        seen.update(keys)
        sid = f"{entry.source}:{entry.doc}:{i}"
        pool.update({f"{sid}#{k}": c for k, c in enumerate(chunks)})
        if _heading_query(entry.title):
            candidates[sid] = entry.title
            titles.setdefault(normalize_key(entry.title), []).append(sid)
    unique = sorted(s for s in candidates if len(titles[normalize_key(candidates[s])]) == 1)
    rng = random.Random(seed)
    chosen = sorted(rng.sample(unique, min(n_queries, len(unique))))
    relevant = {s: [p for p in pool if p.rpartition("#")[0] == s] for s in chosen}
    corpus = {p: pool[p] for s in chosen for p in relevant[s]}
    rest = sorted(set(pool) - set(corpus))
    corpus.update({p: pool[p] for p in sorted(rng.sample(rest, max(0, min(len(rest), corpus_size - len(corpus)))))})
    return RetrievalData("debian-doc-headings", list(corpus), list(corpus.values()),
                         {"test": {s: candidates[s] for s in chosen}},
                         {"test": {s: {p: 1 for p in relevant[s]} for s in chosen}},
                         meta={"task": "documentation search: section heading -> section",
                               "n_queries": len(chosen), "seed": seed})


def offline_beir_folder(exclude_texts, **task) -> Path:
    """`heading_task(exclude_texts, **task)` written as a BEIR folder in the cache (built once)."""
    folder = cache_dir("beir", {"task": "headings", **task, "exclude": config_hash(sorted(exclude_texts))})
    if not (folder / "queries.jsonl").exists():
        write_beir(heading_task(exclude_texts, **task), folder)
    return folder
