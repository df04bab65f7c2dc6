"""Every study's presets by name (`PRESETS`, in the notebooks' order) and the lookup of one (`get_preset`)."""
from __future__ import annotations

import copy

from mlrlib.runtime.presets import early_layers, layer_selection, md2pr_ablation, open_questions, self_contrastive
from mlrlib.runtime.presets.choice import PresetError
from mlrlib.runtime.presets.lean import lean_smoke
from mlrlib.runtime.presets.rehearsal import REHEARSAL, rehearsal_of

PRESETS = {study.STUDY: lean_smoke(study.PRESETS)
           for study in (layer_selection, self_contrastive, md2pr_ablation, early_layers, open_questions)}


def rehearsal_preset(study: str) -> dict:
    """The `rehearsal` preset of `study`, with its stand-ins built first if missing."""
    from mlrlib.runtime.standins import stand_ins
    built = stand_ins()
    return rehearsal_of(PRESETS[study]["paper"], built.models, built.data)


def get_preset(study: str, preset: str) -> dict:
    """A deep copy of the named preset of `study`; unknown names are an error."""
    if study not in PRESETS:
        raise PresetError(f"unknown study {study!r}; known: {sorted(PRESETS)}")
    if preset == REHEARSAL and "paper" in PRESETS[study]:
        return rehearsal_preset(study)
    if preset not in PRESETS[study]:
        raise PresetError(f"unknown preset {preset!r} for {study}; use one of {sorted(PRESETS[study]) + [REHEARSAL]}")
    return copy.deepcopy(PRESETS[study][preset])
