"""Notebook 03, MD2PR (arXiv 2312.16821; docs/methods.md#md2pr), as functions: the teacher, the ablation,
the filter.

Every student is one config (a `TrainConfig` with its `distill` part, a `DistillConfig`);
names say what is added to contrastive-only training.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.claims import Claim, Condition, Premise, Test, percent
from mlrlib.evaluation.cost import interleaved_step_seconds, optimizer_step, shared_students
from mlrlib.evaluation.experiment import TrainedModel, evaluated, reuse_or_make
from mlrlib.evaluation.known_false_negatives import filter_sweep
from mlrlib.evaluation.learning_curve import tracked_curve
from mlrlib.evaluation.teacher_choice import EVERY_TERM, SCORES_ONLY, Candidate, index_corpus
from mlrlib.runtime.pypi_model import bi_encoder_teacher
from mlrlib.training.batches import index_batches
from mlrlib.training.config import DistillConfig, TrainConfig
from mlrlib.training.dual_encoder import build_encoder
from mlrlib.training.md2pr import Distiller, student_key, student_trainer, teacher_scores, train_student

BI_ENCODER = "all-mpnet-base-v2 (bi-encoder scores)"
CROSS_ENCODER = "gated cross-encoder (MiniLM)"

BASE = "contrastive only"
FULL = "+ both + dynamic filter"
STATIC = "+ both + static filter"


class Teachers(NamedTuple):
    """The two teachers a student may learn from: the cross-encoder (word level; every term when it is the chosen
    one) and the teacher chosen on dev, whose cached scores of the training candidates serve the sentence level
    and the filter."""
    ranker: object          # the cross-encoder (`methods.cross_encoder.CrossEncoder`)
    ranker_key: dict
    chosen: str             # the chosen teacher's name (a `Candidate` name)
    scores_key: dict        # the chosen teacher's cache key
    scores: np.ndarray      # [P, 1 + n] its scores of the training candidates (NaN off the plan's rows)

    def key_for(self, cfg: TrainConfig) -> dict:
        """The teacher part of a student's cache key: the cross-encoder's unless the student reads the chosen
        teacher's scores and that teacher is another (so contrastive-only and word-only students keep theirs)."""
        reads_scores = cfg.distill is not None and (cfg.distill.alpha > 0 or bool(cfg.distill.fn_filter))
        if not reads_scores or self.scores_key == self.ranker_key:
            return self.ranker_key
        return {"word": self.ranker_key, "scores": self.scores_key}


def teacher_candidates(cfg: dict, data: RetrievalData, ranker, ranker_key: dict, student, student_id: dict,
                       progress=None) -> list[Candidate]:
    """The preset's teacher candidates (`cfg["teacher_candidates"]`): the cross-encoder, the bi-encoder (its corpus
    encoded once into the cache), and BM25 fused with `student` at each weight (the notebook keeps the best on
    dev, `teacher_choice.fusion_weight`)."""
    from mlrlib.methods.score_teachers import BiEncoderScorer, FusionScorer
    spec, enc = cfg["teacher_candidates"], cfg["encode"]
    # keyed as the last snapshot of its learning curve (the same model), so its dev re-ranking is read from there
    out = [Candidate(CROSS_ENCODER, ranker, {**ranker_key, "snapshot": cfg["teacher"]["steps"]}, EVERY_TERM)]
    if spec["bi_encoder"]:
        scorer, key = bi_encoder_teacher(spec["bi_encoder"])
        index_corpus(scorer, data.corpus_texts, key, enc["p_max_len"], progress=progress)
        out.append(Candidate(BI_ENCODER, scorer, key, SCORES_ONLY))
    dense = BiEncoderScorer("", pooling=student.cfg.pooling, temperature=student.cfg.temperature,
                            encoder=student.encoder)
    fused = [Candidate(f"BM25 + student, w = {w}", FusionScorer(dense, data.corpus_texts, w),
                       {"kind": "bm25 + student", "student": student_id, "w": w}, SCORES_ONLY)
             for w in spec["fusion_weights"]]
    return out + fused


def chosen_teachers(chosen: Candidate, ranker, ranker_key: dict, ranker_scores, data: RetrievalData, negs, n: int,
                    enc: dict, rows, progress=None) -> Teachers:
    """The `Teachers` of a chosen candidate: its scores of the training candidates `rows` (cached), or the
    cross-encoder's own when it is the one chosen."""
    if chosen.name == CROSS_ENCODER:
        return Teachers(ranker, ranker_key, chosen.name, ranker_key, ranker_scores)
    scores = teacher_scores(chosen.scorer, chosen.key, data.train_pairs, negs, n, enc, rows, progress)
    return Teachers(ranker, ranker_key, chosen.name, chosen.key, scores)


