"""Notebook plumbing; the notebooks themselves run under `smoke` in `make test` (papermill + nbval)."""
from pathlib import Path

import papermill as pm
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_declares_preset_and_seed(nb):
    params = pm.inspect_notebook(str(nb))
    assert {"preset", "seed"} <= set(params) and params["preset"]["default"] == "None"  # laptop, or smoke on Binder


def test_the_runner_injects_a_preset_except_where_the_notebook_should_pick_it():
    import sys
    sys.path.insert(0, str(NOTEBOOKS[0].parents[1] / "tools"))
    from run_notebooks import parameters_for
    assert parameters_for("smoke", False, {"seed": 1}) == {"preset": "smoke", "seed": 1}
    assert parameters_for("laptop", False, {}) == {"preset": "laptop"}
    assert parameters_for("laptop", True, {}) == {}  # the committed notebooks: Run All picks where it runs
    assert parameters_for("auto", False, {"seed": 2}) == {"seed": 2}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
@pytest.mark.parametrize("params,needle", [({"preset": "smoke", "learning_rate": 1},
                                            "unknown parameter(s) ['learning_rate']"),
                                           ({"preset": "fast"}, "unknown preset 'fast'")])
def test_unknown_parameter_or_preset_stops_the_notebook(nb, params, needle, tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), parameters=params, cwd=str(nb.parent),
                            progress_bar=False)
    assert needle in str(err.value)


@pytest.mark.parametrize("yaml_file", sorted((NOTEBOOKS[0].parent / "presets").glob("*.yaml")), ids=lambda p: p.stem)
def test_papermill_parameter_files_name_declared_parameters_and_a_known_preset(yaml_file):
    import yaml

    from mlrlib.runtime.presets import PRESETS
    params = yaml.safe_load(yaml_file.read_text())
    assert params["preset"] == yaml_file.stem
    for nb in NOTEBOOKS:
        assert set(params) <= set(pm.inspect_notebook(str(nb)))
    assert all(params["preset"] in presets for presets in PRESETS.values())
