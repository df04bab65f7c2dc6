"""mlrlib: multi-layer representations, multi-level distillation and early-layer
cross-encoder embeddings for dense passage retrieval, on a CPU and offline.

Modules: `benchmark` / `loaders` / `data` (datasets), `encoders` (multi-layer, layer-pooled
and truncated encoders), `layer_pooling`, `losses`, `training`, `experiment` (train, encode,
search one model), `search` (exact, BLAS + top-k), `bm25`, `metrics` (ranx), `cost` (measured index size,
latency, step time), `layer_study` (notebook 01), `self_contrastive_study` (notebook 02),
`plots`, `presets`, `provenance`, `cache`.
"""
import warnings

# tqdm.auto warns, with its absolute install path, when ipywidgets is absent; notebooks keep plain bars
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"
