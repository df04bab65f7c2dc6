"""Give memory back to the operating system when it is freed, so a kernel's resident size follows what it holds.

glibc's malloc serves a large block from its heap unless the block is above the mmap threshold, and it raises that
threshold (up to 32 MiB) each time a large mmapped block is freed. After the first few training steps almost every
tensor therefore lives on the heap, and a freed model, optimizer state or activation stays resident as a hole that
later, differently sized tensors do not fill. Notebook 03's smoke run held about 1.5 GB after its teacher's training,
of which about 0.4 GB was free memory kept by malloc (`malloc_trim` showed it). A fixed threshold turns that dynamic
behaviour off: every block of at least `MMAP_THRESHOLD` bytes is its own mapping, returned to the system on `free`.

Set by `import mlrlib` (`MLRLIB_MALLOC=default` leaves malloc as it is). Its cost in training speed is measured by
`benchmarks/allocator.py`; its effect on each notebook's peak memory by `benchmarks/memory.py`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD = 1 << 20  # 1 MiB: a MiniLM activation of one batch is several MiB, a tokenizer's strings far less


def _glibc():
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def release_freed_memory(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at `threshold` bytes; False where malloc is not glibc's (nothing changed) or the
    environment asks for the default (`MLRLIB_MALLOC=default`)."""
    if os.environ.get("MLRLIB_MALLOC", "") == "default":
        return False
    libc = _glibc()
    return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, int(threshold)))
