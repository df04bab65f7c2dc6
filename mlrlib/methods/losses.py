"""Retrieval losses. Each states its equation and the paper it comes from."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def max_sim_scores(q: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """s(q, d) = max_{l in S} <q, d_l>   (MLR, arXiv 2509.23861, §3; docs/methods.md#multi-vector-mlr).

    q: [B, H] query vectors; d: [N, m, H] m layer vectors per passage -> [B, N].
    With m = 1 this is the dual encoder's inner product.
    """
    return torch.einsum("bh,nmh->bnm", q, d).amax(-1)


def two_sided_max_sim_scores(q: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """s(q, d) = max_{a in S_q, b in S_d} <q_a, d_b>: multi-vector queries as well as passages.

    q: [B, mq, H], d: [N, md, H] -> [B, N]. With mq = 1 this is `max_sim_scores`.
    """
    return torch.einsum("bah,nch->bnac", q, d).flatten(2).amax(-1)


def info_nce(scores: torch.Tensor, positives: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """L = -1/B sum_i log( exp(s_i,pos(i)/tau) / sum_j exp(s_ij/tau) )   (DPR; docs/methods.md#notation).

    scores: [B, N] scores of every query against every candidate passage of the batch
    (in-batch negatives plus hard negatives); positives: [B] column of each query's positive.
    """
    return F.cross_entropy(scores / temperature, positives)


def mlr_multi_vector_loss(q: torch.Tensor, d: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Multi-vector MLR (arXiv 2509.23861, §3): InfoNCE over max-sim scores.

    L = InfoNCE( max_{l in S} <q, d_l> ); passage i of the batch is query i's positive,
    passages B..N-1 are hard negatives.  q: [B, H], d: [N, m, H].
    """
    return info_nce(max_sim_scores(q, d), torch.arange(q.shape[0], device=q.device), temperature)


def two_sided_mlr_loss(q: torch.Tensor, d: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """MLR with several vectors on the query side too (future work that MLR, arXiv 2509.23861,
    names for symmetric tasks; docs/methods.md#multi-vector-queries):

        L = InfoNCE( max_{a in S_q, b in S_d} <q_a, d_b> )

    S_q = S_d = S for "both sides"; S_q = S, S_d = {L} for "query side". Our construction: the
    paper names the direction, not a loss. q: [B, mq, H]; d: [N, md, H], passage i is query i's positive.
    """
    return info_nce(two_sided_max_sim_scores(q, d), torch.arange(q.shape[0], device=q.device), temperature)


def layer_decorrelation(d: torch.Tensor) -> torch.Tensor:
    """Mean squared cosine between the layer vectors of each text (MLR, arXiv 2509.23861, §4.2.2, leaves
    multi-vector scaling open: decorrelate the layers so that more vectors add more capacity;
    docs/methods.md#layer-decorrelation):

        P = 1/N sum_i  2/(m(m-1)) sum_{a < b} cos(d_a^(i), d_b^(i))^2

    0 when every text's m vectors are orthogonal, 1 when they are parallel. An orthogonality
    penalty of our choice (the paper proposes none); the training loss adds gamma * P.
    d: [N, m, H], m >= 2.
    """
    m = d.shape[1]
    if m < 2:
        raise ValueError("decorrelation needs at least two layer vectors per text (m >= 2)")
    unit = F.normalize(d.float(), dim=-1)
    cos = unit @ unit.transpose(1, 2)  # [N, m, m]
    upper = torch.triu(torch.ones(m, m, dtype=torch.bool, device=d.device), diagonal=1)
    return cos[:, upper].pow(2).mean()


def _last_layer_nce(q: torch.Tensor, d: torch.Tensor, temperature: float) -> torch.Tensor:
    """NCE(<q, d_L>): the dual encoder's loss on the last vector of each passage's layer set."""
    return info_nce(q @ d[:, -1].T, torch.arange(q.shape[0], device=q.device), temperature)


def query_anchored_mlr_loss(q: torch.Tensor, d: torch.Tensor, lam: float, temperature: float = 1.0) -> torch.Tensor:
    """Single-vector MLR, reading (a), query-anchored (MLR, arXiv 2509.23861, §3.2;
    docs/methods.md#single-vector-mlr):

        L = NCE(<q, d_L>) + lam * NCE( max_{l in S} <q, d_l> )

    The second term is the multi-vector MLR loss; it trains the intermediate layers of S
    through the query, while search uses d_L alone. Reconstructed from the paper's
    description (no official code). q: [B, H]; d: [N, m, H] with the last layer L last
    (passage i is query i's positive; rows B..N-1 are hard negatives).
    """
    return _last_layer_nce(q, d, temperature) + lam * mlr_multi_vector_loss(q, d, temperature)


def self_anchored_mlr_loss(q: torch.Tensor, d: torch.Tensor, lam: float, temperature: float = 1.0) -> torch.Tensor:
    """Single-vector MLR, reading (b), self-anchored "self-contrastive pooling" (MLR, arXiv 2509.23861,
    §3.2; docs/methods.md#single-vector-mlr):

        L = NCE(<q, d_L>) + lam * NCE_i( max_{l in S, l < L} <d_L^(i), d_l^(j)> over j )

    Each passage's last-layer vector is the anchor that must pick out its OWN intermediate
    layer vectors among those of every passage j of the batch (positives and hard
    negatives alike). Reconstructed from the paper's description (no official code).
    q: [B, H]; d: [N, m, H], m >= 2, with the last layer L last.
    """
    if d.shape[1] < 2:
        raise ValueError("the self-anchored loss needs at least one layer below L in S (m >= 2)")
    anchors, lower = d[:, -1], d[:, :-1]
    own = info_nce(max_sim_scores(anchors, lower), torch.arange(d.shape[0], device=d.device), temperature)
    return _last_layer_nce(q, d, temperature) + lam * own


def listwise_ranking_loss(scores: torch.Tensor) -> torch.Tensor:
    """The cross-encoder teacher's loss (MD2PR, arXiv 2312.16821; docs/methods.md#teacher): each query's
    positive against its negatives,

        L = -1/B sum_i log( exp(R(q_i, d_i^+)) / sum_{c in C_i} exp(R(q_i, c)) )

    scores: [B, 1 + n] ranker logits of each query's candidate list, the positive first.
    """
    return F.cross_entropy(scores, torch.zeros(scores.shape[0], dtype=torch.long, device=scores.device))


def masked_info_nce(scores: torch.Tensor, positives: torch.Tensor, mask: torch.Tensor,
                    temperature: float = 1.0) -> torch.Tensor:
    """InfoNCE with some candidates removed: masked scores are set to -inf before the softmax
    (MD2PR's false-negative filtering, arXiv 2312.16821, §3.3). mask: bool [B, N], True = leave out;
    a query's own positive must never be masked."""
    if mask[torch.arange(len(positives), device=mask.device), positives].any():
        raise ValueError("a positive was masked out of its own contrastive loss")
    return info_nce(scores.masked_fill(mask, float("-inf")), positives, temperature)
