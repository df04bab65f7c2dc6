"""Dual-encoder (and multi-vector MLR) training: the objective's loss, the encoder, the cached run."""
from __future__ import annotations

from mlrlib.methods.encoders import LayerPooledEncoder, MultiLayerEncoder, load_model, resolve_model
from mlrlib.methods.losses import (
    layer_decorrelation,
    mlr_multi_vector_loss,
    query_anchored_mlr_loss,
    self_anchored_mlr_loss,
    two_sided_mlr_loss,
)
from mlrlib.training.batches import batches
from mlrlib.training.checkpoints import cached_training, data_fingerprint
from mlrlib.training.config import MULTI_QUERY, setting
from mlrlib.training.loop import optimize, seed_everything
from mlrlib.training.step import train_step


def loss_for(cfg):
    """The loss of `cfg["objective"]` on [B, mq, H] queries and [N, m, H] passages, plus the
    decorrelation penalty on the passages' layer vectors when its weight is > 0."""
    tau, lam, gamma = cfg["temperature"], cfg["lam"], setting(cfg, "decorrelation")
    if cfg["objective"] == "query-anchored":
        loss = lambda q, d: query_anchored_mlr_loss(q[:, 0], d, lam, tau)  # noqa: E731
    elif cfg["objective"] == "self-anchored":
        loss = lambda q, d: self_anchored_mlr_loss(q[:, 0], d, lam, tau)  # noqa: E731
    elif cfg["objective"] in MULTI_QUERY:
        loss = lambda q, d: two_sided_mlr_loss(q, d, tau)  # noqa: E731
    else:
        loss = lambda q, d: mlr_multi_vector_loss(q[:, 0], d, tau)  # noqa: E731
    if gamma == 0:
        return loss
    return lambda q, d: loss(q, d) + gamma * layer_decorrelation(d)


def fit(encoder, pairs, negatives, cfg, loss_fn=None, progress=True) -> list[float]:
    """Train `encoder` in place; returns the loss of every step."""
    loss_fn = loss_fn or loss_for(cfg)

    def step(batch):
        loss = float(train_step(encoder, *batch, cfg, loss_fn))
        return loss, loss
    return optimize(encoder, batches(pairs, negatives, cfg), cfg, step, progress=progress)


def build_encoder(cfg) -> MultiLayerEncoder:
    """The untrained encoder of `cfg`: the pre-trained model, plus a seeded fresh pooler if any."""
    attention = setting(cfg, "attention")
    if not cfg["layer_pooling"]:
        return MultiLayerEncoder(cfg["model"], attention=attention)
    seed_everything(cfg["seed"])
    return LayerPooledEncoder(cfg["model"], cfg["layer_pooling"], cfg["doc_layers"],
                              model=load_model(resolve_model(cfg["model"]), attention))


def train_encoder(pairs, negatives, cfg, loss_fn=None, tag="mlr", progress=True):
    """Train from `cfg["model"]`, or load the checkpoint cached for (cfg, data, tag).

    Returns (encoder, log) where log has the per-step losses and the training time.
    A custom `loss_fn` must be named by `tag` so its checkpoints are kept apart.
    """
    def train():
        encoder = build_encoder(cfg)
        return encoder, {"losses": fit(encoder, pairs, negatives, cfg, loss_fn, progress)}
    return cached_training({"config": cfg, "data": data_fingerprint(pairs, negatives), "tag": tag}, train)
