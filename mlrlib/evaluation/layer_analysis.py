"""Layer analyses: every layer as a zero-shot retriever, and how alike the layers' vectors are."""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.corpus import corpus_vectors
from mlrlib.evaluation.metrics import evaluate_runs, run_of
from mlrlib.methods.encoders import MultiLayerEncoder


def encode_corpus(encoder: MultiLayerEncoder, data: RetrievalData, layers, enc, poolings=("cls",), normalize=True):
    """{pooling: [N, m, H]} corpus vectors of `layers` (in memory, or stored on disk: `corpus.corpus_vectors`)."""
    if not enc.get("store"):  # one pass for every pooling
        return encoder.encode(data.corpus_texts, layers, poolings=poolings, batch_size=enc["batch_size"],
                              max_length=enc["p_max_len"], bf16=enc["bf16"], normalize=normalize)
    return {p: corpus_vectors(encoder, data.corpus_texts, layers, p, normalize, enc) for p in poolings}


def zero_shot_layers(encoder: MultiLayerEncoder, data: RetrievalData, split: str, enc,
                     runs: dict | None = None, centre: bool = False) -> tuple[pd.DataFrame, dict]:
    """Each layer's [CLS] and mean vector as a single-vector retriever (cosine), no training.

    Queries use the same layer and pooling as the passages. One corpus pass gives all layers. With `centre`, each
    layer is also searched with its corpus mean subtracted (`centred`), from the same encoding, and the table gains a
    column `vectors` ("raw" | "centred").
    Returns (long metric table with columns layer/pooling, unit corpus vectors {pooling: [N, L+1, H]});
    a `runs` dict given is filled with {(pooling, layer): ranx Run} (centred: {(pooling, layer, "centred"): Run}).
    """
    L = encoder.num_layers
    layers = list(range(L + 1))
    corpus = encode_corpus(encoder, data, layers, enc, ("cls", "mean"), normalize=not centre)
    texts = data.split(split).texts
    frames, unit = [], {}
    for pooling in ("cls", "mean"):
        queries = encoder.encode(texts, layers, poolings=(pooling,), batch_size=enc["batch_size"],
                                 max_length=enc["q_max_len"], bf16=enc["bf16"], normalize=not centre)[pooling]
        if not centre:
            frames.append(layer_retrieval(data, split, queries, corpus[pooling], pooling, runs))
            continue
        unit[pooling] = unit_vectors(corpus[pooling])  # bit for bit the vectors encoded normalised
        found: dict = {}
        frames.append(layer_retrieval(data, split, unit_vectors(queries), unit[pooling], pooling, runs)
                      .assign(vectors="raw"))
        frames.append(layer_retrieval(data, split, *centred(queries, corpus[pooling]), pooling, found)
                      .assign(vectors="centred"))
        if runs is not None:
            runs.update({(*key, "centred"): run for key, run in found.items()})
    return pd.concat(frames, ignore_index=True), (unit if centre else corpus)


def layer_retrieval(data: RetrievalData, split: str, queries: np.ndarray, corpus: np.ndarray, pooling: str,
                    runs: dict | None = None) -> pd.DataFrame:
    """Layer l's query vectors queries[:, l] searching the passages' corpus[:, l] (inner product: cosine for unit
    vectors), for every layer l = 0..L in the arrays ([Q, L+1, H] and [N, L+1, H]): `evaluate_runs`'s long table
    with columns layer/pooling added. A `runs` dict given is filled with {(pooling, layer): ranx Run}."""
    qrels = data.split(split).qrels
    frames = []
    for l in range(corpus.shape[1]):
        run = run_of(f"{pooling}-{l}", data, split, queries[:, l], corpus[:, l])
        frames.append(evaluate_runs(qrels, [run]).assign(layer=l, pooling=pooling))
        if runs is not None:
            runs[(pooling, l)] = run
    return pd.concat(frames, ignore_index=True)


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
    """`vectors` scaled to unit length along the last axis by the same torch operation as
    `MultiLayerEncoder.encode(normalize=True)`, so they equal, bit for bit, the vectors encoded normalised."""
    return torch.nn.functional.normalize(torch.from_numpy(np.ascontiguousarray(vectors, np.float32)), dim=-1).numpy()


def centred(queries: np.ndarray, corpus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(queries, corpus) with each layer's mean passage vector (over the corpus, of the vectors as given: unnormalised
    for a raw encoding) subtracted from both, then scaled to unit length. [Q, n, H], [N, n, H] -> the same shapes.
    It removes the direction every passage of a layer shares, which cosine otherwise counts as similarity."""
    mean = np.asarray(corpus, np.float64).mean(0, keepdims=True).astype(np.float32)  # [1, n, H]
    return unit_vectors(queries - mean), unit_vectors(corpus - mean)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True).clip(1e-12)


def layer_cosine(vectors: np.ndarray) -> np.ndarray:
    """[N, n_layers, H] -> [n_layers, n_layers]: mean over passages of cos(cls_a, cls_b)."""
    unit = _unit(vectors)
    return np.einsum("nah,nbh->ab", unit, unit) / len(unit)


def cross_passage_cosine(vectors: np.ndarray) -> np.ndarray:
    """[N, n_layers, H] -> [n_layers]: mean cos(cls_l(d_i), cls_l(d_j)) over pairs i != j.

    Near 1 means the layer gives (almost) every passage the same vector: it cannot tell
    passages apart, whatever its similarity to the other layers.
    """
    unit = _unit(vectors)
    total = unit.sum(0)  # [n_layers, H]
    n = len(unit)
    return ((total * total).sum(-1) - n) / (n * (n - 1))


def held_out_passages(data: RetrievalData, splits=("dev", "test")) -> list[int]:
    """Corpus rows relevant to held-out (never trained on) queries."""
    wanted = {p for s in splits for rel in data.qrels.get(s, {}).values() for p in rel}
    return [i for i, pid in enumerate(data.corpus_ids) if pid in wanted]


def layer_by_layer(encoders: dict, data, split: str, enc: dict, runs: dict | None = None,
                   centre: bool = False) -> pd.DataFrame:
    """Each encoder's every layer, mean and [CLS], as a zero-shot retriever: a long table with model/layer/pooling
    (and `vectors`, raw and centred, with `centre`). A `runs` dict given is filled with
    {(model, pooling, layer): ranx Run} (centred: {(model, pooling, layer, "centred"): Run})."""
    tables = []
    for name, e in encoders.items():
        found: dict = {}
        tables.append(zero_shot_layers(e, data, split, enc, found, centre)[0].assign(model=name))
        if runs is not None:
            runs.update({(name, *key): run for key, run in found.items()})
    return pd.concat(tables, ignore_index=True)


def m_curve(points: pd.DataFrame, gamma: float, metric: str = "MRR@10") -> pd.DataFrame:
    """The m curve at penalty weight gamma, starting from the DE (m = 1, no penalty)."""
    d = points[(points.metric == metric) & ((points.gamma == gamma) | (points.m == 1))]
    return d.sort_values("m")
