import pytest
from conftest import docs_installed

from mlrlib.data import debian_docs
from mlrlib.data.benchmark import benchmark_config, build_benchmark, load_benchmark
from mlrlib.data.textclean import normalize_key

needs_docs = pytest.mark.skipif(not docs_installed(), reason="Debian doc packages not installed")
SMALL = benchmark_config(corpus_size=400, max_queries={"train": 40, "dev": 10, "test": 20}, max_weak_pairs=50)


@needs_docs
def test_faq_sources_give_the_expected_numbers_of_questions():
    loc = debian_docs.locate_docs()
    by_source = {}
    for e in debian_docs.faq_entries(loc):
        by_source[e.source] = by_source.get(e.source, 0) + 1
        assert e.title.endswith("?") and e.body
    assert by_source["python"] >= 150 and by_source["perl"] >= 280 and by_source["debian"] >= 80


@needs_docs
def test_full_build_has_disjoint_splits_and_no_shared_text():
    data = build_benchmark(benchmark_config(corpus_size=10_000))
    assert len(data.corpus_ids) == 10_000
    split_of = {q: s for s, qs in data.queries.items() for q in qs}
    assert len(split_of) == sum(len(qs) for qs in data.queries.values())  # each query in one split
    test_q = {normalize_key(t) for t in data.queries["test"].values()}
    train_q = {normalize_key(t) for t in data.queries["train"].values()}
    assert not test_q & train_q
    text = dict(zip(data.corpus_ids, data.corpus_texts))
    test_answers = {normalize_key(text[p]) for rel in data.qrels["test"].values() for p in rel}
    train_answers = {normalize_key(text[p]) for rel in data.qrels["train"].values() for p in rel}
    assert not test_answers & train_answers
    weak = [p for p in data.train_pairs if p["source"] == "weak"]
    assert weak and not {normalize_key(p["positive"]) for p in weak} & test_answers
    assert not {normalize_key(p["query"]) for p in data.train_pairs} & test_q


@needs_docs
def test_every_chunk_of_an_answer_is_relevant_and_in_the_corpus():
    data = build_benchmark(SMALL)
    ids = set(data.corpus_ids)
    for split in ("train", "dev", "test"):
        for q, rel in data.qrels[split].items():
            assert all(p in ids for p in rel)
            assert sorted(rel) == [f"{q}#{k}" for k in range(len(rel))]
    assert max(len(t.split()) for t in data.corpus_texts) <= 100


@needs_docs
def test_build_is_deterministic_and_cached_by_config_hash(tmp_path):
    a, b = build_benchmark(SMALL), build_benchmark(SMALL)
    assert a.corpus_ids == b.corpus_ids and a.queries == b.queries and a.train_pairs == b.train_pairs
    first = load_benchmark(SMALL)
    from mlrlib.runtime.cache import cache_dir
    folder = cache_dir("benchmark", SMALL)
    stamp = (folder / "meta.json").stat().st_mtime_ns
    again = load_benchmark(SMALL)
    assert (folder / "meta.json").stat().st_mtime_ns == stamp and again.corpus_ids == first.corpus_ids
    other = build_benchmark({**SMALL, "seed": 1})
    assert other.queries["test"] != a.queries["test"]


def test_missing_packages_name_the_apt_get_line(monkeypatch):
    monkeypatch.setattr(debian_docs, "PYTHON_SOURCES", "/nonexistent/python3*/html/_sources")
    with pytest.raises(debian_docs.MissingDocs, match=r"apt-get install -y python3-doc perl-doc debian-faq"):
        debian_docs.locate_docs()
