"""Early cross-encoder layers as embeddings, and DE-l, the light dual encoder built from them
(CE embeddings, arXiv 2502.03552; docs/methods.md#ce-embeddings-and-de-l).

A cross-encoder run on a single text, `[CLS] x [SEP]`, gives per-layer embeddings mean_l(x)
(`ce_embedder`). DE-l is a dual encoder made of the cross-encoder's embedding layer and its
first l transformer layers, the upper layers deleted (`MultiLayerEncoder.truncated`), so it
has fewer parameters and really encodes faster. It is then trained with

    L = NCE(<q, d>)                                                  (labels, BM25 + in-batch negatives)
        + alpha * KL( softmax(R(q, .)/T) || softmax(s(q, .)/T) )     (the cross-encoder's scores)
        + beta  * 1/|X| sum_{x in X} || v_l(x) - v_DE(x) ||^2        (the full dual encoder's unit vectors)

over each batch's queries and passages X, and, with `unlabelled` = u > 0, u more texts a step drawn from the
corpus passages and the training questions (the pool): the MSE needs no labels, so DE-l can learn from every
passage, not only the few thousand labelled pairs. The paper (arXiv 2502.03552) says DE-l is "distilled"
from the cross-encoder without giving the loss; both sources and their sum are options here, and
notebook 04 compares them (reconstructed from the paper's description, no official code).
The first two terms are MD2PR's (`md2pr.Distiller`); the third is the layer-reduction
distillation of sentence-transformers' model-distillation example (MSE to the teacher's
embedding).
"""
from __future__ import annotations

import numpy as np
import torch

from mlrlib.methods.cross_encoder import CrossEncoder
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.runtime.cache import config_hash
from mlrlib.training.batches import index_batches
from mlrlib.training.checkpoints import cached_training, data_fingerprint
from mlrlib.training.config import DistillConfig, LightConfig, TrainConfig
from mlrlib.training.loop import optimize
from mlrlib.training.md2pr import Distiller
from mlrlib.training.step import represent


def ce_embedder(ranker: CrossEncoder) -> MultiLayerEncoder:
    """The cross-encoder's own body (shared weights, not a copy) as a multi-layer encoder of single texts."""
    body = ranker.model.base_model
    if not hasattr(body, "encoder") or not hasattr(body.encoder, "layer"):
        raise ValueError(f"{ranker.name_or_path}: only BERT-style bodies (model.encoder.layer) can be embedded and "
                         "truncated; use a BERT, MiniLM or RoBERTa cross-encoder")
    return MultiLayerEncoder(ranker.name_or_path, model=body, tokenizer=ranker.tokenizer)


def light_config(model: str, layers: int, init: str, train: dict, alpha=0.0, beta=0.0, kd_temperature=1.0,
                 negatives=3, seed=0, unlabelled=0) -> TrainConfig:
    """A DE-l's config: the training choices `train` with queries and passages on layer l, its `distill`
    part (alpha, the cross-encoder's scores) and its `light` part (init, beta).

    init: "ce" (the cross-encoder's first l layers), "de" (the trained full DE's) or "base"
    (the pre-trained `model`'s; with layers = L and alpha = beta = 0 this is the full DE itself).
    unlabelled: pool texts a step on which the embedding MSE also applies (beta > 0 only).
    """
    light = LightConfig(layers=layers, init=init, beta=beta, unlabelled=unlabelled)
    distill = DistillConfig(alpha=alpha, kd_temperature=kd_temperature, negatives=negatives)
    return TrainConfig(model=model, doc_layers=[layers], query_layer=layers, seed=seed, **train, distill=distill,
                       light=light)


def build_light(cfg: TrainConfig, ranker: CrossEncoder | None = None, full_de: MultiLayerEncoder | None = None):
    """The untrained DE-l of `cfg`: a copy of its source's embeddings and first l layers."""
    init, layers = cfg.light.init, cfg.light.layers
    if init == "ce" and ranker is None or init == "de" and full_de is None:
        raise ValueError(f"init {init!r} copies a trained model: pass the {'ranker' if init == 'ce' else 'full DE'}")
    source = {"ce": lambda: ce_embedder(ranker), "de": lambda: full_de,
              "base": lambda: MultiLayerEncoder(cfg.model)}[init]()
    return source.truncated(layers)


