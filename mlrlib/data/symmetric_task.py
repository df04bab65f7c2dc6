"""A symmetric retrieval task built from the offline benchmark: same-answer passage matching.

MLR (arXiv 2509.23861) leaves open whether multi-vector representations on BOTH sides help symmetric tasks
(duplicate-question style), where the query is the same kind of text as the passages. The
offline data has no paraphrase pairs, but it has long answers cut into several passages:

- query: the first passage (chunk 0) of a FAQ answer that spans at least two passages;
- relevant: that answer's other passages (chunks 1, 2, ...), all of which are in the corpus;
- corpus: the benchmark's corpus without the query passages themselves (a query must not
  find its own text);
- splits: the benchmark's, so no answer is shared between train, dev and test;
- training pairs: (chunk 0, chunk 1) of every training answer, and of every documentation
  section with two chunks in the corpus.

Query and passage are both 100-word documentation passages and the relation "same answer" is
symmetric; what a model must match is topic and continuity, not a question to its answer.
"""
from __future__ import annotations

from collections import defaultdict

from mlrlib.data.retrieval_data import DataError, RetrievalData


def passages_by_answer(corpus_ids) -> dict[str, dict[int, str]]:
    """{answer or section id: {chunk number: passage id}} for the ids of the form '<answer>#<chunk>'."""
    groups: dict[str, dict[int, str]] = defaultdict(dict)
    for pid in corpus_ids:
        base, sep, k = pid.rpartition("#")
        if sep and k.isdigit():
            groups[base][int(k)] = pid
    return groups


def same_answer_task(data: RetrievalData) -> RetrievalData:
    """The symmetric task of `data` (an offline benchmark whose passage ids are '<answer>#<chunk>')."""
    text = dict(zip(data.corpus_ids, data.corpus_texts))
    groups = passages_by_answer(data.corpus_ids)
    answer_split = {q: s for s in data.queries for q in data.queries[s]}
    queries, qrels, pairs = {}, {}, []
    for base, chunks in sorted(groups.items()):
        if 0 not in chunks or len(chunks) < 2:
            continue
        split = answer_split.get(base, "train")
        if split == "train":
            pairs.append({"query": text[chunks[0]], "positive": text[chunks[min(k for k in chunks if k > 0)]],
                          "positive_id": chunks[min(k for k in chunks if k > 0)], "source": "same-answer"})
            continue
        queries.setdefault(split, {})[base] = text[chunks[0]]
        qrels.setdefault(split, {})[base] = {pid: 1 for k, pid in chunks.items() if k > 0}
    if not qrels:
        raise DataError(f"{data.name}: no held-out answer spans two passages; the symmetric task needs "
                        "passage ids of the form '<answer>#<chunk>' (the offline benchmark's)")
    held_out = {groups[q][0] for s in queries for q in queries[s]}
    keep = [i for i, pid in enumerate(data.corpus_ids) if pid not in held_out]
    return RetrievalData(f"{data.name}-same-answer", [data.corpus_ids[i] for i in keep],
                         [data.corpus_texts[i] for i in keep], queries, qrels, pairs,
                         {"derived_from": data.name, "task": "same-answer passage matching"})
