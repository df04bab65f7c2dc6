"""Passage vectors on disk, for corpora larger than memory: one memory-mapped `.npy` per layer set.

At MS MARCO scale (8.8M passages, 12 layers x 768 floats) `MultiLayerEncoder.encode`'s in-memory
output is ~320 GB. `encode_to_store` streams the corpus chunk by chunk into a `VectorStore` instead,
so peak memory is one chunk's vectors whatever the corpus size. A store is a folder:

    meta.json        n, dim, dtype, chunk size, each layer set's layers and vectors per text m
    <set>.npy        [n, m, dim] float16 or float32 (`np.lib.format`, so `np.load(mmap_mode="r")` reads it)
    done/<chunk>     one marker per finished chunk, created atomically after its rows are flushed
    .lock            `fcntl.flock`ed while a process creates or checks the store

Writing is resumable and data-parallel: a killed run redoes only chunks without a marker, and ranks
of one job write disjoint chunks (chunk c belongs to rank c % world_size) into one store.
"""
from __future__ import annotations

import fcntl
import json
import math
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

META = "meta.json"
LOCK = ".lock"
DONE = "done"
DTYPES = ("float16", "float32")
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass
class StoreSpec:
    """What a store holds; two processes opening one folder must agree on all of it."""

    n: int  # passages (rows of every array)
    dim: int  # vector width H
    layer_sets: dict[str, list[int]]  # set name (the .npy's name) -> its layers, in order
    vectors_per_text: dict[str, int]  # set name -> m (len(layers), or 1 for a layer-pooling encoder)
    dtype: str = "float16"  # on-disk dtype: float16 halves the disk and page cache; search converts to float32
    chunk_size: int = 4096  # rows per chunk: the unit of writing, resuming and splitting between ranks

    def __post_init__(self):
        self.layer_sets = {str(k): [int(x) for x in v] for k, v in self.layer_sets.items()}
        self.vectors_per_text = {str(k): int(v) for k, v in self.vectors_per_text.items()}
        self.validate()

    def validate(self) -> None:
        """Raise a ValueError saying what to fix when the spec cannot describe a store."""
        if self.n < 1 or self.dim < 1 or self.chunk_size < 1:
            raise ValueError(f"n, dim and chunk_size must be >= 1 (got {self.n}, {self.dim}, {self.chunk_size})")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype {self.dtype!r} is not supported; use one of {DTYPES}")
        if not self.layer_sets:
            raise ValueError("a store needs at least one layer set, e.g. {'last': [6]}")
        if set(self.layer_sets) != set(self.vectors_per_text):
            raise ValueError(f"layer_sets {sorted(self.layer_sets)} and vectors_per_text "
                             f"{sorted(self.vectors_per_text)} must name the same sets")
        for name, layers in self.layer_sets.items():
            if not NAME.match(name):
                raise ValueError(f"layer set name {name!r} is not a plain file name; use letters, digits, _ . -")
            if not layers or self.vectors_per_text[name] < 1:
                raise ValueError(f"layer set {name!r} needs at least one layer and m >= 1")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "StoreSpec":
        return cls(**json.loads(text))

    def differences(self, other: "StoreSpec") -> list[str]:
        """Fields that differ, as 'field: ours != theirs'."""
        mine, theirs = asdict(self), asdict(other)
        return [f"{k}: {mine[k]!r} != {theirs[k]!r}" for k in mine if mine[k] != theirs[k]]


def _atomic_write_text(path: Path, text: str) -> None:
    """Write `text` so readers see no file or the whole file (temporary file, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(folder: Path):
    """An exclusive `fcntl.flock` on folder/.lock for the block (waits for other processes)."""
    with open(folder / LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _data_offset(path: Path) -> int:
    """Byte offset of the array data in a .npy file (after its header)."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        read(f)
        return f.tell()


