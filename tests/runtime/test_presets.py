import pytest

from mlrlib.runtime.presets import PRESETS, PresetError, check_parameters, get_preset


def test_every_study_has_the_three_presets():
    for study, presets in PRESETS.items():
        assert set(presets) == {"smoke", "laptop", "paper"}, study


def test_unknown_preset_is_an_error():
    with pytest.raises(PresetError, match="unknown preset 'fast'"):
        get_preset("01_layer_selection", "fast")


def test_presets_are_copies():
    get_preset("01_layer_selection", "smoke")["train"]["steps"] = 999
    assert get_preset("01_layer_selection", "smoke")["train"]["steps"] != 999


def test_unknown_injected_parameter_is_an_error():
    check_parameters({"preset", "_i3"}, {"preset", "seed"})
    with pytest.raises(PresetError, match=r"unknown parameter\(s\) \['lr'\]"):
        check_parameters({"preset", "lr"}, {"preset", "seed"})


def test_laptop_corpus_has_at_least_ten_thousand_passages():
    assert get_preset("01_layer_selection", "laptop")["benchmark"]["corpus_size"] >= 10_000
