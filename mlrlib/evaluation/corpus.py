"""A corpus's vectors, in memory or, for corpora larger than memory, streamed into a store on disk.

Every study encodes its corpus through `corpus_vectors`. The offline presets keep the vectors in memory
(faster, and small); the `paper` presets set enc["store"] to a dtype ("float16" or "float32"), and the corpus
is encoded chunk by chunk into a memory-mapped `vector_store.VectorStore` under the cache: peak memory is one
chunk, a killed run resumes, and the same weights encoding the same corpus reuse it. Search reads the returned
memory map block by block (`methods.search`), so either way the caller gets an [N, m, H] array.
"""
from __future__ import annotations

import hashlib

import numpy as np

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.vector_store import encode_to_store
from mlrlib.runtime.cache import cache_dir, config_hash
from mlrlib.runtime.progress import show_progress


def weights_fingerprint(encoder: MultiLayerEncoder) -> str:
    """A hash of every parameter's values: names the corpus vectors of exactly these weights."""
    digest = hashlib.sha256()
    for name, tensor in encoder.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def corpus_vectors(encoder: MultiLayerEncoder, texts, layers, pooling: str, normalize: bool, enc: dict) -> np.ndarray:
    """[N, m, H] vectors of `texts` at `layers` with `pooling`: in memory, or memory-mapped from a store on disk
    when enc["store"] names its dtype."""
    kwargs = {"batch_size": enc["batch_size"], "max_length": enc["p_max_len"], "bf16": enc["bf16"],
              "normalize": normalize}
    if not enc.get("store"):
        return encoder.encode(texts, layers, poolings=(pooling,), progress=show_progress(), **kwargs)[pooling]
    key = {"weights": weights_fingerprint(encoder), "layers": list(layers), "pooling": pooling,
           "normalize": normalize, "encode": {k: v for k, v in enc.items() if k != "batch_size"},
           "corpus": config_hash(list(texts))}
    store = encode_to_store(encoder, texts, {"p": list(layers)}, cache_dir("stores", key), pooling=pooling,
                            dtype=enc["store"], progress=show_progress(), **kwargs)
    return store.array("p")
