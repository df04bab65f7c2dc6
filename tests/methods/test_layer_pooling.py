import pytest
import torch

from mlrlib.evaluation.premises import pooler_start_cosine
from mlrlib.methods.encoders import LayerPooledEncoder, MultiLayerEncoder, load_encoder
from mlrlib.methods.layer_pooling import LAST_WEIGHT, LayerAverage, MultiLayerAttentionPooling, ScalarMix, make_pooler
from mlrlib.training.config import TrainConfig

X = torch.tensor([[[1.0, 0.0], [3.0, 2.0]], [[0.0, 4.0], [2.0, 0.0]]])  # [B=2, m=2, H=2]


def test_average_and_a_neutral_scalar_mix_are_the_mean_of_the_layers():
    expected = torch.tensor([[2.0, 1.0], [1.0, 2.0]])
    assert torch.equal(LayerAverage()(X), expected)
    torch.testing.assert_close(ScalarMix(2, start="neutral")(X), expected)


@pytest.mark.parametrize("m", [2, 6, 12])
def test_a_fresh_scalar_mix_starts_at_the_last_layer(m):
    torch.manual_seed(0)
    x = torch.randn(5, m, 16)
    mix = ScalarMix(m)
    weights = torch.softmax(mix.weights, 0)
    assert weights[-1].item() == pytest.approx(LAST_WEIGHT, abs=1e-6)
    y = mix(x)
    cosine = torch.nn.functional.cosine_similarity(y, x[:, -1], dim=-1)
    assert cosine.min() > 0.998  # step 0: the dual encoder's vector, up to the other layers' 0.1%
    y.square().sum().backward()
    assert (mix.weights.grad[:-1] != 0).all()  # and every layer's logit can still move


def test_a_fresh_attention_pooler_outputs_the_last_layer_exactly_and_still_learns():
    torch.manual_seed(0)
    pooler = MultiLayerAttentionPooling(num_layers=3, dim=8, heads=2, queries=2)
    x = torch.randn(4, 3, 8)
    y = pooler(x)
    assert torch.equal(y, x[:, -1])
    y.square().sum().backward()
    assert pooler.attention.out_proj.weight.grad.abs().sum() > 0 and pooler.mlp[-1].weight.grad.abs().sum() > 0
    neutral = MultiLayerAttentionPooling(num_layers=3, dim=8, heads=2, queries=2, start="neutral")
    assert not torch.allclose(neutral(x), x[:, -1])


def test_unknown_pooler_start_is_an_error():
    with pytest.raises(ValueError, match="unknown pooler start"):
        make_pooler("attention", 2, 8, start="middle")


def test_scalar_mix_weights_are_a_softmax_times_gamma():
    mix = ScalarMix(2)
    with torch.no_grad():
        mix.weights.copy_(torch.tensor([0.0, torch.log(torch.tensor(3.0))]))  # softmax -> (1/4, 3/4)
        mix.gamma.fill_(2.0)
    torch.testing.assert_close(mix(X), 2 * (0.25 * X[:, 0] + 0.75 * X[:, 1]))


def test_attention_pooling_trains_its_layer_weights_and_queries():
    torch.manual_seed(0)
    pooler = MultiLayerAttentionPooling(num_layers=3, dim=8, heads=2, queries=2, start="neutral")
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


@pytest.mark.parametrize("kind, at_least", [("attention", 1 - 1e-5), ("scalar-mix", 0.998)])
def test_a_pooled_model_at_step_0_encodes_as_the_dual_encoder(tiny_model, kind, at_least):
    de = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, pooling="mean", bf16=False)
    pooled = de.replace(doc_layers=[1, 2, 3], layer_pooling=kind)
    texts = ["a short text", "another, longer text about retrieval", "a third one"]
    enc = {"batch_size": 8, "q_max_len": 16, "p_max_len": 16, "bf16": False}
    assert pooler_start_cosine(pooled, de, texts, enc) >= at_least
