"""The reproduction report is generated from the results, and the committed one is up to date."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from reproduction_report import STUDIES, read_markdown_table, render  # noqa: E402

from mlrlib.evaluation.claims import CLAIM_COLUMNS  # noqa: E402


def fake_study(results: Path, folder: str, claims: list[tuple], legacy: bool = False):
    out = results / folder
    out.mkdir(parents=True)
    (out / "provenance.json").write_text(json.dumps({
        "preset": "laptop", "seed": 0, "commit": "abcdef0123+dirty", "runtime_seconds": 1234.5,
        "started_at": "2026-11-22T00:00:00+0000", "machine": {"cpus": 2}, "config": {"seeds": [0, 1, 2]},
        "n_passages": 2000, "n_test_queries": 1300}))
    study = next(s for s in STUDIES if s.folder == folder)
    (out / study.table).write_text("| system | MRR@10 |\n|:--|:--|\n| DE | 61.7 |\n")
    header = ("claim (paper)", "paper", "here", "holds") if legacy else CLAIM_COLUMNS
    rows = "".join("| " + " | ".join(c) + " |\n" for c in claims)
    (out / "paper_vs_here.md").write_text("| " + " | ".join(header) + " |\n" + "|:--" * len(header) + "|\n" + rows)


def test_report_counts_the_verdicts_per_paper(tmp_path):
    fake_study(tmp_path, "01_layer_selection", [
        ("MLR beats DE", "yes", "79.2 vs 80.6", "-1.4", "[-3.0, +0.2]", "0.09", "2.3", "inconclusive"),
        ("last layers best", "yes", "83.2 vs 78.5", "+4.7", "[+2.9, +6.5]", "0.001", "2.5", "supported")])
    fake_study(tmp_path, "02_self_contrastive_mlr", [("index bytes", "same", "1.00x", "", "", "", "", "measured")])
    fake_study(tmp_path, "03_md2pr_distillation", [("teacher helps", "yes", "62.3 -> 67.3", "yes")], legacy=True)
    (tmp_path / "01_layer_selection" / "learning_curve.png").write_bytes(b"")
    text = render(tmp_path)
    assert text.count("![learning_curve.png]") == 1 and "(01_layer_selection/learning_curve.png)" in text
    assert "| MLR (arXiv 2509.23861) (01, 02) | 1 | 0 | 1 | 1 |" in text
    assert "| 01 | MLR beats DE | yes | 79.2 vs 80.6 | -1.4 | [-3.0, +0.2] | 0.09 | 2.3 | **inconclusive** |" in text
    assert "listed, not counted" in text and "| 03 | teacher helps | yes | 62.3 -> 67.3 |" in text
    assert "MD2PR (arXiv 2312.16821) (" not in text  # legacy tables are not counted
    assert "seed(s) 0, 1, 2" in text and "`abcdef0` (uncommitted changes)" in text and "1,234 s" in text
    assert "| DE | 61.7 |" in text and "![fine_tuned_systems.png](01_layer_selection/fine_tuned_systems.png)" in text
    assert "04 ·" not in text  # a study without results is left out, not invented


def test_open_questions_are_listed_with_their_verdicts_and_counted_apart(tmp_path):
    folder = tmp_path / "05_open_questions"
    folder.mkdir()
    header = ("question", "hypothesis", "what we found", *CLAIM_COLUMNS[3:])
    rows = [("1. symmetric", "both > passage", "75.1 vs 74.0", "+1.1", "[-0.2, +2.4]", "0.2", "1.9", "inconclusive"),
            ("4b. filters", "dynamic >= static", "F1 0.38 vs 0.40", "", "", "", "", "measured")]
    (folder / "summary.md").write_text("| " + " | ".join(header) + " |\n" + "|:--" * len(header) + "|\n"
                                       + "".join("| " + " | ".join(r) + " |\n" for r in rows))
    text = render(tmp_path)
    assert "(0 supported, 0 contradicted, 1 inconclusive, 1 measured)" in text
    row = "| 1. symmetric | both > passage | 75.1 vs 74.0 | +1.1 | [-0.2, +2.4] | 0.2 | 1.9 | **inconclusive** |"
    assert row in text


def test_a_file_without_a_table_is_an_error(tmp_path):
    (tmp_path / "t.md").write_text("no table here\n")
    with pytest.raises(ValueError, match="no markdown table"):
        read_markdown_table(tmp_path / "t.md")


def test_committed_report_is_regenerated_from_committed_results():
    committed = (ROOT / "results" / "README.md").read_text()
    assert committed == render(ROOT / "results"), "run `python tools/reproduction_report.py`"
