"""Ways to pool the vectors of several layers into ONE vector: the alternatives to
single-vector MLR's self-contrastive training that notebook 02 compares (MLR, arXiv 2509.23861,
§3.2; docs/methods.md#layer-pooling).

Each pooler maps x: [B, m, H] (one vector per layer of a layer set, lowest layer first)
to [B, H], and is trained with the encoder. The encoder that uses one is
`encoders.LayerPooledEncoder`.
"""
from __future__ import annotations

import torch
from torch import nn


class LayerAverage(nn.Module):
    """y = 1/m sum_l x_l   (no parameters)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(1)


class ScalarMix(nn.Module):
    """y = gamma * sum_l softmax(s)_l x_l   (ELMo's scalar mix; Peters et al., 2018).

    Learned layer weights s (initialised to 0: the plain average) and a scale gamma (1).
    """

    def __init__(self, num_layers: int):
        super().__init__()
        self.weights = nn.Parameter(torch.zeros(num_layers))
        self.gamma = nn.Parameter(torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = torch.softmax(self.weights, 0).to(x.dtype)
        return self.gamma.to(x.dtype) * torch.einsum("m,bmh->bh", w, x)


class MultiLayerAttentionPooling(nn.Module):
    """Multi-layer trainable pooling ("Pooling And Attention", arXiv 2409.02727):

        z = MultiHeadAttention(Q, X + W, X + W),   y = mean_r( z_r + MLP(z_r) )

    X: [m, H] the layer vectors of one text, W: [m, H] a trainable layer-weight matrix
    (initialised to 0), Q: [r, H] trainable queries. We follow only the paper's outline
    (cross-attention over all layers' outputs with trainable layer weights); the sizes, the
    residual MLP and the mean over the r queries are our reconstruction.
    """

    def __init__(self, num_layers: int, dim: int, heads: int = 4, queries: int = 4):
        super().__init__()
        self.layer_weights = nn.Parameter(torch.zeros(num_layers, dim))
        self.queries = nn.Parameter(torch.randn(queries, dim) * 0.02)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys = x + self.layer_weights.to(x.dtype)
        q = self.queries.to(x.dtype).expand(x.shape[0], -1, -1)
        z, _ = self.attention(q, keys, keys, need_weights=False)
        return (z + self.mlp(z)).mean(1)


POOLERS = {"average": LayerAverage, "scalar-mix": ScalarMix, "attention": MultiLayerAttentionPooling}


def make_pooler(kind: str, num_layers: int, dim: int) -> nn.Module:
    """A fresh pooler of `kind` over `num_layers` layer vectors of size `dim`."""
    if kind == "average":
        return LayerAverage()
    if kind == "scalar-mix":
        return ScalarMix(num_layers)
    if kind == "attention":
        return MultiLayerAttentionPooling(num_layers, dim)
    raise ValueError(f"unknown layer pooling {kind!r}; use one of {sorted(POOLERS)}")
