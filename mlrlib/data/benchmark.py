"""The offline benchmark: real FAQ questions from Debian's documentation packages.

The rules are `RULES` below (the dataset card, `docs/benchmark.md`, prints them); the sources,
one per package, are in `mlrlib.data.faqs`.
"""
from __future__ import annotations

import random
import re
import time
from collections import Counter

from mlrlib.data.debian_docs import Entry, doc_sections, faq_entries, locate_docs, package_version
from mlrlib.data.retrieval_data import DataError, RetrievalData
from mlrlib.data.textclean import chunk_words, normalize_key
from mlrlib.runtime.cache import cache_dir

RULES = """
Rules of the build:
- queries: every entry of each source's FAQ whose heading is a question as written (it ends with '?'
  or opens with an interrogative or auxiliary word: "How to use X with Y" counts, "Using X with Y"
  does not), numbering removed, nothing else changed; answers of fewer than 5 words (cross-references
  such as "See 3C.4 above.") are left out;
- passages: answers and documentation sections cut into passages of at most `passage_words` words
  (DPR uses 100), in near-equal chunks;
- relevance: EVERY chunk of a question's answer is relevant (grade 1); the first chunk is the positive
  used for training;
- corpus: all answer chunks, plus distractor chunks sampled with the seed from the same packages'
  other documentation, up to `corpus_size` passages; each package's share of distractors follows its
  share of answer chunks, so every domain has its own hard negatives; exact duplicates (after
  lower-casing and stripping punctuation) are removed;
- splits: by groups of questions that share a question or an answer chunk (a group never straddles
  splits, so no question or answer text is shared between train, dev and test), stratified by source
  (each source split in the `fractions`), shuffled with the seed;
- weak supervision: for each documentation section, the query is its heading when the heading has at
  least 3 words, else its first sentence when that has at least 5 words (that sentence is then removed
  from the passage); the passage is the section's first chunk. Pairs from sections whose text overlaps
  a dev/test answer are dropped.
- never used: the zsh and git FAQs (kept for an external check), the sendmail FAQ (its licence forbids
  modification), machine translations and duplicate copies of a FAQ.
"""

BUILD_VERSION = 3  # bump when the build rules change, so cached builds are not reused


