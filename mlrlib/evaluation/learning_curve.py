"""Learning curves: a dual encoder's dev quality at several points of one training run, and where it flattens.

One run of `cfg` (its `steps` the last point) is evaluated on the dev split after each step in `at_steps`, and
before training (step 0). The snapshots sit on that run's schedule (linear decay to its last step), so a point
before the end is a model whose learning rate has not yet decayed; a model trained for that many steps on its own
schedule is at least as far along, so `plateau_step` chooses conservatively. Evaluation draws on no random
generator, so the run's final weights are those of training `cfg` alone (tested), and they are stored as that
config's checkpoint: the curve's last point costs no second training.

A multi-vector model's curve (MLR, |S| > 1) also records, at every point, the premise of its claims
(`premises.lower_layer_share`): the share of the dev max-sim scores over each query's top 10 won by a layer
below L, so a reader sees whether the other layers ever decide a score, and when.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.experiment import encode_queries, evaluate_model
from mlrlib.evaluation.metrics import METRICS, per_query
from mlrlib.evaluation.premises import lower_layer_share
from mlrlib.runtime.cache import atomic_write_json, cache_dir
from mlrlib.training.checkpoints import cached_training, checkpoint_folder
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import build_encoder, encoder_key, fit
from mlrlib.training.negatives import training_data

_NAMES = {label: name for name, label in METRICS.items()}


SHARE = "lower-layer share"  # the curve column of `premises.lower_layer_share` (multi-vector models only)


def is_multi_vector(cfg: TrainConfig) -> bool:
    """Does `cfg` search several vectors per passage with a max over layers (multi-vector MLR)?"""
    return cfg.objective == "mlr" and not cfg.layer_pooling and len(cfg.doc_layers) > 1


def dev_point(encoder, cfg: TrainConfig, data: RetrievalData, enc: dict, metric: str, split: str = "dev") -> dict:
    """{metric: mean `metric` (a label of `metrics.METRICS`, e.g. "MRR@10") of `encoder` searching `split`}, and for a
    multi-vector model {SHARE: the share of its max-sim scores won by a layer below L} as well."""
    runs, passages = evaluate_model("curve", encoder, cfg, data, enc, (split,))
    point = {metric: float(np.mean(per_query(data.split(split).qrels, runs[split], (_NAMES[metric],))[_NAMES[metric]]))}
    if is_multi_vector(cfg):
        queries = encode_queries(encoder, data.split(split).texts, cfg, enc)
        point[SHARE] = lower_layer_share(queries, np.asarray(passages), cfg.doc_layers, cfg.query_layer)
    return point


def fingerprint(data: RetrievalData, split: str) -> str:
    """A hash of what a curve searches: the corpus's passage ids and texts and the split's queries and judgements (the
    training key does not name the corpus, and two corpus samples can share a name and a size)."""
    digest = hashlib.sha256()
    for part in (data.corpus_ids, data.corpus_texts, data.split(split)):
        digest.update(json.dumps(part, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def learning_curve(data: RetrievalData, cfg: TrainConfig, at_steps, enc: dict, metric: str = "MRR@10",
                   split: str = "dev", progress=None, eval_data: RetrievalData | None = None) -> pd.DataFrame:
    """Columns step, `metric`, loss (mean training loss since the previous point), and SHARE for a multi-vector
    model: one row per step of
    `at_steps` and step 0. Trains `cfg.replace(steps=max(at_steps))` on `data` once and scores `split` of
    `eval_data` (default `data`; e.g. `data.with_corpus_sample(split, n)`, cheaper to encode at every point);
    cached by config, data, evaluation corpus and points."""
    cfg = cfg.replace(steps=max(at_steps))
    pairs, negatives = training_data(data, cfg.hard_negatives)

    def train(after_step):
        encoder = build_encoder(cfg)
        return encoder, {"losses": fit(encoder, pairs, negatives, cfg, progress=progress, after_step=after_step)}
    return tracked_curve(encoder_key(cfg, pairs, negatives), cfg, lambda: build_encoder(cfg), train, at_steps,
                         data if eval_data is None else eval_data, enc, metric, split)


def tracked_curve(key: dict, cfg: TrainConfig, untrained, train, at_steps, eval_data: RetrievalData, enc: dict,
                  metric: str = "MRR@10", split: str = "dev") -> pd.DataFrame:
    """The learning curve of any trainer of dual encoders (`learning_curve`'s, DE-l's).

    `train(after_step)` -> (encoder, log with "losses") trains the model whose checkpoint is stored under `key`
    for max(at_steps) steps and calls `after_step(step, encoder)` after each step; `untrained()` is the model
    at step 0; `cfg` says how the model encodes (layers, pooling)."""
    at = sorted(set(at_steps))
    curve_key = {"train": key, "at": at, "metric": metric, "split": split, "encode": enc,
                 "evaluated_on": fingerprint(eval_data, split)}
    columns = ["step", metric, "loss"]
    if is_multi_vector(cfg):  # (a DE's curve keeps the key it always had)
        curve_key["measures"] = [SHARE]
        columns = ["step", metric, SHARE, "loss"]
    path = cache_dir("curves", curve_key) / "curve.json"
    if path.exists():
        return pd.read_json(path, orient="records")[columns]
    rows = [{"step": 0, **dev_point(untrained().eval(), cfg, eval_data, enc, metric, split), "loss": None}]

    def record(step: int, encoder) -> None:
        if step in at:
            rows.append({"step": step, **dev_point(encoder, cfg, eval_data, enc, metric, split)})
    if (checkpoint_folder(key).parent / "train_log.json").exists():
        _, log = train(record)  # trained before without this curve: train again to read it, keep the stored checkpoint
    else:
        _, log = cached_training(key, lambda: train(record))
    for row, start, end in zip(rows[1:], [0, *at[:-1]], at):
        row["loss"] = float(np.mean(log["losses"][start:end]))
    table = pd.DataFrame(rows)[columns]
    atomic_write_json(path, table.to_dict("records"))
    return table


def curve_steps(steps: int, points: int) -> list[int]:
    """`points` evenly spaced evaluation steps ending at `steps` (a learning curve's x axis)."""
    return sorted({max(1, round(steps * k / points)) for k in range(1, points + 1)})  # step 0 is always evaluated


def plateau_step(curve: pd.DataFrame, metric: str = "MRR@10", tolerance: float = 0.01) -> int | None:
    """The first evaluated step after which `metric` never rises by more than `tolerance` (absolute, e.g. 0.01 =
    one point of MRR@10); None when only the last point qualifies (the curve had not flattened)."""
    steps, values = curve["step"].to_numpy(), curve[metric].to_numpy()
    for i in range(len(steps) - 1):
        if values[i + 1:].max() - values[i] <= tolerance:
            return int(steps[i])
    return None


def plateau_text(step: int | None, steps: int) -> str:
    """What `plateau_step` found, in words, for a curve that ends at `steps`."""
    if step is None:
        return f"still rising at step {steps}: not flattened within the budget"
    return f"flat (within 1 point) from step {step} of {steps}"
