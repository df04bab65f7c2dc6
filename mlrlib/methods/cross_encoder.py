"""A cross-encoder ranker R(q, d) on `[CLS] q [SEP] d [SEP]`: MD2PR's teacher (arXiv 2312.16821;
docs/methods.md#teacher).

Any sequence-classification model with one output loads by hub id or folder (a trained
MS MARCO ranker under the `paper` preset); "minilm" gives the packaged MiniLM with a
fresh scoring head, which `training.ranker.train_ranker` trains here.

The pair input is assembled from the *student's* tokenisation of the query and the
passage (same truncation), so the teacher's token positions map one to one onto the
student's: `PairBatch` keeps, for every pair, where the query's and the passage's
tokens sit in the teacher's input.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as hf_logging

from mlrlib.methods.device import default_device, device_of, to_device
from mlrlib.methods.encoders import bf16_autocast, resolve_model


@dataclass
class PairTemplate:
    """Where a tokenizer puts its special tokens around a (query, passage) pair."""
    prefix: list[int]
    middle: list[int]
    suffix: list[int]
    query_type: int
    passage_type: int

    @classmethod
    def of(cls, tokenizer) -> "PairTemplate":
        """Read the layout from the tokenizer itself by encoding a probe pair."""
        a, b = (tokenizer("a", add_special_tokens=False)["input_ids"],
                tokenizer("b", add_special_tokens=False)["input_ids"])
        probe = tokenizer("a", "b")
        ids, types = probe["input_ids"], probe.get("token_type_ids", [0] * len(probe["input_ids"]))
        qa = _find(ids, a)
        pb = _find(ids, b, start=qa + len(a))
        return cls(ids[:qa], ids[qa + len(a):pb], ids[pb + len(b):], types[qa], types[pb])


def _find(ids, sub, start=0) -> int:
    for i in range(start, len(ids) - len(sub) + 1):
        if ids[i:i + len(sub)] == sub:
            return i
    raise ValueError("the tokenizer's pair layout could not be read (probe tokens not found)")


def content_positions(batch) -> list[torch.Tensor]:
    """Per row of a tokenized batch, the positions of its real (non-special, non-pad) tokens."""
    keep = (batch["special_tokens_mask"] == 0) & (batch["attention_mask"] == 1)
    return [row.nonzero().flatten() for row in keep]


def tokenize_side(tokenizer, texts, max_length: int):
    """The student's tokenisation of one side (queries or passages), with its special-token mask."""
    return tokenizer(list(texts), truncation=True, max_length=max_length, padding=True,
                     return_special_tokens_mask=True, return_tensors="pt")


@dataclass
class PairBatch:
    """Teacher inputs for B pairs, where each pair's query and passage tokens are in them, and
    where each pair's second segment (the passage and its closing special tokens) starts."""
    inputs: dict
    query_positions: list[torch.Tensor]
    passage_positions: list[torch.Tensor]
    passage_starts: list[int]


def build_pairs(template: PairTemplate, pad_id: int, queries, passages) -> PairBatch:
    """Pair inputs from two tokenized sides (outputs of `tokenize_side`), token for token."""
    q_pos, d_pos = content_positions(queries), content_positions(passages)
    rows, types, qp, dp, firsts = [], [], [], [], []
    for qi, di, q_ids, d_ids in zip(q_pos, d_pos, queries["input_ids"], passages["input_ids"]):
        q, d = q_ids[qi].tolist(), d_ids[di].tolist()
        first = template.prefix + q + template.middle
        firsts.append(first)
        rows.append(first + d + template.suffix)
        types.append([template.query_type] * len(first) + [template.passage_type] * (len(d) + len(template.suffix)))
        qp.append(torch.arange(len(template.prefix), len(template.prefix) + len(q)))
        dp.append(torch.arange(len(first), len(first) + len(d)))
    width = max(map(len, rows))
    pad = lambda r, v: r + [v] * (width - len(r))  # noqa: E731
    inputs = {"input_ids": torch.tensor([pad(r, pad_id) for r in rows]),
              "token_type_ids": torch.tensor([pad(t, 0) for t in types]),
              "attention_mask": torch.tensor([pad([1] * len(r), 0) for r in rows])}
    return PairBatch(inputs, qp, dp, [len(p) for p in firsts])


@contextlib.contextmanager
def eager_attention(model):
    """Run `model` with the eager attention kernel, the one that can return attention maps."""
    before = model.config._attn_implementation
    if before != "eager":
        model.set_attn_implementation("eager")
    try:
        yield model
    finally:
        if before != "eager":
            model.set_attn_implementation(before)


