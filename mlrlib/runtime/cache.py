"""Config hashing, the cache folder, and atomic writes.

Everything expensive (the benchmark, trained checkpoints, encoded corpora) is stored
under a folder named by a hash of the config that produced it, so a rerun with the
same config reuses it and a changed config never reads a stale result. Writes go to a
temporary sibling and are renamed into place, so a killed run leaves no half-written
file behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import weakref
from contextlib import contextmanager
from pathlib import Path

from mlrlib.runtime.paths import REPO_ROOT

CACHE_ENV = "MLRLIB_CACHE"


def cache_root() -> Path:
    """The cache folder: $MLRLIB_CACHE, else `.cache/` at the repository root (git-ignored)."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root)
    return REPO_ROOT / ".cache"


def held_or_loaded(ref: weakref.ref | None, load):
    """(object, weak reference to it): what `ref` still points to, else a fresh `load()`.

    For models reloaded from the cache on each look-up: while a caller holds one, looking it up
    again returns the same object instead of a second copy in memory."""
    obj = ref() if ref is not None else None
    if obj is None:
        obj = load()
        ref = weakref.ref(obj)
    return obj, ref


def as_json(obj):
    """What JSON stores for an object it has no type for: a typed config's `key()` (`training.config`), so a
    config hashes and logs as its key dict wherever it is put; anything else (a Path, say) as its text."""
    key = getattr(obj, "key", None)
    return key() if callable(key) else str(obj)


def config_hash(config: dict, length: int = 12) -> str:
    """A stable short hash of a JSON-serialisable config (key order does not matter)."""
    blob = json.dumps(config, sort_keys=True, default=as_json).encode()
    return hashlib.sha256(blob).hexdigest()[:length]


def cache_dir(kind: str, config: dict) -> Path:
    """Where the artefact of `kind` built from `config` lives (may not exist yet)."""
    return cache_root() / kind / config_hash(config)


@contextmanager
def atomic_dir(target: Path):
    """Yield a temporary folder; on success it replaces `target` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see either the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_csv(frame, path: Path, **to_csv_kwargs) -> None:
    """`frame.to_csv(path, **to_csv_kwargs)`, atomically."""
    atomic_write_text(path, frame.to_csv(**to_csv_kwargs))


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=as_json) + "\n")
