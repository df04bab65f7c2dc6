"""Execute the numbered notebooks headless with papermill under one preset.

    python tools/run_notebooks.py --preset smoke --out build/notebooks      # CI
    python tools/run_notebooks.py --preset laptop --inplace                 # make reproduce
    python tools/run_notebooks.py --preset auto --out DIR   # no preset injected: the notebook picks (Binder: smoke)

Unknown parameters are refused before anything runs (papermill alone only warns).
With --inplace the executed notebook replaces notebooks/NN_*.ipynb (the committed copy
shows the default preset's outputs), its py:percent twin is rewritten, and a copy goes to
results/<study>/. The default preset is not injected there: a reader's "Run All" of the committed
notebook then runs the preset for where its kernel is (`smoke` on Binder), not a stored "laptop".
Kernels run with MLRLIB_PROGRESS=0: no progress bars in executed notebooks. Every executed
notebook is cleaned of run-to-run metadata and checked: an error output, an unexecuted cell,
an out-of-order count or a progress bar's output stops the run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import papermill as pm
from notebook_hygiene import check_file, clean_file, write_pair

from mlrlib.runtime.presets import DEFAULT_PRESET

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run(nb: Path, out: Path, parameters: dict) -> float:
    declared = set(pm.inspect_notebook(str(nb)))
    unknown = set(parameters) - declared
    if unknown:
        sys.exit(f"{nb.name}: unknown parameter(s) {sorted(unknown)}; it takes {sorted(declared)}")
    start = time.perf_counter()
    tmp = out.with_name(f".running.{out.name}")
    pm.execute_notebook(str(nb), str(tmp), parameters=parameters, cwd=str(nb.parent), progress_bar=False)
    seconds = time.perf_counter() - start
    check_file(tmp, clean_file(tmp))
    tmp.replace(out)
    return seconds


def parameters_for(preset: str, inplace: bool, extra: dict) -> dict:
    """Papermill's parameters: the preset is left out (the notebook's own None, which picks the preset for where its
    kernel runs) under `auto`, and for the committed notebooks (--inplace) of the default preset."""
    if preset == "auto" or (inplace and preset == DEFAULT_PRESET):
        return dict(extra)
    return {"preset": preset, **extra}


def study_of(nb: Path) -> str:
    """The study a notebook belongs to (its results folder): the preset name its file name starts with."""
    from mlrlib.runtime.presets import PRESETS
    return max((s for s in PRESETS if nb.stem.startswith(s)), key=len, default=nb.stem)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default=DEFAULT_PRESET, help="smoke, laptop, paper, rehearsal, or auto (the notebook "
                    "picks: laptop, or smoke on Binder)")
    ap.add_argument("--out", type=Path, help="folder for executed notebooks")
    ap.add_argument("--inplace", action="store_true", help="replace notebooks/ and copy to results/")
    ap.add_argument("--only", help="run only notebooks whose name contains this")
    ap.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = ap.parse_args()
    params = parameters_for(args.preset, args.inplace,
                            {k: (int(v) if v.lstrip("-").isdigit() else v) for k, v in args.p})
    os.environ.setdefault("MLRLIB_PROGRESS", "0")  # the kernels inherit it
    for nb in NOTEBOOKS:
        if args.only and args.only not in nb.name:
            continue
        if args.inplace:
            out = nb
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            out = args.out / nb.name
        seconds = run(nb, out, params)
        if args.inplace:
            write_pair(nb)
            study = ROOT / "results" / study_of(nb)
            study.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, study / nb.name)
        print(f"{nb.name}: {seconds:.0f} s under preset {args.preset}", flush=True)


if __name__ == "__main__":
    main()
