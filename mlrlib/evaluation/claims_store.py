"""A study's claims tables as files: `claims.json` (what each claim compares, the paper's effect, the premise)
beside `per_query.csv.gz` (the evidence), from which every table is rebuilt with no model and no cache.

    write_claims(OUT, tables, evidence)      # a notebook: both files, then each table's markdown
    rebuild(OUT)                             # python -m mlrlib claims: the markdown again, from the two files
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from mlrlib.evaluation.claims import Claim, ClaimsTable, Condition, Premise, Test, claims_frame
from mlrlib.evaluation.per_query import PER_QUERY_FILE, PerQuery
from mlrlib.runtime.cache import atomic_write_json, atomic_write_text

CLAIMS_FILE = "claims.json"


def write_claims(out: Path, tables: Sequence[ClaimsTable], evidence: PerQuery) -> dict[str, pd.DataFrame]:
    """Write the evidence, the claims and each table's markdown into `out`; the tables, by file name."""
    out = Path(out)
    evidence.write(out / PER_QUERY_FILE)
    atomic_write_json(out / CLAIMS_FILE, {"tables": [asdict(t) for t in tables]})
    return rebuild(out)


def load_tables(out: Path) -> list[ClaimsTable]:
    raw = json.loads((Path(out) / CLAIMS_FILE).read_text())
    return [ClaimsTable(t["file"], tuple(_claim(c) for c in t["claims"]), t.get("rename", {})) for t in raw["tables"]]


def render(out: Path) -> dict[str, tuple[pd.DataFrame, str]]:
    """{file: (table, its markdown)} rebuilt from `out`'s claims and per-query files."""
    evidence = PerQuery.read(Path(out) / PER_QUERY_FILE)
    rendered = {}
    for t in load_tables(out):
        frame = claims_frame(t.claims, evidence).rename(columns=t.rename)
        rendered[t.file] = (frame, frame.to_markdown(index=False, disable_numparse=True) + "\n")  # cells as written
    return rendered


def rebuild(out: Path) -> dict[str, pd.DataFrame]:
    """Write each table's markdown into `out` (atomically); the tables, by file name."""
    tables = {}
    for name, (frame, text) in render(out).items():
        atomic_write_text(Path(out) / name, text)
        tables[name] = frame
    return tables


def stale(out: Path) -> list[str]:
    """The tables of `out` whose markdown differs from what its claims and per-query files rebuild."""
    return [name for name, (_, text) in render(out).items()
            if not (Path(out) / name).exists() or (Path(out) / name).read_text() != text]


def has_claims(out: Path) -> bool:
    return (Path(out) / CLAIMS_FILE).exists() and (Path(out) / PER_QUERY_FILE).exists()


def _test(raw: dict | None) -> Test | None:
    if raw is None:
        return None
    return Test(**{**raw, "seeds": tuple(raw["seeds"]), "minus": tuple(raw["minus"]) if raw.get("minus") else None})


def _claim(raw: dict) -> Claim:
    premise = raw.get("premise")
    if premise is not None:
        premise = Premise(tuple(Condition(**{**c, "test": _test(c.get("test"))}) for c in premise["conditions"]),
                          premise.get("none_needed", ""))
    return Claim(**{**raw, "test": _test(raw.get("test")), "premise": premise})
