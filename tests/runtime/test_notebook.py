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
    assert printed == f"preset=smoke seed=0 model={cfg['model']} data=debian teacher={cfg['teacher']['model']}\n"


def test_start_study_refuses_an_undeclared_parameter():
    with pytest.raises(PresetError, match=r"unknown parameter\(s\) \['sead'\]"):
        start_study("01_layer_selection", "smoke", 0, {"sead", "start_study"}, {"preset", "seed"})


def test_check_all_prints_every_check_and_fails_on_any(capsys):
    check_all({"one": True, "two": True})
    assert capsys.readouterr().out == "PASS one\nPASS two\n"
    with pytest.raises(AssertionError, match=r"\['two'\]"):
        check_all({"one": True, "two": False})
    assert "FAIL two" in capsys.readouterr().out
