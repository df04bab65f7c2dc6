import json
import os
import subprocess
import sys

import pytest


def cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "mlrlib", *args], capture_output=True, text=True, env=env)


def test_evaluate_prints_metrics_as_json(small_beir, tiny_model, tmp_path):
    out = tmp_path / "metrics.json"
    r = cli("evaluate", "--data", f"beir:{small_beir}", "--model", tiny_model, "--layers", "2,3", "--json",
            "--output", str(out))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["layers"] == [2, 3] and result["queries"] == 3 and result["passages"] == 6
    assert set(result["metrics"]) >= {"Top-1", "Top-5", "Top-20", "Top-100", "MRR@10", "nDCG@10", "R@100"}
    assert all(0 <= v <= 1 for v in result["metrics"].values())
    assert result["metrics"]["Top-100"] == 1.0  # 6 passages: every relevant one is in the top 100
    assert json.loads(out.read_text()) == result


@pytest.mark.parametrize("case,needle", [
    ("missing", "no such folder"),
    ("malformed", "line 2: not valid JSON"),
    ("unknown_ids", "unknown passage ids"),
    ("bad_layer", "outside 0..3"),
])
def test_bad_input_is_a_clear_message_and_no_partial_file(case, needle, small_beir, tiny_model, tmp_path):
    data, layers = f"beir:{small_beir}", "3"
    if case == "missing":
        data = f"beir:{tmp_path / 'absent'}"
    elif case == "malformed":
        (small_beir / "queries.jsonl").write_text('{"_id": "q1", "text": "x"}\n{"_id": \n')
    elif case == "unknown_ids":
        (small_beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tnope\t1\n")
    else:
        layers = "2,7"
    out = tmp_path / "out.json"
    r = cli("evaluate", "--data", data, "--model", tiny_model, "--layers", layers, "--json", "--output", str(out))
    assert r.returncode != 0
    assert needle in r.stderr and "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists()


def test_layers_must_be_integers(small_beir):
    r = cli("evaluate", "--data", f"beir:{small_beir}", "--layers", "five")
    assert r.returncode == 2 and "comma-separated integers" in r.stderr


@pytest.mark.parametrize("where, needle", [("a folder", "is a folder"), ("under a file", "cannot write under")])
def test_an_unwritable_output_is_refused_before_any_work(where, needle, small_beir, tiny_model, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = tmp_path if where == "a folder" else blocker / "metrics.json"
    r = cli("evaluate", "--data", f"beir:{small_beir}", "--model", tiny_model, "--json", "--output", str(out))
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr and r.stdout == ""
    assert blocker.read_text() == "x"
