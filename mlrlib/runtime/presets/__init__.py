"""Presets of each study: `smoke` (CI, about a minute), `laptop` (default, 2 CPU cores,
under 30 minutes), `paper` (the papers' model and data, for a GPU and the hub) and `rehearsal` (the `paper`
preset's code path on local stand-ins of its models and data, a few steps: `rehearsal_of`).

One module per study (`layer_selection`, `self_contrastive`, `md2pr_ablation`, `early_layers`, `open_questions`)
on the parts they share (`shared`); `catalog` gathers them into `PRESETS` with smoke's memory options (`lean`),
`rehearsal` derives a rehearsal from a paper preset, and `choice` picks the preset a notebook runs.
"""
from mlrlib.runtime.presets.catalog import PRESETS, get_preset, rehearsal_preset
from mlrlib.runtime.presets.choice import (
    BINDER_PRESET,
    DEFAULT_PRESET,
    PresetChoice,
    PresetError,
    check_parameters,
    choose_preset,
)
from mlrlib.runtime.presets.rehearsal import REHEARSAL, rehearsal_of

__all__ = ["BINDER_PRESET", "DEFAULT_PRESET", "PRESETS", "REHEARSAL", "PresetChoice", "PresetError",
           "check_parameters", "choose_preset", "get_preset", "rehearsal_of", "rehearsal_preset"]
