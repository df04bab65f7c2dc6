"""The benchmarks' figures, saved next to their JSON in results/benchmarks/ (build/bench-quick/ for a --quick run).
A module, not a script: search.py and summary.py draw with it."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from common import OUT  # noqa: E402


def scaling_figure(rows: list[dict], folder: Path = OUT) -> None:
    """Per-query latency, index size and recall@10 of flat, HNSW and IVF-PQ against corpus size, saved as
    `folder`/search_scaling.png."""
    table = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for kind, part in table.groupby("index"):
        kind = "FAISS flat" if kind == "flat" else kind
        axes[0].plot(part.vectors, part.per_query_ms, "o-", label=kind)
        axes[1].plot(part.vectors, part.bytes / 2**20, "o-", label=kind)
        axes[2].plot(part.vectors, part.recall_at_10, "o-", label=kind)
    for ax, label in zip(axes, ("ms per query (one at a time)", "index size (MiB)", "recall@10 vs flat")):
        ax.set_xscale("log")
        ax.set_xlabel("vectors in the index")
        ax.set_ylabel(label)
    axes[0].set_yscale("log")
    axes[1].set_yscale("log")
    axes[2].set_ylim(0, 1.02)
    axes[0].legend()
    fig.suptitle("Search cost against corpus size (2 CPU threads, 384-d, k = 10)")
    fig.tight_layout()
    path = folder / "search_scaling.png"  # as mlrlib.evaluation.figures.save writes it, without its imports (seconds)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120, bbox_inches="tight")
    tmp.replace(path)