class VectorStore:
    """A folder of memory-mapped passage vectors (see the module docstring). Open with
    `create_or_open` (writers) or `open` (readers); never construct directly."""

    def __init__(self, folder: Path, spec: StoreSpec, writable: bool):
        self.folder, self.spec, self.writable = Path(folder), spec, writable
        self._arrays: dict[str, np.memmap] = {}
        self._offsets = {name: _data_offset(self.path(name)) for name in spec.layer_sets}

    @classmethod
    def create_or_open(cls, folder, spec: StoreSpec) -> "VectorStore":
        """The store in `folder`, created (empty arrays, no chunk done) if it has none.

        Safe when several processes call it at once: creation and the spec check run under a
        file lock, and meta.json is written last, so a folder with meta.json has its arrays.
        An existing store with another spec is an error (its vectors would be mixed with new ones).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            if (folder / META).exists():
                found = cls._read_spec(folder)
                if found != spec:
                    raise ValueError(f"{folder} already holds a vector store with another spec "
                                     f"({'; '.join(found.differences(spec))}); delete the folder to "
                                     f"re-encode, or write this store to another folder")
            else:
                cls._create(folder, spec)
        return cls(folder, spec, writable=True)

    @classmethod
    def open(cls, folder) -> "VectorStore":
        """An existing store, read-only."""
        return cls(Path(folder), cls._read_spec(Path(folder)), writable=False)

    @staticmethod
    def _read_spec(folder: Path) -> StoreSpec:
        meta = folder / META
        if not meta.exists():
            raise FileNotFoundError(f"no vector store in {folder} (no {META}); write one with "
                                    f"encode_to_store or VectorStore.create_or_open")
        return StoreSpec.from_json(meta.read_text())

    @staticmethod
    def _create(folder: Path, spec: StoreSpec) -> None:
        """Sparse arrays of the full size (no memory or disk used until written), then meta.json."""
        shutil.rmtree(folder / DONE, ignore_errors=True)  # markers of an earlier, unfinished creation
        (folder / DONE).mkdir()
        for name, m in spec.vectors_per_text.items():
            array = np.lib.format.open_memmap(folder / f"{name}.npy", mode="w+", dtype=spec.dtype,
                                              shape=(spec.n, m, spec.dim))
            array.flush()
            del array
        _atomic_write_text(folder / META, spec.to_json())

    def path(self, name: str) -> Path:
        if name not in self.spec.layer_sets:
            raise KeyError(f"no layer set {name!r} in {self.folder}; it has {sorted(self.spec.layer_sets)}")
        return self.folder / f"{name}.npy"

    def array(self, name: str) -> np.memmap:
        """The set's vectors [n, m, dim], memory-mapped (read-only for a store from `open`)."""
        if name not in self._arrays:
            self._arrays[name] = np.load(self.path(name), mmap_mode="r+" if self.writable else "r")
        return self._arrays[name]

    def chunks(self) -> range:
        return range(math.ceil(self.spec.n / self.spec.chunk_size))

    def rows(self, chunk: int) -> slice:
        """The passages of one chunk."""
        if chunk not in self.chunks():
            raise IndexError(f"chunk {chunk} outside 0..{len(self.chunks()) - 1}")
        start = chunk * self.spec.chunk_size
        return slice(start, min(self.spec.n, start + self.spec.chunk_size))

    def _marker(self, chunk: int) -> Path:
        return self.folder / DONE / f"{chunk:08d}"

    def done(self, chunk: int) -> bool:
        self.rows(chunk)
        return self._marker(chunk).exists()

    def missing(self) -> list[int]:
        """Chunks not yet written (by any rank)."""
        return [c for c in self.chunks() if not self._marker(c).exists()]

    @property
    def complete(self) -> bool:
        return not self.missing()

    def write_chunk(self, chunk: int, arrays: dict[str, np.ndarray]) -> None:
        """Write every set's rows of `chunk` ({name: [rows, m, dim]}), flush them to disk, then mark the
        chunk done. The marker comes last and appears atomically, so a kill leaves the chunk unmarked
        (and redone on resume) unless all of it is on disk."""
        if not self.writable:
            raise PermissionError(f"{self.folder} was opened read-only; use VectorStore.create_or_open to write")
        rows = self.rows(chunk)
        if set(arrays) != set(self.spec.layer_sets):
            raise ValueError(f"write_chunk needs every layer set {sorted(self.spec.layer_sets)}, got {sorted(arrays)}")
        cast = {name: self._checked(name, rows, a) for name, a in arrays.items()}
        for name, values in cast.items():
            self._write_rows(name, rows, values)
        _atomic_write_text(self._marker(chunk), f"{rows.start} {rows.stop}\n")

    def _checked(self, name: str, rows: slice, values: np.ndarray) -> np.ndarray:
        """`values` in the store's dtype, after checking its shape and that it fits the dtype."""
        want = (rows.stop - rows.start, self.spec.vectors_per_text[name], self.spec.dim)
        values = np.asarray(values)
        if values.shape != want:
            raise ValueError(f"layer set {name!r}: chunk rows have shape {values.shape}, the store expects {want}")
        with np.errstate(over="ignore"):  # overflow is reported below, with what to do
            cast = values.astype(self.spec.dtype, copy=False)
        if not np.isfinite(cast).all():
            hint = "; store float32 instead (dtype='float32')" if np.isfinite(values).all() else ""
            raise ValueError(f"layer set {name!r}: non-finite vectors in rows {rows.start}..{rows.stop}{hint}")
        return cast

    def _write_rows(self, name: str, rows: slice, values: np.ndarray) -> None:
        """Through a map of just these rows, so the process's resident pages stay O(chunk)."""
        row_bytes = self.spec.vectors_per_text[name] * self.spec.dim * np.dtype(self.spec.dtype).itemsize
        view = np.memmap(self.path(name), dtype=self.spec.dtype, mode="r+", shape=values.shape,
                         offset=self._offsets[name] + rows.start * row_bytes)
        view[:] = values
        view.flush()
        del view


