"""Dual-encoder training: in-batch + hard negatives, gradient caching, seeded, cached by config.

`train_config(...)` fixes every choice; `train_encoder(pairs, negatives, config)` returns
the trained encoder, reusing a checkpoint stored under the hash of (config, data).
"""
from __future__ import annotations

import json
import random
import time
from contextlib import nullcontext
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm
from transformers import get_linear_schedule_with_warmup

from .cache import atomic_dir, atomic_write_json, cache_dir, config_hash
from .encoders import LayerPooledEncoder, MultiLayerEncoder, load_encoder, load_model, resolve_model
from .losses import (layer_decorrelation, mlr_multi_vector_loss, query_anchored_mlr_loss, self_anchored_mlr_loss,
                     two_sided_mlr_loss)


SINGLE_VECTOR = ("query-anchored", "self-anchored")
MULTI_QUERY = ("query-side", "both-sides")
OBJECTIVES = ("mlr", *SINGLE_VECTOR, *MULTI_QUERY)
# Keys added after the first checkpoints were cached. They are left out of a config at their default,
# so every config written before them keeps its hash (and its cached checkpoint).
_LATER_DEFAULTS = {"decorrelation": 0.0, "attention": "bidirectional"}


def train_config(model="minilm", doc_layers=(6,), query_layer=6, pooling="cls", normalize=True,
                 temperature=0.05, batch_size=32, hard_negatives=True, steps=150, lr=3e-5,
                 warmup=0.1, q_max_len=32, p_max_len=128, grad_cache_chunk=None, bf16=True,
                 objective="mlr", lam=1.0, layer_pooling=None, head_lr=1e-3, seed=0, decorrelation=0.0,
                 attention="bidirectional") -> dict:
    """Every training choice in one dict (its hash names the checkpoint).

    doc_layers: the layer set S of the passage vectors (S = (L,) is the dual encoder);
    query_layer: the layer of the query's vector; normalize: cosine instead of raw inner
    product (with temperature); grad_cache_chunk: sub-batch size for gradient caching
    (None: one forward for the whole batch).
    objective: "mlr" (multi-vector max-sim InfoNCE; the dual encoder when S = (L,)), or
    single-vector MLR "query-anchored" / "self-anchored" with weight `lam` (S ends with L).
    layer_pooling: None, or a `layer_pooling.POOLERS` kind that pools the layers S into one
    vector for queries and passages alike; its parameters train with learning rate head_lr.
    Multi-vector queries (the symmetric-search open question): "query-side" gives the query the
    vectors of S and the passage its layer `query_layer` alone; "both-sides" gives both the
    vectors of S; the score is the max over every (query vector, passage vector) pair.
    decorrelation: weight gamma of `losses.layer_decorrelation` on the passages' layer vectors.
    attention: "causal" runs the encoder with a causal mask (`encoders.load_model`).
    A loss outside these is passed to `train_encoder` with a `tag` naming it.
    """
    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in locals().items()}
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; use one of {OBJECTIVES}")
    if objective != "mlr" and (layer_pooling or list(doc_layers)[-1] != query_layer):
        raise ValueError(f"objective {objective!r} needs a layer set ending with the query layer L, and no layer pooling")
    if decorrelation < 0:
        raise ValueError("decorrelation (the penalty's weight) must be >= 0")
    return {k: v for k, v in cfg.items() if k not in _LATER_DEFAULTS or v != _LATER_DEFAULTS[k]}


def setting(cfg: dict, key: str):
    """cfg[key], or its default for the keys that configs written before it lack."""
    return cfg.get(key, _LATER_DEFAULTS.get(key))


def inference_layers(cfg) -> tuple[list[int], list[int]]:
    """(query layers, passage layers) that search uses for a model trained with `cfg`.

    Single-vector MLR indexes the last layer alone: S only shapes training. A layer-pooled
    model feeds S to its pooler on both sides (one vector out). Multi-vector MLR indexes S.
    """
    if cfg["layer_pooling"] or cfg["objective"] == "both-sides":
        return cfg["doc_layers"], cfg["doc_layers"]
    if cfg["objective"] == "query-side":
        return cfg["doc_layers"], [cfg["query_layer"]]
    if cfg["objective"] in SINGLE_VECTOR:
        return [cfg["query_layer"]], [cfg["query_layer"]]
    return [cfg["query_layer"]], cfg["doc_layers"]


def training_layers(cfg) -> tuple[list[int], list[int]]:
    """(query layers, passage layers) that training encodes: those of search, except that
    single-vector MLR trains on every layer of S (its loss uses them; search does not)."""
    queries, passages = inference_layers(cfg)
    return queries, (cfg["doc_layers"] if cfg["objective"] in SINGLE_VECTOR else passages)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def represent(encoder: MultiLayerEncoder, texts, max_len, layers, cfg) -> torch.Tensor:
    """Pooled (and optionally normalised) vectors [B, m, H], float32, with gradients."""
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if cfg["bf16"] else nullcontext()
    with autocast:
        reps = encoder(encoder.tokenize(texts, max_len), layers, cfg["pooling"]).float()
    return F.normalize(reps, dim=-1) if cfg["normalize"] else reps


def _chunks(n, size):
    return [slice(s, s + size) for s in range(0, n, size)]


