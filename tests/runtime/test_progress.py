"""Progress bars show where a person watches a kernel, and never under papermill, nbval or CI."""
import pytest

from mlrlib.runtime import progress
from mlrlib.runtime.progress import ProgressSettingError, progress_bar, show_progress

JUPYTER_LAB = "/usr/bin/python3 /usr/local/bin/jupyter-lab --no-browser"
PAPERMILL = "/usr/bin/python3 tools/run_notebooks.py --preset smoke --out build/notebooks"


def test_a_kernel_started_by_jupyterlab_shows_bars():
    assert show_progress({}, in_kernel=True, parent_command=JUPYTER_LAB)


@pytest.mark.parametrize("parent", [PAPERMILL, "/usr/bin/python3 /usr/local/bin/papermill in.ipynb out.ipynb",
                                    "python3 -m pytest -q --nbval-lax build/notebooks",
                                    "/usr/bin/python3 /usr/local/bin/jupyter-nbconvert --execute x.ipynb"])
def test_a_kernel_run_headless_shows_none(parent):
    assert not show_progress({}, in_kernel=True, parent_command=parent)


def test_ci_and_the_explicit_setting_decide_before_anything_else():
    assert not show_progress({"CI": "true"}, in_kernel=True, parent_command=JUPYTER_LAB)
    assert not show_progress({"MLRLIB_PROGRESS": "0"}, in_kernel=True, parent_command=JUPYTER_LAB)
    assert show_progress({"MLRLIB_PROGRESS": "1", "CI": "true"}, in_kernel=False, terminal=False)
    with pytest.raises(ProgressSettingError, match="set it to 1"):
        show_progress({"MLRLIB_PROGRESS": "yes"})


def test_scripts_show_bars_in_a_terminal_only():
    assert show_progress({}, in_kernel=False, terminal=True)
    assert not show_progress({}, in_kernel=False, terminal=False)


def test_a_long_step_asks_for_a_bar_that_clears_itself(monkeypatch):
    """optimize() with progress=None draws a bar exactly where show_progress() says, and leaves none behind."""
    made = []

    class Recorder(list):
        def __init__(self, iterable, desc, disable, leave):
            super().__init__(iterable)
            made.append({"desc": desc, "drawn": not disable, "leave": leave})

        def set_postfix(self, **_):
            pass

    monkeypatch.setattr(progress, "tqdm", Recorder)
    for watched in (True, False):
        monkeypatch.setattr(progress, "show_progress", lambda watched=watched: watched)
        assert list(progress_bar([1, 2], "train")) == [1, 2]
    assert made == [{"desc": "train", "drawn": True, "leave": False}, {"desc": "train", "drawn": False, "leave": False}]
    progress_bar([1], "encode", enabled=False)
    assert made[-1]["drawn"] is False
