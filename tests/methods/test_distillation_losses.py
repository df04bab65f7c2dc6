import math
from types import SimpleNamespace

import pytest
import torch

from mlrlib.methods.cross_encoder import PairBatch
from mlrlib.methods.distillation_losses import (
    HiddenProjections,
    attention_mse,
    block_attention,
    hidden_mse,
    sentence_kl_loss,
    word_level_losses,
)
from mlrlib.methods.losses import listwise_ranking_loss, masked_info_nce


def test_sentence_kl_matches_a_hand_computed_value():
    teacher = torch.tensor([[0.0, math.log(3.0)]])  # softmax: [1/4, 3/4]
    student = torch.tensor([[0.0, 0.0]])            # softmax: [1/2, 1/2]
    expected = 0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
    assert sentence_kl_loss(teacher, student).item() == pytest.approx(expected, abs=1e-6)


def test_sentence_kl_temperature_softens_both_sides():
    teacher = torch.tensor([[0.0, math.log(9.0)]])  # at tau = 2: logits [0, ln 3] -> [1/4, 3/4]
    student = torch.tensor([[0.0, 0.0]])
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert sentence_kl_loss(teacher, student, temperature=2.0).item() == pytest.approx(expected, abs=1e-6)


def test_sentence_kl_is_zero_for_equal_distributions_and_trains_only_the_student():
    teacher = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    student = torch.tensor([[2.0, 3.0, 4.0]], requires_grad=True)  # a shift: the same softmax
    loss = sentence_kl_loss(teacher, student)
    loss.backward()
    assert loss.item() == pytest.approx(0.0, abs=1e-7)
    assert teacher.grad is None and student.grad is not None


def test_block_attention_keeps_the_block_and_renormalises_rows():
    att = torch.tensor([[[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2]]])
    block = block_attention(att, torch.tensor([0, 2]))
    expected = torch.tensor([[[0.5 / 0.7, 0.2 / 0.7], [0.4 / 0.6, 0.2 / 0.6]]])
    torch.testing.assert_close(block, expected)


def test_attention_mse_by_hand_and_with_different_head_counts():
    teacher = torch.tensor([[[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.3, 0.3, 0.4]]])
    student = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    pos_t, pos_s = torch.tensor([0, 1]), torch.tensor([0, 1])
    # blocks: teacher [[.5,.5],[.2,.8]], student identity -> squared errors .25,.25,.04,.04
    assert attention_mse(teacher, student, pos_t, pos_s).item() == pytest.approx(0.58 / 4)
    two_heads = torch.stack([student[0], student[0]])
    assert attention_mse(teacher, two_heads, pos_t, pos_s).item() == pytest.approx(0.58 / 4)
    assert attention_mse(teacher, teacher, pos_t, pos_t).item() == 0.0


def test_hidden_mse_and_projection_only_where_widths_differ():
    t, s = torch.ones(3, 4), torch.zeros(3, 4)
    assert hidden_mse(t, s).item() == 1.0
    same = HiddenProjections([(2, 3)], 4, 4)
    wider = HiddenProjections([(2, 3), (1, 1)], 8, 4)
    assert isinstance(same.maps["2-3"], torch.nn.Identity)
    assert wider(2, 3, torch.ones(5, 8)).shape == (5, 4) and len(list(wider.parameters())) == 4


def _outputs(att, hid):
    return SimpleNamespace(attentions=[att], hidden_states=[None, hid])


def test_word_level_losses_vanish_when_the_student_reproduces_the_teacher_blocks():
    torch.manual_seed(0)
    pair_att = torch.softmax(torch.randn(1, 2, 6, 6), -1)      # teacher: [CLS] q q [SEP] d d ... 1 pair
    pair_hid = torch.randn(1, 6, 4)
    pairs = PairBatch({}, [torch.tensor([1, 2])], [torch.tensor([4, 5])], [4])
    q_att = torch.zeros(1, 2, 4, 4)
    q_att[0, :, 1:3, 1:3] = block_attention(pair_att[0], torch.tensor([1, 2]))
    d_att = torch.zeros(1, 2, 4, 4)
    d_att[0, :, 1:3, 1:3] = block_attention(pair_att[0], torch.tensor([4, 5]))
    q_hid, d_hid = torch.zeros(1, 4, 4), torch.zeros(1, 4, 4)
    q_hid[0, 1:3], d_hid[0, 1:3] = pair_hid[0, 1:3], pair_hid[0, 4:6]
    args = (pairs, [torch.tensor([1, 2])], [torch.tensor([1, 2])], [(1, 1)], HiddenProjections([(1, 1)], 4, 4))
    att, hid = word_level_losses(_outputs(pair_att, pair_hid), _outputs(q_att, q_hid), _outputs(d_att, d_hid), *args)
    assert att.item() == pytest.approx(0.0, abs=1e-7) and hid.item() == pytest.approx(0.0, abs=1e-7)
    d_hid[0, 1] += 1.0  # one passage token off by 1 in every dimension: MSE over that side = 1/2
    _, hid = word_level_losses(_outputs(pair_att, pair_hid), _outputs(q_att, q_hid), _outputs(d_att, d_hid), *args)
    assert hid.item() == pytest.approx(0.5)


def test_listwise_loss_by_hand():
    scores = torch.tensor([[2.0, 0.0, 0.0]])
    expected = -math.log(math.exp(2) / (math.exp(2) + 2))
    assert listwise_ranking_loss(scores).item() == pytest.approx(expected, rel=1e-6)


def test_masked_info_nce_equals_dropping_the_masked_candidates():
    scores = torch.tensor([[3.0, 1.0, 2.5, 0.5], [0.2, 2.0, 1.0, 1.5]])
    mask = torch.tensor([[False, False, True, False], [False, False, False, False]])
    dropped = torch.nn.functional.cross_entropy(scores[0, [0, 1, 3]][None], torch.tensor([0]))
    full_row1 = torch.nn.functional.cross_entropy(scores[1][None], torch.tensor([1]))
    got = masked_info_nce(scores, torch.tensor([0, 1]), mask)
    assert got.item() == pytest.approx(((dropped + full_row1) / 2).item(), rel=1e-6)
    with pytest.raises(ValueError, match="positive was masked"):
        masked_info_nce(scores, torch.tensor([0, 1]), torch.eye(2, 4, dtype=torch.bool))
