"""The training config: every choice of one dual-encoder training run, and the layers it encodes."""
from __future__ import annotations

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
