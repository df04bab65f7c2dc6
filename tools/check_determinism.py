"""Determinism and resumption of a smoke run, each from its own clean cache (part of `make test`).

    python tools/check_determinism.py --only 01
    python tools/check_determinism.py --compare RESULTS_A RESULTS_B    # two smoke runs already made (two commits)

1. A run from an empty cache (or, with --reference, the metrics such a run just wrote: `make test` passes
   the smoke run of `make notebooks-smoke`, from an empty cache on a clean clone, rather than repeat it).
2. A second run from its own empty cache is killed (SIGKILL) as soon as its first trained checkpoint is
   stored, then restarted on that cache. Every file the killed run left must be whole; the restarted run
   must reuse the checkpoints stored before the kill, not retrain them, and write the same metrics as
   run 1 (timings left out: they are measured). Everything after the first checkpoint was computed from
   empty, so this one comparison checks both determinism across clean caches and resumption.
When metrics differ, the checkpoints both caches trained are compared (loss curves, weight files), to
say which training diverged first.

With --compare, nothing runs: the smoke metrics of every study in two results folders (each as
MLRLIB_RESULTS was for a run, e.g. of two commits) are compared, timings left out, the same way.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMED = re.compile(r"second|latency|speed|throughput|time|cost|provenance|_ms\b|per_s")


def without_timings(obj):
    """`obj` with every entry whose key names a measured time removed (recursively)."""
    if isinstance(obj, dict):
        return {k: without_timings(v) for k, v in obj.items() if not TIMED.search(str(k))}
    if isinstance(obj, list):
        return [without_timings(v) for v in obj]
    return obj


def differences(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return [] if a == b or both_nan else [f"{path}: {a!r} != {b!r}"]


def start(only: str, cache: Path, results: Path) -> subprocess.Popen:
    env = {**os.environ, "MLRLIB_CACHE": str(cache), "MLRLIB_RESULTS": str(results)}
    cmd = [sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--preset", "smoke", "--only", only,
           "--out", str(results / "notebooks")]
    return subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run(only: str, cache: Path, results: Path) -> dict:
    proc = start(only, cache, results)
    _, err = proc.communicate()
    if proc.returncode:
        sys.exit(f"smoke run {only} failed (cache {cache}):\n{err.decode()[-3000:]}")
    return metrics(results)


def metrics(results: Path) -> dict:
    (path,) = results.glob("*/smoke/metrics.json")
    return without_timings(json.loads(path.read_text()))


def metrics_of(results: Path, only: str) -> dict:
    """The smoke metrics of the study whose notebook name contains `only`, as written under `results`."""
    found = [p for p in results.glob("*/smoke/metrics.json") if only in p.parent.parent.name]
    if len(found) != 1:
        sys.exit(f"--reference {results}: expected one */smoke/metrics.json of a study matching {only!r}, found "
                 f"{len(found)}; run `python tools/run_notebooks.py --preset smoke --only {only}` first")
    return without_timings(json.loads(found[0].read_text()))


def checkpoints(cache: Path) -> dict[str, float]:
    """{checkpoint folder: mtime of its train_log.json} of every stored checkpoint."""
    return {p.parent.name: p.stat().st_mtime_ns for p in cache.glob("checkpoints/*/train_log.json")}


def kill_after_first_checkpoint(only: str, cache: Path, results: Path, timeout: float = 900) -> dict:
    proc = start(only, cache, results)
    deadline = time.monotonic() + timeout
    while not checkpoints(cache):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit("the run ended (or timed out) before storing a checkpoint: nothing to kill mid-way")
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return checkpoints(cache)


def whole(cache: Path) -> list[str]:
    """Problems with what a killed run left: a visible checkpoint that does not load, an unreadable log."""
    from mlrlib.methods.encoders import load_encoder
    problems = []
    for log in cache.glob("checkpoints/*/train_log.json"):
        try:
            json.loads(log.read_text())
            load_encoder(log.parent / "model")
        except Exception as e:  # noqa: BLE001 -- any failure to load is what this check reports
            problems.append(f"{log.parent}: {type(e).__name__}: {e}")
    return problems


def checkpoint_differences(a: Path, b: Path) -> list[str]:
    """Checkpoints trained in both caches whose loss curve or weight files differ, with the first step that
    differs: where to look when two runs' metrics disagree."""
    found = []
    for log_a in sorted(a.glob("checkpoints/*/train_log.json")):
        log_b = b / log_a.relative_to(a)
        if not log_b.exists():
            continue
        losses = [json.loads(p.read_text()).get("losses", []) for p in (log_a, log_b)]
        step = next((i for i, (x, y) in enumerate(zip(*losses)) if x != y), None)
        weights = [{f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted((p.parent / "model").glob("*"))
                    if f.is_file()} for p in (log_a, log_b)]
        if step is not None or weights[0] != weights[1]:
            found.append(f"checkpoint {log_a.parent.name}: loss first differs at step {step}; "
                         f"weights {'differ' if weights[0] != weights[1] else 'equal'}")
    return found


def compare(a: Path, b: Path) -> int:
    """Print, per study, how many smoke metrics differ between results folders a and b; 1 if any differ."""
    studies = sorted({p.parent.parent.name for r in (a, b) for p in r.glob("*/smoke/metrics.json")})
    if not studies:
        sys.exit(f"no */smoke/metrics.json under {a} or {b}: run the smoke notebooks with MLRLIB_RESULTS set first")
    failed = 0
    for study in studies:
        paths = [r / study / "smoke" / "metrics.json" for r in (a, b)]
        if not all(p.exists() for p in paths):
            print(f"{study}: only in {a if paths[0].exists() else b}")
            failed = 1
            continue
        diff = differences(*(without_timings(json.loads(p.read_text())) for p in paths))
        print(f"{study}: {len(diff)} differing metrics")
        for line in diff[:10]:
            print("  " + line)
        failed |= bool(diff)
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="01", help="the notebook (a part of its name) to run under smoke")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("RESULTS_A", "RESULTS_B"),
                    help="compare the smoke metrics already written under two results folders; run nothing")
    ap.add_argument("--reference", type=Path, metavar="RESULTS",
                    help="take run 1's metrics from this results folder (e.g. `results`, just written by "
                         "`make notebooks-smoke` from an empty cache, as in CI) instead of running it again")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    with tempfile.TemporaryDirectory(prefix="determinism.") as tmp:
        tmp = Path(tmp)
        if args.reference:
            first = metrics_of(args.reference, args.only)
        else:
            first = run(args.only, tmp / "cache1", tmp / "results1")
        stored = kill_after_first_checkpoint(args.only, tmp / "cache2", tmp / "results2")
        broken = whole(tmp / "cache2")
        print(f"killed after {len(stored)} stored checkpoint(s); {len(broken)} unreadable")
        resumed = run(args.only, tmp / "cache2", tmp / "results2")
        after = checkpoints(tmp / "cache2")
        retrained = [k for k, t in stored.items() if after.get(k) != t]
        diff = differences(first, resumed)
        print(f"resumed: {len(after)} checkpoints, {len(retrained)} retrained of those stored before the kill; "
              f"{len(diff)} metrics differ from the clean run")
        if diff and not args.reference:
            diff += checkpoint_differences(tmp / "cache1", tmp / "cache2")
    failures = broken + [f"retrained {k}" for k in retrained] + diff
    for line in failures[:40]:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
