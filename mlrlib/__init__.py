"""mlrlib: multi-layer representations, multi-level distillation and early-layer
cross-encoder embeddings for dense passage retrieval, on a CPU and offline.

Modules: `benchmark` / `loaders` / `data` (datasets), `encoders` (multi-layer and
truncated encoders), `losses`, `training`, `search` (FAISS), `bm25`, `metrics` (ranx),
`layer_study` (notebook 01), `plots`, `presets`, `provenance`, `cache`.
"""
__version__ = "0.1.0"
