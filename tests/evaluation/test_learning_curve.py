"""Learning curves (`evaluation.learning_curve`): the points, the plateau, and a last point that is the model."""
import pandas as pd
import pytest
import torch
from conftest import TOPIC_PAIRS, pairs_data

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.learning_curve import SHARE, curve_steps, learning_curve, plateau_step, plateau_text
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import train_encoder

PAIRS = TOPIC_PAIRS
ENC = {"batch_size": 4, "q_max_len": 16, "p_max_len": 32, "bf16": False}


def tiny_data() -> RetrievalData:
    return pairs_data("dev")


def config(model) -> TrainConfig:
    return TrainConfig(model=model, doc_layers=[3], query_layer=3, steps=99, batch_size=4, bf16=False,
                       hard_negatives=False, lr=1e-3)


def curve(values, steps=(0, 10, 20, 40, 80)) -> pd.DataFrame:
    return pd.DataFrame({"step": steps, "MRR@10": values})


def test_plateau_is_the_first_point_no_later_point_beats_by_more_than_the_tolerance():
    assert plateau_step(curve([0.2, 0.5, 0.60, 0.605, 0.60])) == 20
    assert plateau_step(curve([0.2, 0.5, 0.60, 0.605, 0.60]), tolerance=0.001) == 40
    assert plateau_step(curve([0.2, 0.3, 0.4, 0.5, 0.6])) is None  # still rising: no plateau in the budget


def test_curve_has_each_point_and_its_last_point_is_the_trained_model(tiny_model, tmp_path, monkeypatch):
    data, cfg = tiny_data(), config(tiny_model)
    table = learning_curve(data, cfg, [1, 2, 4], ENC, progress=False)
    assert table["step"].tolist() == [0, 1, 2, 4]
    assert table["MRR@10"].between(0, 1).all() and table["loss"].iloc[1:].notna().all()
    stored, log = train_encoder(PAIRS, [], cfg.replace(steps=4), progress=False)
    assert log["cached"]  # the curve's run stored the 4-step model's checkpoint
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path / "elsewhere"))
    alone, log = train_encoder(PAIRS, [], cfg.replace(steps=4), progress=False)
    assert not log["cached"]
    assert all(torch.equal(a, b) for a, b in zip(stored.parameters(), alone.parameters()))


def test_a_multi_vector_curve_records_its_premise_at_every_point_and_a_des_does_not(tiny_model):
    data, cfg = tiny_data(), config(tiny_model)
    mlr = learning_curve(data, cfg.replace(doc_layers=[1, 2, 3]), [1, 2], ENC, progress=False)
    assert list(mlr.columns) == ["step", "MRR@10", SHARE, "loss"] and mlr[SHARE].between(0, 1).all()
    assert SHARE not in learning_curve(data, cfg, [1, 2], ENC, progress=False).columns


def test_a_curve_is_read_back_from_the_cache(tiny_model, monkeypatch):
    data, cfg = tiny_data(), config(tiny_model)
    first = learning_curve(data, cfg, [1, 2], ENC, progress=False)
    import mlrlib.evaluation.learning_curve as module
    monkeypatch.setattr(module, "fit", lambda *a, **k: pytest.fail("trained again"))
    pd.testing.assert_frame_equal(learning_curve(data, cfg, [2, 1], ENC, progress=False), first)


def test_a_curve_scored_on_a_corpus_sample_trains_on_the_whole_data(tiny_model):
    data, cfg = tiny_data(), config(tiny_model)
    extra = RetrievalData("tiny", data.corpus_ids + ["x1", "x2"], data.corpus_texts + ["unrelated"] * 2,
                          data.queries, data.qrels, data.train_pairs)
    sample = extra.with_corpus_sample("dev", len(data.corpus_ids))
    assert set(sample.corpus_ids) == set(data.corpus_ids)  # every judged passage, no room for another
    on_sample = learning_curve(extra, cfg, [1, 2], ENC, progress=False, eval_data=sample)
    on_whole = learning_curve(extra, cfg, [1, 2], ENC, progress=False)
    assert on_sample.loss.tolist()[1:] == on_whole.loss.tolist()[1:]  # the same training run
    assert (on_sample["MRR@10"] >= on_whole["MRR@10"]).all()  # fewer distractors, never a lower rank


def test_a_corpus_sample_keeps_every_judged_passage_and_refuses_to_drop_one():
    data = pairs_data("dev")
    more = RetrievalData("tiny", data.corpus_ids + [f"x{i}" for i in range(20)],
                         data.corpus_texts + [f"other {i}" for i in range(20)], data.queries, data.qrels)
    sample = more.with_corpus_sample("dev", 12, seed=1)
    assert len(sample.corpus_ids) == 12 and set(data.corpus_ids) <= set(sample.corpus_ids)
    assert sample.splits == ["dev"] and sample.split("dev") == more.split("dev")
    assert sample.corpus_ids != more.with_corpus_sample("dev", 12, seed=2).corpus_ids  # the seed draws the rest
    with pytest.raises(ValueError, match="ask for at least 8"):
        more.with_corpus_sample("dev", 5)


def test_curve_steps_are_evenly_spaced_and_end_at_the_step_count():
    assert curve_steps(50, 4) == [12, 25, 38, 50] and curve_steps(3, 2) == [2, 3]
    assert curve_steps(2, 4) == [1, 2]  # never step 0: that point is the untrained model, evaluated anyway


def test_a_cached_curve_is_only_read_back_for_the_corpus_it_searched(tiny_model, monkeypatch):
    import mlrlib.evaluation.learning_curve as module
    data, cfg = tiny_data(), config(tiny_model)
    one = RetrievalData("tiny", data.corpus_ids + ["x"], data.corpus_texts + ["topic 1 topic 1"], data.queries,
                        data.qrels, data.train_pairs)
    two = RetrievalData("tiny", data.corpus_ids + ["y"], data.corpus_texts + ["something else"], data.queries,
                        data.qrels, data.train_pairs)  # same name, size and training pairs, another passage
    assert module.fingerprint(one, "dev") != module.fingerprint(two, "dev")
    learning_curve(one, cfg, [1], ENC, progress=False)
    scored, real = [], module.dev_point
    monkeypatch.setattr(module, "dev_point", lambda *a, **k: scored.append(1) or real(*a, **k))
    learning_curve(one, cfg, [1], ENC, progress=False)
    assert not scored  # the same corpus: read back
    learning_curve(two, cfg, [1], ENC, progress=False)
    assert scored  # another corpus: evaluated again, not read from the first one's cache


def test_plateau_text_says_where_the_curve_flattened_or_that_it_did_not():
    assert plateau_text(25, 50) == "flat (within 1 point) from step 25 of 50"
    assert plateau_text(None, 50) == "still rising at step 50: not flattened within the budget"
