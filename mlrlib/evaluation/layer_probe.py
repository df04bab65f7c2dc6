"""Would MLR help this model? Every layer of a pre-trained encoder probed on one dataset, with no training.

`probe_layers(encoder, data, split, enc, pooling)` measures, from one encoding of the corpus and of the queries:
- each layer l = 0..L (0 = embeddings) as a zero-shot retriever: queries and passages both take layer l's pooled
  vector, scored by cosine (MRR@10, Top-5, Top-20; the same numbers as notebook 01's `zero_shot_layers`), both
  "raw" and "centred" (the layer's mean passage vector subtracted from queries and passages before normalising);
- how alike the layers are: the [L+1, L+1] mean over passages of cos(v_i(d), v_j(d)) (`layer_cosine`);
- MLR's premise (`premises.lower_layer_share`), for S = the last 4 layers and S = {L-1, L}: the share of the
  max-sim scores s(q, d) = max_{l in S} <v_L(q), v_l(d)> over each query's top 10 whose max is won by a layer other
  than L. Below `LOWER_LAYER_THRESHOLD` (5%), a max over S ranks as the last layer alone: MLR on S cannot differ
  from the dual encoder before training moves the layers apart.
`python -m mlrlib layers` prints it (`runtime.cli`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.layer_analysis import centred, encode_corpus, layer_cosine, layer_retrieval, unit_vectors
from mlrlib.evaluation.premises import LOWER_LAYER_THRESHOLD, PREMISE_K, lower_layer_share
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.layer_sets import last_few

PROBE_METRICS = ("MRR@10", "Top-5", "Top-20")
VARIANTS = ("raw", "centred")


@dataclass(frozen=True)
class PremiseShare:
    """`lower_layer_share` for one passage layer set S: the share (in [0, 1]) of the top-10 max-sim scores that a
    layer of S other than L wins."""
    name: str
    layers: tuple[int, ...]
    share: float

    @property
    def lower_layers_decide(self) -> bool:
        """Whether the share reaches LOWER_LAYER_THRESHOLD: then the max over S can rank otherwise than layer L."""
        return self.share >= LOWER_LAYER_THRESHOLD


@dataclass(frozen=True)
class LayerProbe:
    """What `probe_layers` measured.

    metrics: long table (layer, variant "raw" | "centred", metric in PROBE_METRICS, value = the mean over the
      split's queries, in [0, 1]); cosine: [L+1, L+1] mean over passages of the cosine between two layers' vectors
      of the same passage (unit diagonal); premise: one PremiseShare per layer set."""
    pooling: str
    num_layers: int
    queries: int
    passages: int
    metrics: pd.DataFrame
    cosine: np.ndarray
    premise: tuple[PremiseShare, ...]

    def value(self, layer: int, variant: str, metric: str) -> float:
        m = self.metrics
        return float(m[(m.layer == layer) & (m.variant == variant) & (m.metric == metric)].value.iloc[0])

    def to_dict(self) -> dict:
        """JSON-ready: metrics unrounded (they equal `zero_shot_layers`'s), the cosine matrix to 6 decimals."""
        per_layer = [{"layer": layer, **{v: {m: self.value(layer, v, m) for m in PROBE_METRICS} for v in VARIANTS}}
                     for layer in range(self.num_layers + 1)]
        sets = [{"name": p.name, "layers": list(p.layers), "lower_layer_share": p.share,
                 "at_least_threshold": p.lower_layers_decide, "verdict": premise_verdict(p)} for p in self.premise]
        return {"pooling": self.pooling, "num_layers": self.num_layers, "queries": self.queries,
                "passages": self.passages, "per_layer": per_layer, "layer_cosine": self.cosine.round(6).tolist(),
                "premise": {"k": PREMISE_K, "threshold": LOWER_LAYER_THRESHOLD, "query_layer": self.num_layers,
                            "sets": sets}}


def premise_verdict(p: PremiseShare) -> str:
    """One sentence: what the share says of a max over the layers of S."""
    if p.lower_layers_decide:
        return (f"{100 * p.share:.1f}% >= {100 * LOWER_LAYER_THRESHOLD:g}%: a layer below L wins enough scores, "
                "so the max over layers can rank otherwise than the last layer")
    return (f"{100 * p.share:.1f}% < {100 * LOWER_LAYER_THRESHOLD:g}%: the max over layers ranks as the last layer "
            "alone (MLR on this set starts as the dual encoder)")


def premise_sets(L: int) -> dict[str, list[int]]:
    """The passage layer sets S whose premise the probe reads: the last 4 layers and {L-1, L}."""
    return {"last 4": last_few(L, min(4, L + 1)), "{L-1, L}": [max(L - 1, 0), L]}


def probe_layers(encoder: MultiLayerEncoder, data: RetrievalData, split: str, enc: dict,
                 pooling: str = "cls") -> LayerProbe:
    """Probe every layer of `encoder` on `data`'s `split` (see the module's docstring). enc: batch_size, q_max_len,
    p_max_len, bf16 (and store), as notebook 01's presets give them. The corpus and the queries are each encoded
    once, unnormalised, for all layers; the raw metrics search their unit vectors, bit for bit those that
    `zero_shot_layers` searches."""
    L = encoder.num_layers
    layers = list(range(L + 1))
    corpus = encode_corpus(encoder, data, layers, enc, (pooling,), normalize=False)[pooling]
    texts = data.split(split).texts
    queries = encoder.encode(texts, layers, poolings=(pooling,), batch_size=enc["batch_size"],
                             max_length=enc["q_max_len"], bf16=enc["bf16"])[pooling]
    unit_q, unit_p = unit_vectors(queries), unit_vectors(corpus)
    tables = {"raw": layer_retrieval(data, split, unit_q, unit_p, pooling),
              "centred": layer_retrieval(data, split, *centred(queries, corpus), pooling)}
    metrics = pd.concat([t[t.metric.isin(PROBE_METRICS)].assign(variant=v) for v, t in tables.items()],
                        ignore_index=True)[["layer", "variant", "metric", "value"]]
    premise = tuple(PremiseShare(name, tuple(s), lower_layer_share(unit_q[:, L], unit_p[:, s], s, L))
                    for name, s in premise_sets(L).items())
    return LayerProbe(pooling, L, len(texts), len(data.corpus_ids), metrics, layer_cosine(unit_p), premise)
