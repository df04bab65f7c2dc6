"""The zero-shot pilot that tells a reader a split's MDE before any training."""
from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.power import cached_pilot_power

ENC = {"batch_size": 8, "q_max_len": 16, "p_max_len": 32, "bf16": False}


def _tiny_data():
    words = ["python", "perl", "debian", "vim", "emacs", "lsof", "curl", "borg", "slurm", "nano"]
    corpus = [f"{w} {v} passage number {i} about {w}" for i, (w, v) in enumerate(zip(words, reversed(words)))]
    ids = [f"p{i}" for i in range(len(corpus))]
    queries = {"test": {f"q{i}": f"what about {w}?" for i, w in enumerate(words)}}
    qrels = {"test": {f"q{i}": {f"p{i}": 1} for i in range(len(words))}}
    return RetrievalData("tiny", ids, corpus, queries, qrels)


def test_the_pilot_reports_an_mde_per_pair_and_metric_and_is_cached(tiny_model, monkeypatch, tmp_path):
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path))
    data = _tiny_data()
    power = cached_pilot_power(data, {"tiny": 1}, tiny_model, ENC)
    assert power["queries"] == 10 and len(power["pairs"]) == 4
    assert {r["metric"] for r in power["pairs"]} == {"Top-5", "MRR@10"}
    assert all(r["mde"] is None or r["mde"] > 0 for r in power["pairs"])  # None only for identical systems
    assert list(tmp_path.rglob("power.json"))
    assert cached_pilot_power(data, {"tiny": 1}, tiny_model, ENC) == power  # read back, not recomputed
