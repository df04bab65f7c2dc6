"""The notebooks' shared first cell and closing checks."""
import pytest

from mlrlib.runtime.notebook import check_all, start_study
from mlrlib.runtime.presets import PresetError


def test_start_study_reads_the_preset_and_makes_the_results_folder(capsys):
    cfg, prov, out = start_study("03_md2pr_distillation", "smoke", 0, {"preset", "start_study"}, {"preset", "seed"},
                                 show_teacher_as="teacher")
    assert cfg["data"] == "debian" and prov.preset == "smoke" and prov.study == "03_md2pr_distillation"
    assert out.is_dir() and out.name == "smoke"
    printed = capsys.readouterr().out
    assert printed == (f"preset=smoke seed=0 model={cfg['model']} data=debian teacher={cfg['teacher']['model']}\n"
                       "why this preset: named in the parameters cell (or by papermill)\n")


def test_on_binder_a_notebook_without_a_preset_runs_smoke_and_says_why(capsys, monkeypatch):
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    cfg, prov, out = start_study("02_self_contrastive_mlr", None, 0, {"start_study"}, {"preset", "seed"})
    assert prov.preset == "smoke" and out.name == "smoke"
    first, why = capsys.readouterr().out.splitlines()
    assert first.startswith("preset=smoke ")
    assert "runs on Binder (BINDER_LAUNCH_HOST is set)" in why and 'preset = "laptop"' in why


def test_elsewhere_a_notebook_without_a_preset_runs_laptop(capsys, monkeypatch):
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST",
                 "BINDER_PERSISTENT_REQUEST"):
        monkeypatch.delenv(name, raising=False)
    _, prov, _ = start_study("02_self_contrastive_mlr", None, 0, {"start_study"}, {"preset", "seed"})
    assert prov.preset == "laptop" and capsys.readouterr().out.splitlines()[1] == \
        "why this preset: the default (on Binder it is `smoke`)"


def test_start_study_refuses_an_undeclared_parameter():
    with pytest.raises(PresetError, match=r"unknown parameter\(s\) \['sead'\]"):
        start_study("01_layer_selection", "smoke", 0, {"sead", "start_study"}, {"preset", "seed"})


def test_check_all_prints_every_check_and_fails_on_any(capsys):
    check_all({"one": True, "two": True})
    assert capsys.readouterr().out == "PASS one\nPASS two\n"
    with pytest.raises(AssertionError, match=r"\['two'\]"):
        check_all({"one": True, "two": False})
    assert "FAIL two" in capsys.readouterr().out


def test_show_source_shows_the_functions_own_code(capsys):
    from mlrlib.methods.losses import info_nce, mlr_multi_vector_loss
    from mlrlib.runtime.notebook import show_source
    text = show_source(info_nce, mlr_multi_vector_loss)
    assert "`mlrlib.methods.losses.info_nce`" in text and "def info_nce(" in text
    assert "def mlr_multi_vector_loss(" in text and text.count("```python") == 2
    assert "def info_nce(" in capsys.readouterr().out  # outside a notebook, shown as text
