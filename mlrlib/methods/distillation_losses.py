"""MD2PR's distillation losses, cross-encoder teacher -> dual-encoder student (arXiv 2312.16821, §3;
docs/methods.md#sentence-level-distillation and #word-level-distillation).

- sentence level: KL between the teacher's and the student's score distributions over
  each query's candidate list;
- word level: MSE between attention blocks (the teacher's pair attention restricted to
  the query's tokens, or to the passage's, rows renormalised, against the student's
  attention over the same tokens) and MSE between hidden states at mapped positions.

Teacher and student share a tokenizer, so token positions map one to one; which layers
are matched is the `layer_map` [(teacher layer, student layer), ...], counted from 1.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def sentence_kl_loss(teacher: torch.Tensor, student: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """L_sentence = 1/B sum_i KL( softmax(R(q_i, .)/tau) || softmax(s(q_i, .)/tau) )   (MD2PR, arXiv 2312.16821)

    teacher, student: [B, C] scores of each query's C candidates (positive and negatives),
    in the same order. The teacher's distribution is the target (no gradient to it).
    """
    return F.kl_div(F.log_softmax(student / temperature, -1), F.log_softmax(teacher.detach() / temperature, -1),
                    log_target=True, reduction="batchmean")


def block_attention(attention: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """[h, T, T] attention -> [h, k, k]: rows and columns `positions` only, each row renormalised to sum to 1."""
    block = attention[:, positions][:, :, positions]
    return block / block.sum(-1, keepdim=True).clamp_min(1e-12)


def attention_mse(teacher: torch.Tensor, student: torch.Tensor, teacher_pos: torch.Tensor,
                  student_pos: torch.Tensor) -> torch.Tensor:
    """MSE( block(A_T, P_T), block(A_S, P_S) ) for one text's tokens.

    teacher: [h_T, T, T] attention of the (query, passage) pair; student: [h_S, T', T']
    attention of the student's encoding of the query (or passage) alone; P: the same tokens'
    positions in each. Head by head when h_T = h_S; else the heads' mean on both sides.
    """
    a, b = block_attention(teacher.float(), teacher_pos), block_attention(student.float(), student_pos)
    if a.shape[0] != b.shape[0]:
        a, b = a.mean(0, keepdim=True), b.mean(0, keepdim=True)
    return F.mse_loss(b, a.detach())


def hidden_mse(teacher: torch.Tensor, student: torch.Tensor, project: nn.Module = nn.Identity()) -> torch.Tensor:
    """MSE( W h_T, h_S ) at mapped token positions: teacher [k, H_T], student [k, H_S]; W is a
    trained linear map where the widths differ (identity otherwise)."""
    return F.mse_loss(student.float(), project(teacher.detach().float()))


class HiddenProjections(nn.Module):
    """One linear map teacher width -> student width per matched layer pair (none when equal)."""

    def __init__(self, layer_map, teacher_dim: int, student_dim: int):
        super().__init__()
        make = (lambda: nn.Linear(teacher_dim, student_dim)) if teacher_dim != student_dim else nn.Identity
        self.maps = nn.ModuleDict({f"{t}-{s}": make() for t, s in layer_map})

    def forward(self, teacher_layer: int, student_layer: int, h: torch.Tensor) -> torch.Tensor:
        return self.maps[f"{teacher_layer}-{student_layer}"](h)


def word_level_losses(teacher_out, query_out, passage_out, pairs, query_pos, passage_pos, layer_map,
                      projections: HiddenProjections) -> tuple[torch.Tensor, torch.Tensor]:
    """(attention MSE, hidden-state MSE), each summed over the query and passage sides and
    averaged over the B pairs and the matched layers.

    teacher_out: the ranker's output on the B (query, positive) pairs (attentions, hidden
    states); query_out / passage_out: the student's outputs on the queries and on the
    positives (first B rows); pairs: the `cross_encoder.PairBatch` with the teacher-side
    positions; query_pos / passage_pos: the same tokens' positions in the student's inputs.
    """
    att, hid = [], []
    for t, s in layer_map:
        for i in range(len(query_pos)):
            for t_pos, s_pos, out in ((pairs.query_positions[i], query_pos[i], query_out),
                                      (pairs.passage_positions[i], passage_pos[i], passage_out)):
                att.append(attention_mse(teacher_out.attentions[t - 1][i], out.attentions[s - 1][i], t_pos, s_pos))
                hid.append(hidden_mse(teacher_out.hidden_states[t][i, t_pos], out.hidden_states[s][i, s_pos],
                                      lambda h: projections(t, s, h)))
    n = len(layer_map) * len(query_pos)
    return torch.stack(att).sum() / n, torch.stack(hid).sum() / n
