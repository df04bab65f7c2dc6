"""MD2PR: a dual-encoder student trained with a cross-encoder teacher (arXiv 2312.16821, §3;
docs/methods.md#md2pr).

    L = L_contrastive (false negatives masked) + alpha * L_sentence
        + beta_attention * L_attention + beta_hidden * L_hidden

Every variant of the ablation is one config and runs through the same step, so
contrastive-only differs from the full model by its weights and filter alone. Each
batch: B queries, each with its positive and n BM25 negatives (in-batch negatives too).
Teacher scores of every (query, candidate) pair are computed once and cached
(`teacher_scores`); the teacher's attentions and hidden states, for the word level, are
computed once per batch under no-grad.
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch
import torch.nn.functional as F

from mlrlib.methods.cross_encoder import CrossEncoder, build_pairs, content_positions, eager_attention, tokenize_side
from mlrlib.methods.device import to_device
from mlrlib.methods.distillation_losses import HiddenProjections, sentence_kl_loss, word_level_losses
from mlrlib.methods.encoders import bf16_autocast
from mlrlib.methods.false_negatives import false_negative_mask, make_filter, teacher_gaps
from mlrlib.methods.losses import masked_info_nce
from mlrlib.runtime.cache import atomic_dir, cache_dir, config_hash
from mlrlib.runtime.progress import resolved
from mlrlib.training.batches import index_batches
from mlrlib.training.checkpoints import cached_training, data_fingerprint
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import build_encoder
from mlrlib.training.loop import optimize


def teacher_scores(ranker: CrossEncoder, teacher_key: dict, pairs, negative_lists, n: int, enc: dict,
                   rows=None, progress=None, known: np.ndarray | None = None) -> np.ndarray:
    """[P, 1 + n] teacher scores of the candidates (positive first) of the pairs `rows` (default:
    all; NaN for the others), computed once and cached under the hash of (teacher, data, rows).
    Rows already scored in `known` (an earlier call's array, same teacher and data) are copied, not rescored."""
    rows = list(range(len(pairs))) if rows is None else sorted(rows)
    key = {"teacher": teacher_key, "n": n, "q_max_len": enc["q_max_len"], "p_max_len": enc["p_max_len"],
           "data": data_fingerprint(pairs, negative_lists),
           "rows": config_hash(rows)}
    folder = cache_dir("teacher_scores", key)
    if (folder / "scores.npy").exists():
        return np.load(folder / "scores.npy")
    scores = np.full((len(pairs), 1 + n), np.nan, dtype=np.float32)
    if known is not None:
        if known.shape != scores.shape:
            raise ValueError(f"known scores have shape {known.shape}, these pairs need {scores.shape}: pass the "
                             "array an earlier call returned for the same teacher, pairs and negatives")
        done = ~np.isnan(known).any(1)
        scores[[i for i in rows if done[i]]] = known[[i for i in rows if done[i]]]
        rows = [i for i in rows if not done[i]]
    queries = [pairs[i]["query"] for i in rows for _ in range(1 + n)]
    passages = [c for i in rows for c in [pairs[i]["positive"], *negative_lists[i][:n]]]
    if rows:
        scores[rows] = ranker.score(queries, passages, enc["q_max_len"], enc["p_max_len"], enc["batch_size"],
                                    enc["bf16"], resolved(progress)).reshape(len(rows), 1 + n)
    with atomic_dir(folder) as tmp:
        np.save(tmp / "scores.npy", scores)
    return scores


def candidate_columns(batch_size: int, n: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """[B, 1 + n] column of each query's own candidates in the batch's passage list
    (positives 0..B-1, then n negatives per query)."""
    rows = torch.arange(batch_size, device=device)[:, None]
    return torch.cat([rows, batch_size + rows * n + torch.arange(n, device=device)], 1)


class Distiller:
    """One MD2PR training step on a batch of pair indices: forward, losses, backward."""

    def __init__(self, student, teacher: CrossEncoder | None, pairs, negative_lists, scores: np.ndarray | None,
                 cfg: TrainConfig):
        self.student, self.teacher, self.pairs, self.negs, self.scores = student, teacher, pairs, negative_lists, scores
        self.cfg, self.d = cfg, cfg.distill
        self.word = self.d.word_level
        needs_scores = self.d.alpha > 0 or self.d.fn_filter
        if (needs_scores and scores is None) or (self.word and teacher is None):
            raise ValueError("this config distills from a teacher: pass the ranker and its cached scores")
        if self.word and teacher.tokenizer.get_vocab() != student.tokenizer.get_vocab():
            raise ValueError("word-level distillation maps tokens by position, so teacher and student must share a "
                             "tokenizer; use a teacher with the student's vocabulary, or set beta_* = 0")
        self.filter = make_filter(self.d.fn_filter, self.d.margin, self.d.kappa)
        width = teacher.model.config.hidden_size if self.word else student.dim
        self.projections = HiddenProjections(self.d.layer_map, width, student.dim).to(student.device)

    def attention_kernel(self):
        """The student's attention kernel for a whole training run: eager when word-level terms need its maps.
        Held over the run, not only each forward, so that gradient checkpointing's recompute (in backward,
        after `encode` returned) runs the same kernel as the forward did."""
        return eager_attention(self.student.model) if self.word else nullcontext()

    def encode(self, texts, max_len: int):
        """Unit vectors [N, H] of the last layer, the model output, and each text's token positions."""
        cfg, L = self.cfg, self.student.num_layers
        tokens = tokenize_side(self.student.tokenizer, texts, max_len)
        inputs = to_device({k: v for k, v in tokens.items() if k != "special_tokens_mask"}, self.student.device)
        with bf16_autocast(cfg.bf16, self.student.device), \
                (eager_attention(self.student.model) if self.word else nullcontext()):
            out = self.student.model(**inputs, output_hidden_states=True, output_attentions=self.word)
        vectors = self.student.vectors(out.hidden_states, inputs["attention_mask"], [L], cfg.pooling)[:, 0].float()
        return (F.normalize(vectors, dim=-1) if cfg.normalize else vectors), out, tokens

    def texts(self, idx: list[int]) -> tuple[list[str], list[str]]:
        """The batch's queries, and its passages: the positives, then each query's n negatives."""
        n = self.d.negatives
        return ([self.pairs[i]["query"] for i in idx],
                [self.pairs[i]["positive"] for i in idx] + [c for i in idx for c in self.negs[i][:n]])

    def __call__(self, idx: list[int]) -> tuple[float, dict]:
        """Forward, every loss term of the config, backward: (loss, record of the step)."""
        loss, record = self.losses(idx)
        loss.backward()
        record["loss"] = float(loss.detach())
        return record["loss"], record

    def losses(self, idx: list[int]) -> tuple[torch.Tensor, dict]:
        """The step's total loss (with graph) and its record; `extra_loss` adds a subclass's terms."""
        cfg, d, B, n = self.cfg, self.d, len(idx), self.d.negatives
        queries, passages = self.texts(idx)
        q, q_out, q_tok = self.encode(queries, cfg.q_max_len)
        p, p_out, p_tok = self.encode(passages, cfg.p_max_len)
        scores = q @ p.T
        own = candidate_columns(B, n, scores.device)
        record = {"step_pairs": list(idx)}
        mask = torch.zeros_like(scores, dtype=torch.bool)
        if self.filter is not None or d.alpha > 0:
            teacher = torch.from_numpy(self.scores[idx]).to(scores.device)
            if teacher.isnan().any():
                raise ValueError("no teacher scores for some pairs of this batch; compute them for the plan's rows")
        if self.filter is not None:
            delta = self.filter.update(teacher_gaps(teacher))
            masked = false_negative_mask(teacher, delta)
            mask[torch.arange(B, device=mask.device)[:, None], own[:, 1:]] = masked
            rows, cols = masked.nonzero(as_tuple=True)
            record.update(delta=delta, masked=int(masked.sum()), negatives=masked.numel(),
                          masked_examples=[[idx[r], int(c), float(teacher[r, 0] - teacher[r, 1 + c])]
                                           for r, c in zip(rows.tolist(), cols.tolist())])
        loss = masked_info_nce(scores, torch.arange(B, device=scores.device), mask, cfg.temperature)
        record["contrastive"] = float(loss.detach())
        if d.alpha > 0:
            sentence = sentence_kl_loss(teacher, scores.gather(1, own) / cfg.temperature, d.kd_temperature)
            loss = loss + d.alpha * sentence
            record["sentence"] = float(sentence.detach())
        if self.word:
            attention, hidden = self.word_level(q_out, p_out, q_tok, p_tok, B)
            loss = loss + d.beta_attention * attention + d.beta_hidden * hidden
            record.update(attention=float(attention.detach()), hidden=float(hidden.detach()))
        return loss + self.extra_loss(queries, passages, q, p, record), record

    def extra_loss(self, queries, passages, q: torch.Tensor, p: torch.Tensor, record: dict) -> torch.Tensor | float:
        """Terms a subclass adds on the batch's texts and unit vectors (none in MD2PR)."""
        return 0.0

    def word_level(self, q_out, p_out, q_tok, p_tok, B: int):
        """The word-level losses on each query and its positive; one teacher pass, no gradient."""
        positives = {k: v[:B] for k, v in p_tok.items()}
        pairs = build_pairs(self.teacher.template, self.teacher.tokenizer.pad_token_id, q_tok, positives)
        with torch.no_grad(), bf16_autocast(self.cfg.bf16, self.teacher.device):
            _, t_out = self.teacher(pairs, details=True)
        return word_level_losses(t_out, q_out, p_out, pairs, content_positions(q_tok), content_positions(positives),
                                 self.d.layer_map, self.projections)


def student_key(cfg: TrainConfig, pairs, negative_lists, teacher_key: dict | None) -> dict:
    data = data_fingerprint(pairs, negative_lists)
    return {"config": cfg.key(), "data": data, "teacher": teacher_key, "tag": "md2pr"}


def student_trainer(pairs, negative_lists, cfg: TrainConfig, teacher: CrossEncoder | None = None,
                    scores: np.ndarray | None = None, progress=None):
    """`train(after_step=None)` -> (student, log): trains the student of `cfg` from scratch; `after_step(step,
    student)` is called after each step (a learning curve's evaluation)."""
    def train(after_step=None):
        torch.manual_seed(cfg.seed)  # fresh projection heads, if any
        student = build_encoder(cfg)
        distiller = Distiller(student, teacher.eval() if teacher is not None else None, pairs, negative_lists,
                              scores, cfg)
        plan = index_batches(len(pairs), cfg.batch_size, cfg.steps, cfg.seed)
        with distiller.attention_kernel():
            records = optimize(student, plan, cfg, distiller, head=distiller.projections.parameters(),
                               progress=progress, desc="student", after_step=after_step)
        return student, {"steps": records, "losses": [r["loss"] for r in records]}
    return train


def train_student(pairs, negative_lists, cfg: TrainConfig, teacher: CrossEncoder | None = None, teacher_key=None,
                  scores: np.ndarray | None = None, progress=None):
    """Train the student of `cfg` (a `TrainConfig` with its `distill` part),
    or load its checkpoint cached for (config, data, teacher). Returns (encoder, log); the log
    has one record per step: loss parts, and with a filter delta_t and the masked negatives."""
    return cached_training(student_key(cfg, pairs, negative_lists, teacher_key),
                           student_trainer(pairs, negative_lists, cfg, teacher, scores, progress))
