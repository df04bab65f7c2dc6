"""The determinism check compares metrics without their timings and names every difference."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import check_determinism  # noqa: E402
from check_determinism import differences, without_timings  # noqa: E402


def test_timings_are_left_out_and_metrics_kept():
    metrics = {"test": {"DE": {"MRR@10": 0.61}}, "cost": {"DE": 1.2}, "train_seconds": 3.0,
               "pipeline": [{"system": "DE", "latency_ms": 31.0, "MRR@10": 0.5}], "provenance": {"commit": "x"}}
    assert without_timings(metrics) == {"test": {"DE": {"MRR@10": 0.61}}, "pipeline": [{"system": "DE", "MRR@10": 0.5}]}


def test_every_difference_is_named_with_its_path():
    a = {"test": {"DE": {"MRR@10": 0.61, "Top-5": 0.8}}, "seeds": [1, 2]}
    b = {"test": {"DE": {"MRR@10": 0.62, "Top-5": 0.8}}, "seeds": [1, 3]}
    assert differences(a, b) == ["/seeds[1]: 2 != 3", "/test/DE/MRR@10: 0.61 != 0.62"]
    assert differences(a, a) == []
    assert differences({"p": float("nan")}, {"p": float("nan")}) == []  # an undefined p-value in both runs


def test_compare_reports_differences_per_study(tmp_path, capsys):
    def write(root, study, metrics):
        folder = root / study / "smoke"
        folder.mkdir(parents=True)
        (folder / "metrics.json").write_text(json.dumps(metrics))
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "01_x", {"test": [{"value": 0.5, "seconds": 1.0}]})
    write(b, "01_x", {"test": [{"value": 0.5, "seconds": 9.0}]})
    assert check_determinism.compare(a, b) == 0
    write(a, "02_y", {"mrr": 0.25})
    write(b, "02_y", {"mrr": 0.75})
    assert check_determinism.compare(a, b) == 1
    out = capsys.readouterr().out
    assert "01_x: 0 differing metrics" in out and "02_y: 1 differing metrics" in out and "/mrr: 0.25 != 0.75" in out


def test_diverged_checkpoints_are_named_with_their_first_differing_step(tmp_path):
    def store(cache, name, losses, weights):
        folder = cache / "checkpoints" / name
        (folder / "model").mkdir(parents=True)
        (folder / "train_log.json").write_text(json.dumps({"losses": losses}))
        (folder / "model" / "model.safetensors").write_bytes(weights)
    a, b = tmp_path / "a", tmp_path / "b"
    store(a, "same", [1.0, 0.5], b"w")
    store(b, "same", [1.0, 0.5], b"w")
    store(a, "diverged", [1.0, 0.5, 0.25], b"w1")
    store(b, "diverged", [1.0, 0.51, 0.25], b"w2")
    store(a, "only_in_a", [1.0], b"w")
    assert check_determinism.checkpoint_differences(a, b) == [
        "checkpoint diverged: loss first differs at step 1; weights differ"]


def test_a_reference_run_is_read_from_its_results_folder_without_timings(tmp_path):
    folder = tmp_path / "03_md2pr_distillation" / "smoke"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"mrr": 0.5, "train_seconds": 9.0}))
    assert check_determinism.metrics_of(tmp_path, "03") == {"mrr": 0.5}
    with pytest.raises(SystemExit, match="--preset smoke --only 01` first"):
        check_determinism.metrics_of(tmp_path, "01")
