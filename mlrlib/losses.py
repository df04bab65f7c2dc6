"""Retrieval losses. Each states its equation and the paper it comes from."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def max_sim_scores(q: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """s(q, d) = max_{l in S} <q, d_l>   (MLR, seed 000, METHODS.md §1).

    q: [B, H] query vectors; d: [N, m, H] m layer vectors per passage -> [B, N].
    With m = 1 this is the dual encoder's inner product.
    """
    return torch.einsum("bh,nmh->bnm", q, d).amax(-1)


def info_nce(scores: torch.Tensor, positives: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """L = -1/B sum_i log( exp(s_i,pos(i)/tau) / sum_j exp(s_ij/tau) )   (DPR; METHODS.md §1).

    scores: [B, N] scores of every query against every candidate passage of the batch
    (in-batch negatives plus hard negatives); positives: [B] column of each query's positive.
    """
    return F.cross_entropy(scores / temperature, positives)


def mlr_multi_vector_loss(q: torch.Tensor, d: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Multi-vector MLR (seed 000): InfoNCE over max-sim scores.

    L = InfoNCE( max_{l in S} <q, d_l> ); passage i of the batch is query i's positive,
    passages B..N-1 are hard negatives.  q: [B, H], d: [N, m, H].
    """
    return info_nce(max_sim_scores(q, d), torch.arange(q.shape[0]), temperature)
