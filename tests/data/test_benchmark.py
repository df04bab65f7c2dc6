import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from conftest import docs_installed

from mlrlib.data import debian_docs
from mlrlib.data.benchmark import _allocate, benchmark_config, build_benchmark, load_benchmark
from mlrlib.data.faqs import ALL_SOURCES
from mlrlib.data.textclean import normalize_key
from mlrlib.runtime.presets import get_preset

needs_docs = pytest.mark.skipif(not docs_installed(), reason="Debian doc packages not installed")
SMALL = benchmark_config(corpus_size=400, max_queries={"train": 40, "dev": 10, "test": 20}, max_weak_pairs=50)


@pytest.fixture(scope="module")
def laptop():
    return build_benchmark(get_preset("01_layer_selection", "laptop")["benchmark"])


def _reserved(path) -> bool:
    """Whether a path lies in a folder of the reserved packages (a file merely named git.html does not)."""
    folders = [p.lower() for p in Path(path).parts[:-1]]
    return any(p in ("zsh", "git") or p.startswith(("zsh-", "zsh_", "git-", "sendmail")) for p in folders)


def test_no_source_can_reach_the_reserved_faqs():
    assert _reserved("/usr/share/doc/zsh-common/FAQ.gz") and _reserved("/usr/share/doc/git/faq.txt")
    assert not _reserved("/usr/share/doc/privoxy/developer-manual/git.html")
    for s in ALL_SOURCES:
        for pattern in (s.root, *s.faq_files, *s.doc_files):
            assert not _reserved(f"{pattern}/x") and "zsh" not in pattern and "sendmail" not in pattern, pattern
        for path in s.files(s.faq_files) + s.files(s.doc_files):
            assert not _reserved(path), path


@needs_docs
def test_sources_give_thousands_of_questions_from_at_least_twelve_packages():
    entries = debian_docs.faq_entries(debian_docs.locate_docs())
    per_package = Counter({s.name: 0 for s in ALL_SOURCES})
    per_package.update(e.source for e in entries)
    assert len(entries) >= 3000 and sum(n >= 50 for n in per_package.values()) >= 12, per_package
    assert all(n > 0 for n in per_package.values()), per_package
    assert all(len(e.body.split()) >= debian_docs.MIN_ANSWER_WORDS for e in entries)


@needs_docs
def test_laptop_splits_have_the_power_the_studies_need_and_are_stratified(laptop):
    sizes = {s: len(laptop.split(s).ids) for s in ("train", "dev", "test")}
    assert sizes["test"] >= 1200 and sizes["dev"] >= 300, sizes
    assert set(laptop.query_source) == {q for qs in laptop.queries.values() for q in qs}
    total = Counter(laptop.query_source.values())
    test = laptop.source_counts("test")
    for package, n in total.items():
        if n >= 50:  # each source's share of the test split is its fraction, to within one group
            assert abs(test.get(package, 0) / n - 0.41) < 0.1, (package, test.get(package, 0), n)


@needs_docs
def test_no_question_or_answer_text_is_shared_between_splits(laptop):
    data = laptop
    split_of = {q: s for s, qs in data.queries.items() for q in qs}
    assert len(split_of) == sum(len(qs) for qs in data.queries.values())  # each query in one split
    text = dict(zip(data.corpus_ids, data.corpus_texts))
    questions = {s: {normalize_key(t) for t in data.queries[s].values()} for s in data.queries}
    answers = {s: {normalize_key(text[p]) for rel in data.qrels[s].values() for p in rel} for s in data.queries}
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        assert not questions[a] & questions[b] and not answers[a] & answers[b], (a, b)
    weak = [p for p in data.train_pairs if p["source"] == "weak"]
    held_out = answers["dev"] | answers["test"]
    assert weak and not {normalize_key(p["positive"]) for p in weak} & held_out
    assert not {normalize_key(p["query"]) for p in data.train_pairs} & (questions["dev"] | questions["test"])


@needs_docs
def test_every_domain_gets_its_own_distractors(laptop):
    assert len(laptop.corpus_ids) == 7000
    distractors = Counter(i.split(":")[0] for i in laptop.corpus_ids if "#" in i and ":" in i)
    with_docs = {s.name for s in ALL_SOURCES if s.doc_files}
    assert {n for n in with_docs if distractors[n] == 0} <= {"debian"}, distractors


