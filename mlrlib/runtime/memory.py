"""Give memory back to the operating system when it is freed, so a kernel's resident size follows what it holds.

glibc's malloc serves a large block from its heap unless the block is above the mmap threshold, and it raises that
threshold (up to 32 MiB) each time a large mmapped block is freed. After the first few training steps almost every
tensor therefore lives on the heap, and a freed model, optimizer state or activation stays resident as a hole that
later, differently sized tensors do not fill. Notebook 03's smoke run held 1,357 MiB after its teacher's training,
of which 393 MiB was free memory kept by malloc (`malloc_trim` showed it). A fixed threshold turns that dynamic
behaviour off: every block of at least `MMAP_THRESHOLD` bytes is its own mapping, returned to the system on `free`.

It costs speed: every large tensor is a fresh mapping whose pages the kernel zeroes on first touch. Training MiniLM
ran 1.44x the seconds per step of malloc's default, for 257 MiB less peak memory and 500 MiB less held after a model
was freed (`benchmarks/allocator.py`). So `import mlrlib` sets it where memory is what runs out, on Binder, and
leaves malloc alone elsewhere; `MLRLIB_MALLOC=fixed` or `default` decides it outright. Its effect on each notebook's
peak memory: `benchmarks/memory.py --binder`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import platform

from mlrlib.runtime.binder import binder_variable

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD = 1 << 20  # 1 MiB: a MiniLM activation of one batch is several MiB, a tokenizer's strings far less


def _glibc():
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


class MallocSettingError(ValueError):
    """MLRLIB_MALLOC holds something other than fixed or default."""


def wanted(environ=None) -> bool:
    """Whether to fix the threshold: MLRLIB_MALLOC=fixed or default says so; unset, on Binder only."""
    environ = os.environ if environ is None else environ
    setting = environ.get("MLRLIB_MALLOC", "").strip()
    if setting not in ("", "fixed", "default"):
        raise MallocSettingError(f"MLRLIB_MALLOC={setting!r}: set it to fixed or default, or unset it")
    return setting == "fixed" or (not setting and binder_variable(environ) is not None)


def release_freed_memory(threshold: int = MMAP_THRESHOLD, environ=None) -> bool:
    """Fix glibc's mmap threshold at `threshold` bytes where `wanted`; True when it was set (False where it is not
    wanted, or malloc is not glibc's)."""
    if not wanted(environ):
        return False
    libc = _glibc()
    return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, int(threshold)))


def collect_cycles() -> None:
    """Free now what only reference cycles keep. numba raises and catches typing errors while it compiles (or loads)
    ranx's kernels; each error's traceback keeps every frame then on the stack, with its locals, in a cycle. In
    notebook 04 that held the two models of its layer-by-layer evaluation (173 MiB of tensors) until Python next
    collected its oldest generation, which a process allocating few Python objects may not do for minutes. Costs a
    full collection (0.25 s with the studies imported), so it runs before each training run and after each cell."""
    gc.collect()


def collect_after_each_cell() -> None:
    """In an IPython kernel, run `collect_cycles` after every cell (once per kernel); elsewhere nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and _collect_hook not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _collect_hook)


def _collect_hook(result=None) -> None:
    collect_cycles()
