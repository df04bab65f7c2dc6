"""The reproduction report is generated from the results, and the committed one is up to date."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from reproduction_report import STUDIES, read_markdown_table, render  # noqa: E402


def fake_study(results: Path, folder: str, claims: list[tuple[str, str, str, str]]):
    out = results / folder
    out.mkdir(parents=True)
    (out / "provenance.json").write_text(json.dumps({
        "preset": "laptop", "seed": 0, "commit": "abcdef0123+dirty", "runtime_seconds": 1234.5,
        "started_at": "2026-11-22T00:00:00+0000", "machine": {"cpus": 2}, "config": {"seeds": [0, 1, 2]},
        "n_passages": 2000, "n_test_queries": 144}))
    study = next(s for s in STUDIES if s.folder == folder)
    (out / study.table).write_text("| system | MRR@10 |\n|:--|:--|\n| DE | 61.7 |\n")
    rows = "".join(f"| {c} | {p} | {h} | {v} |\n" for c, p, h, v in claims)
    (out / "paper_vs_here.md").write_text("| claim (paper) | paper | here | holds |\n|:--|:--|:--|:--|\n" + rows)


def test_report_is_built_from_the_files(tmp_path):
    fake_study(tmp_path, "01_layer_selection", [("MLR beats DE", "yes", "79.2 vs 80.6", "no"),
                                               ("last layers best", "yes", "79.2 vs 78.5", "yes")])
    fake_study(tmp_path, "03_md2pr_distillation", [("MRR@10", "0.362", "63.5 here", "n/a"),
                                                  ("teacher helps", "yes", "62.3 -> 67.3", "yes")])
    text = render(tmp_path)
    assert "**2 of 3 claims held here**" in text
    assert "MLR (arXiv 2509.23861) (notebook 01): 1 of 2; MD2PR (arXiv 2312.16821) (notebook 03): 1 of 1" in text
    assert "| 03 | MRR@10 | 0.362 | 63.5 here | **n/a** |" in text
    assert "seed(s) 0, 1, 2" in text and "`abcdef0` (uncommitted changes)" in text and "1,234 s" in text
    assert "| DE | 61.7 |" in text and "![fine_tuned_systems.png](01_layer_selection/fine_tuned_systems.png)" in text
    assert "02 ·" not in text  # a study without results is left out, not invented


def test_a_file_without_a_table_is_an_error(tmp_path):
    (tmp_path / "t.md").write_text("no table here\n")
    with pytest.raises(ValueError, match="no markdown table"):
        read_markdown_table(tmp_path / "t.md")


def test_committed_report_is_regenerated_from_committed_results():
    committed = (ROOT / "results" / "README.md").read_text()
    assert committed == render(ROOT / "results"), "run `python tools/reproduction_report.py`"
