"""mlrlib: multi-layer representations (MLR, arXiv 2509.23861), multi-level distillation from a cross-encoder
(MD2PR, arXiv 2312.16821) and early cross-encoder layers as embeddings (arXiv 2502.03552), for dense passage
retrieval on a CPU and offline.

The folders are the tiers. methods and data sit at the bottom, training on them, evaluation on training, the
studies on top; runtime's base (paths, cache, provenance, progress bars, the allocator setting) serves all of them
and its entry points (the CLI, presets, the notebooks' setup, export) use them. `tests/test_architecture.py`
holds these rules.

    methods/     the papers' methods, torch only: encoders, layer sets and pooling, losses, search, BM25,
                 the cross-encoder, MD2PR's distillation losses and false-negative filters
    training/    the typed config, batches, one step, the loop, checkpoints; the dual encoder, MD2PR's
                 student, DE-l and the cross-encoder's training
    data/        RetrievalData, the offline benchmark and its parsers, hub and BEIR loaders, BEIR export
    evaluation/  one model end to end, ranx metrics, comparisons and claims, costs, layer analyses, figures
    runtime/     the repository's paths, cache, provenance, progress bars, allocator, presets, notebook setup,
                 export, the CLI
    studies/     one module per notebook (01-05); no study imports another

`docs/methods.md` gives each method's equations as implemented here.
"""
import os
import warnings

# Bitwise-reproducible CPU runs (tools/check_determinism.py): MKL's conditional numerical reproducibility makes
# its GEMM results independent of memory alignment, and a fixed thread count keeps the reduction order fixed.
# MKL reads these at its first call, so they take effect as long as no matmul ran before this import.
# Overridable: a value already in the environment wins.
# On CUDA, deterministic cuBLAS (torch.use_deterministic_algorithms, set by training) needs a fixed workspace.
for _name, _value in (("MKL_CBWR", "AUTO"), ("MKL_DYNAMIC", "FALSE"), ("OMP_DYNAMIC", "FALSE"),
                      ("CUBLAS_WORKSPACE_CONFIG", ":4096:8")):
    os.environ.setdefault(_name, _value)

# on Binder, a kernel's resident memory follows what it holds (glibc keeps freed tensors otherwise; elsewhere speed
# wins: runtime/memory.py)
from mlrlib.runtime.memory import release_freed_memory  # noqa: E402

release_freed_memory()

# tqdm.auto warns, with its absolute install path, when ipywidgets is absent; notebooks keep plain bars
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"
