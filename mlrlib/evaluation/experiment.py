"""One trained model, end to end: train (or load from cache), encode, search, wrap as ranx runs.

Shared by the studies so every model is encoded and searched the same way: the layers
come from `training.config.inference_layers(cfg)`, the pooling and normalisation from `cfg`.
"""
from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ranx import Run

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.corpus import corpus_vectors
from mlrlib.evaluation.metrics import TOP_K, search_run
from mlrlib.methods.encoders import MultiLayerEncoder, load_encoder
from mlrlib.runtime.cache import held_or_loaded
from mlrlib.training.checkpoints import checkpoint_folder
from mlrlib.training.config import TrainConfig, inference_layers
from mlrlib.training.dual_encoder import train_encoder
from mlrlib.training.negatives import training_data


@dataclass
class TrainedModel:
    """A trained model's config, training log, index and runs. Its encoder stays in memory only
    when no checkpoint holds it: a cached one is reloaded on each access of `.encoder` (a notebook
    trains up to a dozen models, and keeping every one in memory broke Binder's 2 GB limit)."""
    name: str
    cfg: TrainConfig
    log: dict
    passages: np.ndarray        # the index: [N, m, H] corpus vectors
    runs: dict[str, Run]        # {split: ranx Run of the top TOP_K}
    checkpoint: Path | None = None
    in_memory: MultiLayerEncoder | None = None
    _loaded: weakref.ref | None = field(default=None, repr=False, compare=False)

    @property
    def encoder(self) -> MultiLayerEncoder:
        """The encoder; loaded from its checkpoint unless a copy loaded before is still in use."""
        if self.checkpoint is None:
            return self.in_memory
        encoder, self._loaded = held_or_loaded(self._loaded, lambda: load_encoder(self.checkpoint))
        return encoder


class LazyEncoders(Mapping):
    """{name: encoder} of trained models, each loaded from its checkpoint when looked up."""

    def __init__(self, trained: dict[str, TrainedModel]):
        self.trained = trained

    def __getitem__(self, name) -> MultiLayerEncoder:
        return self.trained[name].encoder

    def __iter__(self):
        return iter(self.trained)

    def __len__(self) -> int:
        return len(self.trained)


def encode_texts(encoder: MultiLayerEncoder, texts, layers, cfg: TrainConfig, enc: dict, side: str) -> np.ndarray:
    """[N, m, H] vectors of `texts` as the model was trained to see them (side: "q" or "p")."""
    return encoder.encode(texts, layers, poolings=(cfg.pooling,), batch_size=enc["batch_size"],
                          max_length=enc[f"{side}_max_len"], bf16=enc["bf16"], normalize=cfg.normalize)[cfg.pooling]


def encode_queries(encoder, texts, cfg, enc) -> np.ndarray:
    """The query vectors search uses: [Q, H], or [Q, mq, H] for multi-vector queries."""
    vectors = encode_texts(encoder, texts, inference_layers(cfg)[0], cfg, enc, "q")
    return vectors[:, 0] if vectors.shape[1] == 1 else vectors


def evaluate_model(name, encoder, cfg, data: RetrievalData, enc, splits=("dev", "test")) -> tuple[dict, np.ndarray]:
    """Encode the corpus once and search every split: ({split: Run}, corpus vectors [N, m, H], in memory or,
    with enc["store"], memory-mapped from disk)."""
    layers = inference_layers(cfg)[1]
    passages = corpus_vectors(encoder, data.corpus_texts, layers, cfg.pooling, cfg.normalize, enc)
    runs = {}
    for split in splits:
        ids, texts, _ = data.split(split)
        runs[split] = search_run(name, ids, encode_queries(encoder, texts, cfg, enc), passages, data.corpus_ids,
                                 TOP_K)
    return runs, passages


def evaluated(name, encoder, log: dict, cfg, data: RetrievalData, enc, splits=("dev", "test")) -> TrainedModel:
    """A trained encoder, evaluated on `splits` (the corpus encoded once)."""
    runs, passages = evaluate_model(name, encoder, cfg, data, enc, splits)
    folder = checkpoint_folder(log["key"]) if "key" in log else None
    if folder is not None and folder.exists():
        return TrainedModel(name, cfg, log, passages, runs, checkpoint=folder)
    return TrainedModel(name, cfg, log, passages, runs, in_memory=encoder)


def train_and_evaluate(name, data: RetrievalData, cfg, enc, negatives=(), splits=("dev", "test"),
                       progress=None, eval_data: RetrievalData | None = None) -> TrainedModel:
    """Train `cfg` on the data's training pairs (cached by hash), then evaluate it on `splits` of `eval_data`
    (default `data`)."""
    encoder, log = train_encoder(data.train_pairs, list(negatives), cfg, progress=progress)
    return evaluated(name, encoder, log, cfg, eval_data or data, enc, splits)


def reuse_or_make(configs: dict, make, trained: dict | None = None) -> dict[str, TrainedModel]:
    """`make(name, cfg)` -> TrainedModel for every config, except where `trained` already holds a
    model under the same name with an identical config: that one is reused, not re-encoded."""
    trained = trained or {}
    out = {}
    for name, cfg in configs.items():
        old = trained.get(name)
        out[name] = old if old is not None and old.cfg == cfg else make(name, cfg)
    return out


def train_all(data: RetrievalData, configs: dict, enc: dict, trained: dict | None = None,
              splits=("dev", "test"), progress=None, eval_data: RetrievalData | None = None) -> dict[str, TrainedModel]:
    """Train and evaluate every config (checkpoints cached by config hash); BM25 hard negatives
    are mined once from `data`'s corpus, if any config uses them. `eval_data` (default `data`, e.g. a
    `with_corpus_sample` of it) is what `splits` are searched in. A model already in `trained` under the same
    name and with an identical config is reused, not re-encoded."""
    needs_negatives = any(cfg.hard_negatives for cfg in configs.values())
    negatives = training_data(data, True)[1] if needs_negatives else []
    return reuse_or_make(configs, lambda name, cfg: train_and_evaluate(
        name, data, cfg, enc, negatives if cfg.hard_negatives else (), splits, progress, eval_data), trained)
