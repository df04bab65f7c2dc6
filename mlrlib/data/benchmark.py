"""The offline benchmark: real FAQ questions from Debian's documentation packages.

Rules (also in the README):
- queries: every FAQ question of the Python FAQ, perlfaq1-9 and the Debian FAQ that ends
  with '?', exactly as written;
- passages: answers and documentation sections cut into passages of at most
  `passage_words` words (DPR uses 100), in near-equal chunks;
- relevance: EVERY chunk of a question's answer is relevant (grade 1); the first chunk
  is the positive used for training;
- corpus: all answer chunks plus distractor chunks, sampled with the seed, from the rest
  of the Python and Perl documentation, up to `corpus_size` passages; exact duplicates
  (after lower-casing and stripping punctuation) are removed;
- splits: by groups of questions that share a question or an answer chunk, shuffled with
  the seed, so no question or answer text is shared between train, dev and test;
- weak supervision: for each documentation section, the query is its heading when the
  heading has at least 3 words, else its first sentence when that has at least 5 words
  (that sentence is then removed from the passage); the passage is the section's first
  chunk. Pairs from sections whose text overlaps a dev/test answer are dropped.
"""
from __future__ import annotations

import random
import re

from mlrlib.data.debian_docs import Entry, doc_sections, faq_entries, locate_docs
from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.data.textclean import chunk_words, normalize_key
from mlrlib.runtime.cache import cache_dir

BUILD_VERSION = 1  # bump when the build rules change, so cached builds are not reused


def benchmark_config(passage_words=100, corpus_size=10_000, fractions=(0.6, 0.15, 0.25),
                     max_queries=None, max_weak_pairs=4000, seed=0) -> dict:
    """The build config; its hash names the cache folder.

    max_queries: None, or {split: n} to keep a seeded subset of each split (the smoke slice).
    corpus_size: None for every passage.
    """
    return {"version": BUILD_VERSION, "passage_words": passage_words, "corpus_size": corpus_size,
            "fractions": list(fractions), "max_queries": max_queries,
            "max_weak_pairs": max_weak_pairs, "seed": seed}


def load_benchmark(config: dict | None = None, rebuild: bool = False) -> RetrievalData:
    """The benchmark for `config`, built once and then read from the cache."""
    config = config or benchmark_config()
    folder = cache_dir("benchmark", config)
    if rebuild or not (folder / "meta.json").exists():
        build_benchmark(config).save(folder)
    return RetrievalData.load(folder)


def build_benchmark(config: dict) -> RetrievalData:
    loc = locate_docs()
    faqs, sections = faq_entries(loc), doc_sections(loc)
    rng = random.Random(config["seed"])
    words = config["passage_words"]

    answers = {_qid(e, i): chunk_words(e.body, words) for i, e in enumerate(faqs)}
    questions = {_qid(e, i): e.title for i, e in enumerate(faqs)}
    split_of = _split_questions(questions, answers, config["fractions"], rng)
    if config["max_queries"]:
        split_of = _subsample(split_of, config["max_queries"], rng)

    corpus = {}
    for qid, split in split_of.items():
        for k, chunk in enumerate(answers[qid]):
            corpus[f"{qid}#{k}"] = chunk
    held_out = {normalize_key(c) for q, s in split_of.items() if s != "train" for c in answers[q]}
    corpus.update(_distractors(sections, words, corpus, config["corpus_size"], rng))

    queries = {s: {q: questions[q] for q in sorted(split_of) if split_of[q] == s} for s in ("train", "dev", "test")}
    qrels = {s: {q: {f"{q}#{k}": 1 for k in range(len(answers[q]))} for q in qs} for s, qs in queries.items()}
    pairs = [{"query": questions[q], "positive": answers[q][0], "positive_id": f"{q}#0", "source": "faq"}
             for q in queries["train"]]
    pairs += _weak_pairs(sections, words, held_out, config["max_weak_pairs"], rng)
    return RetrievalData("debian-docs", list(corpus), list(corpus.values()), queries, qrels, pairs,
                         {"config": config})


def _qid(entry: Entry, i: int) -> str:
    return f"{entry.source}-{i:04d}"


def _split_questions(questions, answers, fractions, rng) -> dict[str, str]:
    """Assign whole groups (questions linked by a shared question or answer chunk) to splits."""
    parent = {q: q for q in questions}

    def find(q):
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    first_owner: dict[str, str] = {}
    for q in sorted(questions):
        for key in [normalize_key(questions[q])] + [normalize_key(c) for c in answers[q]]:
            other = first_owner.setdefault(key, q)
            parent[find(q)] = find(other)
    groups: dict[str, list[str]] = {}
    for q in sorted(questions):
        groups.setdefault(find(q), []).append(q)
    order = sorted(groups)
    rng.shuffle(order)
    n, assigned, split_of = len(questions), 0, {}
    bounds = [fractions[0] * n, (fractions[0] + fractions[1]) * n]
    for root in order:
        split = "train" if assigned < bounds[0] else "dev" if assigned < bounds[1] else "test"
        for q in groups[root]:
            split_of[q] = split
        assigned += len(groups[root])
    return split_of


def _subsample(split_of, max_queries, rng) -> dict[str, str]:
    kept = {}
    for split, n in max_queries.items():
        members = sorted(q for q, s in split_of.items() if s == split)
        kept.update({q: split for q in rng.sample(members, min(n, len(members)))})
    return kept


def _distractors(sections, words, answer_chunks, corpus_size, rng) -> dict[str, str]:
    seen = {normalize_key(t) for t in answer_chunks.values()}
    pool = {}
    for entry in sections:
        for k, chunk in enumerate(chunk_words(entry.body, words)):
            key = normalize_key(chunk)
            if len(chunk.split()) >= 5 and key not in seen:
                seen.add(key)
                pool[f"{entry.source}:{entry.doc}:{len(pool)}#{k}"] = chunk
    ids = sorted(pool)
    if corpus_size is not None:
        ids = sorted(rng.sample(ids, max(0, min(len(ids), corpus_size - len(answer_chunks)))))
    return {i: pool[i] for i in ids}


def _weak_query(entry: Entry) -> tuple[str, str] | None:
    """(query, remaining text) by the heading-or-first-sentence rule, or None."""
    if len(entry.title.split()) >= 3 and re.search(r"[A-Za-z]{3}", entry.title):
        return entry.title, entry.body
    first, _, rest = entry.body.partition(". ")
    if len(first.split()) >= 5 and rest:
        return first + ".", rest
    return None


def _weak_pairs(sections, words, held_out, max_pairs, rng) -> list[dict]:
    pairs = []
    for i, entry in enumerate(sections):
        made = _weak_query(entry)
        if not made:
            continue
        query, text = made
        chunks = chunk_words(text, words)
        if not chunks or len(chunks[0].split()) < 10 or any(normalize_key(c) in held_out for c in chunks):
            continue
        pairs.append({"query": query, "positive": chunks[0], "positive_id": f"weak:{entry.doc}:{i}",
                      "source": "weak"})
    if max_pairs is not None and len(pairs) > max_pairs:
        pairs = [pairs[i] for i in sorted(rng.sample(range(len(pairs)), max_pairs))]
    return pairs
