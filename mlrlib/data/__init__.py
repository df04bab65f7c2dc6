"""`load_data(spec)`: one entry point for every dataset a notebook or the CLI can use.

spec: "debian" (the offline benchmark, with `benchmark` build config), "beir:DIR",
"squad[:SOURCE]", "nq[:SOURCE]", "trivia[:SOURCE]", "msmarco[:SOURCE]" (SOURCE: hub id
or a local folder of the same format).
"""
from __future__ import annotations

from mlrlib.data.benchmark import benchmark_config, load_benchmark
from mlrlib.data.loaders import load_beir, load_dpr, load_msmarco, load_squad
from mlrlib.data.retrieval_data import DataError, RetrievalData

HUB_DEFAULTS = {"squad": "rajpurkar/squad", "nq": "Tevatron/wikipedia-nq",
                "trivia": "Tevatron/wikipedia-trivia", "msmarco": "BeIR/msmarco"}


def load_data(spec: str, benchmark: dict | None = None) -> RetrievalData:
    kind, _, source = spec.partition(":")
    if kind == "debian":
        return load_benchmark(benchmark or benchmark_config())
    if kind == "beir":
        if not source:
            raise DataError("beir: needs a folder, e.g. --data beir:path/to/scifact")
        return load_beir(source)
    if kind in HUB_DEFAULTS:
        source = source or HUB_DEFAULTS[kind]
        if kind == "squad":
            return load_squad(source)
        if kind == "msmarco":
            return load_msmarco(source)
        return load_dpr(source, name=kind)
    raise DataError(f"unknown data spec {spec!r}; use debian, beir:DIR, squad, nq, trivia or msmarco")
