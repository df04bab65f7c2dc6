"""Keep the committed notebooks reviewable: cleaned metadata, executed in order, paired with a script.

    python tools/notebook_hygiene.py clean notebooks/*.ipynb results/*/*.ipynb   # strip volatile metadata
    python tools/notebook_hygiene.py pair notebooks/*.ipynb                      # write the py:percent twins
    python tools/notebook_hygiene.py check notebooks/*.ipynb build/notebooks/*.ipynb
    python tools/notebook_hygiene.py sync notebooks/*.ipynb       # a source-only edit of the .py into the .ipynb

Outputs stay (readers see the results on the repository page). What goes is what changes on every run
without the notebook changing: papermill's timings and absolute paths, the kernel's execution timestamps.
Execution counts stay: a fresh kernel numbers the cells 1..n, so they only change when the code does, and
they are what shows a notebook was run top to bottom.

Each `notebooks/NN_*.ipynb` is paired by jupytext with `notebooks/NN_*.py` (py:percent), the file to read
in diffs; `check_pair` is the test that the two hold the same cells.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from mlrlib.runtime.cache import atomic_write_text

PAIR_FORMATS = "ipynb,py:percent"
VOLATILE_NOTEBOOK_KEYS = ("papermill", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # what tqdm's notebook bar leaves in an output
# tqdm's text bar: "50%|███  | 2/4" or "3.1it/s]"
TEXT_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\d+(\.\d+)?(it|s)/(s|it)\]")


def progress_output(out: dict) -> bool:
    """Whether an output cell holds a progress bar (widget or text): executed notebooks must not."""
    if WIDGET_VIEW in out.get("data", {}):
        return True
    text = out.get("text", "")
    text = text if isinstance(text, str) else "".join(text)
    return out.get("output_type") == "stream" and bool(TEXT_BAR.search(text))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run-to-run metadata in place (and return `nb`); outputs and execution counts are kept."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    nb.metadata.setdefault("jupytext", {})["formats"] = PAIR_FORMATS
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a new random id on every run
    return nb


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What makes a committed or freshly executed notebook unfit: errors, unrun cells, disorder, volatile metadata,
    progress bars."""
    found = []
    expected = 1
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: error output {out.get('ename')}: {out.get('evalue')}")
            if progress_output(out):
                found.append(f"cell {i}: a progress bar's output (run headless with MLRLIB_PROGRESS=0)")
        count = cell.get("execution_count")
        if count is None:
            if cell.source.strip():
                found.append(f"cell {i}: not executed")
            continue
        if count != expected:
            found.append(f"cell {i}: execution count {count}, expected {expected} (run out of order?)")
        expected = count + 1
        stale = [k for k in VOLATILE_CELL_KEYS if k in cell.metadata]
        if stale:
            found.append(f"cell {i}: volatile metadata {stale}")
    stale = [k for k in VOLATILE_NOTEBOOK_KEYS if k in nb.metadata]
    if stale:
        found.append(f"notebook metadata: volatile {stale}")
    return found


def twin(path: Path) -> Path:
    return Path(path).with_suffix(".py")


def write_pair(path: Path) -> Path:
    """Write the py:percent twin of a notebook (atomically)."""
    nb = jupytext.read(path)
    nb.metadata.setdefault("jupytext", {})["formats"] = PAIR_FORMATS
    out = twin(path)
    atomic_write_text(out, jupytext.writes(nb, fmt="py:percent"))
    return out


def _cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def check_pair(path: Path) -> list[str]:
    """Differences between a notebook and its py:percent twin (empty when they are in sync)."""
    script = twin(path)
    if not script.exists():
        return [f"{script.name} is missing: run `python tools/notebook_hygiene.py pair {path}`"]
    a, b = _cells(jupytext.read(path)), _cells(jupytext.read(script, fmt="py:percent"))
    if len(a) != len(b):
        return [f"{path.name} has {len(a)} cells, {script.name} {len(b)}: run `python tools/notebook_hygiene.py pair`"]
    return [f"cell {i} differs between {path.name} and {script.name}" for i, (x, y) in enumerate(zip(a, b)) if x != y]


def sync_from_script(path: Path) -> nbformat.NotebookNode:
    """Copy the cell sources of the py:percent twin into the notebook, keeping its outputs: for an edit of the
    code alone (imports, names) that leaves what every cell printed as it was. The cells must correspond."""
    nb = nbformat.read(path, as_version=4)
    script = jupytext.read(twin(path), fmt="py:percent")
    kinds = [c.cell_type for c in nb.cells], [c.cell_type for c in script.cells]
    if kinds[0] != kinds[1]:
        sys.exit(f"{path.name}: its cells and those of {twin(path).name} differ in number or kind; re-run it instead")
    for cell, source in zip(nb.cells, script.cells):
        cell.source = source.source
    atomic_write_text(path, nbformat.writes(nb) + "\n")
    return nb


def clean_file(path: Path) -> nbformat.NotebookNode:
    """Clean the notebook at `path` in place (atomically); returns the cleaned notebook."""
    nb = clean(nbformat.read(path, as_version=4))
    atomic_write_text(path, nbformat.writes(nb) + "\n")  # nbformat.write ends the file with a newline too
    return nb


def check_file(path: Path, nb: nbformat.NotebookNode | None = None) -> None:
    """Stop with the list of problems when the notebook at `path` (or `nb`, read from there) is unfit to commit."""
    found = problems(nb if nb is not None else nbformat.read(path, as_version=4))
    if found:
        sys.exit(f"{path}:\n  " + "\n  ".join(found))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["clean", "pair", "check", "sync"])
    ap.add_argument("notebooks", nargs="+", type=Path)
    args = ap.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        if args.action == "clean":
            clean_file(path)
        elif args.action == "pair":
            write_pair(path)
        elif args.action == "sync":
            sync_from_script(path)
        else:
            found = problems(nbformat.read(path, as_version=4))
            for line in found:
                print(f"{path}: {line}")
            failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
