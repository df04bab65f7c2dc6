"""Encoding speed: mlrlib's multi-layer encoder against sentence-transformers, all layers against the
last one, and truncated encoders against their FLOP ratio.

    python benchmarks/encoding.py            # 2,000 passages of notebook 01's laptop benchmark (about 4 min)
    python benchmarks/encoding.py --quick    # 16 passages of the smoke benchmark cut to 32 tokens, one repetition
                                             # (a check that it runs; written to build/bench-quick/)

1. Throughput (passages/s) on the same passages and model (all-MiniLM-L6-v2, mean pooling,
   normalised, 128 tokens as in the notebooks), each system at its best batch size; target >= 1.3x, with every
   passage's embedding within cosine 0.999 of sentence-transformers'.
2. Every layer's vector (one pass, 7 vectors) against the last layer's only: target <= 1.05x time.
3. Truncated encoders (first l of 6 layers): measured speedup over the full encoder against the
   FLOP ratio counted by torch's FlopCounterMode on the same batches: target >= 0.85 of it.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from common import Report, benchmark_data, interleaved_medians

from mlrlib.evaluation.cost import encoding_flops, encoding_throughput
from mlrlib.methods.encoders import MultiLayerEncoder, default_model_path

MAX_LEN = 128  # the notebooks encode passages to 128 tokens (presets `encode.p_max_len`)
GRID_TEXTS = 192  # passages the batch size is chosen on
SUBSET = 400  # passages of the per-pass ratios (all layers, truncated)


def st_encoder():
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(default_model_path(), device="cpu")
    model.max_seq_length = MAX_LEN
    return model


def st_encode(model, texts, batch_size):
    return model.encode(texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True)


def ours_encode(encoder, texts, batch_size, layers=(6,), bf16=True):
    return encoder.encode(texts, list(layers), poolings=("mean",), batch_size=batch_size, max_length=MAX_LEN, bf16=bf16,
                          normalize=True)["mean"]


def best_batch(fns: dict, texts, sizes) -> tuple[dict, dict]:
    """Median seconds of each system at each batch size on `texts` (interleaved), and each
    system's best size."""
    grid = interleaved_medians({(name, b): (lambda f=f, b=b: f(texts, b)) for name, f in fns.items() for b in sizes},
                               repeats=1)
    best = {name: min(sizes, key=lambda b: grid[(name, b)]["median"]) for name in fns}
    return {f"{n}@{b}": t for (n, b), t in grid.items()}, best


def chunked_passes(fns: dict, texts, chunks: int) -> tuple[dict, dict]:
    """One pass of every system over all `texts`, cut into `chunks` parts timed in rotating system
    order (drift of the machine's speed hits every system alike). Returns per-system seconds of
    each part and the embeddings."""
    parts = np.array_split(np.arange(len(texts)), chunks)
    seconds, out = {n: [] for n in fns}, {n: [] for n in fns}
    names = list(fns)
    for i, part in enumerate(parts):
        for name in names[i % len(names):] + names[:i % len(names)]:
            start = time.perf_counter()
            out[name].append(fns[name]([texts[j] for j in part]))
            seconds[name].append(time.perf_counter() - start)
    return seconds, {n: np.concatenate(v) for n, v in out.items()}


