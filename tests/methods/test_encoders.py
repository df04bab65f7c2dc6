import numpy as np
import pytest
import torch

from mlrlib.methods.encoders import MultiLayerEncoder, pool

TEXTS = ["a short text", "a somewhat longer text about python lists and tuples", "perl"]


@pytest.fixture(scope="module")
def encoder(tiny_model):
    return MultiLayerEncoder(tiny_model).eval()


def test_one_pass_gives_every_requested_layer_and_pooling(encoder):
    out = encoder.encode(TEXTS, [0, 2, 3], poolings=("cls", "mean"))
    batch = encoder.tokenize(TEXTS, 256)
    with torch.no_grad():
        hidden = encoder.model(**batch, output_hidden_states=True).hidden_states
    for k, layer in enumerate([0, 2, 3]):
        np.testing.assert_allclose(out["cls"][:, k], hidden[layer][:, 0].numpy(), atol=1e-5)
        np.testing.assert_allclose(out["mean"][:, k], pool(hidden[layer], batch["attention_mask"], "mean").numpy(),
                                   atol=1e-5)


def test_mean_pooling_ignores_padding(encoder):
    alone = encoder.encode(["perl"], [3], poolings=("mean",))["mean"]
    padded = encoder.encode(TEXTS, [3], poolings=("mean",))["mean"][2:]
    np.testing.assert_allclose(alone, padded, atol=1e-5)


def test_truncated_encoder_removes_upper_layers_and_keeps_lower_outputs(encoder):
    small = encoder.truncated(2)
    assert small.num_layers == 2 and len(small.model.encoder.layer) == 2
    assert sum(p.numel() for p in small.parameters()) < sum(p.numel() for p in encoder.parameters())
    np.testing.assert_allclose(small.encode(TEXTS, [2])["cls"], encoder.encode(TEXTS, [2])["cls"], atol=1e-5)
    assert encoder.num_layers == 3  # the original is untouched


@pytest.mark.parametrize("layers", [[4], [-1], []])
def test_layers_outside_range_are_rejected(encoder, layers):
    with pytest.raises(ValueError, match="outside 0..3"):
        encoder.encode(TEXTS, layers)


def test_normalized_vectors_have_unit_norm(encoder):
    out = encoder.encode(TEXTS, [1, 3], normalize=True)["cls"]
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), 1, atol=1e-5)
