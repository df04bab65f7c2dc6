"""Trained encoders saved in sentence-transformers format give the same embeddings as in mlrlib."""
import json

import numpy as np
import pytest
import torch

from mlrlib.methods.encoders import LayerPooledEncoder, MultiLayerEncoder
from mlrlib.methods.search import search
from mlrlib.runtime.cli import main as cli
from mlrlib.runtime.export import MULTI_VECTOR_RECIPE, save_sentence_transformer, save_trained
from mlrlib.training.checkpoints import cached_training, checkpoint_folder
from mlrlib.training.config import TrainConfig

st = pytest.importorskip("sentence_transformers")

TEXTS = ["How do I delete a directory tree?", "Perl hashes map string keys to scalar values.", "apt-get",
         "Tuples in Python cannot be changed after creation, unlike lists, which can grow and shrink."]


def mlrlib_vectors(encoder, layer, pooling, layers=None):
    return encoder.encode(TEXTS, layers or [layer], poolings=(pooling,), max_length=128, normalize=True)[pooling][:, 0]


def loaded(folder, **kw):
    return st.SentenceTransformer(str(folder), device="cpu", **kw).encode(TEXTS, convert_to_numpy=True)


@pytest.mark.parametrize("layer,pooling", [(None, "cls"), (2, "mean"), (1, "cls")])
def test_any_layer_and_pooling_exports_exactly(tiny_model, tmp_path, layer, pooling):
    encoder = MultiLayerEncoder(tiny_model)
    save_sentence_transformer(encoder, tmp_path / "st", layer=layer, pooling=pooling)
    expected = mlrlib_vectors(encoder, layer or encoder.num_layers, pooling)
    np.testing.assert_allclose(loaded(tmp_path / "st"), expected, atol=1e-5)
    assert encoder.num_layers == 3  # exporting an intermediate layer does not cut the caller's model


def test_causal_encoder_with_last_token_pooling_exports_exactly(tiny_model, tmp_path):
    encoder = MultiLayerEncoder(tiny_model, attention="causal")
    save_sentence_transformer(encoder, tmp_path / "st", pooling="last")
    np.testing.assert_allclose(loaded(tmp_path / "st"), mlrlib_vectors(encoder, 3, "last"), atol=1e-5)
    save_sentence_transformer(encoder, tmp_path / "cls", pooling="cls")
    first_token = loaded(tmp_path / "cls")  # under a causal mask the first token sees only itself
    np.testing.assert_allclose(first_token, np.broadcast_to(first_token[0], first_token.shape), atol=1e-5)


def test_layer_pooled_encoder_exports_its_trained_pooler(tiny_model, tmp_path):
    encoder = LayerPooledEncoder(tiny_model, "scalar-mix", [1, 2, 3])
    with torch.no_grad():
        encoder.pooler.weights.copy_(torch.tensor([0.5, -1.0, 2.0]))
    save_sentence_transformer(encoder, tmp_path / "st", pooling="mean")
    expected = mlrlib_vectors(encoder, None, "mean", layers=[1, 2, 3])
    np.testing.assert_allclose(loaded(tmp_path / "st", trust_remote_code=True), expected, atol=1e-5)


@pytest.mark.parametrize("pooling,attention", [("cls", "bidirectional"), ("mean", "bidirectional"), ("last", "causal")])
def test_multi_vector_recipe_reproduces_mlrlib_search(tiny_model, tmp_path, pooling, attention):
    cfg = TrainConfig(model=tiny_model, doc_layers=[2, 3], query_layer=3, p_max_len=64, pooling=pooling,
                       attention=attention)
    encoder = MultiLayerEncoder(tiny_model, attention=attention)
    folder = save_trained(encoder, cfg, tmp_path / "mlr")
    spec = json.loads((folder / "mlr_layers.json").read_text())
    assert spec["passage_layers"] == [2, 3] and spec["query_layers"] == [3]
    assert MULTI_VECTOR_RECIPE in (folder / "MULTI_VECTOR.md").read_text()

    passages, queries = TEXTS * 3, ["delete a tree", "perl hash", "python tuple"]
    scope = {"path": str(folder), "passages": passages, "queries": queries}
    exec(MULTI_VECTOR_RECIPE, scope)  # the documented recipe, run as a reader would run it
    P = encoder.encode(passages, [2, 3], poolings=(pooling,), max_length=64, normalize=True)[pooling]
    Q = encoder.encode(queries, [3], poolings=(pooling,), max_length=32, normalize=True)[pooling][:, 0]
    scores, ids = search(Q, P, k=10)
    np.testing.assert_allclose(np.take_along_axis(scope["scores"], scope["top"], 1), scores, atol=1e-5)
    np.testing.assert_allclose(loaded(folder)[:1], mlrlib_vectors(encoder, 3, pooling)[:1], atol=1e-5)


def test_cli_exports_a_cached_checkpoint(tiny_model, tmp_path, capsys):
    cfg = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, pooling="mean")
    key = {"config": cfg, "data": "x", "tag": "mlr"}
    encoder, _ = cached_training(key, lambda: (MultiLayerEncoder(tiny_model), {"losses": []}))
    assert cli(["export", str(checkpoint_folder(key).parent), str(tmp_path / "out")]) == 0
    np.testing.assert_allclose(loaded(tmp_path / "out"), mlrlib_vectors(encoder, 3, "mean"), atol=1e-5)
    assert not (tmp_path / "out" / "mlr_layers.json").exists()  # a dual encoder is one vector


def test_exporting_something_that_is_not_a_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert cli(["export", str(tmp_path), str(tmp_path / "out")]) == 2
    assert "not a trained checkpoint" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_the_old_export_address_still_works():
    import mlrlib.export
    import mlrlib.runtime.export
    assert mlrlib.export.save_trained is mlrlib.runtime.export.save_trained  # the README's import
    # the class a layer-pooled model exported before the move names in its modules.json
    assert mlrlib.export.LayerPoolingModule is mlrlib.runtime.export.LayerPoolingModule
