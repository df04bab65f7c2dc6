"""Ways to pool the vectors of several layers into ONE vector: the alternatives to
single-vector MLR's self-contrastive training that notebook 02 compares (MLR, arXiv 2509.23861,
§3.2; docs/methods.md#layer-pooling).

Each pooler maps x: [B, m, H] (one vector per layer of a layer set, lowest layer first, the last layer L last)
to [B, H], and is trained with the encoder. The encoder that uses one is
`encoders.LayerPooledEncoder`.

`start` says where a trained pooler begins. "last" (the default): at step 0 its output is the last layer's vector
x_L, the dual encoder's, so training can only move it away from the baseline it is compared with; a comparison
after a short training then measures what the pooler learned, not where it was initialised. "neutral": the
textbook initialisation (the scalar mix at the plain average, the attention pooler's output projections at
PyTorch's random default). The average has no parameters and cannot start anywhere but at the average.
"""
from __future__ import annotations

import math

import torch
from torch import nn


class LayerAverage(nn.Module):
    """y = 1/m sum_l x_l   (no parameters)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(1)


STARTS = ("last", "neutral")
LAST_WEIGHT = 0.999  # the scalar mix's softmax weight on the last layer at step 0 under start="last"


def _check_start(start: str) -> None:
    if start not in STARTS:
        raise ValueError(f"unknown pooler start {start!r}; use one of {STARTS}")


class ScalarMix(nn.Module):
    """y = gamma * sum_l softmax(s)_l x_l   (ELMo's scalar mix; Peters et al., 2018).

    Learned layer logits s and a scale gamma (1). start="neutral": s = 0, the plain average. start="last": the last
    layer's logit is log(LAST_WEIGHT / (1 - LAST_WEIGHT) * (m - 1)), so softmax(s)_L = LAST_WEIGHT and y is x_L up to
    0.1% of the other layers. (A softmax cannot give exactly 1; the logit gap keeps a gradient on every layer.)
    """

    def __init__(self, num_layers: int, start: str = "last"):
        super().__init__()
        _check_start(start)
        logits = torch.zeros(num_layers)
        if start == "last" and num_layers > 1:
            logits[-1] = math.log(LAST_WEIGHT / (1 - LAST_WEIGHT) * (num_layers - 1))
        self.weights = nn.Parameter(logits)
        self.gamma = nn.Parameter(torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = torch.softmax(self.weights, 0).to(x.dtype)
        return self.gamma.to(x.dtype) * torch.einsum("m,bmh->bh", w, x)


class MultiLayerAttentionPooling(nn.Module):
    """Multi-layer trainable pooling ("Pooling And Attention", arXiv 2409.02727), on a residual path from the last
    layer:

        z = MultiHeadAttention(Q, X + W, X + W),   y = x_L + mean_r( z_r + MLP(z_r) )

    X: [m, H] the layer vectors of one text, W: [m, H] a trainable layer-weight matrix
    (initialised to 0), Q: [r, H] trainable queries. We follow only the paper's outline
    (cross-attention over all layers' outputs with trainable layer weights); the sizes, the
    residual MLP, the mean over the r queries and the path from x_L are our reconstruction. start="last"
    zero-initialises the attention's output projection and the MLP's last layer, so z = 0 and y = x_L exactly at
    step 0 (their gradients are not zero, so training moves them at once).
    """

    def __init__(self, num_layers: int, dim: int, heads: int = 4, queries: int = 4, start: str = "last"):
        super().__init__()
        _check_start(start)
        self.layer_weights = nn.Parameter(torch.zeros(num_layers, dim))
        self.queries = nn.Parameter(torch.randn(queries, dim) * 0.02)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, dim))
        if start == "last":
            for layer in (self.attention.out_proj, self.mlp[-1]):
                nn.init.zeros_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys = x + self.layer_weights.to(x.dtype)
        q = self.queries.to(x.dtype).expand(x.shape[0], -1, -1)
        z, _ = self.attention(q, keys, keys, need_weights=False)
        return x[:, -1] + (z + self.mlp(z)).mean(1)


POOLERS = {"average": LayerAverage, "scalar-mix": ScalarMix, "attention": MultiLayerAttentionPooling}


def make_pooler(kind: str, num_layers: int, dim: int, start: str = "last") -> nn.Module:
    """A fresh pooler of `kind` over `num_layers` layer vectors of size `dim`, starting at `start` (see above)."""
    _check_start(start)
    if kind == "average":
        return LayerAverage()
    if kind == "scalar-mix":
        return ScalarMix(num_layers, start)
    if kind == "attention":
        return MultiLayerAttentionPooling(num_layers, dim, start=start)
    raise ValueError(f"unknown layer pooling {kind!r}; use one of {sorted(POOLERS)}")