def cached_backward(encoder, groups, loss_fn, chunk: int) -> torch.Tensor:
    """Gradient caching (Gao et al., 2021): the loss of a batch too large for one forward.

    groups: [(texts, max_len, layers, cfg)], one per encoder input (queries, passages).
    1) encode every chunk without graph, remembering its RNG state (dropout masks);
    2) loss on the detached representations, backward to get d loss / d rep;
    3) re-encode each chunk with graph under the same RNG state and push that gradient in.
    The parameter gradients equal those of the one-pass computation.
    """
    reps, states = [], []
    with torch.no_grad():
        for texts, max_len, layers, cfg in groups:
            states.append([])
            parts = []
            for sl in _chunks(len(texts), chunk):
                states[-1].append(torch.get_rng_state())
                parts.append(represent(encoder, texts[sl], max_len, layers, cfg))
            reps.append(torch.cat(parts).requires_grad_())
    loss = loss_fn(*reps)
    loss.backward()
    for (texts, max_len, layers, cfg), rep, rng in zip(groups, reps, states):
        for sl, state in zip(_chunks(len(texts), chunk), rng):
            with torch.random.fork_rng(devices=[]):
                torch.set_rng_state(state)
                represent(encoder, texts[sl], max_len, layers, cfg).backward(rep.grad[sl])
    return loss.detach()


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


def train_step(encoder, queries, passages, cfg, loss_fn) -> torch.Tensor:
    q_layers, p_layers = training_layers(cfg)
    groups = [(queries, cfg["q_max_len"], q_layers, cfg), (passages, cfg["p_max_len"], p_layers, cfg)]
    if cfg["grad_cache_chunk"]:
        return cached_backward(encoder, groups, loss_fn, cfg["grad_cache_chunk"])
    loss = loss_fn(*[represent(encoder, *g) for g in groups])
    loss.backward()
    return loss.detach()


def index_batches(n: int, batch_size: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of indices into n items: seeded shuffles, epoch after epoch (no partial batch)."""
    order = list(range(n))
    rng = random.Random(seed)
    out = []
    while len(out) < steps:
        rng.shuffle(order)
        out += [order[s:s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]
    return out[:steps]


def batches(pairs, negatives, cfg):
    """Seeded order; each batch: (queries, positives followed by the hard negatives)."""
    out = []
    for idx in index_batches(len(pairs), cfg["batch_size"], cfg["steps"], cfg["seed"]):
        passages = [pairs[i]["positive"] for i in idx]
        if cfg["hard_negatives"]:
            passages += [negatives[i] for i in idx]
        out.append(([pairs[i]["query"] for i in idx], passages))
    return out


def optimize(encoder, plan, cfg, step, head=(), progress=True, desc="train") -> list:
    """AdamW with linear warmup and decay over `plan`; `step(batch)` runs forward and backward and
    returns (loss, record). The encoder's pooler and the extra `head` parameters train at head_lr.
    Returns the records, one per step."""
    _seed_everything(cfg["seed"])
    head = [p for n, p in encoder.named_parameters() if n.startswith("pooler.")] + list(head)
    body = [p for n, p in encoder.named_parameters() if not n.startswith("pooler.")]
    opt = torch.optim.AdamW([{"params": body}, {"params": head, "lr": cfg["head_lr"]}], lr=cfg["lr"])
    sched = get_linear_schedule_with_warmup(opt, int(cfg["warmup"] * len(plan)), len(plan))
    encoder.train()
    records = []
    bar = tqdm(plan, desc=desc, disable=not progress, leave=False)
    for batch in bar:
        loss, record = step(batch)
        records.append(record)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        bar.set_postfix(loss=f"{loss:.3f}")
    encoder.eval()
    return records


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
    _seed_everything(cfg["seed"])
    return LayerPooledEncoder(cfg["model"], cfg["layer_pooling"], cfg["doc_layers"],
                              model=load_model(resolve_model(cfg["model"]), attention))


def data_fingerprint(pairs, negatives) -> str:
    return config_hash({"pairs": [(p["query"], p["positive"]) for p in pairs], "negatives": negatives})


def checkpoint_folder(key: dict) -> Path:
    """Where `cached_training` stores the model trained under `key` (it may not exist yet)."""
    return cache_dir("checkpoints", key) / "model"


def cached_training(key: dict, train) -> tuple[MultiLayerEncoder, dict]:
    """Load the checkpoint stored under the hash of `key`, or run `train()` -> (encoder, log),
    timing it, and store both atomically. The log gains train_seconds and the key."""
    model = checkpoint_folder(key)
    folder = model.parent
    if (folder / "train_log.json").exists():
        return load_encoder(model), json.loads((folder / "train_log.json").read_text())
    start = time.perf_counter()
    encoder, log = train()
    log = {**log, "train_seconds": time.perf_counter() - start, "key": key, "cached": False}
    with atomic_dir(folder) as tmp:
        encoder.save(tmp / model.name)
        atomic_write_json(tmp / "train_log.json", {**log, "cached": True})
    return encoder, log


def train_encoder(pairs, negatives, cfg, loss_fn=None, tag="mlr", progress=True):
    """Train from `cfg["model"]`, or load the checkpoint cached for (cfg, data, tag).

    Returns (encoder, log) where log has the per-step losses and the training time.
    A custom `loss_fn` must be named by `tag` so its checkpoints are kept apart.
    """
    def train():
        encoder = build_encoder(cfg)
        return encoder, {"losses": fit(encoder, pairs, negatives, cfg, loss_fn, progress)}
    return cached_training({"config": cfg, "data": data_fingerprint(pairs, negatives), "tag": tag}, train)
