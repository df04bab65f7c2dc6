import json

import pytest
from conftest import write_beir

from mlrlib.data import load_data
from mlrlib.data.loaders import load_beir, load_dpr, load_msmarco, load_squad
from mlrlib.data.retrieval_data import DataError, RetrievalData


def test_beir_folder_loads_through_the_common_interface(small_beir):
    data = load_data(f"beir:{small_beir}")
    ids, texts, qrels = data.split("test")
    assert ids == ["q1", "q2", "q3"] and qrels["q1"] == {"d2": 1}
    assert data.corpus_texts[0].startswith("Topic 0. Python lists")


def test_beir_train_qrels_become_training_pairs(small_beir):
    (small_beir / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\n")
    data = load_beir(small_beir)
    assert data.train_pairs == [{"query": "how do I install a package on Debian",
                                 "positive": data.corpus_texts[2], "positive_id": "d2", "source": "train"}]
    assert "train" not in data.queries


def test_malformed_jsonl_names_file_and_line(small_beir):
    with open(small_beir / "corpus.jsonl", "a") as f:
        f.write("{not json\n")
    with pytest.raises(DataError, match=r"corpus.jsonl, line 7: not valid JSON"):
        load_beir(small_beir)


def test_qrels_naming_unknown_passages_are_rejected(tmp_path):
    folder = write_beir(tmp_path / "b", [{"_id": "d1", "text": "x"}], [{"_id": "q1", "text": "y"}],
                        [("q1", "d9", 1)])
    with pytest.raises(DataError, match="unknown passage ids"):
        load_beir(folder)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_data(f"beir:{tmp_path / 'nope'}")


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_squad_as_paragraph_retrieval(tmp_path):
    row = lambda i, ctx, q: {"id": i, "title": "T", "context": ctx, "question": q,
                             "answers": {"text": ["a"], "answer_start": [0]}}
    _jsonl(tmp_path / "train.jsonl", [row(f"t{i}", f"context {i % 3}", f"question {i}") for i in range(40)])
    _jsonl(tmp_path / "validation.jsonl", [row("v1", "context 1", "dev q"), row("v2", "context 9", "dev r")])
    data = load_squad(str(tmp_path), dev_fraction=0.1)
    assert len(data.corpus_ids) == 4  # unique contexts across splits
    ids, texts, qrels = data.split("test")
    assert texts == ["dev q", "dev r"]
    assert data.corpus_texts[data.corpus_ids.index(next(iter(qrels["v2"])))] == "context 9"
    assert len(data.split("dev").ids) == 4 and len(data.train_pairs) == 36


@pytest.mark.parametrize("style", ["dpr", "tevatron"])
def test_dpr_form_nq_and_trivia(tmp_path, style):
    def row(n, split):
        pos = {"title": f"P{n}", "text": f"positive {n}"}
        neg = {"title": f"N{n}", "text": f"negative {n}"}
        if style == "dpr":
            return {"question": f"{split} q{n}", "answers": ["x"], "positive_ctxs": [{**pos, "passage_id": f"p{n}"}],
                    "hard_negative_ctxs": [{**neg, "passage_id": f"n{n}"}], "negative_ctxs": []}
        return {"query_id": f"{split}{n}", "query": f"{split} q{n}", "answers": ["x"],
                "positive_passages": [{**pos, "docid": f"p{n}"}], "negative_passages": [{**neg, "docid": f"n{n}"}]}
    _jsonl(tmp_path / "train.jsonl", [row(i, "train") for i in range(3)])
    _jsonl(tmp_path / "dev.jsonl", [row(i, "dev") for i in range(3, 5)])
    data = load_dpr(str(tmp_path), name="nq")
    assert set(data.corpus_ids) == {"p0", "p1", "p2", "p3", "p4", "n0", "n1", "n2", "n3", "n4"}
    ids, texts, qrels = data.split("dev")
    assert texts == ["dev q3", "dev q4"] and list(qrels.values()) == [{"p3": 1}, {"p4": 1}]
    assert [p["positive"] for p in data.train_pairs] == ["P0. positive 0", "P1. positive 1", "P2. positive 2"]


def test_msmarco_in_beir_form(small_beir):
    data = load_msmarco(str(small_beir))
    assert data.name == "msmarco" and len(data.split("test").ids) == 3


def test_save_and_load_round_trip(small_beir, tmp_path):
    data = load_beir(small_beir)
    data.save(tmp_path / "saved")
    back = RetrievalData.load(tmp_path / "saved")
    assert (back.corpus_ids, back.corpus_texts, back.queries, back.qrels) == \
        (data.corpus_ids, data.corpus_texts, data.queries, data.qrels)
