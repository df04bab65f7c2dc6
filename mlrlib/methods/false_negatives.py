"""False-negative filtering with the teacher's scores (MD2PR, arXiv 2312.16821, §3.3;
docs/methods.md#false-negative-filters).

A hard negative n of query q is treated as a false negative, and masked out of the
student's contrastive loss, when the teacher scores it close to or above the positive p:

    R(q, n) > R(q, p) - delta_t     i.e.   gap = R(q, p) - R(q, n) < delta_t

- `StaticMargin`: delta_t = m for the whole run (the absolute margin of
  sentence-transformers' hard-negative mining, applied at training time).
- `DynamicThreshold`: delta_t follows the running distribution of the gaps seen so far,
  delta_t = mean_t - kappa * std_t, so the threshold is in the teacher's own score units
  and is re-estimated every iteration. The paper says only that the threshold is
  "updated during multiple training iterations"; this rule is our reconstruction.
"""
from __future__ import annotations

import math

import torch


def teacher_gaps(teacher_scores: torch.Tensor) -> torch.Tensor:
    """[B, 1 + n] teacher scores (positive first) -> [B, n] gaps R(q, p) - R(q, n_j)."""
    return teacher_scores[:, :1] - teacher_scores[:, 1:]


def false_negative_mask(teacher_scores: torch.Tensor, delta: float) -> torch.Tensor:
    """bool [B, n]: True where negative j of query i is masked (its gap is below delta)."""
    return teacher_gaps(teacher_scores) < delta


class StaticMargin:
    """delta_t = margin, fixed."""

    def __init__(self, margin: float = 0.0):
        self.margin = float(margin)

    def update(self, gaps: torch.Tensor) -> float:
        return self.margin


class DynamicThreshold:
    """delta_t = mean - kappa * std of every gap seen up to iteration t (Welford's running moments).

    `update(gaps)` adds the batch's gaps, then returns the threshold to use on that batch.
    """

    def __init__(self, kappa: float = 2.0):
        self.kappa = float(kappa)
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def update(self, gaps: torch.Tensor) -> float:
        for g in gaps.flatten().tolist():
            self.count += 1
            delta = g - self.mean
            self.mean += delta / self.count
            self.m2 += delta * (g - self.mean)
        std = math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0
        return self.mean - self.kappa * std


def make_filter(kind: str | None, margin: float = 0.0, kappa: float = 2.0):
    """None (no filtering), "static" or "dynamic"."""
    if kind is None:
        return None
    if kind == "static":
        return StaticMargin(margin)
    if kind == "dynamic":
        return DynamicThreshold(kappa)
    raise ValueError(f"unknown false-negative filter {kind!r}; use None, 'static' or 'dynamic'")


def masks_over_plan(make, teacher_scores: torch.Tensor, plan) -> torch.Tensor:
    """bool [P, n]: what a fresh filter `make()` masks when it sees the rows' teacher scores
    [P, 1 + n] batch by batch in `plan` (lists of row indices, training order), as in training."""
    filt = make()
    mask = torch.zeros(teacher_scores.shape[0], teacher_scores.shape[1] - 1, dtype=torch.bool,
                       device=teacher_scores.device)
    for rows in plan:
        gaps = teacher_gaps(teacher_scores[rows])
        mask[rows] = gaps < filt.update(gaps)
    return mask


def detection_quality(mask: torch.Tensor, known: torch.Tensor) -> dict:
    """How a filter's mask [P, n] finds the known false negatives `known` [P, n] (True = the
    negative is in fact relevant): precision, recall, and the share of all negatives masked."""
    hits = int((mask & known).sum())
    masked, relevant = int(mask.sum()), int(known.sum())
    return {"masked": masked, "masked share": masked / mask.numel(), "known found": hits,
            "precision": hits / masked if masked else float("nan"),
            "recall": hits / relevant if relevant else float("nan")}
