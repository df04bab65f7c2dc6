"""Search speed: FAISS against numpy, multi-vector against single-vector, and how flat, HNSW and
IVF-PQ indexes grow with the corpus (latency, memory, recall@10 against exact search).

    python benchmarks/search.py                  # up to 1M vectors (about 5 min, half of it building HNSW at 1M)
    python benchmarks/search.py --sizes 10000 100000
    python benchmarks/search.py --quick          # 16 real passages of the smoke benchmark, 1,000 and 2,000 vectors
                                                 # (a check that it runs; written to build/bench-quick/)

Vectors: real MiniLM embeddings of the offline benchmark (mean pooling, normalised) where the
corpus is small enough to encode; for the scaling study, a Gaussian with the mean and covariance
of 1,000 real passage embeddings (then normalised), so the index sees the anisotropy of real
embeddings; the queries are real test-question embeddings. Latency: one query at a time, the
median over the queries after a warm-up; batch: all queries in one call.
"""
from __future__ import annotations

import argparse
import gc
import time

import faiss
import numpy as np
import torch
from common import Report, benchmark_data, interleaved_medians, out_dir
from plots_bench import scaling_figure

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.search import ExactInnerProduct, MultiVectorIndex, agrees_with_brute_force

K = 10
N_QUERIES = 100


def real_vectors(n_passages: int, quick: bool = False):
    """(passages [n, 6, H]: layers 1-6; queries [Q, H]: layer 6), mean-pooled, normalised; from notebook 01's
    laptop benchmark (quick: the smoke one of notebooks 02-05, whose test split has 30 queries)."""
    data = benchmark_data(quick)
    encoder = MultiLayerEncoder("minilm")
    passages = encoder.encode(data.corpus_texts[:n_passages], range(1, 7), poolings=("mean",), batch_size=64,
                              max_length=128, bf16=True, normalize=True)["mean"]
    queries = encoder.encode(data.split("test").texts[:N_QUERIES], [6], poolings=("mean",), batch_size=64,
                             max_length=32, bf16=True, normalize=True)["mean"][:, 0]
    return passages, queries


class MatchedGaussian:
    """Samples from N(mean, cov) of real embeddings, normalised to unit length."""

    def __init__(self, real: np.ndarray, seed: int = 0):
        self.mean = real.mean(0)
        cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(real.shape[1])
        self.chol = np.linalg.cholesky(cov).astype(np.float32)
        self.rng = np.random.default_rng(seed)

    def sample(self, n: int, chunk: int = 100_000) -> np.ndarray:
        out = np.empty((n, len(self.mean)), dtype=np.float32)
        for s in range(0, n, chunk):
            z = self.rng.standard_normal((min(chunk, n - s), len(self.mean)), dtype=np.float32)
            v = self.mean + z @ self.chol.T
            out[s:s + len(v)] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out


def per_query_ms(search, queries) -> float:
    search(queries[:1])
    times = []
    for q in queries:
        start = time.perf_counter()
        search(q[None])
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def numpy_top_k(queries, corpus, k=K):
    scores = queries @ corpus.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, top, 1), axis=1)
    return np.take_along_axis(top, order, 1)


def exact_search(report, corpus, queries) -> dict:
    """mlrlib's exact search against FAISS's flat index and plain numpy (argpartition), all exact."""
    flat, ours = faiss.IndexFlatIP(corpus.shape[1]), ExactInnerProduct(corpus)
    flat.add(corpus)
    systems = {"faiss flat": lambda q: flat.search(q, K), "mlrlib exact": lambda q: ours.search(q, K),
               "numpy argpartition": lambda q: (None, numpy_top_k(q, corpus))}
    batch = interleaved_medians({n: (lambda f=f: f(queries)) for n, f in systems.items()}, repeats=5)
    single = {n: per_query_ms(f, queries[:30]) for n, f in systems.items()}
    truth = systems["numpy argpartition"](queries)[1]
    overlap = {n: float(np.mean([len(set(a) & set(b)) / K for a, b in zip(f(queries)[1], truth)]))
               for n, f in systems.items()}
    label = f"{len(queries)} queries x {len(corpus):,} vectors"
    for name in ("mlrlib exact", "numpy argpartition"):
        report.check(f"{name} vs FAISS flat, {label} (speedup)",
                     batch["faiss flat"]["median"] / batch[name]["median"], unit="x")
        report.check(f"{name} vs FAISS flat, one query at a time (speedup)", single["faiss flat"] / single[name],
                     unit="x")
    report.check("mlrlib exact top-10 = numpy's (overlap)", overlap["mlrlib exact"], ">=", 1.0)
    report.check("FAISS flat top-10 = numpy's (overlap)", overlap["faiss flat"], ">=", 1.0)
    return {"batch_seconds": batch, "per_query_ms": single, "overlap": overlap}


