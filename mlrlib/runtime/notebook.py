"""The first cells every study notebook shares: parameters checked, preset, provenance, results folder, data.

    setup = start_study("02_self_contrastive_mlr", preset, seed, _injected, _declared)
    cfg, prov, OUT = setup
    ...
    data = load_study_data(cfg)
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from mlrlib.data import load_data
from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.runtime.memory import collect_after_each_cell
from mlrlib.runtime.paths import results_dir
from mlrlib.runtime.presets import check_parameters, choose_preset, get_preset
from mlrlib.runtime.provenance import Provenance

# Checks about what training learned: they hold for a pre-trained model (every preset but `rehearsal`), not for the
# rehearsal's randomly initialised stand-ins after two steps, where a gain is chance. Under `rehearsal` a failed one
# is reported (SKIP) and not enforced; every structural check still is.
LEARNING_CHECKS = frozenset({"fine-tuned [CLS] DE beats its untrained self on dev (MRR@10)"})
UNENFORCED_UNDER = {"rehearsal": LEARNING_CHECKS}
_running = {"preset": None}  # the preset of the study `start_study` started in this kernel


class StudySetup(NamedTuple):
    cfg: dict                # the preset of the study
    provenance: Provenance   # started now: its runtime counts from here
    out: Path                # where the notebook writes its results


def start_study(study: str, preset: str | None, seed: int, new_names: set, declared: set,
                max_colwidth: int | None = None, show_teacher_as: str | None = None) -> StudySetup:
    """Refuse undeclared parameters, choose and read the preset (`preset` None: the default for where the kernel
    runs, `presets.choose_preset`), start the provenance clock, make the results folder, set pandas' display, free
    reference cycles after every cell (`memory.collect_after_each_cell`), and print one line naming the run (and its
    teacher model, under that label), then why this preset.

    new_names: the global names defined since the parameters cell, i.e. papermill's injected parameters plus
    `start_study` itself (the setup cell imports it first)."""
    check_parameters(new_names - {"start_study"}, declared)
    collect_after_each_cell()
    preset, reason = choose_preset(preset)
    cfg = get_preset(study, preset)
    _running["preset"] = preset
    setup = StudySetup(cfg, Provenance(study, preset, seed, cfg), results_dir(study, preset))
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", max_colwidth)
    extra = f" {show_teacher_as}={cfg['teacher']['model']}" if show_teacher_as else ""
    print(f"preset={preset} seed={seed} model={cfg['model']} data={cfg['data']}{extra}")
    print(f"why this preset: {reason}")
    return setup


def load_study_data(cfg: dict) -> RetrievalData:
    """The preset's data, with its size printed and its splits shown as a table."""
    from IPython.display import display

    data = load_data(cfg["data"], cfg["benchmark"])
    summary = data.summary()
    print(f"{summary['passages']} passages, training pairs {summary['train_pairs']}")
    display(pd.DataFrame(summary["splits"]).T)
    return data


def check_all(checks: dict[str, bool]) -> None:
    """Print each of a notebook's closing checks as PASS or FAIL, then fail the run if any failed (a learning
    check that failed under a preset that cannot meet it prints SKIP instead: `UNENFORCED_UNDER`)."""
    unenforced = UNENFORCED_UNDER.get(_running["preset"], frozenset())
    for name, ok in checks.items():
        print(("PASS " if ok else "SKIP " if name in unenforced else "FAIL ") + name)
    failed = [name for name, ok in checks.items() if not ok and name not in unenforced]
    assert not failed, f"failed checks: {failed}"


def show_source(*functions) -> str:
    """Show each function's source as a Python code block (Markdown in a notebook), so that a method's code is read
    beside the equation the cell above states; returns the Markdown shown."""
    import inspect

    from IPython import get_ipython
    from IPython.display import Markdown, display

    text = "\n\n".join(f"`{f.__module__}.{f.__qualname__}`\n\n```python\n{inspect.getsource(f).rstrip()}\n```"
                       for f in functions)
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))
    return text
