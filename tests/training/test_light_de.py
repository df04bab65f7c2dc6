import numpy as np
import pytest
import torch

from mlrlib.methods.cross_encoder import CrossEncoder, GatedCrossEncoder
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.training.light_de import (
    LightStep,
    build_light,
    ce_embedder,
    embedding_mse,
    light_config,
    light_key,
    train_light,
    unlabelled_texts,
)

PAIRS = [{"query": f"question {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(8)]
NEGS = [[f"unrelated text {i} {j}" for j in range(2)] for i in range(8)]
TRAIN = {"steps": 2, "batch_size": 4, "bf16": False, "lr": 1e-3, "p_max_len": 64, "pooling": "mean",
         "hard_negatives": True}
TEXTS = ["how do I install a package", "python tuples cannot be changed after creation, unlike lists"]


def vectors(encoder, layer, texts=TEXTS):
    return encoder.encode(texts, [layer], poolings=("mean", "cls"), batch_size=8, max_length=64)


@pytest.mark.parametrize("kind", [GatedCrossEncoder, CrossEncoder])
def test_the_embedder_is_the_rankers_body_run_on_single_texts(tiny_model, kind):
    ranker = kind(tiny_model).eval()
    embedder = ce_embedder(ranker)
    assert embedder.model is ranker.model.base_model  # shared, not copied
    batch = ranker.tokenizer(TEXTS[:1], return_tensors="pt")
    with torch.no_grad():
        direct = ranker.model.base_model(**batch, output_hidden_states=True).hidden_states[2][0].mean(0)
    assert np.allclose(vectors(embedder, 2, TEXTS[:1])["mean"][0, 0], direct.numpy(), atol=1e-5)


def test_de_l_is_a_copy_of_the_first_l_layers_with_the_rest_deleted(tiny_model):
    ranker = GatedCrossEncoder(tiny_model).eval()
    cfg = light_config(tiny_model, 2, "ce", TRAIN)
    student = build_light(cfg, ranker=ranker)
    assert len(student.model.encoder.layer) == 2 and student.num_layers == 2
    assert sum(p.numel() for p in student.parameters()) < sum(p.numel() for p in ranker.model.parameters())
    for pooling in ("mean", "cls"):
        assert np.allclose(vectors(student, 2)[pooling], vectors(ce_embedder(ranker), 2)[pooling], atol=1e-6)
    with torch.no_grad():
        student.model.encoder.layer[0].output.dense.weight.add_(1.0)
    assert not torch.equal(student.model.encoder.layer[0].output.dense.weight,
                           ranker.model.encoder.layer[0].output.dense.weight)  # a copy: the ranker is untouched


def test_every_source_and_bad_configs(tiny_model):
    full = MultiLayerEncoder(tiny_model)
    assert build_light(light_config(tiny_model, 1, "de", TRAIN), full_de=full).num_layers == 1
    base = build_light(light_config(tiny_model, 3, "base", TRAIN))
    assert np.allclose(vectors(base, 3)["mean"], vectors(full, 3)["mean"], atol=1e-6)
    with pytest.raises(ValueError, match="ranker"):
        build_light(light_config(tiny_model, 2, "ce", TRAIN))
    with pytest.raises(ValueError, match="full DE"):
        build_light(light_config(tiny_model, 2, "de", TRAIN))
    with pytest.raises(ValueError, match="init"):
        light_config(tiny_model, 2, "bert", TRAIN)
    with pytest.raises(ValueError, match="beta"):
        light_config(tiny_model, 2, "ce", TRAIN, beta=-1)
    with pytest.raises(ValueError, match="num_layers"):
        build_light(light_config(tiny_model, 4, "base", TRAIN))


def test_the_embedding_term_is_the_squared_distance_to_the_full_des_unit_vectors(tiny_model):
    torch.manual_seed(0)
    full = MultiLayerEncoder(tiny_model).eval()
    cfg = light_config(tiny_model, 2, "de", TRAIN, beta=2.0, negatives=2)
    student = build_light(cfg, full_de=full).eval()
    step = LightStep(student, None, PAIRS, NEGS, None, cfg, reference=full)
    loss, record = step.losses([0, 1, 2, 3])
    queries, passages = step.texts([0, 1, 2, 3])
    s = np.concatenate([student.encode(queries, [2], poolings=("mean",), batch_size=8, max_length=32,
                                       normalize=True)["mean"][:, 0],
                        student.encode(passages, [2], poolings=("mean",), batch_size=8, max_length=64,
                                       normalize=True)["mean"][:, 0]])
    t = np.concatenate([full.encode(queries, [3], poolings=("mean",), batch_size=8, max_length=32,
                                    normalize=True)["mean"][:, 0],
                        full.encode(passages, [3], poolings=("mean",), batch_size=8, max_length=64,
                                    normalize=True)["mean"][:, 0]])
    assert record["embedding"] == pytest.approx(((s - t) ** 2).sum(1).mean(), rel=1e-4)
    assert float(loss.detach()) == pytest.approx(record["contrastive"] + 2.0 * record["embedding"], rel=1e-5)
    cfg3 = light_config(tiny_model, 3, "de", TRAIN, beta=1.0, negatives=2)
    _, record = LightStep(build_light(cfg3, full_de=full).eval(), None, PAIRS, NEGS, None, cfg3,
                          reference=full).losses([0, 1, 2, 3])
    assert record["embedding"] == pytest.approx(0.0, abs=1e-6)  # a full copy already matches its source


POOL = [f"pool text number {i} about topic {i % 5}" for i in range(40)]


def test_unlabelled_texts_come_from_the_pool_and_are_drawn_again_alike():
    drawn = unlabelled_texts(POOL, [3, 1], seed=0, n=6)
    assert len(set(drawn)) == 6 and set(drawn) <= set(POOL)
    assert drawn == unlabelled_texts(POOL, [3, 1], seed=0, n=6)  # a resumed run draws the same texts
    assert drawn != unlabelled_texts(POOL, [3, 2], seed=0, n=6)
    assert len(unlabelled_texts(POOL[:4], [0], seed=0, n=6)) == 4


def test_the_embedding_term_also_reads_the_steps_unlabelled_texts(tiny_model):
    torch.manual_seed(0)
    full = MultiLayerEncoder(tiny_model).eval()
    plain = light_config(tiny_model, 2, "de", TRAIN, beta=1.0, negatives=2)
    wider = light_config(tiny_model, 2, "de", TRAIN, beta=1.0, negatives=2, unlabelled=5)
    student = build_light(plain, full_de=full).eval()
    _, alone = LightStep(student, None, PAIRS, NEGS, None, plain, reference=full).losses([0, 1, 2, 3])
    _, more = LightStep(student, None, PAIRS, NEGS, None, wider, reference=full, pool=POOL).losses([0, 1, 2, 3])
    extra = unlabelled_texts(POOL, [0, 1, 2, 3], wider.seed, 5)
    s = student.encode(extra, [2], poolings=("mean",), batch_size=8, max_length=64, normalize=True)["mean"][:, 0]
    t = full.encode(extra, [3], poolings=("mean",), batch_size=8, max_length=64, normalize=True)["mean"][:, 0]
    n_batch = 4 + 4 * 3  # queries, then positives and 2 negatives each
    expected = (alone["embedding"] * n_batch + ((s - t) ** 2).sum(1).sum()) / (n_batch + 5)
    assert more["embedding"] == pytest.approx(expected, rel=1e-4)
    assert alone["contrastive"] == pytest.approx(more["contrastive"], rel=1e-6)  # labels see the batch alone
    with pytest.raises(ValueError, match="pool"):
        LightStep(student, None, PAIRS, NEGS, None, wider, reference=full)
    with pytest.raises(ValueError, match="beta > 0"):
        light_config(tiny_model, 2, "de", TRAIN, unlabelled=5)


def test_embedding_mse_is_the_mean_squared_distance_and_sends_no_gradient_to_the_target():
    student, target = torch.randn(3, 4, requires_grad=True), torch.randn(3, 4, requires_grad=True)
    loss = embedding_mse(student, target)
    assert float(loss.detach()) == pytest.approx(float(((student - target) ** 2).sum(1).mean().detach()))
    loss.backward()
    assert target.grad is None and student.grad is not None


def test_the_key_names_the_pool_only_when_it_is_read(tiny_model):
    plain = light_config(tiny_model, 2, "de", TRAIN, beta=1.0)
    assert "unlabelled" not in plain.light.key()  # the keys of DE-l trained before the field existed
    assert "pool" not in light_key(plain, PAIRS, NEGS, None, {"r": 1}, POOL)
    wider = light_config(tiny_model, 2, "de", TRAIN, beta=1.0, unlabelled=5)
    assert light_key(wider, PAIRS, NEGS, None, {"r": 1}, POOL) != light_key(wider, PAIRS, NEGS, None, {"r": 1},
                                                                           POOL[:-1])


def test_the_full_de_term_needs_the_full_de(tiny_model):
    cfg = light_config(tiny_model, 2, "base", TRAIN, beta=1.0, negatives=2)
    with pytest.raises(ValueError, match="reference"):
        LightStep(build_light(cfg), None, PAIRS, NEGS, None, cfg)


def test_the_key_names_only_the_models_a_de_l_depends_on(tiny_model):
    plain = light_key(light_config(tiny_model, 2, "base", TRAIN), PAIRS, NEGS, {"t": 1}, {"r": 1})
    assert plain["teacher"] is None and plain["reference"] is None
    both = light_key(light_config(tiny_model, 2, "ce", TRAIN, alpha=1, beta=1), PAIRS, NEGS, {"t": 1}, {"r": 1})
    assert both["teacher"] == {"t": 1} and both["reference"] == {"r": 1}


def test_train_light_trains_the_truncated_model_caches_and_reloads_it(tiny_model):
    ranker = GatedCrossEncoder(tiny_model).eval()
    full = MultiLayerEncoder(tiny_model).eval()
    cfg = light_config(tiny_model, 2, "ce", TRAIN, beta=1.0, negatives=2)
    before = vectors(ce_embedder(ranker), 2)["mean"]
    encoder, log = train_light(PAIRS, NEGS, cfg, ranker, {"t": 1}, None, full, {"r": 1}, progress=False)
    again, log2 = train_light(PAIRS, NEGS, cfg, ranker, {"t": 1}, None, full, {"r": 1}, progress=False)
    assert not log["cached"] and log2["cached"] and len(log["steps"]) == 2
    assert all("embedding" in s for s in log["steps"])
    assert again.num_layers == 2 and np.allclose(vectors(again, 2)["mean"], vectors(encoder, 2)["mean"], atol=1e-5)
    assert not np.allclose(vectors(encoder, 2)["mean"], before, atol=1e-4)  # it trained
    assert np.allclose(vectors(ce_embedder(ranker), 2)["mean"], before)      # the ranker did not