def multi_vector(report, real_passages, real_queries, gaussian, n_passages: int) -> dict:
    """Max-sim search over m vectors per passage against m = 1, on n_passages synthetic passages;
    exactness against brute force on the real ones (their last m layers)."""
    rows = {}
    queries = real_queries
    for m in (1, 2, 4, 6):
        index = MultiVectorIndex(gaussian.sample(n_passages * m).reshape(n_passages, m, -1))
        rows[m] = {"per_query_ms": per_query_ms(lambda q: index.search(q, K), queries),
                   "batch_seconds": interleaved_medians({"b": lambda: index.search(queries, K)}, repeats=3)["b"],
                   "exact": agrees_with_brute_force(real_queries, real_passages[:, 6 - m:], K)}
        index = None
    for m in (2, 4, 6):
        report.check(f"multi-vector m={m} / single, latency per query ({n_passages:,} passages)",
                     rows[m]["per_query_ms"] / rows[1]["per_query_ms"], unit="x")
        report.check(f"multi-vector m={m} equals brute-force max-sim", float(rows[m]["exact"]), ">=", 1.0)
    return rows


def build(kind: str, corpus: np.ndarray):
    n, d = corpus.shape
    if kind == "mlrlib exact":
        return ExactInnerProduct(corpus)
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        nlist = min(1024, int(4 * np.sqrt(n)))
        index = faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, PQ_M, 8, faiss.METRIC_INNER_PRODUCT)
        index.train(corpus[np.random.default_rng(0).choice(n, min(n, 64 * nlist), replace=False)])
        index.nprobe = IVF_NPROBE
    index.add(corpus)
    return index


HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 16, 40, 128
PQ_M, IVF_NPROBE = 48, 16


def index_bytes(index) -> int:
    if isinstance(index, ExactInnerProduct):
        return int(index.vectors.nbytes)
    return int(faiss.serialize_index(index).size)


def scaling(report, gaussian, queries, sizes) -> dict:
    rows = []
    for n in sizes:
        corpus = gaussian.sample(n)
        truth = None
        for kind in ("flat", "mlrlib exact", "hnsw", "ivf-pq"):
            start = time.perf_counter()
            index = build(kind, corpus)
            build_s = time.perf_counter() - start
            hits = index.search(queries, K)[1]
            truth = hits if kind == "flat" else truth
            recall = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(hits, truth)]))
            rows.append({"vectors": n, "index": kind, "build_seconds": build_s, "bytes": index_bytes(index),
                         "per_query_ms": per_query_ms(lambda q: index.search(q, K), queries),
                         "recall_at_10": recall})
            print(f"  {n:>9,} {kind:<7} build {build_s:6.1f} s  {rows[-1]['per_query_ms']:7.2f} ms/query  "
                  f"{rows[-1]['bytes'] / 2**20:8.1f} MiB  recall@10 {recall:.3f}", flush=True)
            index = None
            gc.collect()
        del corpus
    biggest = [r for r in rows if r["vectors"] == max(sizes)]
    by = {r["index"]: r for r in biggest}
    for kind in ("mlrlib exact", "hnsw", "ivf-pq"):
        report.check(f"{kind} at {max(sizes):,}: speedup over flat",
                     by["flat"]["per_query_ms"] / by[kind]["per_query_ms"], unit="x")
        report.check(f"{kind} at {max(sizes):,}: memory / flat", by[kind]["bytes"] / by["flat"]["bytes"], unit="x")
        report.check(f"{kind} at {max(sizes):,}: recall@10 against flat", by[kind]["recall_at_10"], unit="")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--real", type=int, default=1000, help="real passages encoded (layers 1-6)")
    ap.add_argument("--quick", action="store_true", help="a check that it runs: 16 real passages, 1,000 and 2,000 "
                    "vectors, 2,000 in the exact search and 500 passages in the multi-vector search")
    args = ap.parse_args()
    exact_n, multi_n = 100_000, 20_000
    if args.quick:
        args.sizes, args.real, exact_n, multi_n = [1_000, 2_000], 16, 2_000, 500
    torch.manual_seed(0)
    faiss.omp_set_num_threads(torch.get_num_threads())
    real_passages, queries = real_vectors(args.real, args.quick)
    gaussian = MatchedGaussian(real_passages[:, -1])
    report = Report("search", {"k": K, "queries": len(queries), "threads": faiss.omp_get_max_threads(),
                               "hnsw": {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION,
                                        "efSearch": HNSW_EF_SEARCH},
                               "ivf_pq": {"nlist": "min(1024, 4 sqrt(N))", "M": PQ_M, "bits": 8, "nprobe": IVF_NPROBE},
                               "sizes": args.sizes, "real_passages": args.real, "exact_search_vectors": exact_n,
                               "multi_vector_passages": multi_n, "faiss": faiss.__version__}, args.quick)
    details = {"exact_search": exact_search(report, gaussian.sample(exact_n), queries),
               "multi_vector": multi_vector(report, real_passages, queries, gaussian, multi_n),
               "scaling": scaling(report, gaussian, queries, args.sizes)}
    scaling_figure(details["scaling"], out_dir(args.quick))
    report.save(details)


if __name__ == "__main__":
    main()