def union_layers(encoder, layer_sets: dict[str, list[int]]) -> tuple[list[int], dict[str, list[int]]]:
    """(layers to encode in one pass, each set's positions in that output).

    Per-layer encoders give one vector per layer, so one pass over the union serves every set. A
    layer-pooling encoder (m = 1 for its own layers) can fill only sets that are all its layer list.
    """
    lists = [list(map(int, v)) for v in layer_sets.values()]
    if not lists:
        raise ValueError("layer_sets is empty; pass e.g. {'last': [6]}")
    union = lists[0] if all(x == lists[0] for x in lists) else sorted({x for v in lists for x in v})
    m = encoder.vectors_per_text(union)
    if m == len(union):
        return union, {name: [union.index(int(x)) for x in v] for name, v in layer_sets.items()}
    if any(x != union for x in lists):
        raise ValueError(f"this encoder pools its layers into {m} vector(s) per text, so every layer set must "
                         f"be its own layer list; encode each layer set into its own store")
    return union, {name: list(range(m)) for name in layer_sets}


def encode_to_store(encoder, texts, layer_sets: dict[str, list[int]], folder, *, pooling: str = "cls",
                    dtype: str = "float16", chunk_size: int = 4096, rank: int = 0, world_size: int = 1,
                    progress: bool = False, **encode_kwargs) -> VectorStore:
    """Encode `texts` (a sliceable sequence) into the store in `folder`, one chunk at a time.

    Each of this rank's chunks (c % world_size == rank) not yet done gets one `encoder.encode` call over
    the union of the sets' layers; each set's vectors are sliced from it and written. Peak memory is
    one chunk's vectors. Re-running after a kill redoes only unfinished chunks. With world_size > 1 the
    store is complete once every rank has returned (`store.complete`).
    """
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} must be in 0..world_size-1 (world_size={world_size})")
    layers, positions = union_layers(encoder, layer_sets)
    spec = StoreSpec(n=len(texts), dim=int(encoder.dim), layer_sets=dict(layer_sets),
                     vectors_per_text={name: len(p) for name, p in positions.items()}, dtype=dtype,
                     chunk_size=chunk_size)
    store = VectorStore.create_or_open(folder, spec)
    mine = [c for c in store.chunks()[rank::world_size] if not store.done(c)]
    for chunk in tqdm(mine, desc="encode to store", disable=not progress, leave=False):
        rows = store.rows(chunk)
        out = encoder.encode(texts[rows], layers, poolings=(pooling,), **encode_kwargs)[pooling]
        store.write_chunk(chunk, {name: out[:, p] for name, p in positions.items()})
    return store
