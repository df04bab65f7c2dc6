"""Write results/README.md, the reproduction report, from the files the notebooks wrote under results/.

    python tools/reproduction_report.py            # part of `make reproduce`
    python tools/reproduction_report.py --check    # exit 1 when results/README.md is out of date

Nothing here is typed in: each study's claims come from its `paper_vs_here.md` (the paper's number beside
ours, computed in the notebook), its headline table and figure are the files the notebook wrote, and
preset, seeds, commit and runtime come from its `provenance.json`.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from mlrlib.runtime.cache import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Study:
    folder: str
    title: str
    paper: str
    notebook: str
    table: str
    figure: str


STUDIES = [
    Study("01_layer_selection", "Layer selection and multi-vector MLR", "MLR (arXiv 2509.23861)",
          "01_layer_selection.ipynb", "fine_tuned_test.md", "fine_tuned_systems.png"),
    Study("02_self_contrastive_mlr", "Single-vector (self-contrastive) MLR", "MLR (arXiv 2509.23861)",
          "02_self_contrastive_mlr.ipynb", "headline_test.md", "lambda_sweep.png"),
    Study("03_md2pr_distillation", "MD2PR: multi-level distillation", "MD2PR (arXiv 2312.16821)",
          "03_md2pr_distillation.ipynb", "ablation_test.md", "ablation.png"),
    Study("04_early_layer_ce", "Early cross-encoder layers as a light dual encoder", "early-layer CE embeddings",
          "04_early_layer_ce_embeddings.ipynb", "light_test.md", "layer_by_layer.png"),
    Study("05_open_questions", "The papers' open questions", "MLR, MD2PR and CE embeddings: their open questions",
          "05_open_questions.ipynb", "summary.md", "m_sweep.png"),
]


def read_markdown_table(path: Path) -> list[dict]:
    """Rows of a pipe table as written by pandas' `to_markdown` (header, alignment row, body)."""
    lines = [ln.strip() for ln in Path(path).read_text().splitlines() if ln.strip().startswith("|")]
    if len(lines) < 2:
        raise ValueError(f"{path}: no markdown table found")
    split = lambda ln: [c.strip() for c in ln.strip("|").split("|")]  # noqa: E731
    header = split(lines[0])
    return [dict(zip(header, split(ln))) for ln in lines[2:]]


def provenance_line(prov: dict, cold: dict | None) -> str:
    seeds = prov.get("config", {}).get("seeds") or [prov["seed"]]
    commit = f"`{prov['commit'][:7]}`" + (" (uncommitted changes)" if prov["commit"].endswith("+dirty") else "")
    runtime = f"{prov['runtime_seconds']:,.0f} s"
    if cold:
        runtime += f" (from a cold cache: {cold['runtime_seconds']:,.0f} s)"
    return (f"preset `{prov['preset']}` · seed(s) {', '.join(map(str, seeds))} · commit {commit} · "
            f"runtime {runtime} on {prov['machine']['cpus']} CPU cores · started {prov['started_at']} · "
            f"{prov.get('n_passages', '?'):,} passages, {prov.get('n_test_queries', '?')} test queries")


def claims(results: Path, study: Study) -> list[dict]:
    path = results / study.folder / "paper_vs_here.md"
    return read_markdown_table(path) if path.exists() else []


VERDICTS = ("supported", "contradicted", "inconclusive", "measured")


def summary_section(results: Path) -> list[str]:
    judged, legacy, per_paper = [], [], {}
    for study in STUDIES:
        found = claims(results, study)
        if found and "verdict" in found[0]:
            counts = per_paper.setdefault(study.paper, ({v: 0 for v in VERDICTS}, []))
            for c in found:
                counts[0][c["verdict"]] = counts[0].get(c["verdict"], 0) + 1
            counts[1].append(study.folder[:2])
            judged += [f"| {study.folder[:2]} | {c['claim (paper)']} | {c['paper']} | {c['here']} | {c['difference']} "
                       f"| {c['95% CI']} | {c['p (Holm)']} | {c['MDE']} | **{c['verdict']}** |" for c in found]
        else:
            legacy += [f"| {study.folder[:2]} | {c['claim (paper)']} | {c['paper']} | {c['here']} |" for c in found]
    out = ["## Verdicts on the papers' claims", "",
           "Each claim tested here is **supported** (significant in the paper's direction, paired t-test over the "
           "test queries, Holm-corrected within its notebook), **contradicted** (significant against it), "
           "**inconclusive** (not significant; MDE = the smallest effect the test split detects with 80% power, "
           "in points) or **measured** (a cost or a number read directly).", ""]
    if per_paper:
        out += ["| paper (notebooks) | " + " | ".join(VERDICTS) + " |", "|---|" + "---|" * len(VERDICTS),
                *[f"| {paper} ({', '.join(nbs)}) | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |"
                  for paper, (counts, nbs) in per_paper.items()], "",
                "| nb | claim | paper | here | difference | 95% CI | p (Holm) | MDE | verdict |",
                "|---|---|---|---|---|---|---|---|---|", *judged, ""]
    if not per_paper:
        out += ["No notebook's committed results were made under these rules yet, so there are no counts per "
                "paper: they come with the notebooks' re-runs on the current benchmark.", ""]
    if legacy:
        out += ["Claims from runs made before these verdict rules (a yes/no on the point estimate, with no test "
                "of significance or power): listed, not counted; `make reproduce` re-runs them.", "",
                "| nb | claim | paper | here |", "|---|---|---|---|", *legacy, ""]
    return out + open_questions(results / "05_open_questions" / "summary.md")