def throughput(report, encoder, st, texts, sizes, chunks, grid_texts=GRID_TEXTS) -> dict:
    fns = {"sentence-transformers": lambda t, b: st_encode(st, t, b),
           "mlrlib bf16": lambda t, b: ours_encode(encoder, t, b),
           "mlrlib fp32": lambda t, b: ours_encode(encoder, t, b, bf16=False)}
    grid, best = best_batch(fns, texts[:grid_texts], sizes)
    timed = {n: (lambda t, f=fns[n], b=best[n]: f(t, b)) for n in ("sentence-transformers", "mlrlib bf16")}
    seconds, vectors = chunked_passes(timed, texts, chunks)
    speed = {n: len(texts) / sum(s) for n, s in seconds.items()}
    part_ratio = [a / b for a, b in zip(seconds["sentence-transformers"], seconds["mlrlib bf16"])]
    reference = vectors["sentence-transformers"]
    fp32 = ours_encode(encoder, texts[:grid_texts], best["mlrlib fp32"], bf16=False)
    cosines = {"mlrlib bf16": float((vectors["mlrlib bf16"][:, 0] * reference).sum(1).min()),
               "mlrlib fp32": float((fp32[:, 0] * reference[:grid_texts]).sum(1).min())}
    grid_speed = {n: grid_texts / grid[f"{n}@{best[n]}"]["median"] for n in fns}
    report.check("passages/s, sentence-transformers", speed["sentence-transformers"], unit=" /s")
    report.check("passages/s, mlrlib (bf16 autocast)", speed["mlrlib bf16"], unit=" /s")
    report.check("speed vs sentence-transformers", speed["mlrlib bf16"] / speed["sentence-transformers"],
                 ">=", 1.3, "x")
    report.check("  median over the parts", statistics.median(part_ratio), unit="x")
    report.check("min cosine to sentence-transformers", cosines["mlrlib bf16"], ">=", 0.999)
    report.check(f"  fp32 mlrlib: speed vs s-t ({grid_texts} passages)",
                 grid_speed["mlrlib fp32"] / grid_speed["sentence-transformers"], unit="x")
    report.check("  fp32 mlrlib: min cosine", cosines["mlrlib fp32"], ">=", 0.999)
    return {"batch_grid_seconds": grid, "best_batch_size": best, "part_seconds": seconds, "part_ratios": part_ratio,
            "passages_per_second": speed, "grid_passages_per_second": grid_speed, "min_cosine": cosines}


def all_layers(report, encoder, texts, batch_size, repeats) -> dict:
    times = interleaved_medians({"last layer": lambda: ours_encode(encoder, texts, batch_size),
                                 "all 7 layers": lambda: ours_encode(encoder, texts, batch_size, range(7))},
                                repeats=repeats)
    ratio = times["all 7 layers"]["median"] / times["last layer"]["median"]
    report.check("all layers / last layer, time", ratio, "<=", 1.05, "x")
    return {"seconds": times, "ratio": ratio}


def truncated(report, encoder, texts, batch_size, repeats) -> dict:
    enc = {"batch_size": batch_size, "p_max_len": MAX_LEN, "bf16": True}
    L = encoder.num_layers
    models = {L: encoder, **{l: encoder.truncated(l) for l in (1, 2, 3, 4)}}  # the full model first: the baseline
    flops = {l: encoding_flops(m, l, texts, enc) for l, m in models.items()}
    speed = encoding_throughput({l: (m, l) for l, m in models.items()}, texts, enc, repeats)
    rows = {}
    for l in models:
        speedup, flop_ratio = float(speed.speedup[l]), flops[L] / flops[l]
        rows[l] = {"passages_per_second": float(speed.passages_per_second[l]), "flops": flops[l],
                   "speedup": speedup, "flop_ratio": flop_ratio, "efficiency": speedup / flop_ratio}
        if l != L:
            report.check(f"{l}-layer encoder: speedup / FLOP ratio ({speedup:.2f}x of {flop_ratio:.2f}x)",
                         speedup / flop_ratio, ">=", 0.85)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    # quick: 16 passages of 32 tokens, batch sizes 4 and 8, one timed repetition (a check that it runs, not a
    # measurement: on a CPU without avx512_bf16 autocast is emulated, and slower than float32)
    n, repeats, chunks, sizes, grid, subset = ((16, 1, 2, (4, 8), 16, 16) if args.quick
                                               else (2000, 3, 5, (16, 32, 64), GRID_TEXTS, SUBSET))
    if args.quick:
        global MAX_LEN
        MAX_LEN = 32
    torch.manual_seed(0)
    texts = benchmark_data(args.quick).corpus_texts[:n]
    encoder, st = MultiLayerEncoder("minilm"), st_encoder()
    report = Report("encoding", {"passages": n, "max_length": MAX_LEN, "repeats": repeats,
                                 "threads": torch.get_num_threads(), "model": "all-MiniLM-L6-v2"}, args.quick)
    details = {"throughput": throughput(report, encoder, st, texts, sizes, chunks, grid)}
    batch = details["throughput"]["best_batch_size"]["mlrlib bf16"]
    details["all_layers"] = all_layers(report, encoder, texts[:subset], batch, repeats)
    details["truncated"] = truncated(report, encoder, texts[:subset], batch, repeats)
    report.save(details)


if __name__ == "__main__":
    main()
