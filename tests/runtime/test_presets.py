import json
from pathlib import Path

import pytest

from mlrlib.runtime.binder import BINDER_VARIABLES
from mlrlib.runtime.presets import (
    BINDER_PRESET,
    DEFAULT_PRESET,
    PRESETS,
    PresetError,
    check_parameters,
    choose_preset,
    get_preset,
)

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("variable", BINDER_VARIABLES)
def test_any_binder_variable_makes_the_default_the_binder_preset(variable):
    choice = choose_preset(None, {variable: "https://mybinder.org/", "HOME": "/home/jovyan"})
    assert choice.name == BINDER_PRESET == "smoke" and variable in choice.reason


def test_a_named_preset_always_wins_even_on_binder():
    assert choose_preset("laptop", {"BINDER_LAUNCH_HOST": "https://mybinder.org/"}).name == "laptop"
    assert choose_preset("paper", {}).name == "paper"


def test_elsewhere_the_default_is_laptop():
    assert choose_preset(None, {"BINDER_LAUNCH_HOST": ""}).name == DEFAULT_PRESET == "laptop"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_leave_the_preset_to_where_they_run(notebook):
    """A reader's Run All on Binder must not run a stored `laptop`: the parameters cell says None and no
    papermill-injected cell overrides it."""
    cells = json.loads(notebook.read_text())["cells"]
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in cells]
    assert not any("injected-parameters" in t for t in tags)
    parameters = next(c for c, t in zip(cells, tags) if "parameters" in t)
    assert "".join(parameters["source"]).startswith("preset = None")


def test_every_study_has_the_three_presets():
    for study, presets in PRESETS.items():
        assert set(presets) == {"smoke", "laptop", "paper"}, study


def test_unknown_preset_is_an_error():
    with pytest.raises(PresetError, match="unknown preset 'fast'"):
        get_preset("01_layer_selection", "fast")


def test_presets_are_copies():
    get_preset("01_layer_selection", "smoke")["regimes"]["paper"]["train"]["steps"] = 999
    assert get_preset("01_layer_selection", "smoke")["regimes"]["paper"]["train"]["steps"] != 999


def test_unknown_injected_parameter_is_an_error():
    check_parameters({"preset", "_i3"}, {"preset", "seed"})
    with pytest.raises(PresetError, match=r"unknown parameter\(s\) \['lr'\]"):
        check_parameters({"preset", "lr"}, {"preset", "seed"})


def test_every_laptop_notebook_searches_one_corpus():
    # notebook 01 had 10,000 passages until its models had to be trained to their plateau within 45 minutes (issue 21)
    benchmarks = {json.dumps(get_preset(study, "laptop")["benchmark"], sort_keys=True) for study in PRESETS}
    assert len(benchmarks) == 1 and get_preset("01_layer_selection", "laptop")["benchmark"]["corpus_size"] == 7000


def test_notebooks_01_and_02_train_their_models_alike_under_laptop():
    one, two = get_preset("01_layer_selection", "laptop")["regimes"], get_preset("02_self_contrastive_mlr", "laptop")
    for regime in ("paper", "own"):
        assert {**one[regime]["train"], "pooling": one[regime]["pooling"]} == two["regimes"][regime]["train"]


def test_notebooks_03_to_05_share_one_teacher_and_its_snapshots_end_where_it_does():
    # the teacher is trained once (notebook 03) and reused from the cache; a snapshot list that does not end at its
    # last step cannot be trained (ranker.train_ranker_snapshots)
    studies = ("03_md2pr_distillation", "04_early_layer_ce", "05_open_questions")
    for preset in ("smoke", "laptop"):
        teachers = {json.dumps(get_preset(s, preset)["teacher"], sort_keys=True) for s in studies}
        assert len(teachers) == 1, preset
        snapshots = get_preset("05_open_questions", preset)["snapshots"]
        assert snapshots[0] == 0 and snapshots[-1] == get_preset(studies[0], preset)["teacher"]["steps"]
