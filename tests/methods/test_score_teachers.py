import numpy as np
import pytest

from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.score_teachers import BiEncoderScorer, FusionScorer

CORPUS = ["apt-get install fetches and installs a package", "the kernel is configured with menuconfig",
          "debian releases are named after toy story characters"]


def test_bi_encoder_scores_are_cosines_over_the_temperature(tiny_model):
    scorer = BiEncoderScorer(tiny_model, temperature=0.5)
    q, p = ["how to install a package", "release names"], [CORPUS[0], CORPUS[2]]
    enc = MultiLayerEncoder(tiny_model)
    Q = enc.encode(q, [3], poolings=("mean",), max_length=16, normalize=True)["mean"][:, 0]
    P = enc.encode(p, [3], poolings=("mean",), max_length=32, normalize=True)["mean"][:, 0]
    expected = (Q * P).sum(1) / 0.5
    assert np.allclose(scorer.score(q, p, 16, 32), expected, atol=1e-5)
    # repeated texts are encoded once and scored alike
    assert np.allclose(scorer.score(q * 2, p * 2, 16, 32), np.tile(expected, 2), atol=1e-5)


def test_an_indexed_corpus_is_cached_and_gives_the_same_scores(tiny_model):
    from mlrlib.evaluation.teacher_choice import index_corpus
    scorer = BiEncoderScorer(tiny_model)
    fresh = scorer.score(["install"] * 3, CORPUS, 16, 32)
    assert index_corpus(scorer, CORPUS, {"model": "tiny"}, 32) > 0
    assert np.allclose(scorer.score(["install"] * 3, CORPUS, 16, 32), fresh, atol=1e-5)
    again = BiEncoderScorer(tiny_model)
    assert index_corpus(again, CORPUS, {"model": "tiny"}, 32) == 0.0  # loaded from the cache
    assert set(again.indexed) == set(CORPUS)


def test_score_refuses_unpaired_inputs(tiny_model):
    with pytest.raises(ValueError, match="pairs"):
        BiEncoderScorer(tiny_model).score(["a", "b"], ["c"])


def test_fusion_adds_weighted_bm25_to_the_dense_score(tiny_model):
    dense = BiEncoderScorer(tiny_model)
    queries, passages = ["install a package"] * 3, CORPUS
    zero, one = FusionScorer(dense, CORPUS, 0.0), FusionScorer(dense, CORPUS, 1.0)
    lexical = one.lexical(queries, passages)
    assert lexical[0] > 0 and lexical[1] == 0 == lexical[2]  # only the first passage shares a word
    assert np.allclose(one.score(queries, passages) - zero.score(queries, passages), lexical, atol=1e-5)
    with pytest.raises(ValueError, match="corpus passages only"):
        one.score(["install"], ["a passage outside the corpus"])
