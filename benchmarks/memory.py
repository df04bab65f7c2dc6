"""Peak memory (RSS) of every notebook under a preset, each run headless by papermill as `make test` does.

    python benchmarks/memory.py --preset smoke              # a cold cache holding only the built benchmark
    python benchmarks/memory.py --binder                    # as on mybinder.org: its variables set, no preset
                                                            # given (the notebook picks smoke), Binder's allocator
    python benchmarks/memory.py --preset laptop --cache warm  # the repository's cache (trained models reused)
    python benchmarks/memory.py --quick                     # a check that it runs: the same measuring processes
                                                            # around papermill on a one-cell notebook, not the
                                                            # study notebooks (written to build/bench-quick/)

Two readings per notebook:
- kernel_peak_mib: the largest single process's peak RSS (the kernel), exact, from getrusage of a
  fresh measuring process that waited for papermill (which waited for its kernel);
- tree_peak_mib: the peak of the summed RSS of papermill and the kernel, sampled every 0.2 s
  (Binder's 2 GB limit counts every process of the container; the Jupyter server adds ~100 MB).
Target: every kernel under 1.5 GB with the smoke preset (Binder's default preset: runtime.presets.BINDER_PRESET),
which leaves room for the Jupyter server inside Binder's 2 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from common import QUICK_OUT, ROOT, Report

BINDER_LIMIT_MIB = 2000 * 1e6 / 2**20  # 2 GB as Binder states it, in MiB
KERNEL_TARGET_MIB = 1500 * 1e6 / 2**20  # 1.5 GB, in MiB (1,430.5)


def tree_rss(proc: psutil.Process) -> int:
    procs = [proc, *proc.children(recursive=True)]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def child(notebook: str, preset: str, out: str) -> None:
    """Run one notebook; print {kernel_peak_mib, tree_peak_mib, seconds} as JSON (the measuring process).
    A notebook given as a path (--quick's) is run by papermill itself, not by tools/run_notebooks.py."""
    start, peak = time.perf_counter(), 0
    if notebook.endswith(".ipynb"):
        command = [sys.executable, "-m", "papermill", "--no-progress-bar", notebook,
                   str(Path(out) / Path(notebook).name)]
    else:
        command = [sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--preset", preset,
                   "--only", notebook, "--out", out]
    proc = psutil.Popen(command, stdout=subprocess.DEVNULL)
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(0.2)
    if proc.returncode:
        sys.exit(f"notebook {notebook} failed under {preset} (exit {proc.returncode})")
    print(json.dumps({"kernel_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "tree_peak_mib": peak / 2**20, "seconds": time.perf_counter() - start}))


def cold_cache(source: Path) -> Path:
    """A fresh cache holding only the built benchmark (what Binder's postBuild leaves)."""
    folder = Path(tempfile.mkdtemp(prefix="mlrlib-bench-cache-"))
    if (source / "benchmark").exists():
        shutil.copytree(source / "benchmark", folder / "benchmark")
    return folder


def tiny_notebook(folder: Path) -> str:
    """--quick's notebook: one cell that imports numpy and holds 64 MiB, on the `python3` kernel."""
    import nbformat
    cell = nbformat.v4.new_code_cell("import numpy as np\nx = np.ones(2**23)\nprint(x.nbytes / 2**20, 'MiB')")
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                         "display_name": "Python 3"}})
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "tiny.ipynb")
    return str(folder / "tiny.ipynb")


def measure(preset: str, cache: str, only: list[str] | None, binder: bool = False, quick: bool = False) -> dict:
    from mlrlib.runtime.cache import cache_root
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    notebooks = [n for n in notebooks if not only or any(o in n for o in only)]
    if quick:
        notebooks = [tiny_notebook(QUICK_OUT / "memory")]
    env = dict(os.environ)
    if binder:  # what BinderHub sets; run_notebooks' `auto` injects no preset, so the notebook picks Binder's
        env.update(BINDER_LAUNCH_HOST="https://mybinder.org/", BINDER_REPO_URL="https://github.com/OWNER/REPO")
    folder = cold_cache(cache_root()) if cache == "cold" else None
    if folder:
        env["MLRLIB_CACHE"] = str(folder)
    out = QUICK_OUT / "memory" / "out" if quick else ROOT / "build" / "bench_notebooks" / preset
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    try:
        for nb in notebooks:
            done = subprocess.run([sys.executable, __file__, "--child", nb, "--preset", preset, "--out", str(out)],
                                  env=env, capture_output=True, text=True, cwd=Path(__file__).parent)
            if done.returncode:
                sys.exit(done.stderr[-2000:])
            nb = Path(nb).stem
            rows[nb] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{nb} ({preset}, {cache} cache): {rows[nb]}", flush=True)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="smoke")
    ap.add_argument("--cache", choices=("cold", "warm"), default="cold")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--binder", action="store_true", help="as on mybinder.org (the preset is the notebook's pick)")
    ap.add_argument("--quick", action="store_true", help="a one-cell notebook instead of the study notebooks")
    ap.add_argument("--child")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.preset, args.out)
    if args.binder:
        args.preset = "auto"
    rows = measure(args.preset, args.cache, args.only, args.binder, args.quick)
    name = "memory_binder" if args.binder else f"memory_{args.preset}"
    report = Report(name, {"preset": args.preset, "cache": args.cache, "binder": args.binder}, args.quick)
    smoke = args.preset in ("smoke", "auto")
    for nb, row in rows.items():
        report.check(f"{nb} peak RSS, kernel", round(row["kernel_peak_mib"]),
                     *(("<=", round(KERNEL_TARGET_MIB, 1)) if smoke else (None, None)), unit=" MiB")
        report.check(f"{nb} peak RSS, kernel + papermill", round(row["tree_peak_mib"]),
                     *(("<=", round(BINDER_LIMIT_MIB)) if smoke else (None, None)), unit=" MiB")
    report.save({"notebooks": rows, "binder_limit_mib": BINDER_LIMIT_MIB, "kernel_target_mib": KERNEL_TARGET_MIB})


if __name__ == "__main__":
    main()
