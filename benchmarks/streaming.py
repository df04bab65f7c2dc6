"""Corpora larger than memory: encoding into an on-disk vector store keeps peak memory flat as the corpus
grows, at a constant rate; then exact (blocked, from disk) and approximate (HNSW, IVF) search over the
largest store.

    flock /tmp/mlrlib-heavy.lock python benchmarks/streaming.py            # 10k .. 1M passages (about 10 min)
    flock /tmp/mlrlib-heavy.lock python benchmarks/streaming.py --sizes 10000 30000
    python benchmarks/streaming.py --quick                                  # 2,000 and 5,000 passages, 50 queries
                                                                            # (a check that it runs; build/bench-quick/)

The encoder is a stand-in, so the numbers measure the store, not a model: a hashing encoder turns each
text's hash into deterministic 384-d unit vectors for layers 0-6 (a cluster centre plus a 32-d latent
offset, so approximate search has structure to find, like real embeddings). Two layer sets are stored
in float16: "last" = [6] (m = 1) and "mlr" = [3, 6] (m = 2). Texts are generated lazily per chunk, so
nothing of size O(corpus) is in memory but what the store path itself holds.

Each corpus size, and each search method, runs in its own process, so its peak RSS (VmHWM) is its own;
"working" memory is that peak minus the process's RSS after its imports. For contrast, the in-memory
path's output (`MultiLayerEncoder.encode`: float32 [N, layers, 384] for the union of the sets' layers)
is computed, not run. Writes go to a temporary folder, deleted at the end.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlrlib.methods.vector_store import VectorStore, encode_to_store  # noqa: E402

DIM, LATENT, CLUSTERS = 384, 32, 256
SETS = {"last": [6], "mlr": [3, 6]}
SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
K, N_QUERIES, CHUNK = 10, 200, 4096
HNSW = {"kind": "hnsw", "M": 16, "ef_construction": 32, "ef_search": 1024}  # a cheap build, a wide search
IVF = {"kind": "ivf", "nlist": 512, "nprobe": 16}


class SyntheticTexts:
    """n short passages, made on demand (`len` and slices are all `encode_to_store` needs)."""

    def __init__(self, n: int, prefix: str = "passage"):
        self.n, self.prefix = n, prefix

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: slice) -> list[str]:
        return [f"{self.prefix} {i}: a short text on topic {i % 97} of the synthetic corpus"
                for i in range(*rows.indices(self.n))]


def splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: well-mixed uint64 from any uint64."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


class HashingEncoder:
    """Deterministic unit vectors from each text's hash, a fixed cost per vector (MultiLayerEncoder's
    `encode` interface: {pooling: float32 [N, len(layers), DIM]})."""

    dim, num_layers = DIM, 6

    def __init__(self):
        rng = np.random.default_rng(0)
        self.centres = rng.standard_normal((self.num_layers + 1, CLUSTERS, DIM)).astype(np.float32)
        self.proj = (rng.standard_normal((self.num_layers + 1, LATENT, DIM)) / 8).astype(np.float32)

    def vectors_per_text(self, layers) -> int:
        return len(layers)

    def encode(self, texts, layers, *, poolings=("cls",), **_) -> dict[str, np.ndarray]:
        seeds = np.array([int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
                          for t in texts], dtype=np.uint64)
        bits = splitmix(seeds[:, None] * np.uint64(LATENT + 1) + np.arange(LATENT, dtype=np.uint64))
        latent = (bits >> np.uint64(40)).astype(np.float32) / 2**23 - 1.0
        cluster = (seeds % np.uint64(CLUSTERS)).astype(np.int64)
        out = np.empty((len(texts), len(layers), DIM), dtype=np.float32)
        for j, layer in enumerate(layers):
            v = self.centres[layer, cluster] + latent @ self.proj[layer]
            out[:, j] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return {p: out for p in poolings}


def rss_mib(field: str = "VmHWM") -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def queries(n: int = N_QUERIES) -> np.ndarray:
    """[n, DIM] last-layer vectors of query texts (from the corpus's clusters)."""
    return HashingEncoder().encode(SyntheticTexts(n, "query")[0:n], [6])["cls"][:, 0]


def child_encode(n: int, folder: Path) -> dict:
    """Encode n passages into a fresh store; time, rate and peak memory of this process."""
    encoder, base = HashingEncoder(), rss_mib("VmRSS")
    start = time.perf_counter()
    store = encode_to_store(encoder, SyntheticTexts(n), SETS, folder, chunk_size=CHUNK)
    seconds = time.perf_counter() - start
    assert store.complete
    return {"passages": n, "seconds": seconds, "passages_per_s": n / seconds, "peak_rss_mib": rss_mib(),
            "baseline_rss_mib": base, "working_mib": rss_mib() - base,
            "store_bytes": sum(store.path(s).stat().st_size for s in SETS),
            "in_memory_bytes": n * len({x for v in SETS.values() for x in v}) * DIM * 4}


def timed_search(index, q) -> tuple[float, np.ndarray]:
    index.search(q[:4], K)
    start = time.perf_counter()
    ids = index.search(q, K)[1]
    return time.perf_counter() - start, ids


def child_search(method: str, folder: Path, n_queries: int = N_QUERIES) -> dict:
    """One search method over the store in `folder`: build time, queries/s, recall@10 against exact."""
    import faiss
    import torch

    from mlrlib.methods.ann import AnnConfig, AnnIndex, recall_against_exact
    from mlrlib.methods.search import store_index
    faiss.omp_set_num_threads(torch.get_num_threads())
    store, q, base = VectorStore.open(folder), queries(n_queries), rss_mib("VmRSS")
    name = "mlr" if method.endswith("mlr") else "last"
    start = time.perf_counter()
    if method.startswith("exact"):
        index = store_index(store, name)
    else:
        index = AnnIndex.from_store(store, name, AnnConfig(**(HNSW if method.startswith("hnsw") else IVF)))
    build = time.perf_counter() - start
    seconds, ids = timed_search(index, q)
    truth = folder / f"exact_{name}.npy"
    if method.startswith("exact"):
        np.save(truth, ids)
    return {"method": method, "layer_set": name, "vectors": int(index.n * index.m), "build_seconds": build,
            "search_seconds": seconds, "queries_per_s": len(q) / seconds, "peak_rss_mib": rss_mib(),
            "working_mib": rss_mib() - base, "recall_at_10": recall_against_exact(ids, np.load(truth), K)}


def run_child(*args) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def figure(rows: list[dict], provenance: str, path: Path) -> None:
    """Peak memory and passages/s against corpus size; the in-memory output's size for contrast."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = [r["passages"] for r in rows]
    fig, (mem, rate) = plt.subplots(1, 2, figsize=(11, 3.8))
    mem.plot(n, [r["peak_rss_mib"] for r in rows], "o-", label="vector store: measured peak RSS")
    mem.plot(n, [r["working_mib"] for r in rows], "s--", label="vector store: peak minus imports")
    mem.plot(n, [r["in_memory_bytes"] / 2**20 for r in rows], "x:", color="grey",
             label="in-memory encode output (computed, not run)")
    rate.plot(n, [r["passages_per_s"] for r in rows], "o-")
    for ax, label in ((mem, "MiB"), (rate, "passages per second")):
        ax.set_xscale("log")
        ax.set_xlabel("passages encoded")
        ax.set_ylabel(label)
    mem.set_yscale("log")
    mem.legend(fontsize=8)
    rate.set_ylim(0, 1.15 * max(r["passages_per_s"] for r in rows))
    mem.set_title("peak memory (float16 store, 2 layer sets, 384-d)")
    rate.set_title("encoding rate (hashing stand-in encoder)")
    fig.text(0.01, -0.02, provenance, fontsize=7, color="grey")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120, bbox_inches="tight", metadata={"Description": provenance})
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    ap.add_argument("--quick", action="store_true", help="a check that it runs: 2,000 and 5,000 passages, 50 queries")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        out = (child_encode(int(rest[0]), Path(rest[1])) if kind == "encode"
               else child_search(rest[0], Path(rest[1]), int(rest[2])))
        print(json.dumps(out))
        return
    from common import Report, out_dir
    n_queries = 50 if args.quick else N_QUERIES
    sizes = [2_000, 5_000] if args.quick else sorted(args.sizes)
    report = Report("streaming", {"sizes": sizes, "dim": DIM, "layer_sets": SETS, "dtype": "float16",
                                  "chunk_size": CHUNK, "k": K, "queries": n_queries, "hnsw": HNSW, "ivf": IVF,
                                  "cores": os.cpu_count()}, args.quick)
    root = Path(tempfile.mkdtemp(prefix="mlrlib-streaming-"))
    try:
        rows = []
        for n in sizes:
            rows.append(run_child("encode", n, root / str(n)))
            print(f"  {n:>9,} passages  {rows[-1]['passages_per_s']:9,.0f}/s  peak {rows[-1]['peak_rss_mib']:7.1f} MiB"
                  f"  (working {rows[-1]['working_mib']:6.1f})  in-memory would be "
                  f"{rows[-1]['in_memory_bytes'] / 2**20:8.1f} MiB", flush=True)
            if n != sizes[-1]:
                shutil.rmtree(root / str(n))
        search = []
        for method in ("exact", "exact-mlr", "hnsw", "ivf", "ivf-mlr"):
            search.append(run_child("search", method, root / str(sizes[-1]), n_queries))
            s = search[-1]
            print(f"  {method:<9} {s['vectors']:>9,} vectors  build {s['build_seconds']:6.1f} s  "
                  f"{s['queries_per_s']:8.1f} q/s  recall@10 {s['recall_at_10']:.3f}  peak {s['peak_rss_mib']:.0f} MiB"
                  f" (working {s['working_mib']:.0f})",
                  flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    small, big = rows[0], rows[-1]
    report.check(f"peak RSS at {big['passages']:,} / at {small['passages']:,}",
                 big["peak_rss_mib"] / small["peak_rss_mib"], "<=", 1.5, unit="x")
    report.check(f"passages/s at {big['passages']:,} / at {small['passages']:,}",
                 big["passages_per_s"] / small["passages_per_s"], ">=", 0.5, unit="x")
    report.check(f"in-memory output / store peak RSS at {big['passages']:,}",
                 big["in_memory_bytes"] / 2**20 / big["peak_rss_mib"], unit="x")
    by = {s["method"]: s for s in search}
    for method in ("hnsw", "ivf", "ivf-mlr"):
        base = "exact-mlr" if method.endswith("mlr") else "exact"
        report.check(f"{method} recall@10 against exact", by[method]["recall_at_10"], unit="")
        report.check(f"{method} queries/s / exact's", by[method]["queries_per_s"] / by[base]["queries_per_s"],
                     unit="x")
    record = report.save({"encoding": rows, "search": search})
    prov = record["provenance"]
    figure(rows, f"commit {prov['commit']}, {prov['started_at']}, sizes {sizes}, "
                 f"{prov['machine']['cpus']} cores; benchmarks/streaming.py", out_dir(args.quick) / "streaming.png")


if __name__ == "__main__":
    main()
