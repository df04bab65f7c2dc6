"""Committed notebooks are clean (executed in order, no errors, no volatile metadata) and paired with scripts."""
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from notebook_hygiene import check_pair, clean, problems, write_pair  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RESULT_COPIES = sorted((ROOT / "results").glob("*/[0-9][0-9]_*.ipynb"))


def executed(*sources, counts=None):
    counts = counts or range(1, len(sources) + 1)
    cells = [new_markdown_cell("# title")]
    for src, n in zip(sources, counts):
        cells.append(new_code_cell(src, execution_count=n,
                                   outputs=[new_output("stream", name="stdout", text="ok\n")]))
    return new_notebook(cells=cells)


def test_a_clean_run_has_no_problems():
    assert problems(executed("a = 1", "print(a)")) == []


def test_error_outputs_are_caught():
    nb = executed("1/0")
    nb.cells[1].outputs.append(new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[]))
    assert problems(nb) == ["cell 1: error output ZeroDivisionError: division by zero"]


def test_unexecuted_cells_are_caught_but_empty_ones_are_not():
    nb = executed("a = 1", "b = 2")
    nb.cells[2].execution_count = None
    nb.cells.append(new_code_cell("   "))
    assert problems(nb) == ["cell 2: not executed"]


def test_progress_bars_left_in_an_output_are_caught():
    widget = executed("train()")
    widget.cells[1].outputs.append(new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "train:   0%|          | 0/3 [00:00<?, ?it/s]"}))
    text = executed("encode()")
    text.cells[1].outputs.append(new_output("stream", name="stderr", text="encode:  50%|█████     | 2/4 [00:01<00:01]"))
    rate = executed("rerank()")
    rate.cells[1].outputs.append(new_output("stream", name="stderr", text="\rrerank: 7it [00:02,  3.10it/s]"))
    for nb in (widget, text, rate):
        assert problems(nb) == ["cell 1: a progress bar's output (run headless with MLRLIB_PROGRESS=0)"]
    warning = executed("fit()")
    warning.cells[1].outputs.append(new_output("stream", name="stderr", text="UserWarning: 100% of 3 items\n"))
    assert problems(warning) == []


def test_out_of_order_execution_is_caught():
    found = problems(executed("a = 1", "b = 2", "c = 3", counts=[1, 3, 2]))
    assert any("execution count 3, expected 2" in f for f in found)


def test_clean_drops_volatile_metadata_and_keeps_outputs_and_counts():
    nb = executed("a = 1")
    nb.metadata["papermill"] = {"input_path": "/abs/path.ipynb", "duration": 3.2}
    nb.cells[1].metadata.update(papermill={"duration": 1.0}, execution={"iopub.status.busy": "2026"}, tags=[])
    assert any("volatile" in f for f in problems(nb))
    clean(nb)
    assert problems(nb) == []
    assert nb.cells[1].outputs[0].text == "ok\n" and nb.cells[1].execution_count == 1
    assert "papermill" not in nb.metadata and "tags" not in nb.cells[1].metadata


def test_pair_check_sees_an_edit_on_either_side(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(executed("a = 1", "print(a)"), path)
    assert "missing" in check_pair(path)[0]
    write_pair(path)
    assert check_pair(path) == []
    script = path.with_suffix(".py")
    script.write_text(script.read_text().replace("print(a)", "print(a + 1)"))
    assert check_pair(path) == ["cell 2 differs between 01_x.ipynb and 01_x.py"]


@pytest.mark.parametrize("nb", NOTEBOOKS + RESULT_COPIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebook_is_clean(nb):
    assert problems(nbformat.read(nb, as_version=4)) == []


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_its_script_are_in_sync(nb):
    assert check_pair(nb) == []


def test_every_study_has_its_committed_copy():
    assert [p.name for p in RESULT_COPIES] == [p.name for p in NOTEBOOKS]
