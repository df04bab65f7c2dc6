import math

import torch

from mlrlib.methods.losses import info_nce, max_sim_scores, mlr_multi_vector_loss


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


# --- single-vector MLR (arXiv 2509.23861, §3.2; docs/methods.md#single-vector-mlr) -------------
from mlrlib.methods.losses import query_anchored_mlr_loss, self_anchored_mlr_loss  # noqa: E402

# two queries, two passages with layer set S = {l, L} (layer L last)
Q2 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
D2 = torch.tensor([[[0.0, 2.0], [1.0, 0.0]],    # passage 0: d_l = (0, 2), d_L = (1, 0)
                   [[1.0, 1.0], [0.0, 1.0]]])   # passage 1: d_l = (1, 1), d_L = (0, 1)


def nce(rows):
    """Hand InfoNCE: rows of (positive score, [all scores])."""
    return sum(-math.log(math.exp(p) / sum(math.exp(s) for s in all_)) for p, all_ in rows) / len(rows)


def test_query_anchored_loss_matches_the_hand_computed_value():
    last = nce([(1, [1, 0]), (1, [0, 1])])              # <q_i, d_L^(j)>
    maxed = nce([(1, [1, 1]), (1, [2, 1])])             # max over {l, L} of <q_i, d^(j)>
    for lam in (0.0, 0.1, 10.0):
        got = query_anchored_mlr_loss(Q2, D2, lam).item()
        assert abs(got - (last + lam * maxed)) < 1e-5


def test_self_anchored_loss_matches_the_hand_computed_value():
    last = nce([(1, [1, 0]), (1, [0, 1])])
    # anchors d_L^(i) against the lower layer d_l^(j): <(1,0),(0,2)>=0, <(1,0),(1,1)>=1; <(0,1),.> = 2, 1
    own = nce([(0, [0, 1]), (1, [2, 1])])
    got = self_anchored_mlr_loss(Q2, D2, 0.5, temperature=0.5).item()
    last_t = nce([(2, [2, 0]), (2, [0, 2])])
    own_t = nce([(0, [0, 2]), (2, [4, 2])])
    assert abs(self_anchored_mlr_loss(Q2, D2, 1.0).item() - (last + own)) < 1e-5
    assert abs(got - (last_t + 0.5 * own_t)) < 1e-5


def test_lambda_zero_is_the_dual_encoder_loss_on_the_last_layer():
    torch.manual_seed(0)
    q, d = torch.randn(3, 4), torch.randn(5, 2, 4)
    de = mlr_multi_vector_loss(q, d[:, -1:], 0.1)
    assert torch.allclose(query_anchored_mlr_loss(q, d, 0.0, 0.1), de)
    assert torch.allclose(self_anchored_mlr_loss(q, d, 0.0, 0.1), de)


def test_the_regularizer_sends_gradient_to_the_intermediate_layer_vectors():
    torch.manual_seed(0)
    q = torch.randn(3, 4)
    for loss in (query_anchored_mlr_loss, self_anchored_mlr_loss):
        grads = {}
        for lam in (0.0, 1.0):
            d = torch.randn(3, 2, 4, generator=torch.Generator().manual_seed(1)).requires_grad_()
            loss(q, d, lam, 0.5).backward()
            grads[lam] = d.grad
        assert grads[0.0][:, 0].abs().sum() == 0, loss.__name__    # lambda = 0: only d_L is trained
        assert grads[1.0][:, 0].abs().sum() > 0, loss.__name__     # the regularizer reaches d_l
        assert grads[1.0][:, 1].abs().sum() > 0, loss.__name__


def test_self_anchored_loss_needs_a_lower_layer():
    import pytest
    with pytest.raises(ValueError, match="m >= 2"):
        self_anchored_mlr_loss(Q2, D2[:, -1:], 1.0)
