import math

import torch

from mlrlib.losses import info_nce, max_sim_scores, mlr_multi_vector_loss


def test_max_sim_takes_the_best_layer_per_passage():
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    d = torch.tensor([[[1.0, 0.0], [0.0, 2.0]],   # passage 0: layers give <q0,.> = 1, 0 ; <q1,.> = 0, 2
                      [[3.0, 1.0], [-1.0, 0.0]]])  # passage 1: <q0,.> = 3, -1 ; <q1,.> = 1, 0
    assert max_sim_scores(q, d).tolist() == [[1.0, 3.0], [2.0, 1.0]]


def test_info_nce_matches_a_hand_computed_value():
    scores = torch.tensor([[2.0, 0.0], [1.0, 1.0]])
    expected = (-math.log(math.exp(2) / (math.exp(2) + 1)) - math.log(0.5)) / 2
    assert abs(info_nce(scores, torch.tensor([0, 1])).item() - expected) < 1e-6
    # temperature divides the scores
    assert abs(info_nce(scores, torch.tensor([0, 1]), 2.0).item()
               - info_nce(scores / 2, torch.tensor([0, 1])).item()) < 1e-6


def test_mlr_with_one_layer_is_the_dpr_loss_and_hard_negatives_count():
    torch.manual_seed(0)
    q, d = torch.randn(3, 4), torch.randn(5, 1, 4)  # 3 positives + 2 hard negatives
    dpr = info_nce(q @ d[:, 0].T, torch.arange(3), 0.5)
    assert torch.allclose(mlr_multi_vector_loss(q, d, 0.5), dpr)


def test_gradient_flows_only_through_the_winning_layer():
    q = torch.tensor([[1.0, 0.0]])
    d = torch.tensor([[[2.0, 0.0], [1.0, 0.0]]], requires_grad=True)
    max_sim_scores(q, d).sum().backward()
    assert d.grad[0, 0].abs().sum() > 0 and d.grad[0, 1].abs().sum() == 0
