"""results/README.md, the reproduction report, rendered from the files the notebooks wrote under results/.

    python -m mlrlib claims             # every claims table from its per-query file, then this report
    python tools/reproduction_report.py --check    # exit 1 when results/README.md is out of date

Nothing here is typed in: each study's claims come from its `paper_vs_here.md` (rebuilt from `claims.json` and
`per_query.csv.gz` by `python -m mlrlib claims`), its headline table and figure are the files the notebook
wrote, and preset, seeds, commit and runtime come from its `provenance.json`. A study whose committed run
predates the per-query files is listed as waiting for its re-run, its old verdicts shown but not counted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mlrlib.evaluation.claims import VERDICTS
from mlrlib.evaluation.claims_store import has_claims
from mlrlib.runtime.cache import atomic_write_text


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
          "01_layer_selection.ipynb", "fine_tuned_test_paper.md", "fine_tuned_systems.png"),
    Study("02_self_contrastive_mlr", "Single-vector (self-contrastive) MLR", "MLR (arXiv 2509.23861)",
          "02_self_contrastive_mlr.ipynb", "headline_test_paper.md", "headline.png"),
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


JUDGED_HEADER = ["| nb | claim | paper | here | metric | seeds | paper effect | difference | 95% CI | p (Holm) | MDE "
                 "| effect ratio | premise | verdict |", "|---" * 14 + "|"]
JUDGED_KEYS = ("here", "metric", "seeds", "paper effect", "difference", "95% CI", "p (Holm)", "MDE", "effect ratio",
               "premise")


def _judged_row(nb: str, claim: str, paper: str, c: dict) -> str:
    return f"| {nb} | {claim} | {paper} | " + " | ".join(c[k] for k in JUDGED_KEYS) + f" | **{c['verdict']}** |"


def summary_section(results: Path) -> list[str]:
    judged, waiting, per_paper = [], [], {}
    for study in STUDIES:
        found = claims(results, study)
        if found and has_claims(results / study.folder):
            counts = per_paper.setdefault(study.paper, ({v: 0 for v in VERDICTS}, []))
            for c in found:
                counts[0][c["verdict"]] += 1
            counts[1].append(study.folder[:2])
            judged += [_judged_row(study.folder[:2], c["claim (paper)"], c["paper"], c) for c in found]
        else:
            waiting += [f"| {study.folder[:2]} | {c['claim (paper)']} | {c['paper']} | {c['here']} | "
                        f"{c.get('difference', '')} | {c.get('95% CI', '')} | {c.get('verdict', '')} |" for c in found]
    out = ["## Verdicts on the papers' claims", "",
           "Each directional claim is tested on the metric the paper reports for it, paired over the test queries "
           "and over the seeds (the seed-to-seed variance is in the interval), Holm-corrected within its notebook, "
           "against the paper's own effect. Its verdict is **supported** / **contradicted** (significant for / "
           "against the paper), **ruled out** (not significant, and the interval excludes the paper's effect), "
           "**not testable here** (the claim's premise, measured on dev, fails: the mechanism cannot act in this "
           "setting), **inconclusive** (MDE = the smallest effect the split detects with 80% power at the claim's "
           "Holm level, in points) or **measured** (a cost or a property). Definitions: "
           "[`docs/methods.md`](../docs/methods.md#verdicts). Every table is rebuilt from the committed per-query "
           "files by `python -m mlrlib claims`.", ""]
    if per_paper:
        out += ["| paper (notebooks) | " + " | ".join(VERDICTS) + " |", "|---|" + "---|" * len(VERDICTS),
                *[f"| {paper} ({', '.join(nbs)}) | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |"
                  for paper, (counts, nbs) in per_paper.items()], "", *JUDGED_HEADER, *judged, ""]
    else:
        out += ["No notebook's committed results carry their per-query file yet, so there are no counts per paper: "
                "they come with the notebooks' re-runs.", ""]
    if waiting:
        out += ["Waiting for their re-run: claims from runs made before the per-query files and the six verdicts "
                "(their intervals leave out the seeds' variance, and they have no premise or paper effect). Listed "
                "as those runs wrote them, not counted.", "",
                "| nb | claim | paper | here | difference | 95% CI | verdict then |", "|---|---|---|---|---|---|---|",
                *waiting, ""]
    return out + open_questions(results / "05_open_questions")


def open_questions(folder: Path) -> list[str]:
    """Notebook 05's summary: our hypotheses on the papers' open questions, under the same verdict rules (counted
    apart from the papers' own claims)."""
    path = folder / "summary.md"
    if not path.exists():
        return []
    rows = read_markdown_table(path)
    if not has_claims(folder):
        return ["Open questions (notebook 05), waiting for their re-run (made before the per-query files):", "",
                "| question | hypothesis | what we found | difference | 95% CI | verdict then |",
                "|---|---|---|---|---|---|",
                *[f"| {q['question']} | {q['hypothesis']} | {q['what we found']} | {q.get('difference', '')} | "
                  f"{q.get('95% CI', '')} | {q.get('verdict', '')} |" for q in rows], ""]
    counts = ", ".join(f"{sum(q['verdict'] == v for q in rows)} {v}" for v in VERDICTS)
    return [f"Open questions (notebook 05), each a hypothesis of ours tested by the same rules ({counts}):", "",
            *JUDGED_HEADER, *[_judged_row("05", q["question"], q["hypothesis"], {**q, "here": q["what we found"]})
                              for q in rows], ""]


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
             "Generated by `python -m mlrlib claims` (`mlrlib/runtime/report.py`) from the files the notebooks wrote "
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


def write_report(results: Path, check: bool = False) -> int:
    """Write (or with `check`, compare) `results`/README.md; 0 when it is (now) up to date."""
    text = render(results)
    target = Path(results) / "README.md"
    if check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run `python -m mlrlib claims`")
            return 1
        return 0
    atomic_write_text(target, text)
    print(f"wrote {target}")
    return 0
