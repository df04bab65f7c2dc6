"""How long the `paper` presets would take on one GPU: an estimate from FLOP counts, not a measurement.

    python tools/paper_estimate.py [--tflops 40]

For each study's paper preset: the FLOPs of training one model (forward + backward = 3 forward passes,
4 with gradient caching, every text padded to its max length: an upper bound) and of encoding its corpus
once, and the hours these take at a sustained throughput of --tflops (40 TFLOP/s is a fair guess for fp32
training on an H100; the presets keep bf16 off, as the papers' fp32 setups). Students only: a teacher's
scores and the distillation terms are not counted. A notebook trains several
models: "models" counts those of its committed laptop run (the `train_seconds` of its provenance), and
"total" is that many trainings and corpus encodings.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from mlrlib.runtime.presets import PRESETS

RESULTS = Path(__file__).resolve().parent.parent / "results"

# (layers, hidden, intermediate) of the architectures the paper presets train
ARCHITECTURES = {"bert-base-uncased": (12, 768, 3072), "sentence-transformers/all-MiniLM-L12-v2": (12, 384, 1536)}
# passages searched per corpus encoding (the hub datasets' sizes)
CORPUS = {"squad": 20_958, "msmarco": 8_841_823, "nq": 21_015_324, "trivia": 21_015_324}


def forward_flops(arch, tokens: int) -> float:
    """One sequence of `tokens` through the encoder: per layer 2T(4H^2 + 2HI) + 4T^2 H (matmuls only)."""
    layers, h, i = arch
    return layers * (2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * tokens * h)


def estimate(cfg: dict) -> dict:
    arch, train = ARCHITECTURES[cfg["model"]], cfg["train"]
    passages_per_query = 2 if train["hard_negatives"] else 1
    step = (train["batch_size"] * forward_flops(arch, train["q_max_len"])
            + train["batch_size"] * passages_per_query * forward_flops(arch, train["p_max_len"]))
    passes = 4 if train.get("grad_cache_chunk") else 3
    return {"train": step * passes * train["steps"],
            "encode": CORPUS[cfg["data"]] * forward_flops(arch, cfg["encode"]["p_max_len"])}


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
          f"  (at {args.tflops:g} TFLOP/s)")
    print("|---|---|---|---|---|---|---|")
    for study, presets in PRESETS.items():
        cfg = presets["paper"]
        e, n = estimate(cfg), models_trained(study)
        print(f"| {study} | {cfg['model']} | {cfg['data']} | {e['train'] / 1e15:,.0f} PFLOP, {hours(e['train'])}"
              f" | {e['encode'] / 1e15:,.1f} PFLOP, {hours(e['encode'])} | {n or '?'} |"
              f" {hours(n * (e['train'] + e['encode'])) if n else '?'} |")


if __name__ == "__main__":
    main()
