"""How long the `paper` presets would take on one GPU: an estimate from FLOP counts, not a measurement.

    python tools/paper_estimate.py [--tflops 40]

For each study's paper preset: the FLOPs of training one model (forward + backward = 3 forward passes,
4 with gradient caching, every text padded to its max length: an upper bound) and of encoding its corpus
once, and the hours these take at a sustained throughput of --tflops (40 TFLOP/s is a fair guess for fp32
training on an H100; the presets keep bf16 off, as the papers' fp32 setups). Students only: a teacher's
scores and the distillation terms are not counted. A notebook trains several
models: "models" counts those of its committed laptop run (the `train_seconds` of its provenance), and
"total" is that many trainings and corpus encodings; "GPUs for a day" is how many GPUs of that throughput
finish the total within 24 hours, data-parallel (`mlrlib.training.ddp_main` under torchrun).

The second table is the disk and memory the corpus needs (`mlrlib.methods.vector_store`): the memory-mapped
store of the widest layer set the notebook scores (its m sweep's largest m, else one vector per passage) in
float16, which exact search streams from disk block by block; and the RAM (or GPU memory) an HNSW index
over the single-vector store takes, float32 vectors plus 2*M links per passage (M = 32).
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.runtime.presets import PRESETS

RESULTS = Path(__file__).resolve().parent.parent / "results"

# (layers, hidden, intermediate) of the architectures the paper presets train
ARCHITECTURES = {"bert-base-uncased": (12, 768, 3072), "sentence-transformers/all-MiniLM-L12-v2": (12, 384, 1536)}
# passages searched per corpus encoding (the hub datasets' sizes)
CORPUS = {"squad": 20_958, "msmarco": 8_841_823, "nq": 21_015_324, "trivia": 21_015_324}
HNSW_M = 32  # links per node of the approximate index sized in the store table


def forward_flops(arch, tokens: int) -> float:
    """One sequence of `tokens` through the encoder: per layer 2T(4H^2 + 2HI) + 4T^2 H (matmuls only)."""
    layers, h, i = arch
    return layers * (2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * tokens * h)


def _paper_regime(cfg: dict) -> dict:
    """Notebook 01's preset keeps its training and layer sets per regime: the paper's regime is the one sized."""
    return {**cfg, **cfg["regimes"]["paper"]} if "regimes" in cfg else cfg


def estimate(cfg: dict) -> dict:
    cfg = _paper_regime(cfg)
    arch, train = ARCHITECTURES[cfg["model"]], cfg["train"]
    passages_per_query = 2 if train["hard_negatives"] else 1
    step = (train["batch_size"] * forward_flops(arch, train["q_max_len"])
            + train["batch_size"] * passages_per_query * forward_flops(arch, train["p_max_len"]))
    passes = 4 if train.get("grad_cache_chunk") else 3
    return {"train": step * passes * train["steps"],
            "encode": CORPUS[cfg["data"]] * forward_flops(arch, cfg["encode"]["p_max_len"])}


def store_needs(cfg: dict) -> dict:
    """Bytes of the float16 store of the widest layer set (m vectors per passage) and of an HNSW index over
    the single-vector store (float32 vectors, 2*M int32 links per passage at its base layer)."""
    cfg = _paper_regime(cfg)
    _, h, _ = ARCHITECTURES[cfg["model"]]
    n, m = CORPUS[cfg["data"]], max(cfg.get("m_sweep") or [1])
    if "lam" in cfg:  # notebook 02 searches multi-vector MLR over its two-layer set S
        m = max(m, len(paper_two_layer_set(ARCHITECTURES[cfg["model"]][0])))
    return {"passages": n, "m": m, "store": n * m * h * 2, "hnsw": n * (h * 4 + 2 * HNSW_M * 4)}


def size(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:,.1f} GB" if n_bytes >= 1e9 else f"{n_bytes / 1e6:,.0f} MB"


def models_trained(study: str) -> int | None:
    """How many models the committed laptop run of `study` trained (None where its provenance does not say)."""
    path = RESULTS / study / "provenance.json"
    seconds = json.loads(path.read_text()).get("train_seconds") if path.exists() else None
    return len(seconds) if seconds else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tflops", type=float, default=40.0, help="sustained TFLOP/s assumed for the GPU")
    args = ap.parse_args()
    rate = args.tflops * 1e12 * 3600
    hours = lambda flops: f"{flops / rate:.1f} h" if flops >= 0.1 * rate else "< 0.1 h"  # noqa: E731
    print(f"| study | model | data | training one model | encoding the corpus once | models | total |"
          f" GPUs for a day |  (at {args.tflops:g} TFLOP/s)")
    print("|---|---|---|---|---|---|---|---|")
    for study, presets in PRESETS.items():
        cfg = presets["paper"]
        e, n = estimate(cfg), models_trained(study)
        print(f"| {study} | {cfg['model']} | {cfg['data']} | {e['train'] / 1e15:,.0f} PFLOP, {hours(e['train'])}"
              f" | {e['encode'] / 1e15:,.1f} PFLOP, {hours(e['encode'])} | {n or '?'} |"
              f" {hours(n * (e['train'] + e['encode'])) if n else '?'} |"
              f" {math.ceil(n * (e['train'] + e['encode']) / rate / 24) if n else '?'} |")
    print()
    print("| study | passages | m | float16 store on disk (m vectors) | HNSW in memory (1 vector) |")
    print("|---|---|---|---|---|")
    for study, presets in PRESETS.items():
        need = store_needs(presets["paper"])
        print(f"| {study} | {need['passages']:,} | {need['m']} | {size(need['store'])} | {size(need['hnsw'])} |")


if __name__ == "__main__":
    main()
