"""The optimizer loop: updating each parameter inside the backward pass is the plain AdamW loop, bitwise."""
import pytest
import torch

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.training.batches import batches
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import loss_for
from mlrlib.training.loop import optimize
from mlrlib.training.step import train_step

PAIRS = [{"query": f"question number {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(12)]
NEGS = [f"unrelated negative text {i}" for i in range(12)]


def trained(model_path, in_backward: bool, **kw):
    cfg = TrainConfig(model=model_path, doc_layers=[2, 3], query_layer=3, steps=3, batch_size=4, bf16=False,
                      hard_negatives=True, lr=1e-3, pooling="mean", **kw)
    encoder = MultiLayerEncoder(model_path)
    grads_seen = []

    def step(batch):
        loss = train_step(encoder, *batch, cfg, loss_for(cfg))
        grads_seen.append(sum(p.grad is not None for p in encoder.parameters()))
        return float(loss), {"loss": float(loss)}

    records = optimize(encoder, batches(PAIRS, NEGS, cfg), cfg, step, progress=False, step_in_backward=in_backward)
    return encoder, records, grads_seen


@pytest.mark.parametrize("grad_cache_chunk", [None, 2])
def test_updates_inside_the_backward_pass_equal_the_plain_loop_bitwise(tiny_model, grad_cache_chunk):
    plain, plain_log, _ = trained(tiny_model, False, grad_cache_chunk=grad_cache_chunk)
    fused, fused_log, held = trained(tiny_model, True)
    assert [r["loss"] for r in fused_log] == [r["loss"] for r in plain_log] or grad_cache_chunk
    if grad_cache_chunk is None:
        for (name, a), b in zip(plain.state_dict().items(), fused.state_dict().values()):
            assert torch.equal(a, b), name
    assert held == [0, 0, 0]  # no gradient outlives its update
    assert not any(p.grad is not None for p in fused.parameters())


def test_gradient_caching_keeps_the_plain_loop(tiny_model):
    cfg = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, steps=2, batch_size=4, bf16=False,
                      hard_negatives=False, grad_cache_chunk=2)
    encoder = MultiLayerEncoder(tiny_model)
    held = []

    def step(batch):
        loss = train_step(encoder, *batch, cfg, loss_for(cfg))
        held.append(sum(p.grad is not None for p in encoder.parameters()))
        return float(loss), {}

    optimize(encoder, batches(PAIRS, [], cfg), cfg, step, progress=False)
    assert all(n > 0 for n in held)  # several backward passes accumulate before one AdamW step
