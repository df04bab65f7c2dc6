"""`python -m mlrlib build-data`: one JSON object that says what the benchmark holds, and a dataset card."""
import json

import pytest
from conftest import docs_installed

from mlrlib.runtime.cli import main

needs_docs = pytest.mark.skipif(not docs_installed(), reason="Debian doc packages not installed")


@needs_docs
def test_build_data_prints_questions_passages_sources_and_splits(capsys, tmp_path):
    card = tmp_path / "card.md"
    assert main(["build-data", "--preset", "smoke", "--study", "02_self_contrastive_mlr", "--json",
                 "--card", str(card)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["questions"] == sum(s["queries"] for s in out["splits"].values()) == 90
    assert out["passages"] == 300 and set(out["splits"]) == {"train", "dev", "test"}
    assert all({"queries", "judgements", "by_source"} <= set(s) for s in out["splits"].values())
    assert out["sources"] and all({"package", "version", "licence", "questions"} <= set(s) for s in out["sources"])
    assert sum(s["questions"] for s in out["sources"]) == out["questions"]
    assert out["build_seconds"] < 120 and len(out["cache_key"]) == 12
    text = card.read_text()
    assert "| package | version | licence |" in text and f"| test | {out['splits']['test']['queries']} |" in text
    assert "--card" in text  # the card says which command wrote it


def test_a_missing_documentation_package_is_a_one_line_error_with_the_apt_get_line(capsys, monkeypatch, tmp_path):
    import dataclasses

    from mlrlib.data import benchmark, debian_docs
    from mlrlib.data.faqs import ALL_SOURCES
    gone = dataclasses.replace(ALL_SOURCES[0], root="/nonexistent/python3*/html/_sources")
    monkeypatch.setattr(benchmark, "locate_docs", lambda: debian_docs.locate_docs((gone,)))
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path))
    assert main(["build-data", "--preset", "smoke"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing: python3-doc" in err and "apt-get install -y" in err
    assert not list(tmp_path.rglob("meta.json"))  # nothing half-written


@needs_docs
def test_build_teacher_trains_the_shared_teacher_once_and_then_reuses_it(capsys, monkeypatch, tmp_path, tiny_model):
    from mlrlib.methods.score_teachers import BiEncoderScorer
    from mlrlib.runtime import pypi_model
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path))
    # the bi-encoder candidate: a tiny model standing in for all-mpnet-base-v2 (tests/runtime/test_pypi_model.py)
    monkeypatch.setattr(pypi_model, "bi_encoder_teacher", lambda name: (BiEncoderScorer(tiny_model), {"m": name}))
    assert main(["build-teacher", "--preset", "smoke"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["steps"] == first["teacher"]["steps"] == 2 and first["snapshots"] == [0, 1, 2]
    assert first["bi_encoder_corpus_seconds"] > 0
    assert main(["build-teacher", "--preset", "smoke"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["train_seconds"] == first["train_seconds"]  # read from the cache, not trained again
    assert again["bi_encoder_corpus_seconds"] == 0.0
    assert len(list(tmp_path.glob("rankers/*/train_log.json"))) == 1  # the final snapshot is the teacher itself
