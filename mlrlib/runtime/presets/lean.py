"""The memory options of every `smoke` preset, which is also Binder's preset (about 2 GB a kernel)."""

# smoke trains lean, in ways measured by `benchmarks/memory.py --binder` and tested in
# tests/training/test_memory_options.py:
# - gradient checkpointing keeps each step's activations to about one layer's (a teacher step: 165 MiB instead of
#   465), the same weights bitwise, at about a third more compute per step;
# - the fused AdamW allocates no temporaries in its step (88 MiB less at MiniLM's size);
# - the retrievers keep their token embeddings fixed: no gradient or AdamW state for half of MiniLM (134 MiB).
_LEAN = {"train": {"checkpointing": True, "fused_adamw": True, "freeze_embeddings": True},
         "teacher": {"checkpointing": True, "fused_adamw": True}}


def lean_smoke(presets: dict) -> dict:
    """One study's `presets` with the lean options added to the parts of its `smoke` preset that take them."""
    smoke = dict(presets["smoke"])
    for part, options in _LEAN.items():
        if part in smoke:
            smoke[part] = {**smoke[part], **options}
    return {**presets, "smoke": smoke}
