import pytest
import torch

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.training.batches import batches
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import loss_for, train_encoder
from mlrlib.training.step import represent, train_step

PAIRS = [{"query": f"question number {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(12)]
NEGS = [f"unrelated negative text {i}" for i in range(12)]


def cfg_for(model, **kw):
    base = dict(model=model, doc_layers=[2, 3], query_layer=3, steps=2, batch_size=4, bf16=False,
                hard_negatives=True, lr=1e-3)
    return TrainConfig(**{**base, **kw})


def grads(model_path, cfg):
    torch.manual_seed(0)
    enc = MultiLayerEncoder(model_path).eval()  # eval: no dropout, so one pass and chunks agree
    queries, passages = batches(PAIRS, NEGS, cfg)[0]
    train_step(enc, queries, passages, cfg, loss_for(cfg))
    return [p.grad.clone() for p in enc.parameters() if p.grad is not None]


def test_gradient_caching_gives_the_same_gradients(tiny_model):
    direct = grads(tiny_model, cfg_for(tiny_model))
    cached = grads(tiny_model, cfg_for(tiny_model, grad_cache_chunk=2))
    assert len(direct) == len(cached) > 0
    for a, b in zip(direct, cached):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_batches_hold_positives_then_hard_negatives(tiny_model):
    cfg = cfg_for(tiny_model)
    queries, passages = batches(PAIRS, NEGS, cfg)[0]
    assert len(queries) == 4 and len(passages) == 8
    idx = [next(i for i, p in enumerate(PAIRS) if p["query"] == q) for q in queries]
    assert passages == [PAIRS[i]["positive"] for i in idx] + [NEGS[i] for i in idx]


def test_training_is_deterministic_and_checkpoints_are_cached(tiny_model):
    cfg = cfg_for(tiny_model)
    a, log_a = train_encoder(PAIRS, NEGS, cfg, progress=False)
    cached, log_c = train_encoder(PAIRS, NEGS, cfg, progress=False)
    assert not log_a["cached"] and log_c["cached"] and log_c["losses"] == log_a["losses"]
    import shutil

    from mlrlib.runtime.cache import cache_root
    shutil.rmtree(cache_root() / "checkpoints")
    b, log_b = train_encoder(PAIRS, NEGS, cfg, progress=False)
    assert log_b["losses"] == log_a["losses"]
    for (n, p), (_, q), (_, r) in zip(a.named_parameters(), b.named_parameters(), cached.named_parameters()):
        assert torch.equal(p, q) and torch.equal(p, r), n


def test_training_changes_the_weights_and_a_new_config_trains_anew(tiny_model):
    base = MultiLayerEncoder(tiny_model)
    trained, log = train_encoder(PAIRS, NEGS, cfg_for(tiny_model), progress=False)
    assert any(not torch.equal(p, q) for p, q in zip(base.parameters(), trained.parameters()))
    _, other = train_encoder(PAIRS, NEGS, cfg_for(tiny_model, seed=1), progress=False)
    assert not other["cached"]


def test_represent_normalizes_when_asked(tiny_model):
    enc = MultiLayerEncoder(tiny_model)
    reps = represent(enc, ["a", "b c"], 16, [1, 3], cfg_for(tiny_model))
    assert reps.shape == (2, 2, 32)
    torch.testing.assert_close(reps.norm(dim=-1), torch.ones(2, 2))


def test_objectives_are_checked():
    with pytest.raises(ValueError, match="unknown objective"):
        TrainConfig(objective="colbert")
    with pytest.raises(ValueError, match="ending with the query layer"):
        TrainConfig(doc_layers=[4, 5], query_layer=6, objective="self-anchored")


def test_single_vector_mlr_searches_the_last_layer_only():
    from mlrlib.training.config import inference_layers
    for objective in ("query-anchored", "self-anchored"):
        assert inference_layers(TrainConfig(doc_layers=[5, 6], objective=objective)) == ([6], [6])
    assert inference_layers(TrainConfig(doc_layers=[5, 6])) == ([6], [5, 6])
    assert inference_layers(TrainConfig(doc_layers=[1, 2, 3], layer_pooling="average")) == ([1, 2, 3], [1, 2, 3])


@pytest.mark.parametrize("objective", ["query-anchored", "self-anchored"])
def test_the_regularizer_reaches_the_intermediate_layer(tiny_model, objective):
    """Layer 2 of S = {2, 3} gets a different gradient when lambda > 0 (its own loss term)."""
    def layer2_grad(lam):
        cfg = cfg_for(tiny_model, objective=objective, lam=lam, hard_negatives=False)
        torch.manual_seed(0)
        enc = MultiLayerEncoder(tiny_model).eval()
        train_step(enc, *batches(PAIRS, NEGS, cfg)[0], cfg, loss_for(cfg))
        return torch.cat([p.grad.flatten() for p in enc.model.encoder.layer[1].parameters()])
    assert not torch.allclose(layer2_grad(0.0), layer2_grad(1.0))


def test_a_layer_pooled_model_trains_its_pooler_and_is_cached_with_it(tiny_model):
    from mlrlib.methods.encoders import LayerPooledEncoder
    cfg = cfg_for(tiny_model, doc_layers=[1, 2, 3], layer_pooling="scalar-mix", hard_negatives=False)
    trained, log = train_encoder(PAIRS, NEGS, cfg, progress=False)
    assert isinstance(trained, LayerPooledEncoder)
    assert not torch.equal(trained.pooler.weights.detach(), torch.zeros(3))
    cached, log_c = train_encoder(PAIRS, NEGS, cfg, progress=False)
    assert log_c["cached"] and torch.equal(cached.pooler.weights, trained.pooler.weights)
