"""Take a trained encoder away: save it as a sentence-transformers model.

    save_sentence_transformer(encoder, "my-model", layer=None, pooling="cls")
    SentenceTransformer("my-model").encode(texts)   # == encoder.encode(texts, [L], poolings=["cls"], normalize=True)

A single-layer encoder (the dual encoder, single-vector MLR, DE-l, a causal encoder) becomes plain
sentence-transformers modules, Transformer -> Pooling -> Normalize, and loads without mlrlib. A vector
from an intermediate layer l is the last layer of the model cut after layer l (the layers above do not
change it), so any single layer exports exactly. An encoder that pools several layers into one vector
(notebook 02's average, scalar mix, attention pooling) needs its trained pooler: the folder then names
`mlrlib.runtime.export.LayerPoolingModule`, so loading it needs `mlrlib` installed.

Multi-vector MLR searches with several vectors per passage. sentence-transformers has no model type
for dense per-layer vectors, so `save_trained` saves the query encoder and writes, next to it,
`mlr_layers.json` and `MULTI_VECTOR.md` with `MULTI_VECTOR_RECIPE`: passage vectors and max-sim search in
transformers + numpy (a test runs it and compares with mlrlib's search). `python -m mlrlib export
CHECKPOINT OUT` exports a cached checkpoint.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import torch
from torch import nn

from mlrlib.methods.encoders import LayerPooledEncoder, MultiLayerEncoder, load_encoder, pool
from mlrlib.methods.layer_pooling import make_pooler
from mlrlib.runtime.cache import atomic_dir
from mlrlib.training.config import TrainConfig, inference_layers

ST_POOLING = {"cls": "cls", "mean": "mean", "last": "lasttoken"}

MULTI_VECTOR_RECIPE = '''\
import json
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

spec = json.load(open(f"{path}/mlr_layers.json"))  # layers of each side, pooling, max lengths
tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def layer_vectors(texts, layers, max_length):
    \"\"\"[N, m, H]: the pooled vector of each layer in `layers` (0 = embeddings), L2-normalised.\"\"\"
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch, output_hidden_states=True).hidden_states
    mask = batch["attention_mask"]
    last = (mask * torch.arange(mask.shape[1])).argmax(1)  # each text's last token
    pool = {"cls": lambda h: h[:, 0], "last": lambda h: h[torch.arange(len(h)), last],
            "mean": lambda h: (h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)}[spec["pooling"]]
    vectors = torch.stack([pool(hidden[l]) for l in layers], 1)
    return (torch.nn.functional.normalize(vectors, dim=-1) if spec["normalize"] else vectors).numpy()


P = layer_vectors(passages, spec["passage_layers"], spec["p_max_len"])  # [passages, m, H]
Q = layer_vectors(queries, spec["query_layers"], spec["q_max_len"])     # [queries, 1 or m, H]
scores = np.einsum("qah,pbh->qpab", Q, P).max(axis=(2, 3))             # max-sim over layer pairs
top = np.argsort(-scores, axis=1)[:, :10]                                # best 10 passages per query
'''


class LayerPoolingModule(nn.Module):
    """sentence-transformers module: pool each of `layers` (cls/mean/last) from `all_layer_embeddings`,
    then combine them with the trained layer pooler (average, scalar mix, attention)."""

    def __init__(self, kind: str, layers: list[int], pooling: str, dim: int):
        super().__init__()
        self.kind, self.layers, self.pooling, self.dim = kind, list(layers), pooling, dim
        self.pooler = make_pooler(kind, len(self.layers), dim)

    def forward(self, features: dict) -> dict:
        hidden, mask = features["all_layer_embeddings"], features["attention_mask"]
        per_layer = torch.stack([pool(hidden[l], mask, self.pooling) for l in self.layers], 1)
        features["sentence_embedding"] = self.pooler(per_layer.float())
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def save(self, output_path: str, *args, **kwargs) -> None:
        config = {"kind": self.kind, "layers": self.layers, "pooling": self.pooling, "dim": self.dim}
        (Path(output_path) / "config.json").write_text(json.dumps(config))
        torch.save(self.pooler.state_dict(), Path(output_path) / "pooler.pt")

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs) -> "LayerPoolingModule":
        folder = Path(model_name_or_path) / subfolder
        module = cls(**json.loads((folder / "config.json").read_text()))
        module.pooler.load_state_dict(torch.load(folder / "pooler.pt"))
        return module


def _transformer(encoder: MultiLayerEncoder, hf_folder: Path, max_length: int, hidden_states: bool):
    from sentence_transformers.base.modules import Transformer
    config = encoder.model.config
    before, config.output_hidden_states = config.output_hidden_states, hidden_states
    try:
        encoder.save(hf_folder)
    finally:
        config.output_hidden_states = before
    return Transformer(str(hf_folder), max_seq_length=max_length)


def sentence_transformer_modules(encoder: MultiLayerEncoder, hf_folder: Path, layer: int | None,
                                 pooling: str, normalize: bool, max_length: int) -> list[nn.Module]:
    from sentence_transformers.base.modules import Normalize
    from sentence_transformers.sentence_transformer.modules import Pooling
    if pooling not in ST_POOLING:
        raise ValueError(f"unknown pooling {pooling!r}; use one of {sorted(ST_POOLING)}")
    if isinstance(encoder, LayerPooledEncoder):
        head = LayerPoolingModule(encoder.kind, encoder.layers, pooling, encoder.dim)
        head.pooler.load_state_dict(encoder.pooler.state_dict())
        modules = [_transformer(encoder, hf_folder, max_length, hidden_states=True), head]
    else:
        layer = encoder.num_layers if layer is None else encoder.check_layers([layer])[0]
        if layer == 0:
            raise ValueError("layer 0 (the embedding layer) has no transformer to export; pick 1..L")
        cut = encoder if layer == encoder.num_layers else encoder.truncated(layer)
        modules = [_transformer(cut, hf_folder, max_length, hidden_states=False),
                   Pooling(encoder.dim, pooling_mode=ST_POOLING[pooling])]
    return modules + ([Normalize()] if normalize else [])


def save_sentence_transformer(encoder: MultiLayerEncoder, folder, layer: int | None = None, pooling: str = "cls",
                              normalize: bool = True, max_length: int = 128, extra_files: dict | None = None) -> Path:
    """Save `encoder` so that `SentenceTransformer(folder).encode(texts)` gives its vectors of `layer`
    (default: the last) under `pooling`, L2-normalised when `normalize` (mlrlib's `encode(normalize=True)`).
    A layer-pooled encoder gives its pooled vector (load it with `trust_remote_code=True`).
    `extra_files` ({name: text}) are written into the folder too. Atomic: the whole folder or nothing."""
    from sentence_transformers import SentenceTransformer
    folder = Path(folder)
    with tempfile.TemporaryDirectory() as hf_folder, atomic_dir(folder) as tmp:
        modules = sentence_transformer_modules(encoder, Path(hf_folder), layer, pooling, normalize, max_length)
        SentenceTransformer(modules=modules, device="cpu").save(str(tmp))
        for name, text in (extra_files or {}).items():
            (tmp / name).write_text(text)
    return folder


def save_trained(encoder: MultiLayerEncoder, cfg: TrainConfig, folder) -> Path:
    """Export a model trained under `cfg` (a `TrainConfig`): sentence-transformers gives its
    query vectors; a multi-vector model also gets `mlr_layers.json` and `MULTI_VECTOR.md` (the recipe
    of its search, outside mlrlib)."""
    queries, passages = inference_layers(cfg)
    multi = not cfg.layer_pooling and (len(queries) > 1 or len(passages) > 1)
    layer = None if cfg.layer_pooling else queries[-1]
    extra = {}
    if multi:
        spec = {"query_layers": queries, "passage_layers": passages, "pooling": cfg.pooling,
                "normalize": cfg.normalize, "q_max_len": cfg.q_max_len, "p_max_len": cfg.p_max_len}
        extra = {"mlr_layers.json": json.dumps(spec, indent=2) + "\n", "MULTI_VECTOR.md": multi_vector_readme(spec)}
    return save_sentence_transformer(encoder, folder, layer, cfg.pooling, cfg.normalize, cfg.p_max_len, extra)


def save_checkpoint(checkpoint, folder) -> Path:
    """Export a checkpoint cached by `training.checkpoints.cached_training` (`.cache/checkpoints/<hash>/`)."""
    checkpoint = Path(checkpoint)
    log = checkpoint / "train_log.json"
    if not log.exists():
        raise ValueError(f"{checkpoint} is not a trained checkpoint (no train_log.json); "
                         f"pass a folder under .cache/checkpoints/")
    cfg = TrainConfig.from_key(json.loads(log.read_text())["key"]["config"])
    return save_trained(load_encoder(checkpoint / "model"), cfg, folder)


def multi_vector_readme(spec: dict) -> str:
    return (f"# Multi-vector search with this model (exported by mlrlib)\n\n"
            f"`SentenceTransformer(path).encode(texts)` gives the vector of layer {spec['query_layers'][-1]} "
            f"({spec['pooling']} pooling). Search uses query layers {spec['query_layers']} and passage layers "
            f"{spec['passage_layers']}: a passage's score is the largest inner product between a query vector "
            f"and a passage vector (max-sim). With `path`, `passages` and `queries` (lists of strings) set:\n\n"
            f"```python\n{MULTI_VECTOR_RECIPE}```\n\n"
            f"For a large corpus, put the N*m passage vectors in one inner-product index (FAISS `IndexFlatIP`, "
            f"or HNSW), search k*m neighbours and keep each passage's best score.\n")
