import numpy as np
import pytest
import torch

from mlrlib.methods.cross_encoder import CrossEncoder
from mlrlib.training.config import DistillConfig, TrainConfig
from mlrlib.training.dual_encoder import build_encoder
from mlrlib.training.md2pr import Distiller, candidate_columns, teacher_scores, train_student

PAIRS = [{"query": f"question {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(8)]
NEGS = [[f"unrelated text {i} {j}" for j in range(2)] for i in range(8)]
ENC = {"q_max_len": 32, "p_max_len": 64, "batch_size": 8, "bf16": False}


def config(model, **distill):
    student = TrainConfig(model=model, doc_layers=[3], query_layer=3, steps=2, batch_size=4, bf16=False,
                           hard_negatives=True, lr=1e-3, p_max_len=64)
    return student.replace(distill=DistillConfig(negatives=2, layer_map=[(3, 3)], **distill))


def test_candidate_columns_by_hand():
    assert candidate_columns(2, 3).tolist() == [[0, 2, 3, 4], [1, 5, 6, 7]]


def test_distill_config_refuses_bad_values():
    with pytest.raises(ValueError, match="fn_filter"):
        DistillConfig(fn_filter="sometimes")
    with pytest.raises(ValueError, match=">= 0"):
        DistillConfig(alpha=-1.0)


def step_record(model, cfg, scores, teacher=None):
    torch.manual_seed(0)
    student = build_encoder(cfg).eval()
    return Distiller(student, teacher, PAIRS, NEGS, scores, cfg)([0, 1, 2, 3])[1]


def test_the_filter_masks_exactly_the_negatives_the_teacher_puts_near_the_positive(tiny_model):
    scores = np.tile(np.array([[5.0, 1.0, 0.0]], dtype=np.float32), (8, 1))
    scores[2, 2] = 6.0  # query 2's second negative beats its positive
    plain = step_record(tiny_model, config(tiny_model), scores)
    static = step_record(tiny_model, config(tiny_model, fn_filter="static", margin=0.0), scores)
    assert static["masked"] == 1 and static["negatives"] == 8
    assert static["masked_examples"] == [[2, 1, -1.0]]
    assert static["contrastive"] < plain["contrastive"]  # one competitor fewer for query 2
    wide = step_record(tiny_model, config(tiny_model, fn_filter="static", margin=4.5), scores)
    assert wide["masked"] == 5  # gaps 4 (x4) and -1 fall below 4.5


def test_distillation_needs_teacher_scores(tiny_model):
    with pytest.raises(ValueError, match="teacher"):
        step_record(tiny_model, config(tiny_model, alpha=1.0), None)


def test_sentence_level_adds_the_kl_and_a_perfect_teacher_copy_gives_zero(tiny_model):
    cfg = config(tiny_model, alpha=1.0)
    torch.manual_seed(0)
    student = build_encoder(cfg).eval()
    distiller = Distiller(student, None, PAIRS, NEGS, np.zeros((8, 3), np.float32), cfg)
    with torch.no_grad():
        q, _, _ = distiller.encode([p["query"] for p in PAIRS[:4]], 32)
        p, _, _ = distiller.encode([p["positive"] for p in PAIRS[:4]] + [n for ns in NEGS[:4] for n in ns], 64)
    own = (q @ p.T).gather(1, candidate_columns(4, 2)) / cfg.temperature
    distiller.scores = np.zeros((8, 3), np.float32)
    distiller.scores[:4] = own.numpy()
    assert distiller([0, 1, 2, 3])[1]["sentence"] == pytest.approx(0.0, abs=1e-5)


def test_word_level_runs_the_teacher_once_per_step_without_gradient(tiny_model):
    cfg = config(tiny_model, beta_attention=1.0, beta_hidden=1.0)
    teacher = CrossEncoder(tiny_model).eval()
    calls = []
    original = teacher.forward

    def counted(batch, details=False):
        calls.append(torch.is_grad_enabled())
        return original(batch, details)
    teacher.forward = counted
    torch.manual_seed(0)
    student = build_encoder(cfg).train()
    record = Distiller(student, teacher, PAIRS, NEGS, None, cfg)([0, 1, 2, 3])[1]
    assert calls == [False]
    assert record["attention"] > 0 and record["hidden"] > 0
    assert all(p.grad is not None for p in student.model.encoder.layer[0].parameters())
    assert all(p.grad is None for p in teacher.parameters())


def test_teacher_scores_are_computed_once_and_cached(tiny_model):
    teacher = CrossEncoder(tiny_model).eval()
    calls = []
    original = teacher.score
    teacher.score = lambda *a, **k: calls.append(1) or original(*a, **k)
    first = teacher_scores(teacher, {"ranker": "tiny"}, PAIRS, NEGS, 2, ENC)
    second = teacher_scores(teacher, {"ranker": "tiny"}, PAIRS, NEGS, 2, ENC)
    assert first.shape == (8, 3) and len(calls) == 1 and np.array_equal(first, second)
    assert first[0, 0] == pytest.approx(original([PAIRS[0]["query"]], [PAIRS[0]["positive"]], 32, 64, bf16=False)[0],
                                        abs=1e-5)


def test_teacher_scores_rescore_only_the_rows_not_already_known(tiny_model):
    teacher = CrossEncoder(tiny_model).eval()
    scored = []
    original = teacher.score
    teacher.score = lambda q, *a, **k: scored.append(len(q)) or original(q, *a, **k)
    some = teacher_scores(teacher, {"ranker": "tiny"}, PAIRS, NEGS, 2, ENC, rows=[0, 1, 2])
    more = teacher_scores(teacher, {"ranker": "tiny"}, PAIRS, NEGS, 2, ENC, rows=[1, 2, 3, 4], known=some)
    assert scored == [3 * 3, 2 * 3]  # rows 3 and 4 only, three candidates each
    assert np.array_equal(more[[1, 2]], some[[1, 2]]) and not np.isnan(more[[3, 4]]).any()
    assert np.isnan(more[[0, 5, 6, 7]]).all()  # only the rows asked for
    with pytest.raises(ValueError, match="earlier call"):
        teacher_scores(teacher, {"ranker": "tiny"}, PAIRS, NEGS, 2, ENC, rows=[5], known=some[:, :2])


def test_train_student_logs_each_step_and_caches_by_config_and_teacher(tiny_model):
    scores = np.tile(np.array([[5.0, 1.0, 6.0]], dtype=np.float32), (8, 1))  # every 2nd negative is masked
    cfg = config(tiny_model, fn_filter="static")
    enc1, log1 = train_student(PAIRS, NEGS, cfg, None, {"ranker": "a"}, scores, progress=False)
    _, log2 = train_student(PAIRS, NEGS, cfg, None, {"ranker": "a"}, scores, progress=False)
    _, log3 = train_student(PAIRS, NEGS, cfg, None, {"ranker": "b"}, scores, progress=False)
    assert not log1["cached"] and log2["cached"] and not log3["cached"]
    assert [s["masked"] for s in log1["steps"]] == [4, 4]
    assert all(len(s["step_pairs"]) == 4 for s in log1["steps"])