def embedding_mse(student: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1/|X| sum_{x in X} || v_l(x) - v_DE(x) ||^2: DE-l's unit vectors [|X|, H] against the full DE's (no gradient
    to them). The embedding term of DE-l's loss (CE embeddings, arXiv 2502.03552, §3: DE-l "distilled"; the MSE is
    our reading, that of sentence-transformers' layer-reduction distillation; docs/methods.md#de-l-loss)."""
    return (student - target.detach()).pow(2).sum(-1).mean()


def unlabelled_texts(pool: list[str], idx: list[int], seed: int, n: int) -> list[str]:
    """The `n` pool texts of the step whose batch is `idx`: drawn from (seed, idx), so a resumed run draws the same."""
    rng = np.random.default_rng([seed, *map(int, idx)])
    return [pool[i] for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]


class LightStep(Distiller):
    """One DE-l training step: MD2PR's contrastive and sentence terms, plus the embedding MSE
    to the full DE (no gradient to it) when beta > 0, on the batch's texts and `cfg.light.unlabelled` texts of
    `pool` (corpus passages and training questions)."""

    def __init__(self, student, ranker, pairs, negative_lists, scores, cfg, reference=None, pool=None):
        super().__init__(student, ranker, pairs, negative_lists, scores, cfg)
        self.beta, self.reference, self.pool = cfg.light.beta, reference, pool
        if self.beta > 0 and reference is None:
            raise ValueError("beta > 0 distills from the full dual encoder: pass it as reference")
        if cfg.light.unlabelled and not pool:
            raise ValueError("unlabelled > 0 draws texts from a pool: pass the corpus passages and training questions")
        if reference is not None:
            reference.eval()  # a fixed target: no dropout

    def extra_loss(self, queries, passages, q, p, record):
        if self.beta == 0:
            return 0.0
        L, cfg = self.reference.num_layers, self.cfg
        texts, vectors = [queries, passages], [q, p]
        if cfg.light.unlabelled:
            # drawn from the step's batch (`record["step_pairs"]`, its training pairs) and the seed
            texts.append(unlabelled_texts(self.pool, record["step_pairs"], cfg.seed, cfg.light.unlabelled))
            vectors.append(self.encode(texts[-1], cfg.p_max_len)[0])
        with torch.no_grad():
            target = torch.cat([represent(self.reference, t, n, [L], cfg)
                                for t, n in zip(texts, (cfg.q_max_len, cfg.p_max_len, cfg.p_max_len))])[:, 0]
        embedding = embedding_mse(torch.cat(vectors), target)
        record["embedding"] = float(embedding.detach())
        return self.beta * embedding


def light_key(cfg: TrainConfig, pairs, negative_lists, teacher_key, reference_key, pool=None) -> dict:
    """What names a DE-l checkpoint: config, data (and the unlabelled pool when it reads one), and the trained
    models it was copied or distilled from."""
    uses_ce = cfg.light.init == "ce" or cfg.distill.alpha > 0
    uses_de = cfg.light.init == "de" or cfg.light.beta > 0
    key = {"config": cfg.key(), "data": data_fingerprint(pairs, negative_lists), "tag": "light-de",
           "teacher": teacher_key if uses_ce else None, "reference": reference_key if uses_de else None}
    if cfg.light.unlabelled:
        key["pool"] = config_hash(list(pool or ()))
    return key


def light_trainer(pairs, negative_lists, cfg: TrainConfig, ranker=None, scores=None, full_de=None, progress=None,
                  pool=None):
    """`train(after_step=None)` -> (DE-l, log with one record per step): builds DE-l from its source and trains it;
    `after_step(step, student)` is called after each step (a learning curve's evaluation)."""
    def train(after_step=None):
        student = build_light(cfg, ranker, full_de)
        step = LightStep(student, ranker, pairs, negative_lists, scores, cfg, reference=full_de, pool=pool)
        plan = index_batches(len(pairs), cfg.batch_size, cfg.steps, cfg.seed)
        with step.attention_kernel():
            records = optimize(student, plan, cfg, step, progress=progress, desc=f"DE-{cfg.light.layers}",
                               after_step=after_step)
        return student, {"steps": records, "losses": [r["loss"] for r in records]}
    return train


def train_light(pairs, negative_lists, cfg: TrainConfig, ranker=None, teacher_key=None, scores=None, full_de=None,
                reference_key=None, progress=None, pool=None):
    """Build DE-l from its source and train it (or load the checkpoint cached for its key). `pool`: the texts
    `cfg.light.unlabelled` draws from. Returns (encoder, log) with one record per step (loss terms)."""
    return cached_training(light_key(cfg, pairs, negative_lists, teacher_key, reference_key, pool),
                           light_trainer(pairs, negative_lists, cfg, ranker, scores, full_de, progress, pool))


def light_train(train: dict, L: int, l: int, lr: float) -> dict:
    """DE-l's training choices: the full DE's, at learning rate `lr`, and L/l times its steps, so
    that every model spends about the same transformer-layer compute on training."""
    return {**train, "steps": round(train["steps"] * L / l), "lr": lr}
