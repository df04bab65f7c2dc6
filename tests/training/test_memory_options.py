"""Training with less memory: gradient checkpointing (`training.step.checkpointed`, the same weights, fewer
activations kept) and the fused AdamW (`training.step.adamw`, the same update up to rounding, no temporaries)."""
import pytest
import torch

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.training.batches import batches
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import fit, loss_for
from mlrlib.training.ranker import RankerConfig, fit_ranker, make_ranker
from mlrlib.training.step import checkpointed, train_step

PAIRS = [{"query": f"question number {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(12)]
NEGS = [f"unrelated negative text {i}" for i in range(12)]


def de_config(model, **kw):
    return TrainConfig(model=model, doc_layers=[2, 3], query_layer=3, steps=3, batch_size=4, hard_negatives=True,
                       lr=1e-3, **kw)


def trained_de(model, checkpointing: bool, bf16: bool) -> list[torch.Tensor]:
    enc = MultiLayerEncoder(model)
    fit(enc, PAIRS, NEGS, de_config(model, checkpointing=checkpointing, bf16=bf16), progress=False)
    return [p.detach().clone() for p in enc.parameters()]


@pytest.mark.parametrize("bf16", [False, True])
def test_dual_encoder_trains_to_bitwise_equal_weights(tiny_model, bf16):
    """Dropout is on (the tiny BERT's 0.1): the recompute replays the forward's RNG state and autocast."""
    plain, checkpointed_ = trained_de(tiny_model, False, bf16), trained_de(tiny_model, True, bf16)
    start = [p.detach() for p in MultiLayerEncoder(tiny_model).parameters()]
    assert any(not torch.equal(a, b) for a, b in zip(plain, start))  # training moved the weights
    assert all(torch.equal(a, b) for a, b in zip(plain, checkpointed_))


def trained_ranker(model, checkpointing: bool) -> tuple[list[float], list[torch.Tensor]]:
    cfg = RankerConfig(model=model, steps=3, batch_size=4, negatives=1, lr=1e-3, bf16=True,
                       checkpointing=checkpointing)
    ranker = make_ranker(cfg)
    losses = fit_ranker(ranker, PAIRS, [[n] for n in NEGS], cfg, progress=False)
    return losses, [p.detach().clone() for p in ranker.parameters()]


def test_ranker_trains_to_bitwise_equal_weights(tiny_model):
    (loss_a, plain), (loss_b, checkpointed_) = trained_ranker(tiny_model, False), trained_ranker(tiny_model, True)
    assert loss_a == loss_b
    assert all(torch.equal(a, b) for a, b in zip(plain, checkpointed_))


def saved_bytes(model, checkpointing: bool) -> int:
    """Bytes of the tensors autograd keeps for backward outside checkpointed layers, over one step."""
    cfg = de_config(model, checkpointing=checkpointing, bf16=False)
    enc = MultiLayerEncoder(model).train()
    queries, passages = batches(PAIRS, NEGS, cfg)[0]
    total = [0]

    def pack(t):
        total[0] += t.numel() * t.element_size()
        return t
    with checkpointed(enc.model, checkpointing), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        train_step(enc, queries, passages, cfg, loss_for(cfg))
    return total[0]


def test_checkpointing_keeps_fewer_activations(tiny_model):
    assert saved_bytes(tiny_model, True) < 0.5 * saved_bytes(tiny_model, False)


def test_checkpointing_is_switched_off_after_the_block(tiny_model):
    enc = MultiLayerEncoder(tiny_model)
    name = next(n for n in ("is_activation_checkpointing", "is_gradient_checkpointing") if hasattr(enc.model, n))
    on = lambda: getattr(enc.model, name)  # noqa: E731
    with checkpointed(enc.model, True):
        assert on()
    assert not on()


def test_checkpointing_does_not_rename_cached_runs():
    """It changes memory, not weights (above), so a run finds the checkpoint cached by the other setting."""
    assert TrainConfig(checkpointing=True).key() == TrainConfig().key()
    assert RankerConfig(checkpointing=True).key() == RankerConfig().key()
    assert "checkpointing" not in TrainConfig().key()


def trained_with(model, **kw) -> list[torch.Tensor]:
    enc = MultiLayerEncoder(model)
    fit(enc, PAIRS, NEGS, de_config(model, bf16=False, **kw), progress=False)
    return [p.detach().clone() for p in enc.parameters()]


def test_fused_adamw_trains_the_same_weights_up_to_rounding(tiny_model):
    plain, fused = trained_with(tiny_model), trained_with(tiny_model, fused_adamw=True)
    start = [p.detach() for p in MultiLayerEncoder(tiny_model).parameters()]
    assert any(not torch.equal(b, s) for b, s in zip(fused, start))  # the fused run trained
    for a, b in zip(plain, fused):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_fused_adamw_is_named_in_the_key_only_when_taken():
    """Unlike checkpointing it moves the weights by rounding, so its checkpoints are kept apart; at its default the
    key is the one written before the option existed."""
    assert TrainConfig(fused_adamw=True).key() != TrainConfig().key()
    assert "fused_adamw" not in TrainConfig().key() and "fused_adamw" not in RankerConfig().key()
    assert RankerConfig(fused_adamw=True).key()["fused_adamw"] is True


def test_a_fused_ranker_trains(tiny_model):
    cfg = RankerConfig(model=tiny_model, steps=2, batch_size=4, negatives=1, lr=1e-3, bf16=False, fused_adamw=True)
    losses = fit_ranker(make_ranker(cfg), PAIRS, [[n] for n in NEGS], cfg, progress=False)
    assert len(losses) == 2 and all(torch.isfinite(torch.tensor(losses)))


def word_level_student(model, tmp_path, monkeypatch, checkpointing: bool) -> list[torch.Tensor]:
    """MD2PR's word-level terms read the student's attention maps from the eager kernel; with checkpointing, the
    recompute in backward must run that kernel too (it once ran SDPA's, and torch refused the step)."""
    from mlrlib.methods.cross_encoder import CrossEncoder
    from mlrlib.training.config import DistillConfig
    from mlrlib.training.md2pr import train_student
    monkeypatch.setenv("MLRLIB_CACHE", str(tmp_path / f"cache-{checkpointing}"))  # the key is the same either way
    cfg = de_config(model, bf16=True, checkpointing=checkpointing).replace(
        doc_layers=(3,), distill=DistillConfig(beta_attention=1.0, beta_hidden=1.0, negatives=1, layer_map=[(3, 3)]))
    encoder, log = train_student(PAIRS, [[n] for n in NEGS], cfg, CrossEncoder(model).eval(), {"ranker": "t"},
                                 progress=False)
    assert not log["cached"]
    return [p.detach().clone() for p in encoder.parameters()]


def test_word_level_distillation_checkpoints_to_bitwise_equal_weights(tiny_model, tmp_path, monkeypatch):
    plain = word_level_student(tiny_model, tmp_path, monkeypatch, False)
    assert all(torch.equal(a, b) for a, b in zip(plain, word_level_student(tiny_model, tmp_path, monkeypatch, True)))


def test_frozen_embeddings_stay_as_pretrained_and_are_trainable_again_after(tiny_model):
    enc = MultiLayerEncoder(tiny_model)
    before = [p.detach().clone() for p in enc.parameters()]
    fit(enc, PAIRS, NEGS, de_config(tiny_model, bf16=False, freeze_embeddings=True), progress=False)
    embeddings = enc.model.get_input_embeddings().weight
    moved = [not torch.equal(a, b) for a, b in zip(before, enc.parameters())]
    index = [p is embeddings for p in enc.parameters()].index(True)
    assert not moved[index] and sum(moved) > 0  # the embeddings stayed, the rest trained
    assert embeddings.requires_grad


def test_freezing_the_embeddings_is_named_in_the_key():
    assert TrainConfig(freeze_embeddings=True).key()["freeze_embeddings"] is True
    assert "freeze_embeddings" not in TrainConfig().key()
