import numpy as np
import pytest
from conftest import pairs_data, ranked_run

from mlrlib.evaluation import teacher_choice as choice
from mlrlib.studies import md2pr_ablation as study
from mlrlib.training.config import DistillConfig, TrainConfig


class Oracle:
    """Scores the labelled positive of each query above everything else (`good`), or reversed."""

    def __init__(self, positives: dict, good: bool):
        self.positives, self.good = positives, good

    def score(self, queries, passages, *args, **kwargs):
        hit = np.array([p in self.positives[q] for q, p in zip(queries, passages)], dtype=np.float32)
        return hit if self.good else -hit


def test_the_best_dev_candidate_is_chosen_and_its_difference_is_paired():
    data = pairs_data("dev")
    ids, texts, qrels = data.split("dev")
    # the student ranks each positive 3rd of its top 10
    run = ranked_run("student", [3] * len(ids))
    run = type(run)({q: h for q, h in run.to_dict().items()}, name="student")
    corpus = dict(zip(data.corpus_ids, data.corpus_texts))
    passage_text = {**corpus, **{p: p for hits in run.to_dict().values() for p in hits if p not in corpus}}
    data = type(data)(data.name, list(passage_text), list(passage_text.values()), data.queries, data.qrels,
                      data.train_pairs)
    positives = {texts[i]: {corpus[p] for p in qrels[q]} for i, q in enumerate(ids)}
    good = choice.Candidate("good", Oracle(positives, True), {"kind": "good"}, choice.SCORES_ONLY)
    bad = choice.Candidate("bad", Oracle(positives, False), {"kind": "bad"}, choice.EVERY_TERM)
    enc = {"q_max_len": 8, "p_max_len": 8, "batch_size": 4, "bf16": False}
    table, runs = choice.dev_table([bad, good], run, data, 10, enc)
    assert table.teacher.tolist() == ["good", "bad"] and choice.best(table) == "good"
    assert table.loc[0, "MRR@10"] == pytest.approx(1.0) and table.loc[0, "difference"] == pytest.approx(1 - 1 / 3)
    assert table.loc[0, "ci_low"] > 0 and table.loc[1, "difference"] < 0
    assert choice.best(table, choice.EVERY_TERM) == "bad"
    with pytest.raises(ValueError, match="no teacher candidate serves"):
        choice.best(table[table.teacher == "bad"], choice.SCORES_ONLY)


def test_students_that_read_no_scores_keep_the_cross_encoders_key():
    ce, other = {"teacher": "ce"}, {"teacher": "mpnet"}
    teachers = study.Teachers(None, ce, "mpnet", other, np.zeros((1, 2)))
    base = TrainConfig(distill=DistillConfig())
    word = TrainConfig(distill=DistillConfig(beta_attention=1.0))
    sentence = TrainConfig(distill=DistillConfig(alpha=1.0))
    filtered = TrainConfig(distill=DistillConfig(beta_hidden=1.0, fn_filter="dynamic"))
    assert teachers.key_for(base) == ce == teachers.key_for(word)
    assert teachers.key_for(sentence) == {"word": ce, "scores": other} == teachers.key_for(filtered)
    same = study.Teachers(None, ce, study.CROSS_ENCODER, ce, np.zeros((1, 2)))
    assert same.key_for(sentence) == ce
