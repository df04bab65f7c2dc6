"""The training config: every choice of one training run, and the layers it encodes.

`TrainConfig` is frozen; derive a variant with `.replace(seed=1)`. Its `key()` is the plain dict whose hash
names the run's checkpoint (`checkpoints.cached_training`); it is byte for byte the dict of the configs the
project wrote before it had this class, so their cached checkpoints are still found. MD2PR students add a
`DistillConfig`, light dual encoders (DE-l) a `LightConfig` as well.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

SINGLE_VECTOR = ("query-anchored", "self-anchored")
MULTI_QUERY = ("query-side", "both-sides")
OBJECTIVES = ("mlr", *SINGLE_VECTOR, *MULTI_QUERY)
FILTERS = (None, "static", "dynamic")
INITS = ("ce", "de", "base")

# Fields added after the first checkpoints were cached. They are left out of the key at their default,
# so every config written before them keeps its hash (and its cached checkpoint).
_LATER_DEFAULTS = {"decorrelation": 0.0, "attention": "bidirectional", "fused_adamw": False,
                   "freeze_embeddings": False}
# How a run spends memory, not what it computes: left out of the key (gradient checkpointing gives
# bitwise-equal weights, tests/training/test_memory_options.py), so either way finds the same checkpoint.
_NOT_IN_KEY = ("checkpointing",)


@dataclass(frozen=True)
class DistillConfig:
    """MD2PR's part of a student's config (MD2PR, arXiv 2312.16821, §3; `training.md2pr`)."""
    alpha: float = 0.0                # weight of the sentence-level KL to the teacher's scores
    beta_attention: float = 0.0       # weight of the word-level attention MSE
    beta_hidden: float = 0.0          # weight of the word-level hidden-state MSE
    kd_temperature: float = 1.0       # temperature of the sentence-level KL
    layer_map: tuple = ((6, 6),)      # (teacher layer, student layer) pairs matched at the word level
    fn_filter: str | None = None      # None, "static" (fixed margin) or "dynamic" (running threshold)
    margin: float = 0.0               # the static filter's margin
    kappa: float = 2.0                # the dynamic filter's threshold, in standard deviations
    negatives: int = 3                # BM25 negatives per query

    def __post_init__(self):
        object.__setattr__(self, "layer_map", tuple(tuple(p) for p in self.layer_map))
        if self.fn_filter not in FILTERS:
            raise ValueError(f"unknown fn_filter {self.fn_filter!r}; use one of {FILTERS}")
        if min(self.alpha, self.beta_attention, self.beta_hidden) < 0 or self.negatives < 1 or self.kd_temperature <= 0:
            raise ValueError("loss weights must be >= 0, negatives >= 1 and kd_temperature > 0")

    @property
    def word_level(self) -> bool:
        return self.beta_attention > 0 or self.beta_hidden > 0

    def key(self) -> dict:
        return {**dataclasses.asdict(self), "layer_map": [list(p) for p in self.layer_map]}


@dataclass(frozen=True)
class LightConfig:
    """What makes a dual encoder light (DE-l, arXiv 2502.03552; `training.light_de`)."""
    layers: int          # l: the transformer layers kept
    init: str            # copied from "ce" (the cross-encoder), "de" (the trained full DE) or "base" (pre-trained)
    beta: float = 0.0    # weight of the MSE to the full DE's unit vectors
    unlabelled: int = 0  # texts a step drawn from the corpus and the training questions, beyond the batch, on which
    #                      the MSE also applies: distillation needs no labels, so it can read every passage

    def __post_init__(self):
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}; use one of {INITS}")
        if self.beta < 0:
            raise ValueError("beta must be >= 0")
        if self.unlabelled < 0:
            raise ValueError("unlabelled must be >= 0")
        if self.unlabelled and not self.beta:
            raise ValueError("unlabelled texts feed only the embedding MSE: give beta > 0 with them")

    def key(self) -> dict:
        key = dataclasses.asdict(self)
        if not self.unlabelled:  # the key of a DE-l trained on its batches alone, as before the field existed
            del key["unlabelled"]
        return key


@dataclass(frozen=True)
class TrainConfig:
    """Every choice of one training run (its `key()` names the checkpoint). Values are kept as given, never
    converted (5e-5 stays 5e-5, 1 stays 1), since the key's hash must not move."""
    model: str = "minilm"                 # hub id or local folder; "minilm": the packaged all-MiniLM-L6-v2
    doc_layers: tuple = (6,)              # the layer set S of the passage vectors; S = (L,) is the dual encoder
    query_layer: int = 6                  # the layer of the query's vector (L)
    pooling: str = "cls"                  # "cls", "mean" or "last" (token) pooling of each layer
    normalize: bool = True                # cosine (with temperature) instead of the raw inner product
    temperature: float = 0.05             # tau of the InfoNCE losses
    batch_size: int = 32                  # queries per step (their positives and negatives come along)
    hard_negatives: bool = True           # add one BM25 negative per query to the batch
    steps: int = 150                      # optimizer steps
    lr: float = 3e-5                      # AdamW learning rate of the encoder
    warmup: float = 0.1                   # share of the steps with linear warm-up (then linear decay)
    q_max_len: int = 32                   # query tokens kept
    p_max_len: int = 128                  # passage tokens kept
    grad_cache_chunk: int | None = None   # sub-batch of gradient caching; None: one forward per batch
    bf16: bool = True                     # bfloat16 autocast (on the model's device)
    checkpointing: bool = False           # recompute each layer's activations in backward: less memory, same weights
    fused_adamw: bool = False             # torch's fused AdamW kernel: no temporaries, the same update up to rounding
    freeze_embeddings: bool = False       # keep the token embeddings fixed (no gradient or AdamW state for them)
    objective: str = "mlr"                # one of OBJECTIVES (see below)
    lam: float = 1.0                      # lambda: weight of single-vector MLR's regularizer
    layer_pooling: str | None = None      # None, or a `layer_pooling.POOLERS` kind pooling S into one vector
    pooler_start: str = "last"            # where a layer pooler starts: "last" (at x_L, the DE) or "neutral"
    head_lr: float = 1e-3                 # learning rate of the pooler's (and other heads') parameters
    seed: int = 0                         # seeds the batches, dropout and any fresh head
    decorrelation: float = 0.0            # gamma: weight of `losses.layer_decorrelation` on the passages' S
    attention: str = "bidirectional"      # "causal" runs the encoder with a causal mask
    distill: DistillConfig | None = None  # MD2PR students: the distillation terms and false-negative filter
    light: LightConfig | None = None      # DE-l: the truncated model and its source

    # objective: "mlr" is multi-vector max-sim InfoNCE (the dual encoder when S = (L,)); "query-anchored" and
    # "self-anchored" are the two readings of single-vector MLR (S must end with L; search uses L alone);
    # "query-side" gives the query the vectors of S and the passage its layer L; "both-sides" gives both S.
    def __post_init__(self):
        object.__setattr__(self, "doc_layers", tuple(self.doc_layers))
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r}; use one of {OBJECTIVES}")
        if self.objective != "mlr" and (self.layer_pooling or self.doc_layers[-1] != self.query_layer):
            raise ValueError(f"objective {self.objective!r} needs a layer set ending with the query layer L, "
                             "and no layer pooling")
        if self.pooler_start not in ("last", "neutral"):
            raise ValueError(f"unknown pooler_start {self.pooler_start!r}; use 'last' or 'neutral'")
        if self.decorrelation < 0:
            raise ValueError("decorrelation (the penalty's weight) must be >= 0")

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def key(self) -> dict:
        """The plain dict whose hash names the checkpoint (see the module docstring)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["doc_layers"] = list(self.doc_layers)
        for name in _NOT_IN_KEY:
            del out[name]
        for name, default in _LATER_DEFAULTS.items():
            if out[name] == default:
                del out[name]
        if not self.layer_pooling:
            del out["pooler_start"]  # no pooler: nothing starts anywhere (and every earlier key keeps its hash)
        for part in ("distill", "light"):
            if out[part] is None:
                del out[part]
            else:
                out[part] = out[part].key()
        return out

    @classmethod
    def from_key(cls, key: dict) -> TrainConfig:
        """The config whose `key()` is `key` (e.g. read back from a checkpoint's train_log.json)."""
        parts = {"distill": DistillConfig, "light": LightConfig}
        return cls(**{k: parts[k](**v) if k in parts else v for k, v in key.items()})


def inference_layers(cfg: TrainConfig) -> tuple[list[int], list[int]]:
    """(query layers, passage layers) that search uses for a model trained with `cfg`.

    Single-vector MLR indexes the last layer alone: S only shapes training. A layer-pooled
    model feeds S to its pooler on both sides (one vector out). Multi-vector MLR indexes S.
    """
    layers = list(cfg.doc_layers)
    if cfg.layer_pooling or cfg.objective == "both-sides":
        return layers, layers
    if cfg.objective == "query-side":
        return layers, [cfg.query_layer]
    if cfg.objective in SINGLE_VECTOR:
        return [cfg.query_layer], [cfg.query_layer]
    return [cfg.query_layer], layers


def training_layers(cfg: TrainConfig) -> tuple[list[int], list[int]]:
    """(query layers, passage layers) that training encodes: those of search, except that
    single-vector MLR trains on every layer of S (its loss uses them; search does not)."""
    queries, passages = inference_layers(cfg)
    return queries, (list(cfg.doc_layers) if cfg.objective in SINGLE_VECTOR else passages)
