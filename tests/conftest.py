
import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own cache and results folders."""
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MLRLIB_RESULTS", str(tmp_path / "results"))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A 3-layer random BERT with the packaged MiniLM tokenizer, saved locally (fast, no hub)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from mlrlib.methods.encoders import default_model_path
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-bert")
    tok = AutoTokenizer.from_pretrained(default_model_path())
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    BertModel(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


def docs_installed() -> bool:
    from mlrlib.data.debian_docs import MissingDocs, locate_docs
    try:
        locate_docs()
        return True
    except MissingDocs:
        return False


def write_beir(folder, corpus, queries, qrels, split="test"):
    import json
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qrels").mkdir(exist_ok=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in corpus))
    (folder / "queries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in queries))
    (folder / "qrels" / f"{split}.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{p}\t{s}\n" for q, p, s in qrels))
    return folder


@pytest.fixture
def small_beir(tmp_path):
    corpus = [{"_id": f"d{i}", "title": f"Topic {i}", "text": t} for i, t in enumerate([
        "Python lists are mutable sequences that can grow.",
        "Perl hashes map string keys to scalar values.",
        "Debian packages are installed with apt-get install.",
        "Tuples in Python cannot be changed after creation.",
        "Regular expressions in Perl use the =~ operator.",
        "The Debian FAQ answers questions about the distribution."])]
    queries = [{"_id": "q1", "text": "how do I install a package on Debian"},
               {"_id": "q2", "text": "can a python tuple be modified"},
               {"_id": "q3", "text": "what does a perl hash store"}]
    return write_beir(tmp_path / "beir", corpus, queries, [("q1", "d2", 1), ("q2", "d3", 1), ("q3", "d1", 1)])


def ranked_run(name, ranks):
    """A ranx Run that puts query i's relevant passage p<i> at rank `ranks[i]` (1-based; 0 = not retrieved),
    under ten distractors, for qrels {q<i>: {p<i>: 1}}."""
    from ranx import Run
    return Run({f"q{i}": {**{f"x{i}-{j}": 1.0 / j for j in range(1, 12)}, **({f"p{i}": 1.0 / r + 1e-6} if r else {})}
                for i, r in enumerate(ranks)}, name=name)


TOPIC_PAIRS = [{"query": f"question number {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
                "positive_id": f"p{i}", "source": "t"} for i in range(8)]


def pairs_data(split: str, pairs=TOPIC_PAIRS):
    """A RetrievalData whose corpus is the pairs' positives and whose `split` asks each pair's query."""
    from mlrlib.data.retrieval_data import RetrievalData
    ids = [p["positive_id"] for p in pairs]
    queries = {split: {f"q{i}": p["query"] for i, p in enumerate(pairs)}}
    qrels = {split: {f"q{i}": {p["positive_id"]: 1} for i, p in enumerate(pairs)}}
    return RetrievalData("tiny", ids, [p["positive"] for p in pairs], queries, qrels, pairs)