def step_costs(configs: dict, data: RetrievalData, negs, ranker, scores, steps: int) -> pd.DataFrame:
    """Seconds per training step of each student config (forward, losses, backward, AdamW; the
    teacher's per-batch pass included where it is needed), interleaved; ratio to the first."""
    steppers = {}
    for name, (student, opt) in shared_students(configs).items():
        distiller = Distiller(student, ranker, data.train_pairs, negs, scores, configs[name])
        opt.add_param_group({"params": list(distiller.projections.parameters())})
        steppers[name] = optimizer_step(distiller, opt, student.model, configs[name], distiller.attention_kernel)
    first = next(iter(configs.values()))
    return interleaved_step_seconds(steppers, index_batches(len(data.train_pairs), first.batch_size, steps + 1,
                                                            first.seed))


def ablation_configs(model: str, L: int, train: dict, weights: dict, seed: int) -> dict[str, TrainConfig]:
    """Contrastive only, + sentence, + word, + both, + both + dynamic filter (and the static one).

    weights: alpha, beta_attention, beta_hidden, kd_temperature, layer_map, negatives, kappa, margin.
    """
    w = dict(weights)
    a = {"alpha": w.pop("alpha")}
    b = {"beta_attention": w.pop("beta_attention"), "beta_hidden": w.pop("beta_hidden")}
    variants = {BASE: {}, "+ sentence": a, "+ word": b, "+ both": {**a, **b},
                FULL: {**a, **b, "fn_filter": "dynamic"}, STATIC: {**a, **b, "fn_filter": "static"}}
    student = TrainConfig(model=model, doc_layers=[L], query_layer=L, seed=seed, **train)
    return {name: student.replace(distill=DistillConfig(**w, **v)) for name, v in variants.items()}


def with_seed(cfg: TrainConfig, seed: int) -> TrainConfig:
    return cfg.replace(seed=seed)


def train_students(data: RetrievalData, configs: dict, negs, teachers: Teachers, enc, trained=None,
                   progress=None) -> dict[str, TrainedModel]:
    """Train (or load) and evaluate every student; a same-name, same-config model in `trained` is reused."""
    def make(name, cfg):
        return evaluated(name, *train_student(data.train_pairs, negs, cfg, teachers.ranker, teachers.key_for(cfg),
                                              teachers.scores, progress), cfg, data, enc)
    return reuse_or_make(configs, make, trained)


def student_curve(data: RetrievalData, cfg: TrainConfig, at_steps, negs, ranker, key, scores, enc: dict,
                  eval_data: RetrievalData | None = None) -> pd.DataFrame:
    """A student's dev learning curve (`learning_curve.tracked_curve`): `cfg` trained for max(at_steps) steps,
    MRR@10 on the dev split of `eval_data` (default `data`) before training and after each step of `at_steps`.
    The run is stored as the student's checkpoint, so `train_students` then loads it."""
    cfg = cfg.replace(steps=max(at_steps))
    train = student_trainer(data.train_pairs, negs, cfg, ranker, scores)
    return tracked_curve(student_key(cfg, data.train_pairs, negs, key), cfg, lambda: build_encoder(cfg), train,
                         at_steps, data if eval_data is None else eval_data, enc)


def masking_by_step(log: dict) -> pd.DataFrame:
    """Per training step: delta_t, negatives seen, negatives masked."""
    return pd.DataFrame([{"step": i + 1, "delta": s["delta"], "negatives": s["negatives"], "masked": s["masked"]}
                         for i, s in enumerate(log["steps"])])


def masking_by_epoch(log: dict, n_pairs: int, batch_size: int) -> pd.DataFrame:
    """Negatives masked per epoch (an epoch = one pass over the training pairs; a run shorter
    than one epoch has one, partial, row)."""
    steps = masking_by_step(log)
    steps["epoch"] = (steps.step - 1) * batch_size // n_pairs + 1
    table = steps.groupby("epoch").agg(steps=("step", "size"), negatives=("negatives", "sum"),
                                       masked=("masked", "sum"), delta_last=("delta", "last"))
    return table.assign(share=table.masked / table.negatives)


def masked_examples(log: dict, pairs, negs, k: int = 5, chars: int = 220) -> pd.DataFrame:
    """The first k masked negatives: the query, its labelled positive, the masked passage, the teacher's gap."""
    rows = []
    for step, s in enumerate(log["steps"], 1):
        for pair, j, gap in s.get("masked_examples", []):
            rows.append({"step": step, "query": pairs[pair]["query"],
                         "labelled positive": pairs[pair]["positive"][:chars],
                         "masked negative": negs[pair][j][:chars], "teacher gap R(q,p) - R(q,n)": round(gap, 2)})
    return pd.DataFrame(rows[:k])


