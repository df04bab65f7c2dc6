"""What every benchmark shares: the machine it ran on, medians after a warm-up, a printed table of
ratios with their targets, and the JSON (with provenance) written atomically to results/benchmarks/.

Every script takes --quick: its real code path on a tiny size (10-40 s a script on 2 cores; `make bench-quick`, part of
`make test`, runs them all), reading the `smoke` benchmark (built into the cache on first use) and writing to
build/bench-quick/, never to the committed results. It checks that the benchmark runs; its numbers mean nothing.

A ratio is always measured in one process, the systems compared side by side, so a slow patch of
the machine hits both; absolute seconds are reported too but are only comparable on one machine.
"""
from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlrlib.runtime.cache import atomic_write_json  # noqa: E402

OUT = ROOT / "results" / "benchmarks"  # the committed results
QUICK_OUT = ROOT / "build" / "bench-quick"  # where --quick runs write (git-ignored, rewritten each run)


def out_dir(quick: bool = False) -> Path:
    """Where a run writes its JSON and figures: results/benchmarks/, or build/bench-quick/ for a --quick run."""
    folder = QUICK_OUT if quick else OUT
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def benchmark_data(quick: bool = False):
    """The offline benchmark the benchmarks read: notebook 01's `laptop` build (7,000 passages), or for a --quick run
    the `smoke` build of notebooks 02-05 (300 passages, 40 train / 20 dev / 30 test questions), the one the GPU
    scripts' quick exports and the stand-ins read too. Either is built into the cache on first use (about 20 s on 2
    cores), then reused (the smoke notebooks reuse the smoke one)."""
    from mlrlib.data import load_data
    from mlrlib.runtime.presets import get_preset
    study, preset = ("02_self_contrastive_mlr", "smoke") if quick else ("01_layer_selection", "laptop")
    return load_data("debian", get_preset(study, preset)["benchmark"])


def training_step_config(quick: bool = False):
    """The training step both training benchmarks time, fixed here (not read from a notebook preset, which changes
    with its regimes) so that results/benchmarks/training*.json stay comparable: a dual encoder (MiniLM, [CLS],
    cosine / 0.05) on 32 queries with their positives and 32 BM25 hard negatives, 96 texts a step (the largest any
    notebook takes; 01 and 02 now take 16 queries without negatives), bf16 autocast, AdamW lr 5e-5 with linear
    warmup. --quick: batch 2 of 32-token passages."""
    from mlrlib.training.config import TrainConfig
    cfg = TrainConfig(model="minilm", doc_layers=[6], query_layer=6, pooling="cls", steps=50, batch_size=32,
                      hard_negatives=True, lr=5e-5, temperature=0.05, normalize=True, bf16=True,
                      q_max_len=32, p_max_len=128)
    return cfg.replace(batch_size=2, p_max_len=32) if quick else cfg


def cpu_model() -> dict:
    """The CPU's name and the vector extensions that decide CPU speed (bf16 autocast needs avx512_bf16 or AMX)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "")
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    wanted = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16")
    return {"cpu": name or platform.processor(), "vector_flags": [f for f in wanted if f in flags],
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def interleaved_medians(fns: dict, repeats: int = 5) -> dict[str, dict]:
    """Median (and min, max) wall seconds of each `fn()` over `repeats` rounds after one untimed
    warm-up round, the systems in rotating order each round (`mlrlib.evaluation.cost.interleaved_times`)."""
    from mlrlib.evaluation.cost import interleaved_times  # here, not at the top: it imports ranx (seconds)
    times = interleaved_times({name: (lambda _, f=f: f()) for name, f in fns.items()}, range(repeats + 1))
    return {n: {"median": statistics.median(t), "min": min(t), "max": max(t), "repeats": repeats}
            for n, t in times.items()}


def peak_rss_mib() -> float:
    """This process's peak resident memory so far: VmHWM, which starts afresh in a new program
    (getrusage's ru_maxrss carries the parent's peak over a fork and exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Report:
    """Checks of one benchmark: each a measured value, its target and whether it is met.

        report = Report("encoding")
        report.check("speed vs sentence-transformers", 1.42, ">=", 1.3, unit="x")
        report.save(details)   # prints the table, writes results/benchmarks/encoding.json

    With quick=True the JSON goes to build/bench-quick/ instead (`out_dir`), its settings marked "quick".
    """

    def __init__(self, name: str, settings: dict | None = None, quick: bool = False):
        self.name, self.settings, self.rows, self.quick = name, {**(settings or {})}, [], quick
        if quick:
            self.settings["quick"] = True
        from mlrlib.runtime.provenance import git_commit  # here, not at the top: it imports torch
        self.start, self.started_at = time.perf_counter(), time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.commit = git_commit()

    def check(self, what: str, value: float, op: str | None = None, target: float | None = None,
              unit: str = "") -> bool | None:
        """Record `value`; with a target, whether `value op target` holds (op is ">=" or "<=")."""
        met = None if op is None else (value >= target if op == ">=" else value <= target)
        self.rows.append({"check": what, "value": value, "target": None if op is None else f"{op} {target}",
                          "met": met, "unit": unit})
        return met

    def table(self) -> str:
        width = max(len(r["check"]) for r in self.rows)
        lines = [f"== {self.name} =="]
        for r in self.rows:
            verdict = "" if r["met"] is None else ("met" if r["met"] else "NOT MET")
            target = f"target {r['target']}{r['unit']}" if r["target"] else ""
            lines.append(f"  {r['check']:<{width}}  {_fmt(r['value'])}{r['unit']:<3} {target:<18} {verdict}")
        return "\n".join(lines)

    def save(self, details: dict) -> dict:
        from mlrlib.runtime.provenance import machine
        record = {"benchmark": self.name, "checks": self.rows, "details": details, "settings": self.settings,
                  "provenance": {"commit": self.commit, "started_at": self.started_at,
                                 "runtime_seconds": round(time.perf_counter() - self.start, 1),
                                 "machine": {**machine(), **cpu_model()}}}
        path = out_dir(self.quick) / f"{self.name}.json"
        atomic_write_json(path, record)
        print(self.table(), flush=True)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)
        return record


def _fmt(value) -> str:
    if isinstance(value, float):
        if 0.999 <= value < 1:  # cosines and overlaps near 1: show how near
            return f"{value:.6f}"
        return f"{value:.4f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)
