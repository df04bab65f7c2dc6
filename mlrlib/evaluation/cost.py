"""What a model costs, measured: index size, per-query latency, seconds per training step,
encoding throughput and FLOPs.

Timings interleave the systems compared (one query or step of each in turn) so that a
slow patch of the machine hits all of them alike; report ratios, not absolute times.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

import numpy as np
import pandas as pd
from torch.utils.flop_counter import FlopCounterMode

from mlrlib.evaluation.experiment import encode_queries
from mlrlib.methods.cross_encoder import eager_attention
from mlrlib.methods.search import MultiVectorIndex
from mlrlib.training.batches import batches
from mlrlib.training.dual_encoder import build_encoder, loss_for
from mlrlib.training.step import adamw, memory_options, train_step


def index_cost(passages: np.ndarray) -> dict:
    """Vectors stored and bytes of the exact index (float32 vectors)."""
    index = MultiVectorIndex(passages)
    return {"vectors": index.n * index.m, "bytes": index.nbytes}


def query_latency(systems: dict, texts, enc: dict, k: int = 100) -> pd.DataFrame:
    """Per-query latency of encode-one-query + search, for each system in turn on each query.

    systems: {name: (encoder, cfg, passages [N, m, H])}. Returns one row per system with the
    median and 90th percentile in milliseconds and the median's ratio to the first system.
    """
    table = pipeline_latency({name: (*system, None) for name, system in systems.items()}, texts, None, enc, k)
    return table.drop(columns="retrieve_median_ms")


def interleaved_times(steppers: dict, plan) -> dict[str, list[float]]:
    """Seconds of `stepper(item)` for each system on every item of `plan`, the systems in rotating
    order on each item (a slow patch of the machine hits all alike); the first item warms up and
    is not timed."""
    times = {name: [] for name in steppers}
    names = list(steppers)
    for i, item in enumerate(plan):
        for name in names[i % len(names):] + names[:i % len(names)]:  # rotate who goes first
            start = time.perf_counter()
            steppers[name](item)
            if i:
                times[name].append(time.perf_counter() - start)
    return times


def interleaved_step_seconds(steppers: dict, plan) -> pd.DataFrame:
    """Median seconds of `stepper(batch)` for each system on the same batches (`interleaved_times`).
    Ratio to the first."""
    times = interleaved_times(steppers, plan)
    table = pd.DataFrame({"seconds_per_step": {n: float(np.median(t)) for n, t in times.items()}})
    table.index.name = "system"
    return table.assign(ratio=table.seconds_per_step / table.seconds_per_step.iloc[0])


def optimizer_step(step, opt, model, cfg, kernel=nullcontext):
    """A stepper for `interleaved_step_seconds`: step(batch) (forward and backward), then `opt`, as training runs
    it: with `cfg`'s checkpointing and frozen embeddings over the Hugging Face `model`, inside `kernel()` (the
    attention kernel)."""
    def run(batch):
        with kernel(), memory_options(model, cfg):
            step(batch)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return run


def shared_students(cfgs: dict) -> dict[str, tuple]:
    """{name: (encoder, AdamW)} with ONE encoder and optimizer per distinct architecture among `cfgs`.

    A timed step needs the config's shapes, not weights of its own; giving every config its own
    model and AdamW state (~270 MB each for MiniLM) spiked the notebooks' memory past Binder's 2 GB.
    Steppers that share an encoder also share its optimizer (extra heads join as parameter groups).
    """
    built, out = {}, {}
    for name, cfg in cfgs.items():
        arch = (cfg.model, cfg.layer_pooling, tuple(cfg.doc_layers) if cfg.layer_pooling else None,
                cfg.attention)
        if arch not in built:
            encoder = build_encoder(cfg).train()
            built[arch] = (encoder, adamw(encoder.parameters(), cfg))
        out[name] = built[arch]
    return out


def train_step_seconds(cfgs: dict, pairs, steps: int = 3) -> pd.DataFrame:
    """Seconds per training step (forward, loss, backward, optimizer) of each config, on the
    same batches, after one warm-up step each; ratio to the first config."""
    steppers = {}
    for name, (encoder, opt) in shared_students(cfgs).items():
        cfg = cfgs[name]
        steppers[name] = optimizer_step(lambda b, e=encoder, c=cfg, f=loss_for(cfg): train_step(e, *b, c, f), opt,
                                        encoder.model, cfg)
    first = next(iter(cfgs.values()))
    return interleaved_step_seconds(steppers,
                                    batches(pairs, [], first.replace(hard_negatives=False, steps=steps + 1)))


def encoding_flops(encoder, layer: int, texts, enc: dict) -> int:
    """Floating-point operations of encoding `texts` to layer `layer` (mean pooling), counted by
    torch's FlopCounterMode on the batches `encode` really runs (length-sorted, padded). The
    eager attention kernel is used while counting so that attention's matmuls are counted too
    (the fused CPU kernel is invisible to the counter)."""
    with eager_attention(encoder.model), FlopCounterMode(display=False) as counter:
        encoder.encode(texts, [layer], poolings=("mean",), batch_size=enc["batch_size"], max_length=enc["p_max_len"],
                       bf16=enc["bf16"])
    return int(counter.get_total_flops())


def encoding_throughput(encoders: dict, texts, enc: dict, repeats: int = 5) -> pd.DataFrame:
    """Passages per second of each encoder on the same `texts`, timed `repeats` times after one
    untimed warm-up pass, the encoders in rotating order; the median, and its ratio to the first.

    encoders: {name: (MultiLayerEncoder, layer)}: each encodes to its `layer` with mean pooling."""
    def encode(encoder, layer):
        return lambda _: encoder.encode(texts, [layer], poolings=("mean",), batch_size=enc["batch_size"],
                                        max_length=enc["p_max_len"], bf16=enc["bf16"])
    times = interleaved_times({name: encode(*e) for name, e in encoders.items()}, range(repeats + 1))
    table = pd.DataFrame({"passages_per_second": {n: len(texts) / float(np.median(t)) for n, t in times.items()},
                          "seconds_min": {n: min(t) for n, t in times.items()},
                          "seconds_max": {n: max(t) for n, t in times.items()}})
    table.index.name = "system"
    return table.assign(speedup=table.passages_per_second / table.passages_per_second.iloc[0])


def pipeline_latency(systems: dict, texts, corpus_texts, enc: dict, depth: int) -> pd.DataFrame:
    """Per-query latency of retrieve (encode the query, search the index) and, for systems with a
    ranker, re-rank (score the top `depth` (query, passage) pairs), each system in turn per query.

    systems: {name: (encoder, cfg, passages [N, m, H], ranker or None)}. Median and 90th
    percentile in ms, the median's ratio to the first system, and the retrieval share of it."""
    indexes = {name: MultiVectorIndex(p) for name, (_, _, p, _) in systems.items()}
    total, retrieve = ({name: [] for name in systems} for _ in range(2))
    for text in texts:
        for name, (encoder, cfg, _, ranker) in systems.items():
            start = time.perf_counter()
            _, hits = indexes[name].search(encode_queries(encoder, [text], cfg, enc), depth)
            retrieve[name].append(time.perf_counter() - start)
            if ranker is not None:
                ranker.score([text] * len(hits[0]), [corpus_texts[i] for i in hits[0]], enc["q_max_len"],
                             enc["p_max_len"], enc["batch_size"], enc["bf16"])
            total[name].append(time.perf_counter() - start)
    table = pd.DataFrame([{"system": n, "median_ms": 1e3 * np.median(t), "p90_ms": 1e3 * np.quantile(t, 0.9),
                           "retrieve_median_ms": 1e3 * np.median(retrieve[n])} for n, t in total.items()])
    table = table.set_index("system")
    return table.assign(ratio=table.median_ms / table.median_ms.iloc[0])


def parameter_counts(encoders: dict) -> pd.DataFrame:
    """Parameters of each encoder, in total and outside the embedding layer, and transformer layers kept."""
    rows = []
    for name, e in encoders.items():
        total = sum(p.numel() for p in e.model.parameters())
        emb = sum(p.numel() for p in e.model.embeddings.parameters())
        rows.append({"system": name, "layers": len(e.model.encoder.layer), "parameters": total,
                     "non-embedding parameters": total - emb})
    return pd.DataFrame(rows).set_index("system")
