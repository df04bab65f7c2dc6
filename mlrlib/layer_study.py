"""Notebook 01, the layer-selection study (MLR, seed 000; METHODS.md §1), as functions."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .bm25 import BM25
from .encoders import MultiLayerEncoder
from .metrics import evaluate_runs, make_run, search_run
from .experiment import TOP_K, LazyEncoders, train_all
from .retrieval_data import RetrievalData
from .training import train_config


def last_few(L: int, m: int) -> list[int]:
    """The last m layers: {L-m+1, ..., L}."""
    return list(range(L - m + 1, L + 1))


def uniform(L: int, m: int) -> list[int]:
    """m layers spread evenly and ending at L: round(k L / m), k = 1..m ({2, 3, 5, 6} for L=6, m=4)."""
    return [(k * L + m // 2) // m for k in range(1, m + 1)]


def layer_sets(L: int, m_sweep) -> dict[str, list[int]]:
    """Named layer sets S of the study: the dual encoder, 'last few', uniform, and the m sweep."""
    sets = {"DE (last layer)": [L], f"MLR {{L-1,L}}": last_few(L, 2), f"MLR {{L-2,L}}": [L - 2, L],
            "MLR last-4": last_few(L, 4), "MLR uniform-4": uniform(L, 4)}
    for m in m_sweep:
        if last_few(L, m) not in sets.values():
            sets[f"MLR last-{m}"] = last_few(L, m)
    return sets


def encode_corpus(encoder: MultiLayerEncoder, data: RetrievalData, layers, enc, poolings=("cls",), normalize=True):
    return encoder.encode(data.corpus_texts, layers, poolings, enc["batch_size"], enc["p_max_len"],
                          enc["bf16"], normalize)


def encode_queries(encoder: MultiLayerEncoder, texts, layer, enc, pooling="cls", normalize=True) -> np.ndarray:
    return encoder.encode(texts, [layer], (pooling,), enc["batch_size"], enc["q_max_len"], enc["bf16"],
                          normalize)[pooling][:, 0]


def run_of(name, data, split, q_vecs, p_vecs, k=TOP_K):
    return search_run(name, data.split(split)[0], q_vecs, p_vecs, data.corpus_ids, k)


def bm25_run(data: RetrievalData, split: str, bm25: BM25 | None = None):
    bm25 = bm25 or BM25(data.corpus_texts)
    ids, texts, _ = data.split(split)
    scores, hits = bm25.search(texts, TOP_K)
    return make_run(ids, hits, scores, data.corpus_ids, "BM25")


def zero_shot_layers(encoder: MultiLayerEncoder, data: RetrievalData, split: str, enc) -> tuple[pd.DataFrame, dict]:
    """Each layer's [CLS] and mean vector as a single-vector retriever (cosine), no training.

    Queries use the same layer and pooling as the passages. One corpus pass gives all layers.
    Returns (long metric table with columns layer/pooling, corpus vectors {pooling: [N, L+1, H]}).
    """
    L = encoder.num_layers
    layers = list(range(L + 1))
    corpus = encode_corpus(encoder, data, layers, enc, ("cls", "mean"))
    _, texts, qrels = data.split(split)
    frames = []
    for pooling in ("cls", "mean"):
        queries = encoder.encode(texts, layers, (pooling,), enc["batch_size"], enc["q_max_len"], enc["bf16"],
                                 True)[pooling]
        for l in layers:
            run = run_of(f"{pooling}-{l}", data, split, queries[:, l], corpus[pooling][:, l])
            frames.append(evaluate_runs(qrels, [run]).assign(layer=l, pooling=pooling))
    return pd.concat(frames, ignore_index=True), corpus


def fine_tune_layer_sets(data: RetrievalData, sets: dict, model: str, num_layers: int, train: dict, enc: dict,
                         seed: int, splits=("dev", "test"), progress=True):
    """Train one model per layer set S and evaluate its multi-vector (max-sim) search.

    Returns ({split: [runs]}, {name: train log}, {name: encoder}, {name: corpus vectors [N, m, H]});
    encoders and vectors are kept so later cells can inspect them without re-encoding.
    """
    configs = {name: train_config(model=model, doc_layers=layers, query_layer=num_layers, seed=seed, **train)
               for name, layers in sets.items()}
    trained = train_all(data, configs, enc, splits=splits, progress=progress)
    runs = {s: [m.runs[s] for m in trained.values()] for s in splits}
    return (runs, {n: m.log for n, m in trained.items()}, LazyEncoders(trained),
            {n: m.passages for n, m in trained.items()})


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


def claims_table(test: pd.DataFrame, sets: dict, cosine_ft: np.ndarray, L: int) -> pd.DataFrame:
    """The paper's claims for this study, each checked against what was measured here."""
    v = test.pivot(index="system", columns="metric", values="value")
    sig = test.pivot(index="system", columns="metric", values="significant")
    mlr = [n for n in v.index if n.startswith("MLR")]
    best = max(mlr, key=lambda n: v.loc[n, "Top-20"])
    m_of = {n: len(sets[n]) for n in v.index if n in sets and sets[n] == last_few(L, len(sets[n]))}
    curve = sorted((m, v.loc[n, "Top-20"]) for n, m in m_of.items())
    peak_m = max(curve, key=lambda x: x[1])[0]
    top = L - 3
    off = cosine_ft[top:, top:][~np.eye(L + 1 - top, dtype=bool)]

    def row(claim, paper, here, holds):
        return {"claim (paper)": claim, "paper": paper, "here": here, "holds": "yes" if holds else "no"}

    def pct(n, m="Top-20"):
        return f"{100 * v.loc[n, m]:.1f}"

    return pd.DataFrame([
        row("multi-vector MLR beats the dual encoder", "yes (NQ, TQA, SQuAD)",
            f"best MLR {best}: Top-20 {pct(best)} vs DE {pct('DE (last layer)')}"
            f" (difference {'' if sig.loc[best, 'Top-20'] else 'not '}significant at p < 0.05)",
            v.loc[best, "Top-20"] > v.loc["DE (last layer)", "Top-20"]),
        row("last layers beat uniformly spread layers (m=4)", "last-4 > uniform-4",
            f"last-4 {pct('MLR last-4')} vs uniform-4 {pct('MLR uniform-4')} (Top-20)",
            v.loc["MLR last-4", "Top-20"] > v.loc["MLR uniform-4", "Top-20"]),
        row("S={L-1,L} is the best 2-vector set", "{10,12} best on BERT-base",
            f"{{L-1,L}} {pct('MLR {L-1,L}')} vs {{L-2,L}} {pct('MLR {L-2,L}')} (Top-20)",
            v.loc["MLR {L-1,L}", "Top-20"] >= v.loc["MLR {L-2,L}", "Top-20"]),
        row("accuracy peaks near m=4 and falls beyond", "best at m=4",
            "Top-20 by m: " + ", ".join(f"{m}: {100 * a:.1f}" for m, a in curve), peak_m in (3, 4)),
        row("layer [CLS] vectors are highly correlated", "stated, not measured",
            f"mean cosine among the last 4 layers (fine-tuned, held-out passages): {off.mean():.2f}",
            off.mean() > 0.5),
    ])
