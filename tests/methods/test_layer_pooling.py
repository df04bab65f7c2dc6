import pytest
import torch

from mlrlib.methods.encoders import LayerPooledEncoder, MultiLayerEncoder, load_encoder
from mlrlib.methods.layer_pooling import LayerAverage, MultiLayerAttentionPooling, ScalarMix, make_pooler

X = torch.tensor([[[1.0, 0.0], [3.0, 2.0]], [[0.0, 4.0], [2.0, 0.0]]])  # [B=2, m=2, H=2]


def test_average_and_a_fresh_scalar_mix_are_the_mean_of_the_layers():
    expected = torch.tensor([[2.0, 1.0], [1.0, 2.0]])
    assert torch.equal(LayerAverage()(X), expected)
    torch.testing.assert_close(ScalarMix(2)(X), expected)


def test_scalar_mix_weights_are_a_softmax_times_gamma():
    mix = ScalarMix(2)
    with torch.no_grad():
        mix.weights.copy_(torch.tensor([0.0, torch.log(torch.tensor(3.0))]))  # softmax -> (1/4, 3/4)
        mix.gamma.fill_(2.0)
    torch.testing.assert_close(mix(X), 2 * (0.25 * X[:, 0] + 0.75 * X[:, 1]))


def test_attention_pooling_trains_its_layer_weights_and_queries():
    torch.manual_seed(0)
    pooler = MultiLayerAttentionPooling(num_layers=3, dim=8, heads=2, queries=2)
    x = torch.randn(4, 3, 8)
    y = pooler(x)
    assert y.shape == (4, 8)
    y.square().sum().backward()
    assert pooler.layer_weights.grad.abs().sum() > 0 and pooler.queries.grad.abs().sum() > 0
    # the layer weights make the layers distinguishable: permuting them changes the output
    with torch.no_grad():
        pooler.layer_weights.normal_()
    assert not torch.allclose(pooler(x), pooler(x[:, [2, 1, 0]]))


def test_unknown_pooler_is_an_error():
    with pytest.raises(ValueError, match="unknown layer pooling"):
        make_pooler("max", 2, 8)


def test_pooled_encoder_gives_one_vector_and_round_trips(tiny_model, tmp_path):
    torch.manual_seed(0)
    enc = LayerPooledEncoder(tiny_model, "attention", [1, 2, 3])
    texts = ["a short text", "another, longer text about retrieval"]
    vecs = enc.encode(texts, [1, 2, 3])["cls"]
    assert vecs.shape == (2, 1, 32)
    plain = MultiLayerEncoder(tiny_model).encode(texts, [1, 2, 3])["cls"]
    with torch.no_grad():
        expected = enc.pooler(torch.from_numpy(plain)).numpy()
    assert abs(vecs[:, 0] - expected).max() < 1e-5
    enc.save(tmp_path / "m")
    again = load_encoder(tmp_path / "m")
    assert isinstance(again, LayerPooledEncoder) and again.layers == [1, 2, 3]
    assert abs(again.encode(texts, [1, 2, 3])["cls"] - vecs).max() < 1e-6
    with pytest.raises(ValueError, match="pools layers"):
        enc.encode(texts, [3])
