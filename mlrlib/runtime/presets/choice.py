"""Which preset a notebook runs (`choose_preset`: the one named, else the default for where the kernel runs) and
the check of the parameters papermill injects (`check_parameters`)."""
from __future__ import annotations

from typing import NamedTuple

from mlrlib.runtime.binder import binder_variable

DEFAULT_PRESET = "laptop"
# Binder (mybinder.org) gives a kernel about 2 GB and a share of slow cores: `laptop` trains for up to 45 minutes and
# goes well above 2 GB; `smoke` runs in a minute or two (its peak per kernel: benchmarks/memory.py --binder)
BINDER_PRESET = "smoke"


class PresetError(ValueError):
    """An unknown study, preset or notebook parameter."""


class PresetChoice(NamedTuple):
    name: str    # the preset that runs
    reason: str  # why this one, for the notebook's first output


def choose_preset(preset: str | None, environ=None) -> PresetChoice:
    """The preset a notebook runs: `preset` when the parameters cell (or papermill) names one, else the default for
    where the kernel runs (`BINDER_PRESET` on Binder, `DEFAULT_PRESET` elsewhere)."""
    if preset is not None:
        return PresetChoice(preset, "named in the parameters cell (or by papermill)")
    binder = binder_variable(environ)
    if binder:
        return PresetChoice(BINDER_PRESET, f"this kernel runs on Binder ({binder} is set), whose 2 GB of memory and "
                                           f"shared cores cannot hold `{DEFAULT_PRESET}`; set preset = "
                                           f"\"{DEFAULT_PRESET}\" in the parameters cell to run it anyway")
    return PresetChoice(DEFAULT_PRESET, f"the default (on Binder it is `{BINDER_PRESET}`)")


def check_parameters(injected: set, declared: set) -> None:
    """Fail on parameters papermill injected that the notebook does not declare.

    `injected`: the global names that appeared after the parameters cell (the notebook
    computes it first thing in the next cell); declared ones may be overridden.
    """
    unknown = sorted(n for n in injected - declared if not n.startswith("_"))
    if unknown:
        raise PresetError(f"unknown parameter(s) {unknown}; this notebook takes {sorted(declared)}")
