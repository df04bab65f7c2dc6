"""`python -m mlrlib claims`: every study's claims tables rebuilt from its `claims.json` and `per_query.csv.gz`
alone (no model, no cache), then the reproduction report; `--check` changes nothing and fails on a table that
differs from what its files rebuild.

The committed laptop runs of `AWAITING_RERUN` predate the per-query files: they are listed as waiting for their
re-run. A study outside that list without its files is an error, and so is one inside it that has them (take it
off the list).
"""
from __future__ import annotations

from pathlib import Path

from mlrlib.evaluation.claims_store import has_claims, rebuild, stale
from mlrlib.runtime.paths import DEFAULT_PRESET
from mlrlib.runtime.report import STUDIES, write_report

# the committed laptop runs made before the per-query files (issue 33 re-runs them and empties this)
AWAITING_RERUN = frozenset({"04_early_layer_ce"})


def folder_of(results: Path, study: str, preset: str) -> Path:
    return results / study if preset == DEFAULT_PRESET else results / study / preset


def rebuild_all(results: Path, preset: str = DEFAULT_PRESET, check: bool = False) -> int:
    """Rebuild (or check) every study's tables under `results` for `preset`; 0 when all are (now) up to date."""
    problems, waiting = [], []
    for study in STUDIES:
        folder = folder_of(results, study.folder, preset)
        expected_waiting = preset == DEFAULT_PRESET and study.folder in AWAITING_RERUN
        if not has_claims(folder):
            if expected_waiting:
                waiting.append(study.folder)
            else:
                problems.append(f"{folder}: no claims.json and per_query.csv.gz (run its notebook under `{preset}`)")
            continue
        if expected_waiting:
            problems.append(f"{folder} has its per-query file: take {study.folder} off AWAITING_RERUN "
                            "(mlrlib/runtime/rebuild_claims.py)")
        if check:
            problems += [f"{folder / name} differs from what its claims.json and per_query.csv.gz rebuild "
                         "(run `python -m mlrlib claims`)" for name in stale(folder)]
        else:
            print(f"rebuilt {', '.join(str(folder / n) for n in rebuild(folder))}")
    if waiting:
        print("waiting for their re-run (committed before the per-query files): " + ", ".join(waiting))
    if preset == DEFAULT_PRESET and (results / STUDIES[0].folder / "provenance.json").exists():
        if write_report(results, check):
            problems.append(f"{results / 'README.md'} is out of date")
    for p in problems:
        print(f"error: {p}")
    return 1 if problems else 0