def benchmark_config(passage_words=100, corpus_size=10_000, fractions=(0.48, 0.11, 0.41),
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
    start = time.perf_counter()
    sources = locate_docs()
    faqs, sections = faq_entries(sources), doc_sections(sources)
    rng = random.Random(config["seed"])
    words = config["passage_words"]

    answers = {_qid(e, i): chunk_words(e.body, words) for i, e in enumerate(faqs)}
    questions = {_qid(e, i): e.title for i, e in enumerate(faqs)}
    source_of = {_qid(e, i): e.source for i, e in enumerate(faqs)}
    split_of = _split_questions(questions, answers, source_of, config["fractions"], rng)
    if config["max_queries"]:
        split_of = _subsample(split_of, config["max_queries"], rng)

    corpus, same_as = _answer_chunks(answers, sorted(split_of))
    if config["corpus_size"] is not None and config["corpus_size"] < len(corpus):
        raise DataError(f"corpus_size {config['corpus_size']:,} is below the {len(corpus):,} answer chunks of the "
                        f"kept questions, which the corpus must hold; set corpus_size to at least {len(corpus):,} "
                        f"(or None), or keep fewer questions with max_queries")
    held_out = {normalize_key(c) for q, s in split_of.items() if s != "train" for c in answers[q]}
    corpus.update(_distractors(sections, words, corpus, source_of, config["corpus_size"], rng))

    queries = {s: {q: questions[q] for q in sorted(split_of) if split_of[q] == s} for s in ("train", "dev", "test")}
    qrels = {s: {q: {same_as[f"{q}#{k}"]: 1 for k in range(len(answers[q]))} for q in qs}
             for s, qs in queries.items()}
    pairs = [{"query": questions[q], "positive": answers[q][0], "positive_id": same_as[f"{q}#0"], "source": "faq"}
             for q in queries["train"]]
    pairs += _weak_pairs(sections, words, held_out, config["max_weak_pairs"], rng)
    package = {s.name: s.package for s in sources}
    return RetrievalData("debian-docs", list(corpus), list(corpus.values()), queries, qrels, pairs,
                         {"config": config, "sources": source_cards(sources, faqs, sections),
                          "build_seconds": round(time.perf_counter() - start, 1)},
                         query_source={q: package[source_of[q]] for q in split_of})


def _answer_chunks(answers: dict, qids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The corpus's answer passages, one per distinct text ({id: text}), and each chunk id's passage id:
    a chunk that repeats an earlier one (linked questions sharing a paragraph) is judged as that one."""
    corpus, same_as, first = {}, {}, {}
    for qid in qids:
        for k, chunk in enumerate(answers[qid]):
            cid = f"{qid}#{k}"
            same_as[cid] = first.setdefault(normalize_key(chunk), cid)
            if same_as[cid] == cid:
                corpus[cid] = chunk
    return corpus, same_as


def source_cards(sources, faqs, sections) -> list[dict]:
    """Per source: package, version, licence, FAQ file(s), questions and distractor sections available."""
    questions, doc_sections = Counter(e.source for e in faqs), Counter(e.source for e in sections)
    return [{"package": s.package, "version": package_version(s.package), "licence": s.licence, "name": s.name,
             "faq_files": [s.relative(p) for p in s.files(s.faq_files)], "questions": questions[s.name],
             "doc_sections": doc_sections[s.name]} for s in sources]


def _qid(entry: Entry, i: int) -> str:
    return f"{entry.source}-{i:04d}"


def _split_questions(questions, answers, source_of, fractions, rng) -> dict[str, str]:
    """Assign whole groups (questions linked by a shared question or answer chunk) to splits,
    source by source, so each split holds about `fractions` of every source's questions."""
    groups = _linked_groups(questions, answers)
    by_source: dict[str, list[list[str]]] = {}
    for root in sorted(groups):
        by_source.setdefault(source_of[groups[root][0]], []).append(groups[root])
    split_of = {}
    for source in sorted(by_source):
        members = by_source[source]
        rng.shuffle(members)
        n, assigned = sum(len(g) for g in members), 0
        bounds = [fractions[0] * n, (fractions[0] + fractions[1]) * n]
        for group in members:
            split = "train" if assigned < bounds[0] else "dev" if assigned < bounds[1] else "test"
            split_of.update({q: split for q in group})
            assigned += len(group)
    return split_of


def _linked_groups(questions, answers) -> dict[str, list[str]]:
    """Union-find over questions: two are linked when they share a question or an answer chunk."""
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
    return groups


def _subsample(split_of, max_queries, rng) -> dict[str, str]:
    kept = {}
    for split, n in max_queries.items():
        members = sorted(q for q, s in split_of.items() if s == split)
        kept.update({q: split for q in rng.sample(members, min(n, len(members)))})
    return kept


def _distractors(sections, words, answer_chunks, source_of, corpus_size, rng) -> dict[str, str]:
    """Distractor chunks from the sources' other documentation. With a `corpus_size`, each source gets
    a share proportional to its answer chunks (its own hard negatives); a source with too few
    documentation chunks leaves its remainder to the others."""
    seen = {normalize_key(t) for t in answer_chunks.values()}
    pools: dict[str, dict[str, str]] = {}
    for entry in sections:
        for k, chunk in enumerate(chunk_words(entry.body, words)):
            key = normalize_key(chunk)
            if len(chunk.split()) >= 5 and key not in seen:
                seen.add(key)
                pool = pools.setdefault(entry.source, {})
                pool[f"{entry.source}:{entry.doc}:{len(pool)}#{k}"] = chunk
    if corpus_size is None:
        return {i: t for pool in pools.values() for i, t in sorted(pool.items())}
    shares = Counter(source_of[chunk_id.split("#")[0]] for chunk_id in answer_chunks)
    budget = max(0, corpus_size - len(answer_chunks))
    orders = {s: rng.sample(sorted(p), len(p)) for s, p in sorted(pools.items())}
    taken = _allocate(budget, {s: shares.get(s, 0) for s in orders}, {s: len(o) for s, o in orders.items()})
    return {i: pools[s][i] for s in sorted(taken) for i in sorted(orders[s][:taken[s]])}


def _allocate(budget: int, weights: dict[str, int], available: dict[str, int]) -> dict[str, int]:
    """Split `budget` over sources in proportion to `weights`, never above `available`; what a full
    source cannot take goes to the others (all sources, by size, once the weighted ones are full)."""
    taken = {s: 0 for s in available}
    while budget > 0:
        open_ = [s for s in available if taken[s] < available[s]]
        if not open_:
            break
        w = {s: weights[s] for s in open_ if weights[s] > 0} or {s: available[s] for s in open_}
        total = sum(w.values())
        given = 0
        for s in sorted(w):
            add = min(available[s] - taken[s], max(1, budget * w[s] // total))
            add = min(add, budget - given)
            taken[s] += add
            given += add
        budget -= given
        if given == 0:
            break
    return taken


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