class CrossEncoder(nn.Module):
    """R(q, d): one relevance logit per (query, passage) pair."""

    def __init__(self, name_or_path: str = "minilm", model=None, tokenizer=None):
        super().__init__()
        path = resolve_model(name_or_path)
        if model is None:
            config = AutoConfig.from_pretrained(path)
            is_ranker = any(a.endswith("ForSequenceClassification") for a in config.architectures or [])
            if is_ranker and config.num_labels != 1:
                raise ValueError(f"{name_or_path} has {config.num_labels} outputs; a ranker needs one score per "
                                 "pair (load a ranker trained with one label, or a base model to train here)")
            with _quiet():  # a base model's fresh head is expected, not news
                model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1).to(default_device())
        self.model = model
        self.tokenizer = tokenizer if tokenizer is not None else AutoTokenizer.from_pretrained(path)
        self.template = PairTemplate.of(self.tokenizer)
        self.name_or_path = name_or_path

    @property
    def num_layers(self) -> int:
        return self.model.config.num_hidden_layers

    @property
    def device(self) -> torch.device:
        return device_of(self.model)

    def pairs(self, queries, passages, q_max_len: int, p_max_len: int) -> PairBatch:
        return build_pairs(self.template, self.tokenizer.pad_token_id,
                           tokenize_side(self.tokenizer, queries, q_max_len),
                           tokenize_side(self.tokenizer, passages, p_max_len))

    def forward(self, batch: PairBatch, details: bool = False):
        """Scores [B]; with details, also the model output with every layer's attentions and hidden states."""
        inputs = to_device(batch.inputs, self.device)
        if not details:
            return self.model(**inputs).logits[:, 0]
        with eager_attention(self.model):
            out = self.model(**inputs, output_attentions=True, output_hidden_states=True)
        return out.logits[:, 0], out

    @torch.inference_mode()
    def score(self, queries, passages, q_max_len=32, p_max_len=128, batch_size=64, bf16=True,
              progress=False) -> np.ndarray:
        """R(q_i, d_i) for each pair, batched by length (float32 array [N])."""
        was_training = self.training
        self.eval()
        order = np.argsort([-len(p) - len(q) for q, p in zip(queries, passages)], kind="stable")
        out = np.zeros(len(order), dtype=np.float32)
        for s in tqdm(range(0, len(order), batch_size), desc="rerank", disable=not progress, leave=False):
            idx = order[s:s + batch_size]
            batch = self.pairs([queries[i] for i in idx], [passages[i] for i in idx], q_max_len, p_max_len)
            with bf16_autocast(bf16, self.device):
                out[idx] = self(batch).float().cpu().numpy()
        self.train(was_training)
        return out

    def save(self, folder) -> None:
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)


@contextlib.contextmanager
def _quiet():
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)


class GatedCrossEncoder(CrossEncoder):
    """A cross-encoder warm-started from a bi-encoder checkpoint, for training here (our construction).

        R(q, d) = s * cos( mean_{t in q} h_t , mean_{t in d} h_t )

    over the last-layer states h of ONE joint encoding of `[CLS] q [SEP] d [SEP]`, in which every
    attention logit between a query-segment token and a passage-segment token gets a learned
    additive bias g (the gate). Positions restart in the passage segment and both segments use
    token type 0, so with g -> -inf the joint encoding is the bi-encoder's two separate ones and
    R starts at the bi-encoder's score; training opens the gate where interaction helps.

    Why not the usual classifier on [CLS]: the packaged MiniLM is a bi-encoder whose [CLS]
    state is nearly the same for every input (notebook 01), and such a head learned nothing in
    the steps a laptop affords (measured in notebook 03's notes).
    """

    HEAD = "gated_ranker.json"

    def __init__(self, name_or_path: str = "minilm", gate: float = -4.0, scale: float = 20.0, model=None,
                 tokenizer=None):
        nn.Module.__init__(self)
        path = resolve_model(name_or_path)
        self.model = model if model is not None else AutoModel.from_pretrained(path).to(default_device())
        self.tokenizer = tokenizer if tokenizer is not None else AutoTokenizer.from_pretrained(path)
        self.template = PairTemplate.of(self.tokenizer)
        self.name_or_path = name_or_path
        self.gate = nn.Parameter(torch.tensor(float(gate), device=self.device))
        self.scale = nn.Parameter(torch.tensor(float(scale), device=self.device))

    def joint_inputs(self, batch: PairBatch) -> dict:
        """Token ids, restarted positions, type 0, and the 4-D additive mask with the gate."""
        inputs = to_device(batch.inputs, self.device)
        ids, keep = inputs["input_ids"], inputs["attention_mask"].bool()
        steps = torch.arange(ids.shape[1], device=ids.device)
        starts = torch.tensor(batch.passage_starts, device=ids.device)[:, None]
        second = steps[None] >= starts                                           # [B, T]
        positions = torch.where(second, steps[None] - starts + 1, steps[None])
        cross = (second[:, :, None] != second[:, None, :]).float() * self.gate   # [B, T, T]
        mask = cross.masked_fill(~keep[:, None, :], torch.finfo(torch.float32).min / 2)
        return {"input_ids": ids, "attention_mask": mask[:, None], "position_ids": positions,
                "token_type_ids": torch.zeros_like(ids)}

    def forward(self, batch: PairBatch, details: bool = False):
        context = eager_attention(self.model) if details else contextlib.nullcontext()
        with context:
            out = self.model(**self.joint_inputs(batch), output_attentions=details, output_hidden_states=details)
        h = out.last_hidden_state.float()
        q = torch.stack([h[i, p].mean(0) for i, p in enumerate(batch.query_positions)])
        d = torch.stack([h[i, p].mean(0) for i, p in enumerate(batch.passage_positions)])
        scores = self.scale * nn.functional.cosine_similarity(q, d, dim=-1)
        return (scores, out) if details else scores

    def save(self, folder) -> None:
        super().save(folder)
        (Path(folder) / self.HEAD).write_text(json.dumps({"gate": self.gate.item(), "scale": self.scale.item()}))


def load_cross_encoder(folder: Path | str) -> CrossEncoder:
    """The ranker saved in `folder`: a gated cross-encoder if it was saved as one."""
    head = Path(folder) / GatedCrossEncoder.HEAD
    if head.exists():
        return GatedCrossEncoder(str(folder), **json.loads(head.read_text()))
    return CrossEncoder(str(folder))