def test_allocate_follows_the_weights_and_passes_on_what_a_source_cannot_take():
    assert _allocate(100, {"a": 3, "b": 1}, {"a": 1000, "b": 1000}) == {"a": 75, "b": 25}
    assert _allocate(100, {"a": 3, "b": 1}, {"a": 10, "b": 1000}) == {"a": 10, "b": 90}
    assert _allocate(100, {"a": 1, "b": 0}, {"a": 10, "b": 20}) == {"a": 10, "b": 20}  # all there is
    assert sum(_allocate(7, {"a": 1, "b": 1, "c": 1}, {"a": 5, "b": 5, "c": 5}).values()) == 7


@needs_docs
def test_every_chunk_of_an_answer_is_relevant_and_in_the_corpus():
    data = build_benchmark(SMALL)
    ids = set(data.corpus_ids)
    for split in ("train", "dev", "test"):
        for q, rel in data.qrels[split].items():
            assert all(p in ids for p in rel)
            assert rel and all(p.split("#")[0] in data.query_source for p in rel)  # answer chunks only
    assert max(len(t.split()) for t in data.corpus_texts) <= 100


@needs_docs
def test_an_answer_chunk_two_questions_share_is_one_passage_judged_for_both(laptop):
    text = dict(zip(laptop.corpus_ids, laptop.corpus_texts))
    keys = [normalize_key(t) for p, t in text.items() if p.split("#")[0] in laptop.query_source]
    assert len(keys) == len(set(keys))  # no answer text twice in the corpus
    judged = Counter(p for split in laptop.qrels.values() for rel in split.values() for p in rel)
    assert max(judged.values()) >= 2  # the installed FAQs do have shared paragraphs


@needs_docs
def test_build_is_deterministic_and_cached_by_config_hash(tmp_path):
    a, b = build_benchmark(SMALL), build_benchmark(SMALL)
    assert a.corpus_ids == b.corpus_ids and a.queries == b.queries and a.train_pairs == b.train_pairs
    assert a.query_source == b.query_source and a.corpus_texts == b.corpus_texts
    first = load_benchmark(SMALL)
    from mlrlib.runtime.cache import cache_dir, config_hash
    folder = cache_dir("benchmark", SMALL)
    stamp = (folder / "meta.json").stat().st_mtime_ns
    again = load_benchmark(SMALL)
    assert (folder / "meta.json").stat().st_mtime_ns == stamp and again.corpus_ids == first.corpus_ids
    assert again.query_source == a.query_source  # the source of each query survives the cache
    other = build_benchmark({**SMALL, "seed": 1})
    assert other.queries["test"] != a.queries["test"]
    assert config_hash({**SMALL, "corpus_size": 401}) != config_hash(SMALL)


def test_missing_packages_name_the_apt_get_line():
    gone = dataclasses.replace(ALL_SOURCES[1], root="/nonexistent/vim*/doc")
    with pytest.raises(debian_docs.MissingDocs, match=rf"missing: {gone.package}\..*\n    apt-get update && "
                                                      r"apt-get install -y --no-install-recommends python3-doc"):
        debian_docs.locate_docs((gone,))


@needs_docs
def test_the_committed_dataset_card_describes_the_current_laptop_build(laptop):
    """docs/benchmark.md is written by `make data`; rebuild it when the sources or rules change."""
    card = (Path(__file__).resolve().parents[2] / "docs" / "benchmark.md").read_text()
    for split in ("train", "dev", "test"):
        ids = laptop.split(split).ids
        judgements = sum(len(laptop.qrels[split][q]) for q in ids)
        assert f"| {split} | {len(ids):,} | {judgements:,} |" in card, split
    rows = {cells[0].strip(): cells for cells in (line.strip("|").split(" | ") for line in card.splitlines())}
    for package, n in Counter(laptop.query_source.values()).items():
        cells = [c.strip() for c in rows[package]]
        test = laptop.source_counts("test").get(package, 0)
        assert (cells[4], cells[7]) == (str(n), str(test)), package  # questions, test questions
