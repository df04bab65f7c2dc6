"""Dual-encoder (and multi-vector MLR) training: the objective's loss, the encoder, the cached run."""
from __future__ import annotations

from mlrlib.methods.device import default_device
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
from mlrlib.training.config import TrainConfig
from mlrlib.training.loop import optimize, seed_everything
from mlrlib.training.step import train_step

# objective -> its loss on [B, mq, H] queries and [N, m, H] passages (the single-query losses take the query's
# one vector); the equations are in each loss's docstring (`methods.losses`)
OBJECTIVE_LOSSES = {
    "mlr": lambda q, d, cfg: mlr_multi_vector_loss(q[:, 0], d, cfg.temperature),
    "query-anchored": lambda q, d, cfg: query_anchored_mlr_loss(q[:, 0], d, cfg.lam, cfg.temperature),
    "self-anchored": lambda q, d, cfg: self_anchored_mlr_loss(q[:, 0], d, cfg.lam, cfg.temperature),
    "query-side": lambda q, d, cfg: two_sided_mlr_loss(q, d, cfg.temperature),
    "both-sides": lambda q, d, cfg: two_sided_mlr_loss(q, d, cfg.temperature),
}


def loss_for(cfg: TrainConfig):
    """The loss of `cfg.objective`, plus the decorrelation penalty on the passages' layer vectors when its
    weight gamma is > 0."""
    objective = OBJECTIVE_LOSSES[cfg.objective]
    if cfg.decorrelation == 0:
        return lambda q, d: objective(q, d, cfg)
    return lambda q, d: objective(q, d, cfg) + cfg.decorrelation * layer_decorrelation(d)


def fit(encoder, pairs, negatives, cfg: TrainConfig, loss_fn=None, progress=None, after_step=None) -> list[float]:
    """Train `encoder` in place; returns the loss of every step (`after_step`: see `loop.optimize`)."""
    loss_fn = loss_fn or loss_for(cfg)

    def step(batch):
        loss = float(train_step(encoder, *batch, cfg, loss_fn))
        return loss, loss
    return optimize(encoder, batches(pairs, negatives, cfg), cfg, step, progress=progress, after_step=after_step)


def build_encoder(cfg: TrainConfig) -> MultiLayerEncoder:
    """The untrained encoder of `cfg`: the pre-trained model, plus a seeded fresh pooler if any."""
    if not cfg.layer_pooling:
        return MultiLayerEncoder(cfg.model, attention=cfg.attention)
    seed_everything(cfg.seed)
    return LayerPooledEncoder(cfg.model, cfg.layer_pooling, list(cfg.doc_layers),
                              model=load_model(resolve_model(cfg.model), cfg.attention).to(default_device()),
                              start=cfg.pooler_start)


def encoder_key(cfg: TrainConfig, pairs, negatives, tag: str = "mlr") -> dict:
    """What names a dual encoder's checkpoint: its config, its training data and the tag of its loss."""
    return {"config": cfg.key(), "data": data_fingerprint(pairs, negatives), "tag": tag}


def train_encoder(pairs, negatives, cfg: TrainConfig, loss_fn=None, tag="mlr", progress=None):
    """Train from `cfg.model`, or load the checkpoint cached for (cfg, data, tag).

    Returns (encoder, log) where log has the per-step losses and the training time.
    A custom `loss_fn` must be named by `tag` so its checkpoints are kept apart.
    """
    def train():
        encoder = build_encoder(cfg)
        return encoder, {"losses": fit(encoder, pairs, negatives, cfg, loss_fn, progress)}
    return cached_training(encoder_key(cfg, pairs, negatives, tag), train)