def detection_table(scores, known, batch_size: int, weights: dict, seed: int) -> pd.DataFrame:
    """The notebook's two filters (static margin `weights["margin"]`, dynamic `weights["kappa"]`) judged against known
    false negatives (`known_false_negatives.planted_false_negatives`): one epoch in training order (`filter_sweep`),
    with the base rate a random mask would reach and Fisher's exact p of masked vs known (one-sided: masked more
    often)."""
    table = filter_sweep(scores, known, batch_size, [weights["margin"]], [weights["kappa"]], seed)
    relevant, total = int(known.sum()), known.numel()

    def fisher(row):
        hits, masked = row["known found"], row["masked"]
        grid = [[hits, masked - hits], [relevant - hits, total - relevant - masked + hits]]
        return fisher_exact(grid, alternative="greater").pvalue
    return table.assign(**{"base rate": relevant / total, "p (Fisher)": table.apply(fisher, axis=1)})


RERANKED = f"{BASE} + teacher rerank"  # the chosen teacher re-ranking the contrastive-only student's top k
CE_RERANKED = f"{BASE} + cross-encoder rerank"  # the cross-encoder doing so (the word level's teacher)


def teacher_premise(system: str = RERANKED, who: str = "teacher") -> Condition:
    """Distillation can only help where the teacher beats the student: its re-ranking of the student's dev top k
    must be significantly better than the student alone."""
    return Condition(f"dev MRR@10, {who} re-ranking − contrastive-only student",
                     test=Test(system, BASE, "MRR@10", "dev"))


def claims(test: pd.DataFrame, filters: dict, cost: pd.DataFrame, paper: dict, seeds,
           detection: pd.DataFrame) -> list[Claim]:
    """The paper's claims on MRR@10 (its metric), each distillation claim with the teacher's premise
    (`teacher_premise`, on dev); `test`: the ablation's metric table (for the rows read directly)."""
    v = test.pivot(index="system", columns="metric", values="value")
    dyn = detection.set_index("filter").loc["dynamic"]
    first = (seeds[0],)
    teacher = Premise((teacher_premise(),))  # the chosen teacher: its scores serve the sentence level and filter
    word = Premise((teacher_premise(CE_RERANKED, "cross-encoder"),))  # the word level's teacher
    none = "the summary we cite gives no ablation numbers"
    return [
        Claim("MD2PR's MRR@10 (MS MARCO dev)", f"{paper['mrr10_msmarco']:.3f}",
              f"{percent(v.loc[FULL, 'MRR@10'])} here (a different corpus: not comparable)"),
        Claim("MD2PR's R@100 (NQ)", f"{paper['r100_nq']:.3f}", f"R@100 {percent(v.loc[FULL, 'R@100'])} here"),
        Claim("the teacher re-ranks better than the retriever", "premise of distillation", "test split",
              Test(RERANKED, BASE, "MRR@10", seeds=first),
              premise=Premise(none_needed="it is the others' premise, tested on test as well")),
        Claim("the full model beats contrastive-only training", "MD2PR > its ablations", "",
              Test(FULL, BASE, "MRR@10", seeds=tuple(seeds)), paper_effect_note=none, premise=teacher),
        # adding the word level to the sentence level rests on the cross-encoder; adding the sentence level on
        # the chosen teacher
        *[Claim(f"both levels together beat {single} alone", "sentence + word > each", "",
                Test("+ both", single, "MRR@10", seeds=first), paper_effect_note=none, premise=premise)
          for single, premise in (("+ sentence", word), ("+ word", teacher))],
        Claim("dynamic filtering helps", "+ filtering > + both",
              f"masked {filters['dynamic']} (dynamic) vs {filters['static']} (static) negatives",
              Test(FULL, "+ both", "MRR@10", seeds=first), paper_effect_note=none,
              premise=Premise((teacher_premise(), Condition("training negatives the dynamic filter masks",
                                                            float(filters["dynamic"]), 1.0, percent=False)))),
        Claim("the dynamic filter masks false negatives", "its purpose (§3.3)",
              f"against known false negatives: precision {percent(dyn['precision'])}% vs base rate "
              f"{percent(dyn['base rate'])}%, recall {percent(dyn['recall'])}%, Fisher p {dyn['p (Fisher)']:.2g}"),
        Claim("distillation costs more per training step", "not quantified",
              f"seconds per step, full model: {cost.loc[FULL, 'ratio']:.2f}x contrastive-only"),
    ]