def open_questions(path: Path) -> list[str]:
    """Notebook 05's summary: our hypotheses on the papers' open questions, under the same verdict rules (counted
    apart from the papers' own claims)."""
    if not path.exists():
        return []
    rows = read_markdown_table(path)
    counts = ", ".join(f"{sum(q['verdict'] == v for q in rows)} {v}" for v in VERDICTS)
    return [f"Open questions (notebook 05), each a hypothesis of ours tested by the same rules ({counts}):", "",
            "| question | hypothesis | what we found | difference | 95% CI | p (Holm) | MDE | verdict |",
            "|---|---|---|---|---|---|---|---|",
            *[f"| {q['question']} | {q['hypothesis']} | {q['what we found']} | {q['difference']} | {q['95% CI']} "
              f"| {q['p (Holm)']} | {q['MDE']} | **{q['verdict']}** |" for q in rows], ""]


def study_section(results: Path, study: Study) -> list[str]:
    folder = results / study.folder
    prov = json.loads((folder / "provenance.json").read_text())
    cold_path = folder / "provenance.cold-run.json"
    cold = json.loads(cold_path.read_text()) if cold_path.exists() else None
    out = [f"## {study.folder[:2]} · {study.title}", "",
           f"Paper: {study.paper}. Notebook: [`notebooks/{study.notebook}`](../notebooks/{study.notebook}); "
           f"all files: [`results/{study.folder}/`]({study.folder}/).", "",
           provenance_line(prov, cold), "",
           f"![{study.figure}]({study.folder}/{study.figure})", "",
           f"`{study.table}`:", "", (folder / study.table).read_text().strip(), ""]
    if (folder / "learning_curve.png").exists():
        out += ["How many steps every compared model trained: the dev learning curve of the notebook's "
                "reference model (`learning_curve.png`).", "",
                f"![learning_curve.png]({study.folder}/learning_curve.png)", ""]
    if (folder / "teacher_curve.png").exists():
        out += ["Whether the teacher is worth distilling: its learning curve, read as the dev gain of re-ranking the "
                "student's top k (`teacher_curve.png`, `teacher_curve.csv`).", "",
                f"![teacher_curve.png]({study.folder}/teacher_curve.png)", ""]
    if (folder / "paper_vs_here.md").exists():
        out += ["The paper's claims beside ours (`paper_vs_here.md`):", "",
                (folder / "paper_vs_here.md").read_text().strip(), ""]
    return out


def render(results: Path) -> str:
    lines = ["# Reproduction report", "",
             "Generated by `make reproduce` (`tools/reproduction_report.py`) from the files the notebooks wrote "
             "under `results/`: do not edit by hand. Every number below was computed by a notebook run whose "
             "preset, seeds, commit and runtime are given with it. `±` is a 95% bootstrap interval; `*` marks a "
             "significant difference (paired test, p < 0.05) from the table's reference system (each notebook "
             "names it).", "",
             "The offline benchmark and model (Debian documentation questions, all-MiniLM-L6-v2 on 2 CPU cores) "
             "are not the papers' (BERT-base on NQ, TriviaQA, SQuAD, MS MARCO on GPUs), so a claim contradicted "
             "here is a finding about this setting, not a refutation, and an inconclusive one says only that an "
             "effect smaller than its MDE cannot be told from noise here; the `paper` preset runs the papers' "
             "setting. The benchmark and its power: [`docs/benchmark.md`](../docs/benchmark.md).", ""]
    lines += summary_section(results)
    for study in STUDIES:
        if (results / study.folder / "provenance.json").exists():
            lines += study_section(results, study)
    if (results / "benchmarks" / "README.md").exists():
        lines += ["## Speed and memory", "",
                  "`make bench` writes [`results/benchmarks/README.md`](benchmarks/README.md).", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=ROOT / "results")
    ap.add_argument("--check", action="store_true", help="only compare with the existing README.md")
    args = ap.parse_args(argv)
    text = render(args.results)
    target = args.results / "README.md"
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run `python tools/reproduction_report.py`")
            return 1
        return 0
    atomic_write_text(target, text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
