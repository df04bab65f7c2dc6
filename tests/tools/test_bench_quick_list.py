"""`make bench-quick` covers every benchmark script, and a --quick run writes nothing to results/benchmarks/.
(Nothing here runs a benchmark: `make bench-quick` does, untimed.)"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402

# modules the scripts import, and the exports that curve.py and sweep.py run themselves with --quick
NOT_SCRIPTS = {"common.py", "plots_bench.py", "de_l_convergence/export.py", "teacher_search/export.py"}


def bench_quick_scripts() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^BENCH_QUICK :=((?:.*\\\n)*.*)$", makefile, re.M).group(1)
    return listed.replace("\\\n", " ").split()


def test_bench_quick_runs_every_benchmark_script_with_quick():
    scripts = {str(p.relative_to(ROOT / "benchmarks")) for p in (ROOT / "benchmarks").rglob("*.py")} - NOT_SCRIPTS
    assert sorted(bench_quick_scripts()) == sorted(scripts)
    for script in scripts | {"de_l_convergence/export.py", "teacher_search/export.py"}:
        assert '"--quick"' in (ROOT / "benchmarks" / script).read_text(), script


def test_bench_quick_is_part_of_make_test():
    makefile = (ROOT / "Makefile").read_text()
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "bench-quick" in test_line.split()
    assert re.search(r"^bench-quick: \$\(BENCH_STAMP\)", makefile, re.M)


def test_a_quick_report_is_written_outside_the_committed_results(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "QUICK_OUT", tmp_path / "bench-quick")
    monkeypatch.setattr(common, "OUT", tmp_path / "results")
    report = common.Report("t", {"n": 1}, quick=True)
    report.check("speed", 1.4, ">=", 1.3)
    record = report.save({})
    assert (tmp_path / "bench-quick" / "t.json").exists() and not (tmp_path / "results").exists()
    assert record["settings"] == {"n": 1, "quick": True}
