import numpy as np
import pytest
import torch

from mlrlib.methods.false_negatives import (
    DynamicThreshold,
    StaticMargin,
    false_negative_mask,
    make_filter,
    teacher_gaps,
)


def test_gaps_and_mask_by_hand():
    scores = torch.tensor([[5.0, 1.0, 6.0, 4.5], [2.0, 3.0, -1.0, 1.9]])
    torch.testing.assert_close(teacher_gaps(scores), torch.tensor([[4.0, -1.0, 0.5], [-1.0, 3.0, 0.1]]))
    assert false_negative_mask(scores, 0.0).tolist() == [[False, True, False], [True, False, False]]
    assert false_negative_mask(scores, 1.0).tolist() == [[False, True, True], [True, False, True]]


def test_dynamic_threshold_is_mean_minus_kappa_std_of_all_gaps_seen():
    rng = np.random.default_rng(0)
    batches = [rng.normal(3, 2, size=(4, 3)) for _ in range(5)]
    dyn = DynamicThreshold(kappa=1.5)
    seen = []
    for b in batches:
        delta = dyn.update(torch.tensor(b))
        seen += b.flatten().tolist()
        assert delta == pytest.approx(np.mean(seen) - 1.5 * np.std(seen, ddof=1))


def test_static_margin_never_moves_and_unknown_filters_are_refused():
    static = StaticMargin(0.5)
    assert static.update(torch.tensor([[9.0]])) == static.update(torch.tensor([[-9.0]])) == 0.5
    assert make_filter(None) is None and isinstance(make_filter("dynamic"), DynamicThreshold)
    with pytest.raises(ValueError, match="unknown false-negative filter"):
        make_filter("adaptive")
