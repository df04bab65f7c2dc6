"""The reproduction report is generated from the results, and the committed one is up to date; `python -m mlrlib
claims` rebuilds every table from its files and tells a stale one, a missing one and one still waiting apart."""
import json
from pathlib import Path

import numpy as np
import pytest

from mlrlib.evaluation.claims import Claim, ClaimsTable, Premise, Test
from mlrlib.evaluation.claims_store import write_claims
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.runtime import rebuild_claims
from mlrlib.runtime.rebuild_claims import rebuild_all
from mlrlib.runtime.report import STUDIES, read_markdown_table, render

ROOT = Path(__file__).resolve().parents[2]
OLD_COLUMNS = ("claim (paper)", "paper", "here", "difference", "95% CI", "p (Holm)", "MDE", "verdict")


def _evidence(shift=0.05, n=300):
    rng = np.random.default_rng(0)
    ids = [f"q{i}" for i in range(n)]
    base = (rng.random(n) < 0.5).astype(float)
    ev = PerQuery()
    ev.add_values("DE", 0, "test", ids, "Top-5", base)
    e = rng.normal(0, 0.2, n)
    ev.add_values("MLR", 0, "test", ids, "Top-5", base + shift + e - e.mean())
    return ev


def fake_study(results: Path, folder: str, old_claims: list[tuple] | None = None, preset_folder: str = ""):
    out = results / folder / preset_folder
    out.mkdir(parents=True)
    (out / "provenance.json").write_text(json.dumps({
        "preset": "laptop", "seed": 0, "commit": "abcdef0123+dirty", "runtime_seconds": 1234.5,
        "started_at": "2026-11-22T00:00:00+0000", "machine": {"cpus": 2}, "config": {"seeds": [0, 1, 2]},
        "n_passages": 2000, "n_test_queries": 1300}))
    study = next(s for s in STUDIES if s.folder == folder)
    (out / study.table).write_text("| system | MRR@10 |\n|:--|:--|\n| DE | 61.7 |\n")
    if old_claims is not None:  # a run made before the per-query files
        rows = "".join("| " + " | ".join(c) + " |\n" for c in old_claims)
        name, header = "paper_vs_here.md", OLD_COLUMNS
        if folder.startswith("05"):
            name, header = "summary.md", ("question", "hypothesis", "what we found", *OLD_COLUMNS[3:])
        (out / name).write_text("| " + " | ".join(header) + " |\n" + "|:--" * 8 + "|\n" + rows)
        return out
    claims = (Claim("MLR beats DE", "yes", "", Test("MLR", "DE", "Top-5"), paper_effect=0.0067,
                    paper_effect_note="NQ", premise=Premise(none_needed="test")),
              Claim("index bytes", "same", "1.00x"))
    name = "summary.md" if folder.startswith("05") else "paper_vs_here.md"
    rename = {"claim (paper)": "question", "paper": "hypothesis", "here": "what we found"}
    rename = rename if name == "summary.md" else {}
    write_claims(out, [ClaimsTable(name, claims, rename)], _evidence())
    return out


def test_report_counts_the_verdicts_of_rebuilt_tables_and_lists_waiting_ones(tmp_path):
    fake_study(tmp_path, "01_layer_selection")
    fake_study(tmp_path, "03_md2pr_distillation", [("teacher helps", "yes", "62.3 -> 67.3", "+5.0", "[+1, +9]",
                                                    "0.01", "2.0", "supported")])
    (tmp_path / "01_layer_selection" / "learning_curve.png").write_bytes(b"")
    text = render(tmp_path)
    assert text.count("![learning_curve.png]") == 1 and "(01_layer_selection/learning_curve.png)" in text
    assert "| MLR (arXiv 2509.23861) (01) | 1 | 0 | 0 | 0 | 0 | 1 |" in text
    assert "| 01 | MLR beats DE | yes | Top-5 " in text and "**supported** |" in text
    assert "Waiting for their re-run" in text and "| 03 | teacher helps | yes | 62.3 -> 67.3 | +5.0 |" in text
    assert "MD2PR (arXiv 2312.16821) (" not in text  # waiting tables are not counted
    assert "seed(s) 0, 1, 2" in text and "`abcdef0` (uncommitted changes)" in text and "1,234 s" in text
    assert "| DE | 61.7 |" in text and "![fine_tuned_systems.png](01_layer_selection/fine_tuned_systems.png)" in text
    assert "04 ·" not in text  # a study without results is left out, not invented


def test_open_questions_are_listed_with_their_verdicts_and_counted_apart(tmp_path):
    fake_study(tmp_path, "05_open_questions")
    text = render(tmp_path)
    assert "(1 supported, 0 contradicted, 0 ruled out, 0 not testable here, 0 inconclusive, 1 measured)" in text
    assert "| 05 | MLR beats DE | yes | Top-5 " in text


def test_claims_rebuilds_checks_and_tells_stale_missing_and_waiting_apart(tmp_path, capsys, monkeypatch):
    waiting = frozenset({"04_early_layer_ce"})
    monkeypatch.setattr(rebuild_claims, "AWAITING_RERUN", waiting)
    for study in STUDIES:
        fake_study(tmp_path, study.folder, preset_folder="smoke")
    assert rebuild_all(tmp_path, "smoke", check=True) == 0
    table = tmp_path / "01_layer_selection" / "smoke" / "paper_vs_here.md"
    table.write_text(table.read_text().replace("supported", "contradicted"))
    assert rebuild_all(tmp_path, "smoke", check=True) == 1
    assert "differs from what its claims.json" in capsys.readouterr().out
    assert rebuild_all(tmp_path, "smoke") == 0 and rebuild_all(tmp_path, "smoke", check=True) == 0
    (tmp_path / "02_self_contrastive_mlr" / "smoke" / "per_query.csv.gz").unlink()
    assert rebuild_all(tmp_path, "smoke", check=True) == 1
    assert "no claims.json and per_query.csv.gz" in capsys.readouterr().out
    # the committed (laptop) folders: old runs are waiting, not errors
    for study in STUDIES:
        old = [("c", "p", "h", "", "", "", "", "measured")] if study.folder in waiting else None
        fake_study(tmp_path / "committed", study.folder, old)
    assert rebuild_all(tmp_path / "committed", check=False) == 0
    assert "waiting for their re-run" in capsys.readouterr().out


def test_a_file_without_a_table_is_an_error(tmp_path):
    (tmp_path / "t.md").write_text("no table here\n")
    with pytest.raises(ValueError, match="no markdown table"):
        read_markdown_table(tmp_path / "t.md")


def test_committed_report_is_regenerated_from_committed_results():
    committed = (ROOT / "results" / "README.md").read_text()
    assert committed == render(ROOT / "results"), "run `python -m mlrlib claims`"
