"""Collect every benchmark's JSON into results/benchmarks/README.md: each check with its target and
verdict, the machine, and when and from which commit each benchmark ran.

    python benchmarks/summary.py            # results/benchmarks/README.md (and search_scaling.png) from its JSON
    python benchmarks/summary.py --quick    # the same from the committed JSON, written to build/bench-quick/
"""
from __future__ import annotations

import argparse
import json

from common import OUT, _fmt, out_dir
from plots_bench import scaling_figure

from mlrlib.runtime.cache import atomic_write_text

ORDER = ("encoding", "search", "training", "training_flops", "allocator", "memory_smoke", "memory_binder",
         "memory_laptop", "streaming")


def section(record: dict) -> list[str]:
    prov = record["provenance"]
    lines = [f"## {record['benchmark']}", "",
             f"Commit `{prov['commit'][:12]}`, {prov['started_at']}, {prov['runtime_seconds']:.0f} s; "
             f"settings: `{json.dumps(record['settings'], default=str)[:300]}`", "",
             "| check | measured | target | verdict |", "|---|---|---|---|"]
    for row in record["checks"]:
        verdict = "" if row["met"] is None else ("met" if row["met"] else "**not met**")
        lines.append(f"| {row['check'].strip()} | {_fmt(row['value'])}{row['unit']} | "
                     f"{row['target'] or ''} | {verdict} |")
    return lines + [""]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="write to build/bench-quick/, not over the committed README")
    args = ap.parse_args()
    folder = out_dir(args.quick)
    records = [json.loads((OUT / f"{name}.json").read_text()) for name in ORDER if (OUT / f"{name}.json").exists()]
    if not records:
        raise SystemExit(f"no benchmark results in {OUT}; run `make bench` first")
    machine = records[0]["provenance"]["machine"]
    lines = ["# Benchmarks", "", "Written by `python benchmarks/summary.py` (run by `make bench`) from the JSON files "
             "beside it; each ratio was measured in one process, the systems side by side, medians after a warm-up.",
             "",
             "`make bench-quick` (part of `make test`) runs every benchmark script with `--quick`: the same code on a "
             "tiny size (10-40 s a script on 2 cores), written to `build/bench-quick/`, so a benchmark that no longer "
             "runs fails the tests; it measures nothing and leaves this folder alone.",
             "",
             f"Machine: {machine['cpu']}, {machine['cpus']} cores, {machine['memory_gib']} GiB, "
             f"vector extensions {', '.join(machine['vector_flags'])}; torch {machine['torch']} "
             f"({machine['torch_threads']} threads), Python {machine['python']}.", ""]
    for record in records:
        lines += section(record)
    search = next((r for r in records if r["benchmark"] == "search"), None)
    if search:
        scaling_figure(search["details"]["scaling"], folder)
        lines += ["![search scaling](search_scaling.png)", ""]
    if any(r["benchmark"] == "streaming" for r in records):
        lines += ["![streaming a corpus into the store](streaming.png)", ""]
    atomic_write_text(folder / "README.md", "\n".join(lines))
    met = [r["met"] for rec in records for r in rec["checks"] if r["met"] is not None]
    print(f"{sum(met)} of {len(met)} targets met; table in {folder / 'README.md'}")


if __name__ == "__main__":
    main()
